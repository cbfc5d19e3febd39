"""What the broker carries between workers and sockets: one typed event per kind.

Each event is a frozen model with a `kind`; `publish` takes only these, and an event that
arrives from Redis is read back with `read_event`, which refuses anything that is not one
(the subscriber then drops it and says why). The same JSON goes through Redis and stays in
process, so both brokers carry the same thing.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from assistant.errors import AisleError


class BrokerEventError(AisleError):
    code: ClassVar[str] = "invalid_broker_event"


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MessageEvent(_Event):
    """A stored message (`MessageRecord.as_dict()`), for every socket of the conversation."""

    kind: Literal["message"] = "message"
    message: dict[str, Any]


class StatusEvent(_Event):
    """Who answers now: the assistant (`bot`) or a person (`handoff`)."""

    kind: Literal["status"] = "status"
    status: str


class Draft(_Event):
    id: str
    reply_to: int
    text: str


class DraftEvent(_Event):
    """What the assistant is writing while a turn runs (never stored)."""

    kind: Literal["draft"] = "draft"
    draft: Draft


class TypingEvent(_Event):
    kind: Literal["typing"] = "typing"
    who: Literal["shopper", "agent"]
    active: bool
    name: str | None = None


class NoteEvent(_Event):
    """An internal note of the team (`Note.as_dict()`): agents' consoles only."""

    kind: Literal["note"] = "note"
    note: dict[str, Any]


class InboxEvent(_Event):
    """On the team inbox's channel: a hand-off of this conversation changed."""

    kind: Literal["inbox"] = "inbox"
    event: str
    conversation_id: str


class ResyncEvent(_Event):
    """Some events may have been missed: read the conversation from the database."""

    kind: Literal["resync"] = "resync"


BrokerEvent = Annotated[
    MessageEvent | StatusEvent | DraftEvent | TypingEvent | NoteEvent | InboxEvent | ResyncEvent,
    Field(discriminator="kind"),
]
_ADAPTER: TypeAdapter[BrokerEvent] = TypeAdapter(BrokerEvent)
RESYNC = ResyncEvent()


def read_event(data: str | bytes | dict[str, Any]) -> BrokerEvent:
    """An event from its JSON (or its dict); `BrokerEventError` says what is wrong."""
    try:
        if isinstance(data, dict):
            return _ADAPTER.validate_python(data)
        return _ADAPTER.validate_json(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "event"
        raise BrokerEventError(f"not a broker event: {where}: {problem['msg']}") from exc
