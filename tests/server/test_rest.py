"""Rasa's REST channel against the real app, database and NLU model."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.persistence.models import Conversation, Handoff, Message

WEBHOOK = "/webhooks/rest/webhook"


def test_hi_gets_a_greeting_with_buttons(client: TestClient) -> None:
    response = client.post(WEBHOOK, json={"sender": "shopper-1", "message": "hi"})
    assert response.status_code == 200
    items = response.json()
    assert items[0]["recipient_id"] == "shopper-1"
    assert "assistant" in items[0]["text"].lower()
    assert {"title": "Talk to a person", "payload": "/human_handoff"} in items[0]["buttons"]


def test_button_payload_runs_its_intent(client: TestClient) -> None:
    items = client.post(WEBHOOK, json={"sender": "s", "message": "/help"}).json()
    assert "here is what i can do" in items[0]["text"].lower()


def test_out_of_scope_offers_a_person(client: TestClient) -> None:
    items = client.post(
        WEBHOOK, json={"sender": "s", "message": "what's the weather like in Paris tomorrow?"}
    ).json()
    # Either wording of the out-of-scope reply: it says it does not know, and offers a person.
    assert any(words in items[0]["text"] for words in ("don't have any", "don't know about"))
    assert any(b["payload"] == "/human_handoff" for b in items[0]["buttons"])


def test_handoff_pauses_the_bot_until_handed_back(
    client: TestClient, session_factory: sessionmaker[Session], auth_headers: dict[str, str]
) -> None:
    items = client.post(
        WEBHOOK, json={"sender": "s", "message": "I want to talk to a human"}
    ).json()
    assert any((item.get("custom") or {}).get("type") == "handoff" for item in items)
    with session_factory() as session:
        conversation = session.scalars(select(Conversation)).one()
        handoff = session.scalars(select(Handoff)).one()
        assert conversation.status == "handoff"
        assert handoff.status == "requested"
        assert handoff.reason == "I want to talk to a human"

    # The bot stays silent, but the shopper's message is stored for the agent.
    assert client.post(WEBHOOK, json={"sender": "s", "message": "hello?"}).json() == []
    with session_factory() as session:
        texts = session.scalars(select(Message.text).where(Message.role == "user")).all()
        assert texts[-1] == "hello?"

    listed = client.get("/api/agent/handoffs", headers=auth_headers).json()["handoffs"]
    assert [h["conversation_id"] for h in listed] == [conversation.id]

    back = client.post(f"/api/agent/conversations/{conversation.id}/handback", headers=auth_headers)
    assert back.status_code == 200
    assert "back with" in back.json()["messages"][0]["text"]
    items = client.post(WEBHOOK, json={"sender": "s", "message": "hi"}).json()
    assert items and "assistant" in items[0]["text"].lower()
    with session_factory() as session:
        assert session.scalars(select(Handoff.status)).one() == "released"

    again = client.post(
        f"/api/agent/conversations/{conversation.id}/handback", headers=auth_headers
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "handoff_state"


def test_agent_api_needs_the_token(client: TestClient) -> None:
    response = client.get("/api/agent/handoffs", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def _count(session_factory: sessionmaker[Session], model: type) -> int:
    with session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_bad_input_gets_a_typed_error_and_writes_nothing(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    cases = [
        (b"{not json", 400, "malformed_json"),
        (b"\xff\xfe\x00garbage", 400, "undecodable_message"),
        (b"[1, 2]", 400, "invalid_input"),
        (b'{"sender": "s"}', 400, "invalid_input"),
        (b'{"sender": "s", "message": "   "}', 400, "empty_message"),
        (b'{"sender": "", "message": "hi"}', 422, "invalid_sender"),
        (b'{"sender": "' + b"x" * 200 + b'", "message": "hi"}', 422, "invalid_sender"),
        (b'{"sender": "s", "message": "' + b"a" * 5000 + b'"}', 413, "message_too_large"),
        (b'{"sender": "s", "message": "' + b"a" * 100_000 + b'"}', 413, "message_too_large"),
    ]
    for body, status, code in cases:
        response = client.post(WEBHOOK, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == status, (body[:40], response.text)
        error = response.json()["error"]
        assert error["code"] == code
        assert error["message"] and error["type"]
    assert _count(session_factory, Message) == 0


def test_a_resent_message_id_is_answered_once(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    body = {"sender": "s", "message": "hi", "metadata": {"message_id": "m-1"}}
    first = client.post(WEBHOOK, json=body).json()
    second = client.post(WEBHOOK, json=body).json()
    assert first == second
    with session_factory() as session:
        assert session.scalar(select(func.count()).where(Message.role == "user")) == 1


def test_unknown_routes_use_the_error_shape(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
