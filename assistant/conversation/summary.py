"""What the agent who takes a hand-off reads first: a short summary of the conversation.

The facts always come from the stored conversation: why the shopper asked for a person, who
they are when they signed in, the orders named, how long it went on and their last words. With
a language model, the summary is also written in its words — and used only when every number
and order id in it appears in the conversation; otherwise the facts' own summary stands.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from assistant.config.store import OrderIds
from assistant.conversation import repository as repo
from assistant.conversation.repository import MessageRecord
from assistant.conversation.service import ConversationService
from assistant.errors import ConversationNotFound

# The transcript a model is shown ends with this many messages.
TRANSCRIPT_MESSAGES = 40
LAST_WORDS = 3
SPEAKERS = {"user": "Shopper", "bot": "Assistant", "agent": "Agent", "system": "Notice"}


@dataclass(frozen=True)
class ConversationFacts:
    reason: str | None
    customer_id: str | None
    customer_name: str | None
    orders: tuple[str, ...]
    shopper_messages: int
    last_words: tuple[str, ...]

    def text(self) -> str:
        """The facts as a few plain sentences (the summary without a model)."""
        parts = [f"Asked for a person: “{self.reason}”." if self.reason else "Asked for a person."]
        if self.customer_id:
            who = (
                f"{self.customer_name} ({self.customer_id})"
                if self.customer_name
                else (self.customer_id)
            )
            parts.append(f"Signed in as {who}.")
        else:
            parts.append("Not signed in.")
        if self.orders:
            parts.append(f"Orders mentioned: {', '.join(self.orders)}.")
        parts.append(f"{self.shopper_messages} message(s) from the shopper; the last:")
        parts.extend(f"“{words}”" for words in self.last_words)
        return " ".join(parts)


@dataclass(frozen=True)
class Summary:
    text: str
    # True when `text` is the model's and passed the check; False for the facts' own.
    generated: bool
    facts: ConversationFacts

    def as_dict(self) -> dict[str, Any]:
        facts = asdict(self.facts)
        facts["orders"], facts["last_words"] = list(self.facts.orders), list(self.facts.last_words)
        return {"text": self.text, "generated": self.generated, "facts": facts}


class SummaryWriter(Protocol):
    """Writes a summary from a transcript (a language model); None when it cannot."""

    async def write(self, transcript: str, facts: ConversationFacts) -> str | None: ...


def transcript(records: Sequence[MessageRecord]) -> str:
    lines = []
    for record in records:
        text = " ".join((record.text or "").split())
        if text:
            lines.append(f"{SPEAKERS.get(record.role, record.role)}: {text}")
    return "\n".join(lines)


def facts_of(
    records: Sequence[MessageRecord],
    *,
    reason: str | None,
    slots: dict[str, Any],
    order_ids: OrderIds | None = None,
) -> ConversationFacts:
    shopper = [r.text or "" for r in records if r.role == "user"]
    orders: dict[str, None] = {}
    for record in records:
        for order_id in (order_ids or OrderIds()).find_all(record.text or ""):
            orders[order_id] = None
    customer_id = slots.get("customer_id")
    customer_name = slots.get("customer_name")
    return ConversationFacts(
        reason=reason,
        customer_id=str(customer_id) if customer_id else None,
        customer_name=str(customer_name) if customer_name else None,
        orders=tuple(orders),
        shopper_messages=len(shopper),
        last_words=tuple(" ".join(t.split())[:300] for t in shopper[-LAST_WORDS:]),
    )


class HandoffSummaries:
    """Summaries for the agent console, remembered until the conversation moves on."""

    def __init__(
        self,
        conversations: ConversationService,
        writer: SummaryWriter | None = None,
        *,
        remember: int = 256,
        order_ids: OrderIds | None = None,
    ) -> None:
        self.conversations = conversations
        self.writer = writer
        self.order_ids = order_ids or OrderIds()
        self.remember = remember
        self._cache: OrderedDict[tuple[str, int], Summary] = OrderedDict()

    async def summary(self, conversation_id: str) -> Summary:
        info = await self.conversations.get(conversation_id)
        key = (info.id, info.last_seq)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        records, facts = await self.conversations.read(lambda s: _read(s, info.id, self.order_ids))
        summary = Summary(facts.text(), generated=False, facts=facts)
        if self.writer is not None and records:
            written = await self.writer.write(transcript(records[-TRANSCRIPT_MESSAGES:]), facts)
            if written:
                summary = Summary(written, generated=True, facts=facts)
        self._cache[key] = summary
        while len(self._cache) > self.remember:
            self._cache.popitem(last=False)
        return summary


def _read(
    session: Session, conversation_id: str, order_ids: OrderIds
) -> tuple[list[MessageRecord], ConversationFacts]:
    conversation = repo.get_conversation(session, conversation_id=conversation_id)
    if conversation is None:
        raise ConversationNotFound(f"no conversation {conversation_id}")
    records = [
        MessageRecord.of(m)
        for m in repo.messages_after(
            session, conversation_id=conversation_id, after_seq=0, limit=10_000
        )
    ]
    handoff = repo.latest_handoff(session, conversation_id=conversation_id)
    slots = repo.slot_values(session, conversation_id=conversation_id)
    reason = handoff.reason if handoff else None
    return records, facts_of(records, reason=reason, slots=slots, order_ids=order_ids)
