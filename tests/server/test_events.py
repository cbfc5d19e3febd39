"""`POST /api/events`: what shoppers do on the store, validated, rate-limited and stored —
a whole batch or nothing."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.backends.events import SqlEventStore
from assistant.config import Settings
from assistant.persistence.models import ShopperEvent
from tests.protocol_frames import ORIGIN

EVENTS = "/api/events"
REDIS_URL = os.environ.get("AISLE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# In the demo store's catalog (knowledge_base/store/db.json).
T_SHIRT = "9612497925"
BACKPACK = "3928046918"


@pytest.fixture
def make_store(
    seeded_session_factory: sessionmaker[Session], make_settings: Callable[..., Settings]
) -> Iterator[Callable[..., TestClient]]:
    """The real app on the seeded demo store, with settings overrides."""
    from assistant.server.app import create_app

    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        client = TestClient(create_app(make_settings(**overrides)))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


SECRET = "store-signing-secret-for-events-" * 2


def _token(sub: str = "yusuf_rossi_9620") -> dict[str, str]:
    claims = {"sub": sub, "exp": datetime.now(UTC) + timedelta(minutes=5)}
    return {"X-Customer-Token": jwt.encode(claims, SECRET, algorithm="HS256")}


@pytest.fixture
def store(make_store: Callable[..., TestClient]) -> TestClient:
    return make_store(**{"channels.identity_secret": SECRET})


def _stored(sessions: sessionmaker[Session]) -> list[ShopperEvent]:
    with sessions() as session:
        return list(session.scalars(select(ShopperEvent).order_by(ShopperEvent.id)))


def test_a_batch_is_stored_with_every_field(
    store: TestClient, seeded_session_factory: sessionmaker[Session]
) -> None:
    batch = {
        "events": [
            {"type": "view", "session_id": "s-1", "item_id": T_SHIRT},
            {"type": "search", "session_id": "s-1", "query": "  black backpack "},
            {
                "type": "add_to_cart",
                "session_id": "s-1",
                "item_id": BACKPACK,
                "quantity": 2,
                "price": "54.99",
                "at": "2026-11-20T10:00:00+01:00",
            },
            {"type": "chat_product_click", "session_id": "s-1", "item_id": BACKPACK},
        ]
    }
    # Every event of a request with the store's customer token is that customer's.
    response = store.post(EVENTS, json=batch, headers=ORIGIN | _token())
    assert response.status_code == 202, response.text
    assert response.json() == {"accepted": 4, "customer_id": "yusuf_rossi_9620"}
    view, search, cart, click = _stored(seeded_session_factory)
    assert (view.kind, view.item_id, view.query) == ("view", T_SHIRT, None)
    assert (search.kind, search.query, search.item_id) == ("search", "black backpack", None)
    assert view.customer_id == click.customer_id == "yusuf_rossi_9620"
    assert (cart.customer_id, cart.quantity, cart.price) == (
        "yusuf_rossi_9620",
        2,
        Decimal("54.99"),
    )
    assert cart.occurred_at.isoformat().startswith("2026-11-20T09:00:00")
    assert click.kind == "chat_product_click"
    # A single event needs no envelope; the store reads a session's events newest first.
    assert store.post(
        EVENTS, json={"type": "purchase", "session_id": "s-1", "item_id": T_SHIRT}
    ).json() == {"accepted": 1, "customer_id": None}
    recent = SqlEventStore(seeded_session_factory).recent(session_id="s-1")
    assert recent[0].kind == "purchase" and len(recent) == 5
    mine = SqlEventStore(seeded_session_factory).recent(customer_id="yusuf_rossi_9620")
    assert sorted(e.kind for e in mine) == ["add_to_cart", "chat_product_click", "search", "view"]


def test_an_event_speaks_for_a_customer_only_with_their_token(
    store: TestClient, seeded_session_factory: sessionmaker[Session]
) -> None:
    claimed = {
        "type": "purchase",
        "session_id": "s-9",
        "customer_id": "olivia_ito_3591",
        "item_id": T_SHIRT,
    }
    # Without a token the event is its session's alone.
    assert store.post(EVENTS, json=claimed).json() == {"accepted": 1, "customer_id": None}
    # With another customer's token, or a forged one, it is refused whole.
    mismatch = store.post(EVENTS, json=claimed, headers=_token())
    assert mismatch.status_code == 403
    forged = {
        "X-Customer-Token": jwt.encode({"sub": "olivia_ito_3591", "exp": 4102444800}, "x" * 40)
    }
    bad = store.post(EVENTS, json=claimed, headers=forged)
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "invalid_token"
    stored = _stored(seeded_session_factory)
    assert [(e.session_id, e.customer_id) for e in stored] == [("s-9", None)]
    assert SqlEventStore(seeded_session_factory).recent(customer_id="olivia_ito_3591") == []


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({"type": "view", "session_id": "s"}, "events.0"),
        ({"type": "search", "session_id": "s"}, "events.0"),
        ({"type": "search", "session_id": "s", "query": "x", "item_id": T_SHIRT}, "events.0"),
        ({"type": "view", "session_id": "s", "item_id": T_SHIRT, "quantity": 1}, "events.0"),
        ({"type": "purchase", "session_id": "s", "item_id": T_SHIRT, "quantity": 0}, "quantity"),
        ({"type": "purchase", "session_id": "s", "item_id": T_SHIRT, "price": "-1"}, "price"),
        ({"type": "refund", "session_id": "s", "item_id": T_SHIRT}, "type"),
        ({"type": "view", "session_id": "has space", "item_id": T_SHIRT}, "session_id"),
        ({"type": "view", "session_id": "", "item_id": T_SHIRT}, "session_id"),
        ({"type": "view", "session_id": "s", "item_id": T_SHIRT, "at": "2026-11-20T10:00"}, "at"),
        ({"type": "view", "session_id": "s", "item_id": T_SHIRT, "extra": 1}, "extra"),
        (
            {"type": "view", "session_id": "s", "item_id": T_SHIRT, "at": "2999-01-01T00:00Z"},
            "events.0.at",
        ),
    ],
)
def test_an_invalid_event_refuses_the_batch_with_the_field_named(
    store: TestClient,
    seeded_session_factory: sessionmaker[Session],
    event: dict[str, Any],
    field: str,
) -> None:
    good = {"type": "view", "session_id": "s", "item_id": T_SHIRT}
    response = store.post(EVENTS, json={"events": [event, good]})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert any(field in e["field"] for e in error["details"]["errors"]), error
    assert _stored(seeded_session_factory) == []


def test_bad_bodies_and_unknown_items_are_typed_errors(
    make_store: Callable[..., TestClient], seeded_session_factory: sessionmaker[Session]
) -> None:
    store = make_store(**{"events.max_batch": 3})
    assert store.post(EVENTS, content=b"{not json").json()["error"]["code"] == "malformed_json"
    assert store.post(EVENTS, json=[1, 2]).json()["error"]["code"] == "invalid_input"
    assert store.post(EVENTS, json={"events": []}).status_code == 400
    too_many = {"events": [{"type": "view", "session_id": "s", "item_id": T_SHIRT}] * 4}
    response = store.post(EVENTS, json=too_many)
    assert response.status_code == 400 and response.json()["error"]["details"]["limit"] == 3
    unknown = {
        "events": [
            {"type": "view", "session_id": "s", "item_id": T_SHIRT},
            {"type": "view", "session_id": "s", "item_id": "no-such-item"},
        ]
    }
    response = store.post(EVENTS, json=unknown)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_item"
    assert response.json()["error"]["details"]["unknown_items"] == ["no-such-item"]
    # Nothing of a refused batch is stored.
    assert _stored(seeded_session_factory) == []
    refused = store.post(
        EVENTS,
        json={"type": "view", "session_id": "s", "item_id": T_SHIRT},
        headers={"origin": "https://evil.example"},
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "origin_not_allowed"


def test_sessions_and_clients_are_rate_limited(
    make_store: Callable[..., TestClient], seeded_session_factory: sessionmaker[Session]
) -> None:
    store = make_store(
        **{"events.rate_limit_per_session": "3/minute", "events.rate_limit_per_client": "5/minute"}
    )

    def view(session_id: str, count: int = 1) -> Any:
        event = {"type": "view", "session_id": session_id, "item_id": T_SHIRT}
        return store.post(EVENTS, json={"events": [event] * count})

    assert view("a", 2).status_code == 202
    limited = view("a", 2)  # 4 events would pass the session's 3
    assert limited.status_code == 429
    error = limited.json()["error"]
    assert error["code"] == "rate_limited" and error["details"]["retry_after_s"] >= 1
    assert view("a").status_code == 202  # the refused batch was not counted
    assert view("b").status_code == 202
    # The client's own limit (requests from one address) is reached too.
    assert [view(f"c{n}").status_code for n in range(3)] == [202, 429, 429]
    assert len(_stored(seeded_session_factory)) == 5


def test_new_session_ids_do_not_reset_the_clients_limit(
    make_store: Callable[..., TestClient], seeded_session_factory: sessionmaker[Session]
) -> None:
    store = make_store(
        **{
            "events.rate_limit_per_session": "100/minute",
            "events.rate_limit_per_client": "8/minute",
        }
    )

    def views(session_id: str, count: int) -> int:
        event = {"type": "view", "session_id": session_id, "item_id": T_SHIRT}
        return store.post(EVENTS, json={"events": [event] * count}).status_code

    # The client's limit counts events, whichever sessions they name.
    assert [views("s1", 5), views("s2", 5), views("s3", 3), views("s4", 1)] == [202, 429, 202, 429]
    assert len(_stored(seeded_session_factory)) == 8


def test_with_redis_every_worker_counts_the_same_hits(
    make_store: Callable[..., TestClient],
) -> None:
    limits = {
        "pubsub.kind": "redis",
        "pubsub.redis_url": REDIS_URL,
        "events.rate_limit_per_session": "2/minute",
    }
    first, second = make_store(**limits), make_store(**limits)
    session_id = f"s-{uuid.uuid4().hex}"
    event = {"type": "view", "session_id": session_id, "item_id": T_SHIRT}
    assert first.post(EVENTS, json=event).status_code == 202
    assert second.post(EVENTS, json=event).status_code == 202
    assert first.post(EVENTS, json=event).status_code == 429
