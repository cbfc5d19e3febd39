"""Wire schemas: the widget's WebSocket frames and Rasa's REST channel (behaviour events are
`behaviour_events.py`).

These models are the contract documented in docs/protocol.md; `protocol_schema()` renders
them as the JSON Schema kept in docs/protocol.schema.json (a test keeps the two equal).
Translation to and from domain records happens here, nowhere else.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from assistant.conversation.repository import MessageRecord
from assistant.errors import InvalidInput, UnknownFrameType
from assistant.server.wire import MAX_INT32, decode_json, validation_details

__all__ = ["decode_json", "validation_details"]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WireButton(_Frame):
    title: str
    payload: str


# -- client → server ------------------------------------------------------------------------


# A customer token (a JWT) is a few hundred characters; this bounds it.
MAX_TOKEN_CHARS = 4096
MAX_COMMENT_CHARS = 1000


class HelloFrame(_Frame):
    """First frame of a connection: start a conversation, or resume one after `last_seq`.
    With `customer_token`, the store's logged-in customer is identified too (as `identify`)."""

    type: Literal["hello"]
    session: str | None = Field(None, min_length=1, max_length=128)
    last_seq: int = Field(0, ge=0, le=MAX_INT32)
    customer_token: str | None = Field(
        None,
        min_length=1,
        max_length=MAX_TOKEN_CHARS,
        description="the store's signed token for its logged-in customer (HS256 JWT)",
    )


class ClientMessageFrame(_Frame):
    """A shopper's message; `client_id` makes a resend idempotent, `payload` is a button's."""

    type: Literal["message"]
    client_id: str = Field(min_length=1, max_length=64)
    text: str
    payload: str | None = Field(None, max_length=1024)


class PingFrame(_Frame):
    type: Literal["ping"]


class RateFrame(_Frame):
    """The shopper's satisfaction with the conversation, 1 to 5; a later rating replaces the
    earlier one."""

    type: Literal["rate"]
    score: int = Field(ge=1, le=5, strict=True)
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS)

    @field_validator("comment")
    @classmethod
    def _clean_comment(cls, comment: str | None) -> str | None:
        if comment is None:
            return None
        if "\x00" in comment:
            raise ValueError("the comment contains a NUL character")
        return comment.strip() or None


class IdentifyFrame(_Frame):
    """The store's signed token for its logged-in customer, passed on by the widget."""

    type: Literal["identify"]
    token: str = Field(min_length=1, max_length=MAX_TOKEN_CHARS)


class ClientTypingFrame(_Frame):
    """The shopper is typing (`active`) or stopped; heard by the agent who holds the
    conversation, and ignored while the assistant answers."""

    type: Literal["typing"]
    active: bool


ClientFrameModel = (
    HelloFrame | ClientMessageFrame | PingFrame | RateFrame | IdentifyFrame | ClientTypingFrame
)
ClientFrame = Annotated[ClientFrameModel, Field(discriminator="type")]
CLIENT_FRAME_TYPES = ("hello", "message", "ping", "rate", "identify", "typing")
_client_adapter: TypeAdapter[ClientFrameModel] = TypeAdapter(ClientFrame)


# -- server → client ------------------------------------------------------------------------


class WelcomeFrame(_Frame):
    type: Literal["welcome"] = "welcome"
    session: str
    status: Literal["bot", "handoff"]
    last_seq: int
    resumed: bool


class AckFrame(_Frame):
    """The message with `client_id` is stored as `seq`; `duplicate` when it was a resend."""

    type: Literal["ack"] = "ack"
    client_id: str
    seq: int
    duplicate: bool = False


class ServerMessageFrame(_Frame):
    """A stored message, in `seq` order: the shopper's own, the bot's, an agent's (with the
    agent's name as `author`), a system notice. A bot message with `replaces` takes the place
    of the draft with that id."""

    type: Literal["message"] = "message"
    seq: int
    role: Literal["user", "bot", "agent", "system"]
    text: str | None = None
    buttons: list[WireButton] | None = None
    image: str | None = None
    custom: dict[str, Any] | None = None
    client_id: str | None = None
    replaces: str | None = Field(None, description="the id of the draft this message replaces")
    author: str | None = Field(None, description="the display name of the agent who wrote it")
    created_at: str


class DraftFrame(_Frame):
    """A bot reply while the language model writes it, not yet checked: `text` is all of it
    so far (each frame supersedes the previous one with the same `id`). The `message` whose
    `replaces` names this `id` takes its place — the model's checked words or the quoted
    answer instead; a draft that no message replaced is dropped at the end of typing."""

    type: Literal["draft"] = "draft"
    id: str
    reply_to: int = Field(description="the seq of the shopper's message being answered")
    text: str


class StatusFrame(_Frame):
    """Who answers now: the bot, or a person after a hand-off."""

    type: Literal["status"] = "status"
    status: Literal["bot", "handoff"]


