"""The actions of conversation repair's patterns (assistant/engine/repair.py): ending a task
with nothing half-done, answering a question asked in the middle of one, and answering a
question about a task before offering to start it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import TASK_SLOTS, latest_intent
from actions.knowledge import find_answers, send_findings
from assistant.engine.repair import OFFER_SLOT, STOPPED_SLOT


class ActionStopTask(Action):
    """A "cancel" or "never mind": the engine has ended the flows; forget their choices."""

    def name(self) -> str:
        return "action_stop_task"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        stopped = tracker.get_slot(STOPPED_SLOT)
        if stopped:
            dispatcher.utter_message(response="utter_stopped", task=stopped)
        else:
            dispatcher.utter_message(response="utter_nothing_to_stop")
        return [SlotSet(name, None) for name in (*TASK_SLOTS, STOPPED_SLOT)]


class ActionAnswerIfCovered(Action):
    """A question asked while a step waits: answered when the store's documents do;
    otherwise said plainly that they do not. The step then asks again."""

    def name(self) -> str:
        return "action_answer_if_covered"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        findings = await find_answers(tracker)
        covered = [finding for finding in findings if finding.covered]
        if covered:
            send_findings(dispatcher, covered)
        else:
            # Said plainly, so the step's question that follows is not "didn't catch that".
            dispatcher.utter_message(response="utter_question_not_covered")
        return []


class ActionAnswerThenOffer(Action):
    """A question such as "can I return a used item?": the policy first, then the offer to
    start the task the question was about (a yes starts it, with its sign-in)."""

    def name(self) -> str:
        return "action_answer_then_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        findings = await find_answers(tracker)
        if any(finding.covered for finding in findings):
            send_findings(dispatcher, findings)
            dispatcher.utter_message(response="utter_offer_task")
        else:
            dispatcher.utter_message(response="utter_offer_task_unanswered")
        return [SlotSet(OFFER_SLOT, latest_intent(tracker) or None)]
