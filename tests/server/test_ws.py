"""The widget's WebSocket protocol, against the real app; every frame checked against the
JSON Schema published in docs/protocol.schema.json."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.persistence.models import Conversation, Message
from assistant.server.protocol import protocol_schema
from tests.protocol_frames import ORIGIN, SCHEMA, Chat, check


def bot_texts(frames: list[dict[str, Any]]) -> list[str]:
    return [f.get("text") or "" for f in frames if f["type"] == "message" and f["role"] == "bot"]


def test_the_published_schema_is_the_code_schema() -> None:
    assert protocol_schema() == SCHEMA, (
        "run `assistant protocol-schema > docs/protocol.schema.json`"
    )


def test_conversation_ack_replies_and_resume(client: TestClient) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        welcome = chat.hello()
        assert welcome["type"] == "welcome" and welcome["resumed"] is False
        session = welcome["session"]
        frames = chat.say("c1", "hello there")
        ack = next(f for f in frames if f["type"] == "ack")
        assert ack == {"type": "ack", "client_id": "c1", "seq": 1, "duplicate": False}
        messages = [f for f in frames if f["type"] == "message"]
        assert [m["seq"] for m in messages] == sorted(m["seq"] for m in messages)
        assert messages[0]["role"] == "user" and messages[0]["client_id"] == "c1"
        assert "assistant" in bot_texts(frames)[0].lower()
        last_seq = messages[-1]["seq"]

    # A reconnect that saw only the ack gets the rest replayed, nothing twice.
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        welcome = chat.hello(session, last_seq=1)
        assert welcome["resumed"] is True and welcome["last_seq"] == last_seq
        replay = [chat.receive() for _ in range(last_seq - 1)]
        assert [f["seq"] for f in replay] == list(range(2, last_seq + 1))
        chat.send({"type": "ping"})
        assert chat.receive() == {"type": "pong"}


def test_a_message_acknowledged_but_never_answered_is_answered_on_resume(
    client: TestClient,
) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        session = Chat(ws).hello()["session"]
    # Stored and acknowledged by a worker that then stopped before answering it.
    service = client.app.state.components.conversations  # type: ignore[attr-defined]
    info = client.portal.call(  # type: ignore[union-attr]
        partial(service.resume_session, channel="web", token=session)
    )
    accepted = client.portal.call(  # type: ignore[union-attr]
        partial(service.accept, info.id, text="hello there", client_id="c1")
    )
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        assert chat.hello(session, last_seq=accepted.record.seq)["resumed"] is True
        frames = chat.until(lambda f: f["type"] == "typing" and not f["active"])
        replies = [f for f in frames if f["type"] == "message" and f["role"] == "bot"]
        assert replies and "assistant" in replies[0]["text"].lower(), frames
        chat.send({"type": "ping"})
        assert chat.until(lambda f: f["type"] == "pong")
    # Answered once: a second resume replays the answer instead of answering again.
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello(session, last_seq=replies[-1]["seq"])
        chat.send({"type": "ping"})
        assert chat.receive() == {"type": "pong"}


def test_a_resend_is_acknowledged_not_processed_twice(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello()
        chat.say("same", "thanks!")
        chat.send({"type": "message", "client_id": "same", "text": "thanks!"})
        assert chat.receive() == {"type": "ack", "client_id": "same", "seq": 1, "duplicate": True}
    with session_factory() as session:
        assert session.scalar(select(func.count()).where(Message.role == "user")) == 1
        assert session.scalar(select(func.count()).where(Message.role == "bot")) == 1


def test_buttons_send_their_payload(client: TestClient) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello()
        frames = chat.say("b1", "What can you do?", payload="/help")
        assert "here is what i can do" in bot_texts(frames)[0].lower()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{oops", "malformed_json"),
        ('["a"]', "invalid_input"),
        ('{"type": "dance"}', "unknown_frame_type"),
        ('{"no": "type"}', "unknown_frame_type"),
        ('{"type": "message", "client_id": "x"}', "invalid_input"),
        ('{"type": "message", "client_id": "x", "text": "   "}', "empty_message"),
        (
            '{"type": "message", "client_id": "x", "text": "' + "a" * 5000 + '"}',
            "message_too_large",
        ),
        (
            '{"type": "message", "client_id": "x", "text": "' + "a" * 20000 + '"}',
            "message_too_large",
        ),
        ('{"type": "hello", "session": "no-such-session"}', "unknown_session"),
        ('{"type": "hello", "customer_token": ""}', "invalid_input"),
        ('{"type": "rate", "score": 0}', "invalid_input"),
        ('{"type": "rate", "score": 6}', "invalid_input"),
        ('{"type": "rate", "score": "5"}', "invalid_input"),
        ('{"type": "rate", "score": 4.5}', "invalid_input"),
        ('{"type": "rate"}', "invalid_input"),
        ('{"type": "rate", "score": 5, "comment": "' + "a" * 1001 + '"}', "invalid_input"),
        ('{"type": "rate", "score": 5, "comment": "a\\u0000b"}', "undecodable_message"),
        ('{"type": "identify"}', "invalid_input"),
        # The app under test has no channels.identity_secret.
        ('{"type": "identify", "token": "a.b.c"}', "identify_disabled"),
    ],
)
def test_bad_frames_get_an_error_frame_and_the_socket_survives(
    client: TestClient, session_factory: sessionmaker[Session], raw: str, code: str
) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        if '"hello"' not in raw:
            chat.hello()
        ws.send_text(raw)
        error = chat.receive()
        assert error["type"] == "error" and error["code"] == code, error
        chat.send({"type": "ping"})
        assert chat.receive() == {"type": "pong"}
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 0


def test_undecodable_bytes_get_an_error_frame(client: TestClient) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        ws.send_bytes(b"\xff\xfe\xfd")
        assert chat.receive()["code"] == "undecodable_message"
        assert chat.hello()["type"] == "welcome"


def test_a_message_before_hello_is_refused(client: TestClient) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.send({"type": "message", "client_id": "x", "text": "hi"})
        error = chat.receive()
        assert error["code"] == "invalid_input" and error["client_id"] == "x"
        for frame in ({"type": "rate", "score": 5}, {"type": "identify", "token": "a.b.c"}):
            chat.send(frame)
            error = chat.receive()
            assert error["code"] == "invalid_input" and "hello" in error["message"], error


def test_a_rating_is_stored_shown_and_replayed(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        session = chat.hello()["session"]
        chat.send({"type": "rate", "score": 4, "comment": "  quick and kind  "})
        notice = chat.receive()
        assert notice["type"] == "message" and notice["role"] == "system" and notice["seq"] == 1
        assert notice["text"] == "Thanks for rating this chat 4/5."
        assert notice["custom"] == {"type": "rating", "score": 4}
        with session_factory() as db:
            conversation = db.scalars(select(Conversation)).one()
            assert (conversation.rating, conversation.rating_comment) == (4, "quick and kind")
            first_rated_at = conversation.rated_at
            assert first_rated_at is not None

        # A later rating replaces the earlier one.
        chat.send({"type": "rate", "score": 2})
        notice = chat.receive()
        assert (notice["seq"], notice["custom"]) == (2, {"type": "rating", "score": 2})
    with session_factory() as db:
        conversation = db.scalars(select(Conversation)).one()
        assert (conversation.rating, conversation.rating_comment) == (2, None)
        assert conversation.rated_at is not None and conversation.rated_at >= first_rated_at

    # After a reload the widget sees that the chat was rated.
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        assert chat.hello(session)["last_seq"] == 2
        replay = [chat.receive(), chat.receive()]
        assert [f["custom"]["score"] for f in replay] == [4, 2]


def test_goodbye_tells_the_widget_the_conversation_ended(client: TestClient) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello()
        frames = chat.say("g1", "goodbye!")
        (reply,) = [f for f in frames if f["type"] == "message" and f["role"] == "bot"]
        assert "bye" in reply["text"].lower()
        assert reply["custom"] == {"type": "conversation_end"}


def test_a_foreign_origin_is_refused(client: TestClient) -> None:
    with client.websocket_connect("/ws/chat", headers={"origin": "https://evil.example"}) as ws:
        frame = check(ws.receive_json(), "ServerFrame")
        assert frame["code"] == "origin_not_allowed"


def test_handoff_status_reaches_the_widget(
    client: TestClient, auth_headers: dict[str, str]
) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello()
        frames = chat.say("h1", "can I speak to a real person please")
        assert {"type": "status", "status": "handoff"} in frames
        assert any((f.get("custom") or {}).get("type") == "handoff" for f in frames)
        frames = chat.say("h2", "anyone there?")
        assert bot_texts(frames) == []
