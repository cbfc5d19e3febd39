"""What the conversation service hands out and the checks on what it is given: a conversation's
identity, an accepted message, a turn's outcome, and the shopper's text and sender id."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.conversation.repository import MessageRecord
from assistant.errors import (
    EmptyMessage,
    InvalidInput,
    InvalidSender,
    MessageTooLarge,
    UndecodableMessage,
)

MAX_SENDER_CHARS = 128
MAX_CLIENT_ID_CHARS = 64
MAX_PAYLOAD_CHARS = 1024


@dataclass(frozen=True)
class ConversationInfo:
    id: str
    channel: str
    external_id: str
    status: str
    last_seq: int


@dataclass(frozen=True)
class Turn:
    """What answering a message produced: the stored replies, and who owns the conversation."""

    replies: list[MessageRecord]
    status: str
    # The tracker events the turn added (what the turn log names).
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Held:
    """A shopper's message while the team holds the conversation: what was said back (in the
    offline path) and who answers next."""

    records: list[MessageRecord]
    status: str
    # What the team's inbox hears of it: a new message, or the offline path's outcome.
    event: str


@dataclass(frozen=True)
class Accepted:
    conversation_id: str
    message_id: int
    record: MessageRecord
    duplicate: bool
    # False when a resend finds the message already answered.
    needs_processing: bool


def check_text(text: Any, *, max_bytes: int) -> str:
    """A shopper's message: a non-empty string of valid Unicode within the byte limit."""
    if not isinstance(text, str):
        raise InvalidInput("the message must be a string")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise UndecodableMessage("the message is not valid Unicode text") from exc
    if "\x00" in text:
        raise UndecodableMessage("the message contains a NUL character")
    if size > max_bytes:
        raise MessageTooLarge(
            f"the message is {size} bytes; the limit is {max_bytes}",
            details={"limit": max_bytes, "size": size},
        )
    if not text.strip():
        raise EmptyMessage("the message is empty")
    return text.strip()


def check_sender(sender: Any) -> str:
    if not isinstance(sender, str) or not sender.strip():
        raise InvalidSender("the sender must be a non-empty string")
    if len(sender) > MAX_SENDER_CHARS or not sender.isprintable():
        raise InvalidSender(f"the sender must be at most {MAX_SENDER_CHARS} printable characters")
    return sender


def info_of(conversation: Any) -> ConversationInfo:
    return ConversationInfo(
        id=conversation.id,
        channel=conversation.channel,
        external_id=conversation.external_id,
        status=conversation.status,
        last_seq=conversation.last_seq,
    )
