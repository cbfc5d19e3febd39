"""Pub/sub of conversation events between the service and connected clients.

In process by default; Redis when several workers serve the same conversations. Events are
JSON-able dictionaries with a `kind` ("message" or "status"), so both brokers carry the same thing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

logger = logging.getLogger(__name__)

# A subscriber that falls this far behind is dropped rather than growing memory.
QUEUE_LIMIT = 1000


class Broker(Protocol):
    async def publish(self, conversation_id: str, event: dict[str, Any]) -> None: ...

    def subscribe(
        self, conversation_id: str
    ) -> contextlib.AbstractAsyncContextManager[asyncio.Queue[dict[str, Any]]]: ...

    async def ping(self) -> None: ...

    async def aclose(self) -> None: ...


class InMemoryBroker:
    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    async def publish(self, conversation_id: str, event: dict[str, Any]) -> None:
        self._deliver(conversation_id, event)

    def _deliver(self, conversation_id: str, event: dict[str, Any]) -> None:
        for queue in list(self._queues.get(conversation_id, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                logger.warning("dropping a slow subscriber of conversation %s", conversation_id)
                self._queues[conversation_id].discard(queue)

    @asynccontextmanager
    async def subscribe(self, conversation_id: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=QUEUE_LIMIT)
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


class RedisBroker(InMemoryBroker):
    """Publishes through Redis; one listener per process fans out to local subscribers."""

    CHANNEL_PREFIX = "aisle:conversation:"

    def __init__(self, url: str) -> None:
        super().__init__()
        import redis.asyncio as redis

        self._redis = redis.Redis.from_url(url)
        self._pubsub = self._redis.pubsub()
        self._listener: asyncio.Task[None] | None = None
        self._started = asyncio.Event()

    async def start(self) -> None:
        await self._pubsub.psubscribe(f"{self.CHANNEL_PREFIX}*")
        self._listener = asyncio.create_task(self._listen(), name="redis-broker")

    async def _listen(self) -> None:
        async for item in self._pubsub.listen():
            if item.get("type") != "pmessage":
                continue
            channel = (
                item["channel"].decode() if isinstance(item["channel"], bytes) else item["channel"]
            )
            try:
                event = json.loads(item["data"])
            except (TypeError, ValueError):
                logger.warning("ignoring a malformed broker event on %s", channel)
                continue
            self._deliver(channel.removeprefix(self.CHANNEL_PREFIX), event)

    async def publish(self, conversation_id: str, event: dict[str, Any]) -> None:
        await self._redis.publish(f"{self.CHANNEL_PREFIX}{conversation_id}", json.dumps(event))

    async def ping(self) -> None:
        await self._redis.ping()

    async def aclose(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        await self._redis.aclose()
        await super().aclose()
