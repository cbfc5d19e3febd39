"""The assistant's own tables: conversations, messages, tracker events and slots, hand-offs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.persistence.models.base import Base, utcnow

# Hand-off states the team still has to answer: waiting for an agent, held by one, or in the
# offline queue (nobody could take it; the shopper may have left an email address).
OPEN_HANDOFF_STATES = ("requested", "active", "offline")


class Conversation(Base):
    """One shopper's conversation on one channel; `external_id` is the channel's sender id."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    # bot: the assistant replies; handoff: a person owns it; the bot stays silent.
    status: Mapped[str] = mapped_column(String(16), default="bot")
    # Highest sequence number given to a message of this conversation.
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    # REST senders: the SHA-256 (hex) of the secret issued on the first message, which every
    # later message of the sender must carry.
    secret_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    # Authenticated store customer, once the shopper has proven who they are.
    customer_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # The shopper's satisfaction rating (1 to 5) and comment; a later one replaces it.
    rating: Mapped[int | None] = mapped_column(Integer, default=None)
    rating_comment: Mapped[str | None] = mapped_column(Text, default=None)
    rated_at: Mapped[datetime | None] = mapped_column(default=None)
    # The dialogue manager's flow stack, persisted between turns.
    dialogue_state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", order_by="Message.seq", cascade="all, delete-orphan"
    )


class Message(Base):
    """A message in a conversation, numbered by `seq` for resume and ordering."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        # A resent client message id is recognised instead of processed twice.
        UniqueConstraint("conversation_id", "client_id", name="uq_messages_conversation_client"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    # user, bot, agent or system
    role: Mapped[str] = mapped_column(String(16))
    client_id: Mapped[str | None] = mapped_column(String(64), default=None)
    text: Mapped[str | None] = mapped_column(Text, default=None)
    # buttons, image, custom payload, the button payload a user clicked
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # For user messages: received (stored, not yet answered) or processed.
    status: Mapped[str] = mapped_column(String(16), default="processed")
    # The user message a bot message answers, for idempotent resend replays.
    reply_to: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class TrackerEvent(Base):
    """A Rasa-style event (user, bot, action, slot, …) in the conversation's tracker."""

    __tablename__ = "tracker_events"
    __table_args__ = (UniqueConstraint("conversation_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    event: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SlotValue(Base):
    """The current value of one slot in one conversation."""

    __tablename__ = "slots"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)


class Handoff(Base):
    """A request for a person; open while `status` is requested or active."""

    __tablename__ = "handoffs"
    __table_args__ = (Index("ix_handoffs_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    # requested -> active (an agent claimed it) -> released (handed back) | resolved;
    # requested -> offline (after hours, nobody signed in, or unclaimed too long) -> active
    # (an agent joins after all) | resolved (answered by email)
    status: Mapped[str] = mapped_column(String(16), default="requested")
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    agent: Mapped[str | None] = mapped_column(String(64), default=None)
    # The staff account holding it (`staff_users.id`); None when a machine (the API token)
    # named the agent, or before anyone claimed it.
    agent_id: Mapped[int | None] = mapped_column(Integer, default=None)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Why it went offline: after_hours, no_agents or timeout (`assistant/conversation/offline.py`).
    offline_reason: Mapped[str | None] = mapped_column(String(16), default=None)
    # Where the shopper asked to be answered, in the offline path.
    email: Mapped[str | None] = mapped_column(String(254), default=None)


class AgentNote(Base):
    """A note the support team leaves on a conversation for each other. It is never a
    message: nothing that reads messages (the widget, replay, the REST channel) can show it
    to the shopper."""

    __tablename__ = "agent_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    # The writer's name as the team knows it, and their account (None: the API token).
    author: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(Integer, default=None)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
