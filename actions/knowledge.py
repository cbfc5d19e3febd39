"""Questions the store's documents answer: quoted, cited, or an honest "I don't know"."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.common import latest_text

# When the NLU did not take the message for a question about the store, an answer must be
# closer still before it is given instead of the out-of-scope reply.
FALLBACK_MIN_SIMILARITY = 0.5


class ActionAnswerQuestion(Action):
    """A policy question: the best sentences of the best section, or the offer of a person."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        answer = await services.knowledge().respond(latest_text(tracker))
        if answer is None:
            dispatcher.utter_message(response="utter_dont_know")
            return []
        dispatcher.utter_message(text=answer.text, json_message=answer.as_custom())
        return []


class ActionAnswerOrFallback(Action):
    """Anything no flow handles: answered from the documents when they clearly do, else the
    out-of-scope reply with the offer of a person."""

    def name(self) -> str:
        return "action_answer_or_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        answer = await services.knowledge().respond(
            latest_text(tracker), min_similarity=FALLBACK_MIN_SIMILARITY
        )
        if answer is None:
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        dispatcher.utter_message(text=answer.text, json_message=answer.as_custom())
        return []
