"""Trackers kept between turns (`conversation/tracker_cache.py`): a worker uses its own copy
only while the stored tracker is unchanged. Two apps on one database stand for two workers;
the shopper's turns alternate between them, so each worker's copy goes stale in turn."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.conversation.tracker_cache import TrackerCache
from assistant.engine.tracker import DialogueTracker, FlowFrame
from tests.conversations.conftest import YUSUF_EMAIL, RestTransport, Shopper


@pytest.fixture
def two_workers(
    seeded_session_factory: sessionmaker[Session], make_settings: Callable[..., Settings]
) -> Iterator[tuple[TestClient, TestClient]]:
    from assistant.server.app import create_app

    settings = make_settings()
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        yield one, two


def test_a_turn_on_another_worker_is_never_missed(
    two_workers: tuple[TestClient, TestClient],
) -> None:
    one, two = two_workers
    kept_one = one.app.state.components.conversations.trackers  # type: ignore[attr-defined]
    on_one = RestTransport(one)
    shopper = Shopper(on_one)
    shopper.say("I want to cancel order #W6247578")
    assert "email" in shopper.text.lower(), shopper.transcript
    # The same conversation on the other worker: it signs the shopper in.
    shopper.transport = RestTransport(two, sender=on_one.sender, secret=on_one.secret)
    shopper.say(YUSUF_EMAIL)
    assert "reason" in shopper.text.lower(), shopper.transcript
    # Back on the first worker, whose kept tracker is from before the sign-in: it must not
    # be used (the shopper would be asked to sign in again).
    shopper.transport = on_one
    misses = kept_one.misses
    shopper.say("I ordered it by mistake")
    assert kept_one.misses == misses + 1
    assert "email" not in shopper.text.lower() and "Shall I" in shopper.text, shopper.transcript
    # Its own last turn is the stored one now: kept and used.
    hits = kept_one.hits
    shopper.say("no, leave it")
    assert kept_one.hits == hits + 1, shopper.transcript


def _tracker() -> DialogueTracker:
    tracker = DialogueTracker(sender_id="c1", slots={"order_id": None})
    tracker.add({"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}})
    tracker.stack.append(FlowFrame("cancel_order", step=1, waiting="order_id"))
    tracker.new_events.clear()
    return tracker


def test_a_kept_tracker_is_a_copy_used_only_at_its_version() -> None:
    cache = TrackerCache(2, max_events=1)
    tracker = _tracker()
    cache.put("c1", 4, tracker)
    assert cache.get("c1", 5) is None
    got = cache.get("c1", 4)
    assert got is not None and got is not tracker
    assert got.slots == tracker.slots and got.stack[0].waiting == "order_id"
    # A turn changing its copy changes neither the original nor what is kept.
    got.set_slot("order_id", "#W1")
    got.stack[0].step = 3
    again = cache.get("c1", 4)
    assert again is not None
    assert again.slots["order_id"] is None and again.stack[0].step == 1
    assert again.new_events == [] and tracker.slots["order_id"] is None


def test_only_the_most_recent_trackers_are_kept() -> None:
    cache = TrackerCache(2, max_events=10)
    for name in ("a", "b", "c"):
        cache.put(name, 1, _tracker())
    assert len(cache) == 2 and cache.get("a", 1) is None and cache.get("c", 1) is not None
    nothing = TrackerCache(0, max_events=10)
    nothing.put("a", 1, _tracker())
    assert len(nothing) == 0
