"""The actions of conversation repair's patterns (assistant/engine/repair.py): ending a task
with nothing half-done, answering a question asked in the middle of one, and answering a
question about a task before offering to start it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.common import TASK_SLOTS, latest_intent, latest_text
from actions.knowledge import FALLBACK_MIN_SIMILARITY
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
    """A question asked while a step waits: answered when the store's documents clearly
    do; otherwise nothing is said and the step asks again."""

    def name(self) -> str:
        return "action_answer_if_covered"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        answer = await services.knowledge().respond(
            latest_text(tracker), min_similarity=FALLBACK_MIN_SIMILARITY
        )
        if answer is not None:
            dispatcher.utter_message(text=answer.text, json_message=answer.as_custom())
        return []


class ActionAnswerThenOffer(Action):
    """A question such as "can I return a used item?": the policy first, then the offer to
    start the task the question was about (a yes starts it, with its sign-in)."""

    def name(self) -> str:
        return "action_answer_then_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        answer = await services.knowledge().respond(latest_text(tracker))
        if answer is None:
            dispatcher.utter_message(response="utter_offer_task_unanswered")
        else:
            dispatcher.utter_message(text=answer.text, json_message=answer.as_custom())
            dispatcher.utter_message(response="utter_offer_task")
        return [SlotSet(OFFER_SLOT, latest_intent(tracker) or None)]
