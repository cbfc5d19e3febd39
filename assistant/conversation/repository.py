"""Data access for conversations: keyword-only functions on a session; no HTTP, no engine.

Callers own the transaction. Sequence numbers are given under a row lock on the
conversation (`SELECT … FOR UPDATE` on PostgreSQL), so two workers never hand out the same one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from assistant.engine.tracker import DialogueTracker
from assistant.persistence.models import Conversation, Handoff, Message, SlotValue, TrackerEvent
from assistant.persistence.models.base import utcnow
from assistant.persistence.models.conversation import OPEN_HANDOFF_STATES


@dataclass(frozen=True)
class MessageRecord:
    """A stored message, detached from the ORM session."""

    conversation_id: str
    seq: int
    role: str
    text: str | None
    data: dict[str, Any]
    client_id: str | None
    created_at: datetime

    @classmethod
    def of(cls, message: Message) -> MessageRecord:
        return cls(
            conversation_id=message.conversation_id,
            seq=message.seq,
            role=message.role,
            text=message.text,
            data=dict(message.data or {}),
            client_id=message.client_id,
            created_at=message.created_at,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "seq": self.seq,
            "role": self.role,
            "text": self.text,
            "data": self.data,
            "client_id": self.client_id,
            "created_at": self.created_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> MessageRecord:
        return cls(
            conversation_id=raw["conversation_id"],
            seq=int(raw["seq"]),
            role=raw["role"],
            text=raw.get("text"),
            data=dict(raw.get("data") or {}),
            client_id=raw.get("client_id"),
            created_at=datetime.fromisoformat(raw["created_at"]),
        )


def new_conversation_id() -> str:
    return secrets.token_hex(16)


def get_conversation(
    session: Session, *, conversation_id: str, lock: bool = False
) -> Conversation | None:
    statement = select(Conversation).where(Conversation.id == conversation_id)
    if lock:
        statement = statement.with_for_update()
    return session.scalars(statement).first()


def find_conversation(session: Session, *, channel: str, external_id: str) -> Conversation | None:
    return session.scalars(
        select(Conversation).where(
            Conversation.channel == channel, Conversation.external_id == external_id
        )
    ).first()


def create_conversation(session: Session, *, channel: str, external_id: str) -> Conversation:
    conversation = Conversation(id=new_conversation_id(), channel=channel, external_id=external_id)
    session.add(conversation)
    session.flush()
    return conversation


def append_message(
    session: Session,
    *,
    conversation: Conversation,
    role: str,
    text: str | None,
    data: dict[str, Any] | None = None,
    client_id: str | None = None,
    status: str = "processed",
    reply_to: int | None = None,
) -> Message:
    conversation.last_seq += 1
    conversation.updated_at = utcnow()
    message = Message(
        conversation_id=conversation.id,
        seq=conversation.last_seq,
        role=role,
        text=text,
        data=data or {},
        client_id=client_id,
        status=status,
        reply_to=reply_to,
    )
    session.add(message)
    session.flush()
    return message


def find_client_message(
    session: Session, *, conversation_id: str, client_id: str
) -> Message | None:
    return session.scalars(
        select(Message).where(
            Message.conversation_id == conversation_id, Message.client_id == client_id
        )
    ).first()


def get_message(session: Session, *, message_id: int) -> Message | None:
    return session.get(Message, message_id)


def messages_after(
    session: Session, *, conversation_id: str, after_seq: int, limit: int = 500
) -> list[Message]:
    return list(
        session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.seq > after_seq)
            .order_by(Message.seq)
            .limit(limit)
        )
    )


def unanswered(
    session: Session, *, conversation_id: str, since: datetime, before_seq: int | None = None
) -> list[Message]:
    """The shopper's messages stored since `since` (and before `before_seq`) that are not
    answered yet, oldest first."""
    statement = select(Message).where(
        Message.conversation_id == conversation_id,
        Message.role == "user",
        Message.status == "received",
        Message.created_at >= since,
    )
    if before_seq is not None:
        statement = statement.where(Message.seq < before_seq)
    return list(session.scalars(statement.order_by(Message.seq)))


def summary_after(session: Session, *, conversation_id: str, seq: int) -> bool:
    """Whether the bot sent a change summary (`custom.type` "change_summary") after `seq`."""
    later = session.scalars(
        select(Message).where(
            Message.conversation_id == conversation_id, Message.role == "bot", Message.seq > seq
        )
    )
    for message in later:
        custom = (message.data or {}).get("custom")
        if isinstance(custom, dict) and custom.get("type") == "change_summary":
            return True
    return False


def replies_to(session: Session, *, message_id: int) -> list[Message]:
    return list(
        session.scalars(select(Message).where(Message.reply_to == message_id).order_by(Message.seq))
    )


def load_tracker(
    session: Session, *, conversation: Conversation, initial_slots: dict[str, Any], max_events: int
) -> DialogueTracker:
    tracker = DialogueTracker(sender_id=conversation.id, slots=dict(initial_slots))
    for slot in session.scalars(
        select(SlotValue).where(SlotValue.conversation_id == conversation.id)
    ):
        tracker.slots[slot.name] = slot.value
    recent = session.scalars(
        select(TrackerEvent)
        .where(TrackerEvent.conversation_id == conversation.id)
        .order_by(TrackerEvent.position.desc())
        .limit(max_events)
    )
    tracker.events = [row.event for row in reversed(list(recent))]
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            tracker.latest_message = event.get("parse_data")
            break
    tracker.restore_state(conversation.dialogue_state or {})
    return tracker


def tracker_version(session: Session, *, conversation_id: str) -> int:
    """The stored tracker's version: its last event's position (-1 with none). Every change
    to a tracker stores an event, so the version moves with every change."""
    last = session.scalar(
        select(func.max(TrackerEvent.position)).where(
            TrackerEvent.conversation_id == conversation_id
        )
    )
    return -1 if last is None else int(last)


def save_tracker(
    session: Session,
    *,
    conversation: Conversation,
    tracker: DialogueTracker,
    version: int | None = None,
) -> int:
    """Append the turn's events and write the slots it changed and the flow stack; returns
    the new version. `version`, the one the tracker was read at, saves a lookup; were it
    stale, the events' unique positions refuse the write."""
    if version is None:
        version = tracker_version(session, conversation_id=conversation.id)
    position = version
    for event in tracker.new_events:
        position += 1
        session.add(TrackerEvent(conversation_id=conversation.id, position=position, event=event))
    if tracker.changed_slots:
        session.execute(
            delete(SlotValue).where(
                SlotValue.conversation_id == conversation.id,
                SlotValue.name.in_(sorted(tracker.changed_slots)),
            )
        )
        for name in sorted(tracker.changed_slots):
            session.add(
                SlotValue(conversation_id=conversation.id, name=name, value=tracker.slots.get(name))
            )
    conversation.dialogue_state = tracker.dialogue_state()
    tracker.new_events.clear()
    tracker.changed_slots.clear()
    return position


