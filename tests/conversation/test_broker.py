"""Pub/sub: one contract, run against the in-process broker and a real Redis server."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest

from assistant.conversation.broker import Broker, InMemoryBroker, RedisBroker
from assistant.conversation.events import (
    BrokerEvent,
    BrokerEventError,
    DraftEvent,
    MessageEvent,
    StatusEvent,
    read_event,
)

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


@pytest.fixture
async def redis_broker_only() -> AsyncIterator[RedisBroker]:
    broker = RedisBroker(REDIS_URL)
    await broker.start()
    await broker.ping()
    yield broker
    await broker.aclose()


async def _next(queue: asyncio.Queue[BrokerEvent]) -> BrokerEvent:
    return await asyncio.wait_for(queue.get(), timeout=5)


async def test_subscribers_get_their_conversation_only(broker: Broker) -> None:
    async with broker.subscribe("c1") as first, broker.subscribe("c2") as second:
        await asyncio.sleep(0.05)  # Redis: let the listener's subscription settle
        await broker.publish("c1", StatusEvent(status="handoff"))
        await broker.publish("c2", StatusEvent(status="bot"))
        assert await _next(first) == StatusEvent(status="handoff")
        assert await _next(second) == StatusEvent(status="bot")
        assert first.empty() and second.empty()


async def test_events_keep_their_order(broker: Broker) -> None:
    async with broker.subscribe("c") as queue:
        await asyncio.sleep(0.05)
        for seq in range(1, 21):
            await broker.publish("c", MessageEvent(message={"seq": seq}))
        received = []
        for _ in range(20):
            event = await _next(queue)
            assert isinstance(event, MessageEvent)
            received.append(event.message["seq"])
    assert received == list(range(1, 21))


def test_an_event_from_the_wire_is_read_back_typed_or_refused() -> None:
    draft = read_event('{"kind": "draft", "draft": {"id": "d1", "reply_to": 3, "text": "Hi"}}')
    assert isinstance(draft, DraftEvent) and draft.draft.reply_to == 3
    assert read_event(StatusEvent(status="bot").model_dump_json()) == StatusEvent(status="bot")
    with pytest.raises(BrokerEventError, match="kind"):
        read_event('{"kind": "gossip"}')
    with pytest.raises(BrokerEventError, match=r"draft\.reply_to"):
        read_event('{"kind": "draft", "draft": {"id": "d1", "reply_to": "x", "text": ""}}')
    with pytest.raises(BrokerEventError):
        read_event("not json")


async def test_redis_drops_what_is_not_an_event(redis_broker_only: RedisBroker) -> None:
    """A stray message on a conversation's channel is dropped; the next event still arrives."""
    broker = redis_broker_only
    async with broker.subscribe("c9") as queue:
        await asyncio.sleep(0.05)
        await broker._redis.publish(f"{broker.CHANNEL_PREFIX}c9", '{"kind": "gossip"}')
        await broker.publish("c9", StatusEvent(status="handoff"))
        assert await _next(queue) == StatusEvent(status="handoff")
