"""What the assistant says: a transport-free bot message, built from dispatcher output."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    def as_dict(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class BotMessage:
    """One bot utterance. `custom` carries typed payloads (product cards, hand-off notices)."""

    text: str | None = None
    buttons: tuple[Button, ...] = ()
    image: str | None = None
    custom: dict[str, Any] | None = None

    def as_data(self) -> dict[str, Any]:
        """The persisted and wire form: only the keys that are set."""
        data: dict[str, Any] = {}
        if self.text is not None:
            data["text"] = self.text
        if self.buttons:
            data["buttons"] = [button.as_dict() for button in self.buttons]
        if self.image is not None:
            data["image"] = self.image
        if self.custom is not None:
            data["custom"] = self.custom
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> BotMessage:
        return cls(
            text=data.get("text"),
            buttons=tuple(
                Button(title=str(b["title"]), payload=str(b["payload"]))
                for b in data.get("buttons") or ()
            ),
            image=data.get("image"),
            custom=data.get("custom"),
        )


@dataclass
class TurnResult:
    """The outcome of one user turn: what to say, what happened, whether a person is needed."""

    messages: list[BotMessage] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    handoff_reason: str | None = None

    @property
    def handoff_requested(self) -> bool:
        return self.handoff_reason is not None
