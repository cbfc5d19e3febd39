"""One agent holds a handed-off conversation: another's claim is refused with who holds it,
only the holder writes to the shopper, and the holder (or an admin) transfers it."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.persistence.models import Conversation, Handoff, StaffUser
from assistant.staff.accounts import add_account
from tests.protocol_frames import ORIGIN, Chat

PASSWORD = "correct horse battery"
OWN = {"Origin": "http://testserver"}
TEAM = {"dana": "agent", "bob": "agent", "ari": "admin"}


@pytest.fixture
def heads(client: TestClient, session_factory: sessionmaker[Session]) -> dict[str, dict[str, str]]:
    """Each member of the team signed in: the headers their console sends."""
    signed_in = {}
    for name, role in TEAM.items():
        email = f"{name}@shop.example"
        client.cookies.clear()  # one browser each: a sign-in ends the browser's earlier one
        add_account(session_factory, email=email, name=name.title(), role=role, password=PASSWORD)
        response = client.post(
            "/api/auth/login", json={"email": email, "password": PASSWORD}, headers=OWN
        )
        assert response.status_code == 200, response.text
        cookie = f"aisle_staff={response.cookies['aisle_staff']}"
        signed_in[name] = {**OWN, "Cookie": cookie, "X-CSRF-Token": response.json()["csrf_token"]}
    client.cookies.clear()  # each request names its own session
    return signed_in


def _handed_off(chat: Chat, sessions: sessionmaker[Session]) -> str:
    """The shopper asks for a person; the conversation's id."""
    assert {"type": "status", "status": "handoff"} in chat.say("h1", "a person please")
    with sessions() as session:
        return session.scalars(select(Conversation.id)).one()


def test_one_agent_holds_a_conversation_until_it_is_transferred(
    client: TestClient,
    session_factory: sessionmaker[Session],
    heads: dict[str, dict[str, str]],
    auth_headers: dict[str, str],
) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello()
        conversation = _handed_off(chat, session_factory)
        url = f"/api/agent/conversations/{conversation}"

        def post(who: str, path: str, body: dict[str, str]) -> tuple[int, dict[str, object]]:
            answer = client.post(f"{url}/{path}", json=body, headers=heads[who])
            return answer.status_code, answer.json()

        # Before anyone holds it, nobody writes.
        status, body = post("bob", "messages", {"text": "Hello?"})
        assert (status, body["error"]["code"]) == (409, "handoff_taken")  # type: ignore[index]

        assert post("dana", "claim", {})[0] == 200
        assert chat.receive()["text"] == "Dana joined the conversation."
        status, body = post("bob", "claim", {})
        assert status == 409
        assert body["error"] == {  # the other agent sees who has it
            "message": "Dana has this conversation",
            "type": "HandoffTaken",
            "code": "handoff_taken",
            "details": {"agent": "Dana"},
        }
        assert post("bob", "messages", {"text": "I can help!"})[0] == 409
        assert post("bob", "transfer", {"to": "bob@shop.example"})[0] == 409
        assert post("dana", "messages", {"text": "Hi, Dana here."})[0] == 200
        assert chat.receive()["text"] == "Hi, Dana here."

        # The holder hands it over: the shopper is told, and the pen changes hands.
        status, body = post("dana", "transfer", {"to": "BOB@shop.example"})
        assert (status, body["agent"]) == (200, "Bob")
        joined = chat.receive()
        assert joined["text"] == "Bob joined the conversation."
        assert joined["custom"] == {"type": "handoff", "status": "joined", "agent": "Bob"}
        assert post("dana", "messages", {"text": "Still me?"})[0] == 409
        assert post("bob", "messages", {"text": "Bob here."})[0] == 200
        assert chat.receive()["text"] == "Bob here."

        # An admin may move it anywhere; nobody is handed a conversation without an account.
        assert post("ari", "transfer", {"to": "dana@shop.example"})[0] == 200
        assert chat.receive()["text"] == "Dana joined the conversation."
        assert post("ari", "transfer", {"to": "nobody@shop.example"})[0] == 404
        with session_factory() as session:
            handoff = session.scalars(select(Handoff)).one()
            assert (handoff.agent, handoff.status) == ("Dana", "active")
            dana_id = handoff.agent_id
        listed = client.get("/api/agent/handoffs", headers=heads["bob"]).json()["handoffs"]
        assert [(h["agent"], h["agent_id"]) for h in listed] == [("Dana", dana_id)]

        # The store's own systems (the API token) act as an admin would.
        taken = client.post(f"{url}/claim", json={"agent": "Ops"}, headers=auth_headers)
        assert taken.status_code == 200
        assert chat.receive()["text"] == "Ops joined the conversation."