class IdentifiedFrame(_Frame):
    """The customer token was valid: the conversation knows the store's customer now."""

    type: Literal["identified"] = "identified"
    customer_id: str
    name: str | None = None


class TypingFrame(_Frame):
    """Someone is writing a reply: the assistant, or (with `author`) the agent who holds the
    conversation."""

    type: Literal["typing"] = "typing"
    active: bool
    author: str | None = Field(None, description="the agent typing; absent for the assistant")


class ErrorFrame(_Frame):
    """A typed error; the connection stays open."""

    type: Literal["error"] = "error"
    code: str
    message: str
    client_id: str | None = None
    retry_after_s: int | None = Field(
        None, description="rate_limited: seconds until a message will be accepted again"
    )


class PongFrame(_Frame):
    type: Literal["pong"] = "pong"


ServerFrame = Annotated[
    WelcomeFrame
    | AckFrame
    | ServerMessageFrame
    | DraftFrame
    | StatusFrame
    | TypingFrame
    | ErrorFrame
    | PongFrame
    | IdentifiedFrame,
    Field(discriminator="type"),
]


# -- REST channel ---------------------------------------------------------------------------


class RestRequest(_Frame):
    model_config = ConfigDict(extra="ignore")

    # Checked by the conversation service (`invalid_sender`); documented here.
    sender: str = Field(
        json_schema_extra={"minLength": 1, "maxLength": 128, "pattern": r"^[^\x00-\x1f\x7f-\x9f]+$"}
    )
    message: str
    metadata: dict[str, Any] | None = None


class RestResponseItem(BaseModel):
    recipient_id: str
    text: str | None = None
    buttons: list[WireButton] | None = None
    image: str | None = None
    custom: dict[str, Any] | None = None


# -- translation ----------------------------------------------------------------------------


def parse_client_frame(raw: bytes | str, *, max_bytes: int) -> ClientFrameModel:
    data = decode_json(raw, max_bytes=max_bytes)
    if not isinstance(data, dict):
        raise InvalidInput("a frame is a JSON object")
    kind = data.get("type")
    if kind not in CLIENT_FRAME_TYPES:
        raise UnknownFrameType(
            f"unknown frame type {kind!r}; expected one of {', '.join(CLIENT_FRAME_TYPES)}"
        )
    try:
        return _client_adapter.validate_python(data)
    except ValidationError as exc:
        raise InvalidInput(
            f"invalid {kind} frame", details=validation_details(exc.errors())
        ) from exc


def parse_rest_request(raw: bytes, *, max_bytes: int) -> RestRequest:
    data = decode_json(raw, max_bytes=max_bytes)
    if not isinstance(data, dict):
        raise InvalidInput("the request body is a JSON object")
    try:
        return RestRequest.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput("invalid request", details=validation_details(exc.errors())) from exc


def message_frame(record: MessageRecord) -> ServerMessageFrame:
    data = record.data
    return ServerMessageFrame(
        seq=record.seq,
        role=record.role,
        text=record.text,
        buttons=[WireButton(**b) for b in data["buttons"]] if data.get("buttons") else None,
        image=data.get("image"),
        custom=data.get("custom"),
        client_id=record.client_id,
        replaces=data.get("replaces"),
        author=data.get("author"),
        created_at=record.created_at.isoformat(),
    )


def rest_items(sender: str, records: list[MessageRecord]) -> list[dict[str, Any]]:
    """Rasa's REST reply items. A card's `custom.text_form` (what it shows, as lines of text)
    joins the message's text here, where no widget draws the card; the widget's frames
    leave it out of the text, so a reply never says what the card beside it shows."""
    items = []
    for record in records:
        frame = message_frame(record)
        text = frame.text
        text_form = (frame.custom or {}).get("text_form")
        if isinstance(text_form, str) and text_form:
            text = f"{text}\n{text_form}" if text else text_form
        item = RestResponseItem(
            recipient_id=sender,
            text=text,
            buttons=frame.buttons,
            image=frame.image,
            custom=frame.custom,
        )
        items.append(item.model_dump(exclude_none=True))
    return items


def protocol_schema() -> dict[str, Any]:
    """The JSON Schema of every frame, in both directions."""
    client = TypeAdapter(ClientFrame).json_schema(ref_template="#/$defs/{model}")
    server = TypeAdapter(ServerFrame).json_schema(ref_template="#/$defs/{model}")
    defs = {**client.pop("$defs", {}), **server.pop("$defs", {})}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:aisle:protocol:ws-chat",
        "title": "Aisle widget protocol (WS /ws/chat)",
        "$defs": {
            **defs,
            "ClientFrame": client,
            "ServerFrame": server,
        },
        "oneOf": [{"$ref": "#/$defs/ClientFrame"}, {"$ref": "#/$defs/ServerFrame"}],
    }
