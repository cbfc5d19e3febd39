"""Hostile frames over the widget's WebSocket get a typed error frame, and the connection
stays up: the inputs that once broke it, then generated ones for every client frame type.
On SQLite, and on PostgreSQL when AISLE_TEST_DATABASE_URL names one."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import WebSocketTestSession

from assistant.persistence.models import Message
from tests.protocol_frames import ORIGIN, Chat, check
from tests.server.hostile import HOSTILE, KNOWN_CODES, deep, objects, raw_json

PING = json.dumps({"type": "ping"})


def exchange(ws: WebSocketTestSession, raw: bytes) -> list[dict[str, Any]]:
    """Send `raw`, then a ping; every frame until the pong (and until each turn the frame
    started has ended). A closed socket raises here."""
    try:
        ws.send_text(raw.decode("utf-8"))
    except UnicodeDecodeError:
        ws.send_bytes(raw)
    ws.send_text(PING)
    frames: list[dict[str, Any]] = []
    while True:
        frame = check(ws.receive_json(), "ServerFrame")
        frames.append(frame)
        turns = sum(1 for f in frames if f["type"] == "ack" and not f["duplicate"])
        ended = sum(1 for f in frames if f["type"] == "typing" and not f["active"])
        if {"type": "pong"} in frames and ended >= turns:
            return frames


def assert_typed(frames: list[dict[str, Any]]) -> None:
    for frame in frames:
        if frame["type"] == "error":
            assert frame["code"] in KNOWN_CODES, frame


BAD_HELLOS = [
    ({"type": "hello", "last_seq": 2**63}, "invalid_input"),
    ({"type": "hello", "last_seq": 2**31}, "invalid_input"),
    ({"type": "hello", "last_seq": 1e21}, "invalid_input"),
    ({"type": "hello", "session": "a\x00b"}, "undecodable_message"),
    ({"type": "hello", "session": "\ud800"}, "undecodable_message"),
    ({"type": "hello", "last_seq": float("nan")}, "malformed_json"),
    ({"type": "hello", "\x00": 1}, "undecodable_message"),
    ('{"type": "hello", "x": ' + deep(5000) + "}", "invalid_input"),
    (deep(5000), "invalid_input"),
]


def test_a_bad_hello_gets_a_typed_error_and_the_socket_survives(
    client: TestClient, subtests: pytest.Subtests
) -> None:
    for raw, code in BAD_HELLOS:
        with (
            subtests.test(raw=repr(raw)[:80]),
            client.websocket_connect("/ws/chat", headers=ORIGIN) as ws,
        ):
            text = raw if isinstance(raw, str) else json.dumps(raw, allow_nan=True)
            frames = exchange(ws, text.encode())
            assert frames[0]["type"] == "error" and frames[0]["code"] == code, frames
            assert frames[1:] == [{"type": "pong"}]
            assert Chat(ws).hello()["type"] == "welcome"


def _message(**fields: Any) -> dict[str, Any]:
    return {"type": "message", "client_id": "c1", "text": "hi", **fields}


BAD_FRAMES = [
    (_message(client_id="a\x00b"), "undecodable_message"),
    (_message(client_id="\ud800"), "undecodable_message"),
    (_message(text="hi \ud83d"), "undecodable_message"),
    (_message(payload="/x\x00"), "undecodable_message"),
    (_message(x=json.loads(deep(40))), "invalid_input"),
    ({"type": "rate", "score": 2**63}, "invalid_input"),
    ({"type": "rate", "score": 5, "comment": "\udc00"}, "undecodable_message"),
    ({"type": "identify", "token": "a.b\x00.c"}, "undecodable_message"),
]


def test_text_no_database_stores_is_refused_before_it_is_stored(
    client: TestClient, session_factory: sessionmaker[Session], subtests: pytest.Subtests
) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello()
        for frame, code in BAD_FRAMES:
            with subtests.test(frame=repr(frame)[:80]):
                frames = exchange(ws, json.dumps(frame).encode())
                assert frames[0]["type"] == "error" and frames[0]["code"] == code, frames
                assert frames[1:] == [{"type": "pong"}]
        # Brackets inside a string do not count as nesting.
        frames = chat.say("c1", "[[[[{{{{" * 100 + '\\"[[[[')
        assert not [f for f in frames if f["type"] == "error"], frames
    with session_factory() as session:
        texts = session.scalars(select(Message.text).where(Message.role == "user")).all()
        assert texts == ["[[[[{{{{" * 100 + '\\"[[[['], texts


KIND_FIELDS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "hello": {
        "session": st.sampled_from([None, "no-such-session", ""]),
        "last_seq": st.integers(0, 3),
        "customer_token": st.just("a.b.c"),
    },
    "message": {
        "client_id": st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=70),
        "text": st.sampled_from(["hi", "where is my order?", "   ", ""]),
        "payload": st.sampled_from(["/help", "/greet", "no slash", None]),
    },
    "ping": {},
    "rate": {"score": st.integers(0, 6), "comment": st.text(max_size=20)},
    "identify": {"token": st.just("a.b.c")},
}


@pytest.mark.parametrize("kind", sorted(KIND_FIELDS))
def test_generated_hostile_frames_get_typed_errors_and_the_socket_stays_up(
    client: TestClient, kind: str
) -> None:
    frames_of_kind = objects(KIND_FIELDS[kind]).map(lambda obj: {"type": kind, **obj})

    @HOSTILE
    @given(raw=raw_json(frames_of_kind))
    def one(raw: bytes) -> None:
        with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
            if kind != "hello":
                Chat(ws).hello()
            assert_typed(exchange(ws, raw))

    one()
