"""The conversation's dialogue state: slots, events, the flow stack, paused or not.

The conversation service loads it from the database before a turn and saves what changed
after; the engine only mutates this object. Events use Rasa's dictionary shapes so that
rasa_sdk's `Tracker` is built from `as_rasa_dict()` unchanged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FlowFrame:
    flow: str
    step: int = 0
    # The slot this frame asked for and is waiting on, if any.
    waiting: str | None = None
    # Another flow ran on top of this one while it waited: say where we were when it asks again.
    interrupted: bool = False
    # The prompts this step sent in a row without an answer (repair: never a third time).
    prompts: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "step": self.step,
            "waiting": self.waiting,
            "interrupted": self.interrupted,
            "prompts": list(self.prompts),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FlowFrame:
        return cls(
            flow=str(data["flow"]),
            step=int(data.get("step", 0)),
            waiting=data.get("waiting"),
            interrupted=bool(data.get("interrupted", False)),
            prompts=[str(p) for p in data.get("prompts") or ()],
        )


@dataclass
class DialogueTracker:
    sender_id: str
    slots: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    stack: list[FlowFrame] = field(default_factory=list)
    paused: bool = False
    latest_message: dict[str, Any] | None = None
    latest_action_name: str | None = None
    # Events added during the current turn, to be persisted after it.
    new_events: list[dict[str, Any]] = field(default_factory=list)
    # Slots changed during the current turn.
    changed_slots: set[str] = field(default_factory=set)

    def add(self, event: dict[str, Any]) -> None:
        stamped = {**event, "timestamp": event.get("timestamp") or time.time()}
        self.events.append(stamped)
        self.new_events.append(stamped)
        kind = stamped["event"]
        if kind == "slot":
            self.slots[stamped["name"]] = stamped.get("value")
            self.changed_slots.add(stamped["name"])
        elif kind == "reset_slots":
            for name in list(self.slots):
                self.slots[name] = None
                self.changed_slots.add(name)
        elif kind == "pause":
            self.paused = True
        elif kind == "resume":
            self.paused = False
        elif kind == "user":
            self.latest_message = stamped.get("parse_data")
        elif kind == "action":
            self.latest_action_name = stamped.get("name")

    def set_slot(self, name: str, value: Any) -> None:
        if self.slots.get(name) != value:
            self.add({"event": "slot", "name": name, "value": value})

    @property
    def active(self) -> FlowFrame | None:
        return self.stack[-1] if self.stack else None

    def dialogue_state(self) -> dict[str, Any]:
        return {"stack": [frame.as_dict() for frame in self.stack], "paused": self.paused}

    def restore_state(self, state: dict[str, Any]) -> None:
        self.stack = [FlowFrame.from_dict(frame) for frame in state.get("stack") or ()]
        self.paused = bool(state.get("paused", False))

    def as_rasa_dict(self) -> dict[str, Any]:
        """The tracker as rasa_sdk expects it (`Tracker.from_dict`)."""
        active = self.active
        return {
            "sender_id": self.sender_id,
            "slots": dict(self.slots),
            "latest_message": self.latest_message or {},
            "events": list(self.events),
            "paused": self.paused,
            "followup_action": None,
            "active_loop": {"name": active.flow} if active else {},
            "latest_action_name": self.latest_action_name,
            "stack": [frame.as_dict() for frame in self.stack],
        }
