"""The agent console's live channel: `WS /ws/agent` (docs/agents.md).

A signed-in member of staff (the console's cookie, from the server's own pages) or the API
token (a bearer header) connects and hears every change to the team's inbox — a hand-off
requested, claimed, transferred, gone offline, closed, a new message in one — through the same
pub/sub as the shoppers' sockets, so an agent on one worker hears a shopper on another. The
console also `watch`es the conversation it has open: its messages, internal notes, status and
the shopper's typing. While connected, the session counts as signed in (`seen_at`), which is
how a hand-off knows whether anyone can come.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, WebSocket
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from sqlalchemy.orm import Session
from starlette.websockets import WebSocketDisconnect, WebSocketState

from assistant.conversation import inbox
from assistant.conversation import repository as repo
from assistant.conversation.broker import INBOX
from assistant.conversation.events import (
    BrokerEvent,
    InboxEvent,
    MessageEvent,
    NoteEvent,
    ResyncEvent,
    StatusEvent,
    TypingEvent,
)
from assistant.conversation.repository import MessageRecord
from assistant.errors import AisleError, InvalidInput, OriginNotAllowed, UnknownFrameType
from assistant.persistence.models.base import utcnow
from assistant.server.deps import get_components
from assistant.server.protocol import message_frame
from assistant.server.staff import COOKIE, bearer_caller, check_console_origin
from assistant.server.wire import decode_json, validation_details
from assistant.services import Components
from assistant.staff.accounts import StaffMember
from assistant.staff.sessions import mark_seen

logger = logging.getLogger(__name__)
router = APIRouter(tags=["agent"])

CLOSE_UNAUTHORIZED = 4401
CLOSE_ORIGIN_REFUSED = 4403
# How often a connected console renews its presence (well inside `support.presence_s`).
HEARTBEAT_S = 30.0
MAX_FRAME_BYTES = 4096


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WatchFrame(_Frame):
    """Follow one conversation live (the one on screen); null follows none."""

    type: Literal["watch"]
    conversation_id: str | None = Field(None, min_length=1, max_length=64)


class AgentTypingFrame(_Frame):
    """The agent is typing a reply; only the holder's typing reaches the shopper."""

    type: Literal["typing"]
    conversation_id: str = Field(min_length=1, max_length=64)
    active: bool


class AgentPingFrame(_Frame):
    type: Literal["ping"]


AgentFrame = WatchFrame | AgentTypingFrame | AgentPingFrame
_frames: TypeAdapter[AgentFrame] = TypeAdapter(Annotated[AgentFrame, Field(discriminator="type")])


AGENT_FRAME_TYPES = ("watch", "typing", "ping")


def parse_agent_frame(raw: str | bytes) -> AgentFrame:
    data = decode_json(raw, max_bytes=MAX_FRAME_BYTES)
    if not isinstance(data, dict):
        raise InvalidInput("a frame is a JSON object")
    kind = data.get("type")
    if kind not in AGENT_FRAME_TYPES:
        raise UnknownFrameType(
            f"unknown frame type {kind!r}; expected one of {', '.join(AGENT_FRAME_TYPES)}"
        )
    try:
        return _frames.validate_python(data)
    except ValidationError as exc:
        details = validation_details(exc.errors())
        raise InvalidInput(f"invalid {kind} frame", details=details) from exc


@router.websocket("/ws/agent")
async def agent_socket(websocket: WebSocket) -> None:
    components = get_components(websocket)
    await websocket.accept()
    try:
        check_console_origin(websocket)
    except OriginNotAllowed as exc:
        await _refuse(websocket, exc, CLOSE_ORIGIN_REFUSED)
        return
    token = websocket.cookies.get(COOKIE)
    try:
        machine = bearer_caller(websocket)
    except AisleError as exc:
        await _refuse(websocket, exc, CLOSE_UNAUTHORIZED)
        return
    member: StaffMember | None = None
    if machine is None:
        found = await asyncio.to_thread(mark_seen, components.sessions, token)
        if found is None:
            await _refuse(websocket, None, CLOSE_UNAUTHORIZED)
            return
        member = found.member
    socket = AgentSocket(websocket, components, member, token)
    try:
        await socket.serve()
    finally:
        await socket.stop()


async def _refuse(websocket: WebSocket, error: AisleError | None, code: int) -> None:
    frame = {"type": "error", "code": "unauthorized", "message": "sign in first"}
    if error is not None:
        frame = {"type": "error", "code": error.code, "message": error.message}
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await websocket.send_json(frame)
        await websocket.close(code=code)


