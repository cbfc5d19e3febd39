"""Pub/sub of conversation events between the service and connected clients.

In process by default; Redis when several workers serve the same conversations. Events are
the typed models of `events.py`, each with a `kind` ("message", "status", "draft" …), read
back and checked when they arrive from Redis; a `resync` event tells a subscriber it may have
missed some and should read the conversation from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from assistant.conversation.events import RESYNC, BrokerEvent, BrokerEventError, read_event

logger = logging.getLogger(__name__)

# A subscriber that falls this far behind is reset to catch up from the database.
QUEUE_LIMIT = 1000
# The channel of the team's inbox (hand-offs requested, claimed, closed), beside the
# conversations' own: conversation ids are 32 hex digits, so it cannot be one of them.
INBOX = "inbox"


class Broker(Protocol):
    async def publish(self, conversation_id: str, event: BrokerEvent) -> None: ...

    def subscribe(
        self, conversation_id: str
    ) -> contextlib.AbstractAsyncContextManager[asyncio.Queue[BrokerEvent]]: ...

    async def ping(self) -> None: ...

    async def aclose(self) -> None: ...


class InMemoryBroker:
    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[BrokerEvent]]] = defaultdict(set)

    async def publish(self, conversation_id: str, event: BrokerEvent) -> None:
        self._deliver(conversation_id, event)

    def _deliver(self, conversation_id: str, event: BrokerEvent) -> None:
        for queue in list(self._queues.get(conversation_id, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                # A subscriber this far behind catches up from the database instead.
                logger.warning("a subscriber of conversation %s fell behind", conversation_id)
                _reset(queue)

    def _resync_all(self) -> None:
        """Tell every local subscriber that events may have been missed."""
        for queues in list(self._queues.values()):
            for queue in list(queues):
                try:
                    queue.put_nowait(RESYNC)
                except asyncio.QueueFull:
                    _reset(queue)

    @asynccontextmanager
    async def subscribe(self, conversation_id: str) -> AsyncIterator[asyncio.Queue[BrokerEvent]]:
        queue: asyncio.Queue[BrokerEvent] = asyncio.Queue(maxsize=QUEUE_LIMIT)
        self._queues[conversation_id].add(queue)
        try:
            yield queue
        finally:
            subscribers = self._queues.get(conversation_id)
            if subscribers is not None:
                subscribers.discard(queue)
                if not subscribers:
                    del self._queues[conversation_id]

    async def ping(self) -> None:
        return None

    async def aclose(self) -> None:
        self._queues.clear()


def _reset(queue: asyncio.Queue[BrokerEvent]) -> None:
    """Empty a full queue and leave one `resync` event: what it lost is in the database."""
    while not queue.empty():
        queue.get_nowait()
    queue.put_nowait(RESYNC)


class BrokerUnavailable(RuntimeError):
    """The shared pub/sub cannot be reached: events reach this worker's subscribers only."""


class RedisBroker(InMemoryBroker):
    """Publishes through Redis; one listener per process fans out to local subscribers.

    The listener reconnects with back-off and subscribes again; after every reconnection each
    local subscriber gets a `resync` event, so it reads what it may have missed from the
    database. While Redis is down, events still reach this worker's own subscribers.
    """

    CHANNEL_PREFIX = "aisle:conversation:"
    # Seconds between reconnection attempts: doubled each time, up to the cap.
    RETRY_FIRST_S = 0.1
    RETRY_CAP_S = 2.0
    # An idle subscription pings Redis this often, so a dead connection is noticed.
    PING_EVERY_S = 2.0

    def __init__(self, url: str) -> None:
        super().__init__()
        import redis.asyncio as redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        # Publishing fails fast while Redis is down; the listener owns the retrying.
        self._redis = redis.Redis.from_url(
            url,
            socket_connect_timeout=1.0,
            socket_timeout=2.0,
            retry=Retry(NoBackoff(), 0),
        )
        self._subscriber = redis.Redis.from_url(
            url, socket_connect_timeout=1.0, retry=Retry(NoBackoff(), 0)
        )
        self._listener: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._error: str | None = None

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def start(self, *, wait_s: float = 5.0) -> None:
        """Start listening; waits up to `wait_s` for the first subscription (the listener
        keeps trying in the background if Redis is not there yet)."""
        self._listener = asyncio.create_task(self._listen_forever(), name="redis-broker")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._connected.wait(), wait_s)

    async def _listen_forever(self) -> None:
        delay = self.RETRY_FIRST_S
        ever_connected = False
        while True:
            pubsub = self._subscriber.pubsub()
            try:
                await pubsub.psubscribe(f"{self.CHANNEL_PREFIX}*")
                self._connected.set()
                if ever_connected:
                    logger.warning("pub/sub reconnected to Redis; subscribers catch up")
                    self._resync_all()
                ever_connected, delay, self._error = True, self.RETRY_FIRST_S, None
                await self._listen(pubsub)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure of the connection: reconnect
                if self._connected.is_set() or self._error is None:
                    logger.warning("pub/sub lost Redis (%s); reconnecting", type(exc).__name__)
                self._error = type(exc).__name__
            finally:
                self._connected.clear()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.RETRY_CAP_S)

    async def _listen(self, pubsub: Any) -> None:
        loop = asyncio.get_running_loop()
        last_ping = loop.time()
        while True:
            item = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
            if loop.time() - last_ping > self.PING_EVERY_S:
                await pubsub.ping()
                last_ping = loop.time()
            if item is None or item.get("type") != "pmessage":
                continue
            channel = (
                item["channel"].decode() if isinstance(item["channel"], bytes) else item["channel"]
            )
            try:
                event = read_event(item["data"])
            except BrokerEventError as exc:
                logger.warning("ignoring a broker event on %s: %s", channel, exc.message)
                continue
            self._deliver(channel.removeprefix(self.CHANNEL_PREFIX), event)

    async def publish(self, conversation_id: str, event: BrokerEvent) -> None:
        if self._connected.is_set():
            try:
                await self._redis.publish(
                    f"{self.CHANNEL_PREFIX}{conversation_id}", event.model_dump_json()
                )
                return
            except Exception as exc:  # Redis went away: this worker's sockets still hear it
                logger.warning("could not publish to Redis (%s)", type(exc).__name__)
        self._deliver(conversation_id, event)

    async def ping(self) -> None:
        if not self._connected.is_set():
            raise BrokerUnavailable("the pub/sub subscriber is not connected to Redis")
        await self._redis.ping()

    async def aclose(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._subscriber.aclose()
        await self._redis.aclose()
        await super().aclose()
