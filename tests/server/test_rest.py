"""Rasa's REST channel against the real app, database and NLU model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.persistence.models import Conversation, Handoff, Message

WEBHOOK = "/webhooks/rest/webhook"
SECRET = "X-Session-Secret"


class Sender:
    """A REST client as a real one behaves: it keeps the secret its first reply gave it."""

    def __init__(self, client: TestClient, sender: str) -> None:
        self.client, self.sender, self.secret = client, sender, ""

    def post(self, message: str, **metadata: Any) -> Any:
        body: dict[str, Any] = {"sender": self.sender, "message": message}
        if metadata:
            body["metadata"] = metadata
        headers = {SECRET: self.secret} if self.secret else {}
        response = self.client.post(WEBHOOK, json=body, headers=headers)
        assert response.status_code == 200, response.text
        self.secret = self.secret or response.headers[SECRET]
        return response.json()


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
    shopper = Sender(client, "s")
    items = shopper.post("I want to talk to a human")
    assert any((item.get("custom") or {}).get("type") == "handoff" for item in items)
    with session_factory() as session:
        conversation = session.scalars(select(Conversation)).one()
        handoff = session.scalars(select(Handoff)).one()
        assert conversation.status == "handoff"
        assert handoff.status == "requested"
        assert handoff.reason == "I want to talk to a human"

    # The bot stays silent, but the shopper's message is stored for the agent.
    assert shopper.post("hello?") == []
    with session_factory() as session:
        texts = session.scalars(select(Message.text).where(Message.role == "user")).all()
        assert texts[-1] == "hello?"

    listed = client.get("/api/agent/handoffs", headers=auth_headers).json()["handoffs"]
    assert [h["conversation_id"] for h in listed] == [conversation.id]

    back = client.post(f"/api/agent/conversations/{conversation.id}/handback", headers=auth_headers)
    assert back.status_code == 200
    assert "back with" in back.json()["messages"][0]["text"]
    items = shopper.post("hi")
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
    shopper = Sender(client, "s")
    first = shopper.post("hi", message_id="m-1")
    second = shopper.post("hi", message_id="m-1")
    assert first == second
    with session_factory() as session:
        assert session.scalar(select(func.count()).where(Message.role == "user")) == 1


def test_unknown_routes_use_the_error_shape(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def _user_messages(session_factory: sessionmaker[Session]) -> list[str | None]:
    with session_factory() as session:
        return list(session.scalars(select(Message.text).where(Message.role == "user")))


def test_a_sender_id_alone_does_not_continue_someone_elses_conversation(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    owner = Sender(client, "shared-id")
    owner.post("hi")
    assert len(owner.secret) >= 32
    for headers in ({}, {SECRET: "a-guess-" + "x" * 30}):
        response = client.post(
            WEBHOOK, json={"sender": "shared-id", "message": "where is my order"}, headers=headers
        )
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "session_secret_required"
        assert SECRET not in response.headers
    assert _user_messages(session_factory) == ["hi"]
    # The secret may travel in the metadata too (for clients that cannot set headers).
    body = {
        "sender": "shared-id",
        "message": "thanks",
        "metadata": {"session_secret": owner.secret},
    }
    assert client.post(WEBHOOK, json=body).status_code == 200
    assert _user_messages(session_factory) == ["hi", "thanks"]


def test_a_refused_first_message_starts_nothing(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    response = client.post(WEBHOOK, json={"sender": "new", "message": "   "})
    assert response.status_code == 400 and SECRET not in response.headers
    assert _count(session_factory, Conversation) == 0
    again = client.post(WEBHOOK, json={"sender": "new", "message": "hi"})
    assert again.status_code == 200 and again.json() and again.headers[SECRET]


def test_cross_site_posts_are_refused_and_store_nothing(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    body = b'{"sender": "victim", "message": "cancel my order"}'
    refused = [
        (
            {"Origin": "https://evil.example", "Content-Type": "application/json"},
            403,
            "origin_not_allowed",
        ),
        ({"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
    ]
    for headers, status, code in refused:
        response = client.post(WEBHOOK, content=body, headers=headers)
        assert response.status_code == status, response.text
        assert response.json()["error"]["code"] == code
    assert _user_messages(session_factory) == []
    allowed = client.post(
        WEBHOOK,
        content=body,
        headers={"Origin": "http://127.0.0.1:8000", "Content-Type": "application/json"},
    )
    assert allowed.status_code == 200


def test_the_channel_can_be_switched_off(make_settings: Callable[..., Settings]) -> None:
    from assistant.server.app import create_app

    settings = make_settings(**{"channels.rest.enabled": False})
    with TestClient(create_app(settings)) as client:
        response = client.post(WEBHOOK, json={"sender": "s", "message": "hi"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