def test_any_agent_leaves_notes_the_shopper_never_sees(
    client: TestClient,
    session_factory: sessionmaker[Session],
    heads: dict[str, dict[str, str]],
    auth_headers: dict[str, str],
) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        welcome = chat.hello()
        conversation = _handed_off(chat, session_factory)
        url = f"/api/agent/conversations/{conversation}"
        assert client.post(f"{url}/claim", json={}, headers=heads["dana"]).status_code == 200
        assert chat.receive()["text"] == "Dana joined the conversation."

        # Bob does not hold it, and may still tell Dana something.
        note = client.post(
            f"{url}/notes", json={"text": "VIP: refund approved already"}, headers=heads["bob"]
        )
        assert note.status_code == 200, note.text
        assert note.json()["note"]["author"] == "Bob"
        said = client.post(f"{url}/messages", json={"text": "Hello!"}, headers=heads["dana"])
        assert said.status_code == 200
        # The shopper's next frame is Dana's message: the note never went out.
        assert chat.receive()["text"] == "Hello!"
        listed = client.get(f"{url}/notes", headers=heads["dana"]).json()["notes"]
        assert [(n["author"], n["text"]) for n in listed] == [
            ("Bob", "VIP: refund approved already")
        ]

    # Nor does it come back when the shopper's widget replays the conversation.
    session_token = welcome["session"]
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        replayed = Chat(ws)
        replayed.hello(session=session_token, last_seq=0)
        frames = replayed.until(lambda f: f["type"] == "message" and f.get("text") == "Hello!")
        assert all("VIP" not in str(frame) for frame in frames)

    refusals = [
        ({"text": "   "}, heads["bob"], 400, "empty_message"),
        ({"text": "x" * 5000}, heads["bob"], 413, "message_too_large"),
        ({"text": "a\x00b"}, heads["bob"], 400, "undecodable_message"),
        ({"text": "no name"}, auth_headers, 422, "invalid_input"),  # the token names its writer
    ]
    for body, headers, status, code in refusals:
        answer = client.post(f"{url}/notes", json=body, headers=headers)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), body
    unknown = client.get("/api/agent/conversations/nope/notes", headers=heads["bob"])
    assert unknown.status_code == 404
    assert len(client.get(f"{url}/notes", headers=auth_headers).json()["notes"]) == 1


def test_only_the_holder_gives_a_conversation_back_and_each_change_of_hands_is_logged(
    client: TestClient,
    session_factory: sessionmaker[Session],
    heads: dict[str, dict[str, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="assistant.server.routes.agent")
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello()
        conversation = _handed_off(chat, session_factory)
        url = f"/api/agent/conversations/{conversation}"
        assert client.post(f"{url}/claim", json={}, headers=heads["dana"]).status_code == 200
        refused = client.post(f"{url}/handback", headers=heads["bob"])
        assert (refused.status_code, refused.json()["error"]["code"]) == (409, "handoff_taken")
        back = client.post(f"{url}/handback", headers=heads["dana"])
        assert back.status_code == 200, back.text
        frames = chat.until(lambda f: f["type"] == "message" and f["role"] == "bot")
        assert frames[-1]["text"].startswith("You're back with")

        assert {"type": "status", "status": "handoff"} in chat.say("h2", "a person again")
        assert client.post(f"{url}/claim", json={}, headers=heads["bob"]).status_code == 200
        resolved = client.post(f"{url}/handback?resolved=true", headers=heads["ari"])
        assert resolved.status_code == 200  # an admin closes anyone's
    lines = [r.getMessage() for r in caplog.records if r.name == "assistant.server.routes.agent"]
    dana, bob, ari = (_account(session_factory, name) for name in ("dana", "bob", "ari"))
    assert lines == [
        f"hand-off claimed as Dana by Dana (account {dana})",
        f"hand-off handed back to the assistant by Dana (account {dana})",
        f"hand-off claimed as Bob by Bob (account {bob})",
        f"hand-off resolved by Ari (account {ari})",
    ]


def _account(sessions: sessionmaker[Session], name: str) -> int:
    with sessions() as session:
        found = session.scalar(
            select(StaffUser.id).where(StaffUser.email == f"{name}@shop.example")
        )
    assert found is not None
    return found