class AgentSocket:
    def __init__(
        self,
        websocket: WebSocket,
        components: Components,
        member: StaffMember | None,
        token: str | None,
    ) -> None:
        self.ws = websocket
        self.components = components
        self.member = member
        self.token = token
        self._send_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._watch: asyncio.Task[None] | None = None

    async def send(self, frame: dict[str, Any]) -> None:
        if self.ws.application_state != WebSocketState.CONNECTED:
            return
        async with self._send_lock:
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                await self.ws.send_json(frame)

    async def serve(self) -> None:
        subscribed = asyncio.Event()
        self._tasks.append(asyncio.create_task(self._inbox(subscribed)))
        if self.member is not None:
            self._tasks.append(asyncio.create_task(self._heartbeat()))
        await subscribed.wait()
        me = self.member.as_dict() if self.member is not None else None
        await self.send({"type": "welcome", "me": me})
        while True:
            try:
                raw = await self.ws.receive()
            except (WebSocketDisconnect, RuntimeError):
                return
            if raw["type"] == "websocket.disconnect":
                return
            data = raw.get("text") if raw.get("text") is not None else raw.get("bytes")
            try:
                await self.handle(parse_agent_frame(data or b""))
            except AisleError as exc:
                await self.send({"type": "error", "code": exc.code, "message": exc.message})
            except Exception:
                logger.exception("an agent frame failed")
                await self.send({"type": "error", "code": "internal_error", "message": "try again"})

    async def handle(self, frame: AgentFrame) -> None:
        if isinstance(frame, WatchFrame):
            await self.watch(frame.conversation_id)
        elif isinstance(frame, AgentTypingFrame):
            await self.typing(frame.conversation_id, frame.active)
        else:
            await self.send({"type": "pong"})

    # -- the inbox ---------------------------------------------------------------------------

    async def _inbox(self, subscribed: asyncio.Event) -> None:
        async with self.components.broker.subscribe(INBOX) as queue:
            subscribed.set()
            while True:
                event = await queue.get()
                try:
                    await self._on_inbox(event)
                except Exception:
                    logger.exception("could not tell an inbox about %s", event)
                    await self.send({"type": "resync"})

    async def _on_inbox(self, event: BrokerEvent) -> None:
        if not isinstance(event, InboxEvent):
            await self.send({"type": "resync"})
            return
        conversation_id = event.conversation_id
        sla = self.components.settings.support.sla_first_response_s

        def read(session: Session) -> dict[str, Any] | None:
            return inbox.conversation_item(session, conversation_id, now=utcnow(), sla_s=sla)

        item = await self.components.conversations.read(read)
        if item is not None:
            await self.send({"type": "inbox", "event": event.event, "handoff": item})

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            found = await asyncio.to_thread(mark_seen, self.components.sessions, self.token)
            if found is None:  # signed out elsewhere, expired, or the account was disabled
                await self.send({"type": "error", "code": "unauthorized", "message": "signed out"})
                with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                    await self.ws.close(code=CLOSE_UNAUTHORIZED)
                return

    # -- the conversation on screen ----------------------------------------------------------

    async def watch(self, conversation_id: str | None) -> None:
        await self._unwatch()
        if conversation_id is None:
            return
        await self.components.conversations.get(conversation_id)  # ConversationNotFound
        subscribed = asyncio.Event()
        self._watch = asyncio.create_task(self._follow(conversation_id, subscribed))
        await subscribed.wait()
        await self.send({"type": "watching", "conversation_id": conversation_id})

    async def _unwatch(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None

    async def _follow(self, conversation_id: str, subscribed: asyncio.Event) -> None:
        async with self.components.broker.subscribe(conversation_id) as queue:
            subscribed.set()
            while True:
                event = await queue.get()
                frame = _conversation_frame(conversation_id, event)
                if frame is not None:
                    await self.send(frame)

    async def typing(self, conversation_id: str, active: bool) -> None:
        member = self.member
        if member is None:
            raise InvalidInput("typing is a signed-in agent's")

        def holds(session: Session) -> bool:
            handoff = repo.open_handoff(session, conversation_id=conversation_id)
            return (
                handoff is not None
                and handoff.status == "active"
                and (handoff.agent_id == member.id)
            )

        if await self.components.conversations.read(holds):
            await self.components.broker.publish(
                conversation_id, TypingEvent(who="agent", name=member.name, active=active)
            )

    async def stop(self) -> None:
        await self._unwatch()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _conversation_frame(conversation_id: str, event: BrokerEvent) -> dict[str, Any] | None:
    """What an agent's console hears of a conversation event (never a draft: only what was
    said; never the agent's own typing)."""
    base = {"conversation_id": conversation_id}
    if isinstance(event, MessageEvent):
        record = MessageRecord.from_dict(event.message)
        message = message_frame(record).model_dump(exclude_none=True)
        return {**base, "type": "message", "message": message}
    if isinstance(event, NoteEvent):
        return {**base, "type": "note", "note": event.note}
    if isinstance(event, StatusEvent):
        return {**base, "type": "status", "status": event.status}
    if isinstance(event, TypingEvent) and event.who == "shopper":
        return {**base, "type": "typing", "who": "shopper", "active": event.active}
    if isinstance(event, ResyncEvent):
        return {"type": "resync"}
    return None
