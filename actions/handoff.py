"""Hand-off to a person: tell the shopper, and pause the bot for this conversation."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionHandoff(Action):
    """Pauses the bot; the conversation service records the hand-off and routes to agents."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reason = tracker.get_slot("handoff_reason") or _reason_from(tracker)
        dispatcher.utter_message(response="utter_handoff")
        dispatcher.utter_message(json_message={"type": "handoff", "status": "requested"})
        return [SlotSet("handoff_reason", reason), ConversationPaused()]


def _reason_from(tracker: Tracker) -> str:
    """The shopper's own words, so the agent sees why they asked."""
    text = (tracker.latest_message or {}).get("text") or ""
    return text[:500] or "shopper asked for a person"