def open_handoff(session: Session, *, conversation_id: str) -> Handoff | None:
    return session.scalars(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN_HANDOFF_STATES))
        .order_by(Handoff.id.desc())
    ).first()


def latest_handoff(session: Session, *, conversation_id: str) -> Handoff | None:
    return session.scalars(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id)
        .order_by(Handoff.id.desc())
    ).first()


def slot_values(session: Session, *, conversation_id: str) -> dict[str, Any]:
    return {
        slot.name: slot.value
        for slot in session.scalars(
            select(SlotValue).where(SlotValue.conversation_id == conversation_id)
        )
    }


def request_handoff(session: Session, *, conversation: Conversation, reason: str) -> Handoff:
    existing = open_handoff(session, conversation_id=conversation.id)
    conversation.status = "handoff"
    if existing is not None:
        if existing.status == "offline":  # asked again: the team gets another chance
            existing.status, existing.offline_reason = "requested", None
            existing.requested_at = utcnow()
        return existing
    handoff = Handoff(conversation_id=conversation.id, reason=reason)
    session.add(handoff)
    session.flush()
    return handoff


def list_handoffs(session: Session, *, open_only: bool = True) -> list[Handoff]:
    statement = select(Handoff).order_by(Handoff.requested_at)
    if open_only:
        statement = statement.where(Handoff.status.in_(OPEN_HANDOFF_STATES))
    return list(session.scalars(statement))
