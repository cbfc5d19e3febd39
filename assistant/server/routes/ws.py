"""The widget's channel: `WS /ws/chat` (docs/protocol.md).

A connection says `hello` (new or resumed session), then sends `message` frames, and perhaps
`rate` (the shopper's rating) and `identify` (the store's token for its logged-in customer).
Each stored message is acknowledged with its sequence number; every message of the
conversation — the shopper's, the bot's, an agent's, a system notice — reaches the socket
through the broker in `seq` order, after a replay of what the client missed. A bad frame gets
an error frame; the socket stays open.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from fastapi import APIRouter, WebSocket
from pydantic import BaseModel
from starlette.websockets import WebSocketDisconnect, WebSocketState

from assistant.conversation.events import (
    RESYNC,
    BrokerEvent,
    DraftEvent,
    MessageEvent,
    ResyncEvent,
    StatusEvent,
    TypingEvent,
)
from assistant.conversation.repository import MessageRecord
from assistant.conversation.service import Accepted
from assistant.errors import AisleError, InvalidInput, OriginNotAllowed
from assistant.server.deps import get_components
from assistant.server.identity import identify_customer
from assistant.server.origins import connection_allowed
from assistant.server.protocol import (
    AckFrame,
    ClientFrameModel,
    ClientMessageFrame,
    ClientTypingFrame,
    DraftFrame,
    ErrorFrame,
    HelloFrame,
    IdentifiedFrame,
    IdentifyFrame,
    PongFrame,
    RateFrame,
    StatusFrame,
    TypingFrame,
    WelcomeFrame,
    message_frame,
    parse_client_frame,
)
from assistant.services import Components

logger = logging.getLogger(__name__)
router = APIRouter(tags=["channels"])

CHANNEL = "web"
# Close code for a refused origin (4000-4999 are the application's own).
CLOSE_ORIGIN_REFUSED = 4403


@router.websocket("/ws/chat")
async def chat(websocket: WebSocket) -> None:
    components = get_components(websocket)
    origin = websocket.headers.get("origin")
    await websocket.accept()
    session = ChatSession(websocket, components)
    if not connection_allowed(websocket, components.settings.channels.allowed_origins):
        await session.send(
            ErrorFrame(**_error_fields(OriginNotAllowed(f"origin {origin} is not allowed")))
        )
        await websocket.close(code=CLOSE_ORIGIN_REFUSED)
        return
    try:
        await session.serve()
    finally:
        await session.stop()


def _internal_error(message: str, client_id: str | None) -> ErrorFrame:
    """What the shopper hears of a failure the server did not expect (it is logged)."""
    return ErrorFrame(code="internal_error", message=message, client_id=client_id)


def _error_fields(error: AisleError, client_id: str | None = None) -> dict[str, Any]:
    retry = (error.details or {}).get("retry_after_s")
    return {
        "code": error.code,
        "message": error.message,
        "client_id": client_id,
        "retry_after_s": retry if isinstance(retry, int) else None,
    }


class ChatSession:
    def __init__(self, websocket: WebSocket, components: Components) -> None:
        self.ws = websocket
        self.components = components
        self.conversations = components.conversations
        self.max_frame = components.settings.channels.websocket.max_frame_bytes
        self.conversation_id: str | None = None
        self.client = websocket.client.host if websocket.client else "unknown"
        self.last_sent_seq = 0
        self.status = "bot"
        self._send_lock = asyncio.Lock()
        self._deliver_lock = asyncio.Lock()
        self._forwarder: asyncio.Task[None] | None = None
        self._turns: set[asyncio.Task[None]] = set()
        # Drafts already replaced by a message: a late draft event for one is not sent.
        self._replaced: set[str] = set()

    async def send(self, frame: BaseModel) -> None:
        if self.ws.application_state != WebSocketState.CONNECTED:
            return
        async with self._send_lock:
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                await self.ws.send_text(frame.model_dump_json(exclude_none=True))

    async def serve(self) -> None:
        while True:
            try:
                raw = await self.ws.receive()
            except (WebSocketDisconnect, RuntimeError):
                return
            if raw["type"] == "websocket.disconnect":
                return
            data = raw.get("text") if raw.get("text") is not None else raw.get("bytes")
            client_id: str | None = None
            try:
                frame = parse_client_frame(data or b"", max_bytes=self.max_frame)
                if isinstance(frame, ClientMessageFrame):
                    client_id = frame.client_id
                await self.handle(frame)
            except AisleError as exc:
                await self.send(ErrorFrame(**_error_fields(exc, client_id)))
            except Exception:
                # Whatever failed, the shopper hears of it and the connection stays up.
                logger.exception("frame failed in conversation %s", self.conversation_id)
                await self.send(
                    _internal_error("the server could not handle this frame; try again", client_id)
                )

    async def handle(self, frame: ClientFrameModel) -> None:
        if isinstance(frame, HelloFrame):
            await self.hello(frame)
        elif isinstance(frame, ClientMessageFrame):
            await self.message(frame)
        elif isinstance(frame, RateFrame):
            await self.rate(frame)
        elif isinstance(frame, IdentifyFrame):
            await self.identify(frame.token)
        elif isinstance(frame, ClientTypingFrame):
            await self.typing(frame.active)
        else:
            await self.send(PongFrame())

    async def hello(self, frame: HelloFrame) -> None:
        if self.conversation_id is not None:
            raise InvalidInput("this connection already said hello")
        if frame.session:
            info = await self.conversations.resume_session(channel=CHANNEL, token=frame.session)
            token, resumed = frame.session, True
        else:
            token, info = await self.conversations.start_session(channel=CHANNEL)
            resumed = False
        self.conversation_id = info.id
        self.last_sent_seq = frame.last_seq
        self.status = info.status
        subscribed, replayed = asyncio.Event(), asyncio.Event()
        self._forwarder = asyncio.create_task(self._forward(info.id, subscribed, replayed))
        await subscribed.wait()
        await self.send(
            WelcomeFrame(session=token, status=info.status, last_seq=info.last_seq, resumed=resumed)
        )
        try:
            for record in await self.conversations.history(info.id, after_seq=frame.last_seq):
                await self.deliver(record)
        finally:
            replayed.set()
        if frame.customer_token is not None:
            # The conversation is open whatever the token: a bad one gets an error frame.
            await self.identify(frame.customer_token)
        if resumed:
            # Messages acknowledged by a worker that stopped before answering them are
            # answered now (a turn running elsewhere finishes first; each is answered once).
            for accepted in await self.conversations.unanswered(info.id):
                self._spawn_answer(accepted, accepted.record.client_id or "")

    def _conversation(self) -> str:
        if self.conversation_id is None:
            raise InvalidInput("say hello first")
        return self.conversation_id

    async def rate(self, frame: RateFrame) -> None:
        # The notice reaches this socket (and every other) through the broker, in seq order.
        await self.conversations.rate(
            self._conversation(), score=frame.score, comment=frame.comment
        )

    async def typing(self, active: bool) -> None:
        """Tell the agent who holds the conversation that the shopper is typing; while the
        assistant answers there is nobody to tell."""
        conversation_id = self._conversation()
        if self.status == "handoff":
            await self.components.broker.publish(
                conversation_id, TypingEvent(who="shopper", active=active)
            )

    async def identify(self, token: str) -> None:
        conversation_id = self._conversation()
        customer = await identify_customer(
            token,
            secret=self.components.settings.channels.identity_secret,
            orders=self.components.orders,
        )
        await self.conversations.identify(
            conversation_id, customer_id=customer.id, customer_name=customer.first_name
        )
        await self.send(IdentifiedFrame(customer_id=customer.id, name=customer.name))

    async def message(self, frame: ClientMessageFrame) -> None:
        conversation_id = self._conversation()
        await self.components.rate_limiter.chat(
            self.components.settings, conversation_id, client=self.client
        )
        accepted = await self.conversations.accept(
            conversation_id, text=frame.text, client_id=frame.client_id, payload=frame.payload
        )
        await self.send(
            AckFrame(
                client_id=frame.client_id, seq=accepted.record.seq, duplicate=accepted.duplicate
            )
        )
        if accepted.needs_processing:
            self._spawn_answer(accepted, frame.client_id)

    def _spawn_answer(self, accepted: Accepted, client_id: str) -> None:
        # Answer in the background so the socket keeps reading (pings, more messages);
        # the per-conversation lock keeps turns in order.
        task = asyncio.create_task(self._answer(accepted, client_id))
        self._turns.add(task)
        task.add_done_callback(self._turns.discard)

    async def _answer(self, accepted: Accepted, client_id: str) -> None:
        await self.send(TypingFrame(active=True))
        try:
            turn = await self.conversations.process(accepted, stream_drafts=True)
            # Deliver here too, so replies precede the end of typing; `deliver` sends each once.
            for record in turn.replies:
                await self.deliver(record)
            await self.set_status(turn.status)
        except AisleError as exc:
            await self.send(ErrorFrame(**_error_fields(exc, client_id)))
        except Exception:
            logger.exception("turn failed in conversation %s", accepted.conversation_id)
            await self.send(
                _internal_error("the assistant failed to answer; resend to retry", client_id)
            )
        finally:
            await self.send(TypingFrame(active=False))

    async def deliver(self, record: MessageRecord) -> None:
        """Send a stored message once, in `seq` order. Replay, live events and a turn's own
        replies overlap, and two workers' events may cross in Redis: a message past a gap
        first brings what the gap holds from the database."""
        async with self._deliver_lock:
            if record.seq <= self.last_sent_seq:
                return
            if record.seq > self.last_sent_seq + 1:
                for missed in await self.conversations.history(
                    record.conversation_id, after_seq=self.last_sent_seq, limit=record.seq
                ):
                    if missed.seq < record.seq:
                        await self._send_message(missed)
            await self._send_message(record)

    async def _send_message(self, record: MessageRecord) -> None:
        self.last_sent_seq = record.seq
        frame = message_frame(record)
        if frame.replaces is not None:
            self._replaced.add(frame.replaces)
        await self.send(frame)

    async def set_status(self, status: str) -> None:
        # The same change can arrive from the turn and from the broker; tell the client once.
        if status != self.status:
            self.status = status
            await self.send(StatusFrame(status=status))

    async def _forward(
        self, conversation_id: str, subscribed: asyncio.Event, replayed: asyncio.Event
    ) -> None:
        # Subscribe before the replay reads history, and deliver live events only after it,
        # so nothing falls between the two and nothing arrives out of order.
        async with self.components.broker.subscribe(conversation_id) as queue:
            subscribed.set()
            await replayed.wait()
            while True:
                event = await queue.get()
                try:
                    await self._on_event(conversation_id, event)
                except Exception:
                    # The database may be briefly away too: keep listening, catch up later.
                    logger.exception("could not deliver to conversation %s", conversation_id)
                    with contextlib.suppress(asyncio.QueueFull):
                        queue.put_nowait(RESYNC)
                    await asyncio.sleep(0.5)

    async def _on_event(self, conversation_id: str, event: BrokerEvent) -> None:
        if isinstance(event, ResyncEvent):
            await self.catch_up(conversation_id)
        elif isinstance(event, MessageEvent):
            await self.deliver(MessageRecord.from_dict(event.message))
        elif isinstance(event, StatusEvent):
            await self.set_status(event.status)
        elif isinstance(event, DraftEvent) and event.draft.id not in self._replaced:
            await self.send(DraftFrame(**event.draft.model_dump()))
        elif isinstance(event, TypingEvent) and event.who == "agent":
            await self.send(TypingFrame(active=event.active, author=event.name))

    async def catch_up(self, conversation_id: str) -> None:
        """Deliver what the broker may have missed (a Redis outage, a slow socket), from the
        database, after the last message this socket was sent."""
        for record in await self.conversations.history(
            conversation_id, after_seq=self.last_sent_seq
        ):
            await self.deliver(record)
        info = await self.conversations.get(conversation_id)
        await self.set_status(info.status)

    async def stop(self) -> None:
        if self._forwarder is not None:
            self._forwarder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._forwarder
