"""Pub/sub: one contract, run against the in-process broker and a real Redis server."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest

from assistant.conversation.broker import Broker, InMemoryBroker, RedisBroker

pytestmark = pytest.mark.anyio

REDIS_URL = os.environ.get("AISLE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["memory", "redis"])
async def broker(request: pytest.FixtureRequest) -> AsyncIterator[Broker]:
    if request.param == "memory":
        memory = InMemoryBroker()
        yield memory
        await memory.aclose()
        return
    redis_broker = RedisBroker(REDIS_URL)
    await redis_broker.start()
    await redis_broker.ping()
    yield redis_broker
    await redis_broker.aclose()


async def _next(queue: asyncio.Queue[dict[str, object]]) -> dict[str, object]:
    return await asyncio.wait_for(queue.get(), timeout=5)


async def test_subscribers_get_their_conversation_only(broker: Broker) -> None:
    async with broker.subscribe("c1") as first, broker.subscribe("c2") as second:
        await asyncio.sleep(0.05)  # Redis: let the listener's subscription settle
        await broker.publish("c1", {"kind": "status", "status": "handoff"})
        await broker.publish("c2", {"kind": "status", "status": "bot"})
        assert await _next(first) == {"kind": "status", "status": "handoff"}
        assert await _next(second) == {"kind": "status", "status": "bot"}
        assert first.empty() and second.empty()


async def test_events_keep_their_order(broker: Broker) -> None:
    async with broker.subscribe("c") as queue:
        await asyncio.sleep(0.05)
        for seq in range(1, 21):
            await broker.publish("c", {"kind": "message", "seq": seq})
        received = [(await _next(queue))["seq"] for _ in range(20)]
    assert received == list(range(1, 21))
