"""The agent console's live channel, `WS /ws/agent`: who may connect, the inbox's events, the
conversation on screen (messages, internal notes, the shopper's typing) and the agent's typing
reaching the shopper — only the holder's."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from assistant.persistence.models import Conversation
from assistant.staff.accounts import add_account
from tests.protocol_frames import ORIGIN, Chat

PASSWORD = "correct horse battery"
OWN = {"Origin": "http://testserver"}


def _sign_in(client: TestClient, sessions: sessionmaker[Session], name: str) -> dict[str, str]:
    """A new account signed in; the headers its console sends (its cookie included)."""
    email = f"{name.lower()}@shop.example"
    add_account(sessions, email=email, name=name, role="agent", password=PASSWORD)
    client.cookies.clear()
    response = client.post(
        "/api/auth/login", json={"email": email, "password": PASSWORD}, headers=OWN
    )
    assert response.status_code == 200, response.text
    client.cookies.clear()
    cookie = f"aisle_staff={response.cookies['aisle_staff']}"
    return {**OWN, "Cookie": cookie, "X-CSRF-Token": response.json()["csrf_token"]}


def _next(socket: WebSocketTestSession, kind: str, limit: int = 20) -> dict[str, Any]:
    """The next frame of `kind`, passing over others (inbox events arrive beside the rest)."""
    for _ in range(limit):
        frame: dict[str, Any] = socket.receive_json()
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


def test_only_a_signed_in_console_from_the_servers_own_page_connects(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    with client.websocket_connect("/ws/agent", headers=OWN) as socket:
        assert socket.receive_json()["code"] == "unauthorized"
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
        assert closed.value.code == 4401
    heads = _sign_in(client, session_factory, "Dana")
    with client.websocket_connect(
        "/ws/agent", headers={**heads, "Origin": "https://evil.example"}
    ) as socket:
        assert socket.receive_json()["code"] == "origin_not_allowed"
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
        assert closed.value.code == 4403
    with client.websocket_connect("/ws/agent", headers=heads) as socket:
        welcome = socket.receive_json()
        assert welcome["type"] == "welcome" and welcome["me"]["name"] == "Dana"
        # A bad frame is answered with a typed error; the socket stays open.
        socket.send_text("not json")
        assert socket.receive_json()["type"] == "error"
        socket.send_json({"type": "launch"})
        assert socket.receive_json()["code"] == "unknown_frame_type"
        socket.send_json({"type": "watch", "conversation_id": "f" * 32})
        assert socket.receive_json()["code"] == "conversation_not_found"
        socket.send_json({"type": "ping"})
        assert socket.receive_json() == {"type": "pong"}


def test_two_consoles_hear_the_inbox_and_only_the_holder_types_to_the_shopper(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    dana = _sign_in(client, session_factory, "Dana")
    bob = _sign_in(client, session_factory, "Bob")
    with (
        client.websocket_connect("/ws/agent", headers=dana) as dana_ws,
        client.websocket_connect("/ws/agent", headers=bob) as bob_ws,
        client.websocket_connect("/ws/chat", headers=ORIGIN) as shopper_ws,
    ):
        for console in (dana_ws, bob_ws):
            assert console.receive_json()["type"] == "welcome"
        shopper = Chat(shopper_ws)
        shopper.hello()
        shopper.say("m1", "I need to speak to a human about a broken lamp")
        with session_factory() as session:
            conversation = session.scalars(select(Conversation.id)).one()
        for console in (dana_ws, bob_ws):  # the hand-off rings in both inboxes
            event = _next(console, "inbox")
            assert event["event"] == "requested"
            assert event["handoff"]["conversation_id"] == conversation
            assert event["handoff"]["status"] == "requested"
            console.send_json({"type": "watch", "conversation_id": conversation})
            assert _next(console, "watching")["conversation_id"] == conversation

        url = f"/api/agent/conversations/{conversation}"
        assert client.post(f"{url}/claim", json={}, headers=dana).status_code == 200
        for console in (dana_ws, bob_ws):
            claimed = _next(console, "inbox")
            assert claimed["event"] == "claimed" and claimed["handoff"]["agent"] == "Dana"
        taken = client.post(f"{url}/claim", json={}, headers=bob)
        assert taken.status_code == 409 and taken.json()["error"]["details"] == {"agent": "Dana"}

        # Bob's typing reaches nobody (he does not hold it); Dana's reaches the shopper.
        bob_ws.send_json({"type": "typing", "conversation_id": conversation, "active": True})
        dana_ws.send_json({"type": "typing", "conversation_id": conversation, "active": True})
        typing = shopper.until(lambda f: f["type"] == "typing")[-1]
        assert typing == {"type": "typing", "active": True, "author": "Dana"}

        # The shopper's typing reaches the consoles watching the conversation.
        shopper.send({"type": "typing", "active": True})
        for console in (dana_ws, bob_ws):
            heard = _next(console, "typing")
            assert heard == {
                "type": "typing",
                "conversation_id": conversation,
                "who": "shopper",
                "active": True,
            }

        # An internal note: both consoles see it, the shopper never does.
        note = client.post(f"{url}/notes", json={"text": "Refund approved by Ari"}, headers=bob)
        assert note.status_code == 200
        for console in (dana_ws, bob_ws):
            assert _next(console, "note")["note"]["text"] == "Refund approved by Ari"

        assert client.post(f"{url}/messages", json={"text": "Hi, Dana here."}, headers=dana)
        said = shopper.until(lambda f: f["type"] == "message")[-1]
        assert (said["role"], said["author"], said["text"]) == ("agent", "Dana", "Hi, Dana here.")
        for console in (dana_ws, bob_ws):
            assert _next(console, "message")["message"]["text"] == "Hi, Dana here."

        shopper.say("m2", "thanks!")
        for console in (dana_ws, bob_ws):
            assert _next(console, "message")["message"]["text"] == "thanks!"
            assert _next(console, "inbox")["handoff"]["last_message"]["text"] == "thanks!"

        assert client.post(f"{url}/handback", headers=dana).status_code == 200
        for console in (dana_ws, bob_ws):
            assert _next(console, "inbox")["event"] == "released"
        frames = shopper.say("m3", "what is your return policy?")
        every_frame = [f.get("text", "") for f in frames]
        assert not any("Refund approved" in text for text in every_frame)
        replies = [f for f in frames if f["type"] == "message" and f["role"] == "bot"]
        assert replies, "the assistant answers again after the hand-back"

        # Handed off a second time: the inbox lists the conversation once, as it is now.
        shopper.say("m4", "a person again please")
        assert _next(dana_ws, "inbox")["event"] == "requested"
        rows = client.get("/api/agent/inbox", headers=dana).json()["handoffs"]
        assert [(r["conversation_id"], r["status"]) for r in rows] == [(conversation, "requested")]
