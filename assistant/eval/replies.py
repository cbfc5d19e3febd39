"""What a scripted shopper sees of one assistant turn, and how it reads what is being asked.

A shopper sees only the text, the buttons and the cards of the assistant's messages, never
the tracker or the engine's state. `Reply.asks` reads the question from the words, the way a
person would recognise "Which order would you like to cancel?" as a question about the order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# What the assistant can be asking, recognised by its wording (checked in the order listed:
# a reply that confirms one thing and asks the next is read as the question).
QUESTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("confirm", re.compile(r"exactly what i'll do|shall i go ahead|should i go ahead")),
    (
        "identity",
        re.compile(
            r"confirm who you are|find your account|couldn't find an account|"
            r"email address of your account|first name, last name and zip"
        ),
    ),
    ("more_items", re.compile(r"\bso far:")),
    ("items", re.compile(r"which items? (from|in) order|which one do you mean")),
    ("new_item", re.compile(r"what would you like instead of")),
    ("cancel_reason", re.compile(r"reason for cancel")),
    ("address", re.compile(r"what is the new address|which address")),
    ("payment", re.compile(r"refund go\?|which payment method|pay or receive")),
    ("order", re.compile(r"which order|pick one of your orders|check the number")),
    ("offer", re.compile(r"\bshall i\?|would you like me to start that|shall i connect you\?")),
)
# The end of a request, whatever its outcome.
ENDED = re.compile(
    r"^done\b|couldn't make that change|haven't changed anything|nothing has been changed|"
    r"none of your (orders|payment methods)|anything else|can't change it|"
    r"i can only \w+.* orders that are"
)
HANDOFF = re.compile(r"connecting you with a person|hand(ing)? you (over )?to")


@dataclass
class Reply:
    """The messages of one assistant turn, as the shopper sees them."""

    texts: list[str] = field(default_factory=list)
    buttons: list[dict[str, str]] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_messages(cls, messages: list[dict[str, Any]]) -> Reply:
        reply = cls()
        for data in messages:
            if data.get("text"):
                reply.texts.append(str(data["text"]))
            reply.buttons.extend(data.get("buttons") or [])
            if isinstance(data.get("custom"), dict):
                reply.cards.append(data["custom"])
        return reply

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def last_text(self) -> str:
        return self.texts[-1] if self.texts else ""

    def asks(self) -> str | None:
        """What the last message asks for, or None when it asks nothing the shopper knows."""
        last = self.last_text.lower()
        for kind, pattern in QUESTIONS:
            if pattern.search(last):
                return kind
        return None

    @property
    def ended(self) -> bool:
        """The assistant finished (or gave up on) the request and waits for a new one."""
        return self.asks() is None and any(ENDED.search(t.lower()) for t in self.texts)

    @property
    def handed_off(self) -> bool:
        return any(card.get("type") == "handoff" for card in self.cards) or any(
            HANDOFF.search(t.lower()) for t in self.texts
        )

    def summary(self) -> str:
        """The proposed change, when the reply asks to confirm one."""
        for card in self.cards:
            if card.get("type") == "change_summary":
                return "\n".join(str(line) for line in card.get("lines") or [])
        return self.last_text

    def click(self, predicate: Any) -> str | None:
        """The payload of the first button whose payload or title satisfies `predicate`."""
        for button in self.buttons:
            if predicate(button):
                return str(button["payload"])
        return None


def ask_detail(text: str, pattern: str) -> str | None:
    """A part of a question's wording: `ask_detail(text, r"instead of the (.+?) \\(\\$")`."""
    found = re.search(pattern, text, flags=re.IGNORECASE | re.DOTALL)
    return found.group(1) if found else None
