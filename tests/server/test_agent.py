"""The agent API's join and reply (`POST /api/agent/conversations/{id}/claim` and
`.../messages`): what the shopper's widget sees live, what is stored, and each refusal."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.persistence.models import Conversation, Handoff, Message
from tests.protocol_frames import ORIGIN, Chat


def _conversation_id(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        return session.scalars(select(Conversation.id)).one()


def _messages(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Message)) or 0


def _handed_off(chat: Chat) -> None:
    chat.hello()
    frames = chat.say("h1", "can I speak to a real person please")
    assert {"type": "status", "status": "handoff"} in frames


def test_an_agent_joins_replies_and_resolves_live(
    client: TestClient, session_factory: sessionmaker[Session], auth_headers: dict[str, str]
) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        _handed_off(chat)
        conversation_id = _conversation_id(session_factory)
        url = f"/api/agent/conversations/{conversation_id}"
        with session_factory() as session:
            last_seq = session.get_one(Conversation, conversation_id).last_seq

        claimed = client.post(f"{url}/claim", json={"agent": "  Alex "}, headers=auth_headers)
        assert claimed.status_code == 200, claimed.text
        joined = chat.receive()
        assert claimed.json()["messages"] == [joined]
        assert joined["seq"] == last_seq + 1 and joined["role"] == "system"
        assert joined["text"] == "Alex joined the conversation."
        assert joined["custom"] == {"type": "handoff", "status": "joined", "agent": "Alex"}
        with session_factory() as session:
            handoff = session.scalars(select(Handoff)).one()
            assert (handoff.status, handoff.agent) == ("active", "Alex")
            assert handoff.claimed_at is not None
        listed = client.get("/api/agent/handoffs", headers=auth_headers).json()["handoffs"]
        assert [(h["status"], h["agent"]) for h in listed] == [("active", "Alex")]

        # Claiming again under the same name tells the shopper nothing new.
        again = client.post(f"{url}/claim", json={"agent": "Alex"}, headers=auth_headers)
        assert again.status_code == 200 and again.json()["messages"] == []

        sent = client.post(
            f"{url}/messages", json={"text": " Hi, I'm Alex. Let me look. "}, headers=auth_headers
        )
        assert sent.status_code == 200, sent.text
        reply = chat.receive()
        assert sent.json()["message"] == reply
        assert (reply["seq"], reply["role"], reply["author"]) == (last_seq + 2, "agent", "Alex")
        assert reply["text"] == "Hi, I'm Alex. Let me look."

        # A colleague writes under their own name.
        client.post(
            f"{url}/messages", json={"text": "Sam here.", "agent": "Sam"}, headers=auth_headers
        )
        assert chat.receive()["author"] == "Sam"

        # The shopper answers; the bot stays silent, and the agent sees it in the history.
        frames = chat.say("h2", "thanks, it's order #W2378156")
        assert [f["role"] for f in frames if f["type"] == "message"] == ["user"]
        history = client.get(f"{url}/messages", headers=auth_headers).json()["messages"]
        assert [(m["role"], m.get("author")) for m in history[-4:]] == [
            ("system", None),
            ("agent", "Alex"),
            ("agent", "Sam"),
            ("user", None),
        ]

        resolved = client.post(f"{url}/handback?resolved=true", headers=auth_headers)
        assert resolved.status_code == 200
        frames = chat.until(lambda f: f["type"] == "status")
        notice = next(f for f in frames if f["type"] == "message")
        assert notice["custom"] == {"type": "handoff", "status": "resolved"}
        assert frames[-1] == {"type": "status", "status": "bot"}

    # The widget replays the agent's messages with their author after a reload.
    with session_factory() as session:
        agent_rows = session.scalars(select(Message).where(Message.role == "agent")).all()
        assert [m.data for m in agent_rows] == [{"author": "Alex"}, {"author": "Sam"}]


def test_joining_and_writing_need_an_open_handoff(
    client: TestClient, session_factory: sessionmaker[Session], auth_headers: dict[str, str]
) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello()
        chat.say("c1", "hello there")
    url = f"/api/agent/conversations/{_conversation_id(session_factory)}"
    stored = _messages(session_factory)
    for path, body in (("claim", {"agent": "Alex"}), ("messages", {"text": "Hi"})):
        response = client.post(f"{url}/{path}", json=body, headers=auth_headers)
        assert response.status_code == 409, response.text
        assert response.json()["error"]["code"] == "handoff_state"
        missing = client.post(
            f"/api/agent/conversations/nope/{path}", json=body, headers=auth_headers
        )
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "conversation_not_found"
    assert _messages(session_factory) == stored


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("claim", {}, 422, "invalid_input"),
        ("claim", {"agent": "   "}, 422, "invalid_input"),
        ("claim", {"agent": "A" * 65}, 422, "invalid_input"),
        ("claim", {"agent": "Al\nex"}, 422, "invalid_input"),
        ("claim", {"agent": "Alex", "extra": 1}, 422, "invalid_input"),
        ("messages", {}, 422, "invalid_input"),
        ("messages", {"text": "hi", "agent": ""}, 422, "invalid_input"),
        ("messages", {"text": "   "}, 400, "empty_message"),
        ("messages", {"text": "a" * 5000}, 413, "message_too_large"),
    ],
)
def test_bad_agent_requests_are_refused_and_store_nothing(
    client: TestClient,
    session_factory: sessionmaker[Session],
    auth_headers: dict[str, str],
    path: str,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        _handed_off(Chat(ws))
    url = f"/api/agent/conversations/{_conversation_id(session_factory)}"
    stored = _messages(session_factory)
    response = client.post(f"{url}/{path}", json=body, headers=auth_headers)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert _messages(session_factory) == stored
    with session_factory() as session:
        assert session.scalars(select(Handoff.status)).one() == "requested"


def test_joining_and_writing_need_the_token(client: TestClient) -> None:
    for path, body in (("claim", {"agent": "Alex"}), ("messages", {"text": "Hi"})):
        response = client.post(
            f"/api/agent/conversations/x/{path}",
            json=body,
            headers={"Authorization": "Bearer wrong"},
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
