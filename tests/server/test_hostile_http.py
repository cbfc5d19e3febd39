"""Hostile bodies, paths and query strings for every JSON endpoint (Rasa's REST channel,
`/api/events`, the agent API, the catalog) get a typed 4xx in the wire's error shape, never a
5xx: the inputs that once broke them, then generated ones. On SQLite, and on PostgreSQL when
AISLE_TEST_DATABASE_URL names one."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.persistence.models import Conversation, Handoff, Message, ShopperEvent
from tests.protocol_frames import ORIGIN, Chat
from tests.server.hostile import (
    EVIL_NUMBERS,
    EVIL_TEXT,
    HOSTILE,
    check_error_body,
    deep,
    objects,
    raw_json,
    texts,
)

WEBHOOK = "/webhooks/rest/webhook"
EVENTS = "/api/events"
AGENT = "/api/agent/conversations"
JSON = {"content-type": "application/json"}
# In the demo store's catalog (knowledge_base/store/db.json).
T_SHIRT = "9612497925"


def post(client: TestClient, url: str, body: Any, **headers: str) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body, allow_nan=True).encode()
    response = client.post(url, content=raw, headers={**JSON, **headers})
    check_error_body(response.status_code, response.json())
    return response


def _count(sessions: sessionmaker[Session], model: Any) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _rest(**fields: Any) -> dict[str, Any]:
    return {"sender": "a", "message": "hi", **fields}


BAD_REST = [
    (deep(5000).encode(), 400, "invalid_input"),
    (f'{{"sender": "a", "message": "hi", "x": {deep(5000)}}}'.encode(), 400, "invalid_input"),
    (_rest(metadata={"x": "\ud800"}), 400, "undecodable_message"),
    (_rest(metadata={"message_id": "m\x00"}), 400, "undecodable_message"),
    (_rest(sender="a\x00"), 400, "undecodable_message"),
    (_rest(metadata={"message_id": 2**63}), 400, "invalid_input"),
    (_rest(metadata={"message_id": {"a": 1}}), 400, "invalid_input"),
    (_rest(metadata={"message_id": True}), 400, "invalid_input"),
    (_rest(metadata={"n": float("nan")}), 400, "malformed_json"),
]


def test_bad_rest_bodies_get_typed_errors_and_store_nothing(
    client: TestClient, session_factory: sessionmaker[Session], subtests: pytest.Subtests
) -> None:
    for body, status, code in BAD_REST:
        with subtests.test(body=repr(body)[:80]):
            response = post(client, WEBHOOK, body)
            assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert _count(session_factory, Message) == 0


def _event(**fields: Any) -> dict[str, Any]:
    return {"type": "view", "session_id": "s-1", "item_id": T_SHIRT, **fields}


BAD_EVENTS = [
    (deep(5000).encode(), "invalid_input"),
    ({"events": [_event(), {"x": json.loads(deep(30))}]}, "invalid_input"),
    ({"type": "search", "session_id": "s-1", "query": "socks\x00"}, "undecodable_message"),
    ({"type": "search", "session_id": "s-1", "query": "\udfff"}, "undecodable_message"),
    (_event(item_id="\x00"), "undecodable_message"),
    (_event(customer_id="c\x00"), "undecodable_message"),
    (_event(at="0001-01-01T00:00:00+14:00"), "invalid_input"),
    (_event(at="9999-12-31T23:59:59-14:00"), "invalid_input"),
    (_event(at="1999-12-31T23:59:59Z"), "invalid_input"),
    (_event(type="add_to_cart", quantity=2**63), "invalid_input"),
    (_event(type="add_to_cart", quantity=1, price=1e21), "invalid_input"),
]


def test_bad_events_get_typed_errors_and_store_nothing(
    client: TestClient, session_factory: sessionmaker[Session], subtests: pytest.Subtests
) -> None:
    for body, code in BAD_EVENTS:
        with subtests.test(body=repr(body)[:80]):
            response = post(client, EVENTS, body)
            assert (response.status_code, response.json()["error"]["code"]) == (400, code)
    assert _count(session_factory, ShopperEvent) == 0


@pytest.fixture
def handed_off(client: TestClient, session_factory: sessionmaker[Session]) -> str:
    """A conversation waiting for an agent; its id."""
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello()
        chat.say("h1", "can I speak to a real person please")
    with session_factory() as session:
        return session.scalars(select(Conversation.id)).one()


def test_agent_query_numbers_and_ids_are_bounded(
    client: TestClient, auth_headers: dict[str, str], handed_off: str, subtests: pytest.Subtests
) -> None:
    url = f"{AGENT}/{handed_off}/messages"
    for after_seq in ["1e21", str(2**63), str(2**31), "-1", "NaN", "1.5", "\x00"]:
        with subtests.test(after_seq=after_seq):
            response = client.get(url, params={"after_seq": after_seq}, headers=auth_headers)
            check_error_body(response.status_code, response.json())
            assert (response.status_code, response.json()["error"]["code"]) == (
                422,
                "invalid_input",
            )
    ok = client.get(url, params={"after_seq": 2}, headers=auth_headers)
    assert ok.status_code == 200 and ok.json()["messages"][0]["seq"] == 3

    for conversation_id in ["\x00", "a\x00b", "x" * 65, " ", "\udc80"]:
        path = quote(conversation_id, safe="", errors="surrogatepass")
        for method, suffix in (("GET", "messages"), ("GET", "summary"), ("POST", "handback")):
            with subtests.test(conversation_id=repr(conversation_id), suffix=suffix):
                response = client.request(method, f"{AGENT}/{path}/{suffix}", headers=auth_headers)
                check_error_body(response.status_code, response.json())
                assert response.status_code in (404, 422), response.text


BAD_AGENT_BODIES = [
    ("claim", deep(5000).encode(), 400, "invalid_input"),
    ("claim", {"agent": "\ud800"}, 400, "undecodable_message"),
    ("claim", {"agent": "Al\x00ex"}, 400, "undecodable_message"),
    ("claim", b"{oops", 400, "malformed_json"),
    ("claim", b'{"agent": "' + b"A" * 20_000 + b'"}', 413, "message_too_large"),
    ("messages", {"text": "hi\x00"}, 400, "undecodable_message"),
    ("messages", {"text": "hi", "agent": "\udbff"}, 400, "undecodable_message"),
    ("messages", [1], 422, "invalid_input"),
]


def test_bad_agent_bodies_get_typed_errors_and_store_nothing(
    client: TestClient,
    session_factory: sessionmaker[Session],
    auth_headers: dict[str, str],
    handed_off: str,
    subtests: pytest.Subtests,
) -> None:
    stored = _count(session_factory, Message)
    for suffix, body, status, code in BAD_AGENT_BODIES:
        with subtests.test(suffix=suffix, body=repr(body)[:80]):
            response = post(client, f"{AGENT}/{handed_off}/{suffix}", body, **auth_headers)
            assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert _count(session_factory, Message) == stored
    with session_factory() as session:
        assert session.scalars(select(Handoff.status)).one() == "requested"


# -- generated ------------------------------------------------------------------------------

printable = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=12)
metadata = st.fixed_dictionaries(
    {}, optional={"message_id": st.one_of(printable, texts), "session_secret": texts}
)
rest_bodies = objects(
    {
        "sender": printable,
        "message": st.sampled_from(["hi", "/help", "   ", "where is my order?"]),
        "metadata": metadata,
    }
)
times = st.one_of(
    st.sampled_from(
        [
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "2024-02-30T00:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00Z",
            "1970-01-01T00:00:00Z",
        ]
    ),
    st.datetimes().map(lambda d: d.isoformat() + "+05:00"),
)
event_objects = objects(
    {
        "type": st.sampled_from(
            ["view", "search", "add_to_cart", "purchase", "chat_product_click"]
        ),
        "session_id": printable,
        "customer_id": printable,
        "item_id": st.sampled_from([T_SHIRT, "0000000000"]),
        "query": st.sampled_from(["socks", "  ", *EVIL_TEXT]),
        "quantity": st.integers(0, 1001),
        "price": st.sampled_from(["19.99", "NaN", "-1", "1e21", 19.99, *EVIL_NUMBERS]),
        "at": times,
    }
)
event_bodies = st.one_of(
    event_objects, st.fixed_dictionaries({"events": st.lists(event_objects, max_size=60)})
)
agent_bodies = objects(
    {
        "agent": st.sampled_from(["Alex", " Sam ", "", "A" * 65]),
        "text": st.sampled_from(["Hi, I'm Alex.", "   "]),
    }
)
query_values = st.one_of(
    st.sampled_from(["1e21", "-1", str(2**63), "NaN", "inf", "0x10", "", "1.5", "\x00", "true"]),
    st.integers().map(str),
    st.text(max_size=10),
)


def test_generated_rest_bodies(client: TestClient) -> None:
    @HOSTILE
    @given(raw=raw_json(rest_bodies))
    def one(raw: bytes) -> None:
        post(client, WEBHOOK, raw)

    one()


def test_generated_events(
    seeded_session_factory: sessionmaker[Session], make_settings: Callable[..., Settings]
) -> None:
    from assistant.server.app import create_app

    # High limits, so that every example reaches the checks behind them.
    unlimited = {
        "events.rate_limit_per_session": "100000/minute",
        "events.rate_limit_per_client": "100000/minute",
    }
    with TestClient(create_app(make_settings(**unlimited))) as client:

        @HOSTILE
        @given(raw=raw_json(event_bodies))
        def one(raw: bytes) -> None:
            post(client, EVENTS, raw)

        one()


ROUTES = [
    ("POST", "claim"),
    ("POST", "messages"),
    ("GET", "messages"),
    ("POST", "handback"),
    ("GET", "summary"),
]


def test_generated_agent_requests(
    client: TestClient, auth_headers: dict[str, str], handed_off: str
) -> None:
    ids = st.one_of(st.just(handed_off), st.text(max_size=70), st.sampled_from(EVIL_TEXT))

    @HOSTILE
    @given(
        conversation_id=ids,
        route=st.sampled_from(ROUTES),
        raw=raw_json(agent_bodies),
        query=query_values,
    )
    def one(conversation_id: str, route: tuple[str, str], raw: bytes, query: str) -> None:
        method, suffix = route
        url = f"{AGENT}/{quote(conversation_id, safe='', errors='surrogatepass')}/{suffix}"
        params = {"after_seq" if suffix == "messages" else "resolved": query}
        response = client.request(
            method, url, params=params, content=raw, headers={**JSON, **auth_headers}
        )
        check_error_body(response.status_code, response.json())

    one()


def test_generated_catalog_queries(client: TestClient) -> None:
    @HOSTILE
    @given(params=st.dictionaries(st.text(min_size=1, max_size=8), query_values, max_size=3))
    def one(params: dict[str, str]) -> None:
        response = client.get("/api/catalog/products", params=params)
        check_error_body(response.status_code, response.json())
        assert response.status_code == 200

    one()
