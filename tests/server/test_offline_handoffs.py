"""Nobody waits forever: after hours, with nobody signed in, or unclaimed too long, a shopper
who asks for a person is told so, asked for an email address (checked), and the hand-off lands
in the offline queue, where the team sees why and where to write; the team's live inbox hears
each step."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.persistence.models import Conversation, Handoff
from assistant.staff.accounts import add_account
from tests.protocol_frames import ORIGIN, Chat

PASSWORD = "correct horse battery"
OWN = {"Origin": "http://testserver"}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@contextmanager
def _client(settings: Settings) -> Iterator[TestClient]:
    from assistant.server.app import create_app

    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def closed_today(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    """A store whose team works only on a day three days from today."""
    other_day = DAYS[(datetime.now(UTC).weekday() + 3) % 7]
    with _client(make_settings(**{"support.hours": {other_day: "09:00-17:00"}})) as client:
        yield client


def _ask_for_a_person(chat: Chat) -> list[dict[str, Any]]:
    frames = chat.say("c1", "can I talk to a human please")
    assert {"type": "status", "status": "handoff"} in frames
    return [f for f in frames if f["type"] == "message" and f["role"] == "bot"]


def _only_handoff(sessions: sessionmaker[Session]) -> Handoff:
    with sessions() as session:
        return session.scalars(select(Handoff)).one()


def test_after_hours_the_shopper_is_told_and_leaves_a_checked_email(
    closed_today: TestClient, session_factory: sessionmaker[Session], auth_headers: dict[str, str]
) -> None:
    client = closed_today
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello()
        said = _ask_for_a_person(chat)
        # Nobody can come, so nobody is promised: the shopper is told why instead.
        assert len(said) == 1
        away = said[-1]
        assert away["custom"] == {"type": "handoff", "status": "offline", "reason": "after_hours"}
        assert "away right now" in away["text"] and "(UTC)" in away["text"]
        assert any(b["payload"] == "/offline_decline" for b in away["buttons"])
        assert _only_handoff(session_factory).status == "offline"

        # Not an address: asked again; the conversation still waits for one.
        frames = chat.say("c2", "tomorrow maybe")
        again = [f for f in frames if f["type"] == "message" and f["role"] == "bot"]
        assert "doesn't look like an email address" in again[-1]["text"]
        frames = chat.say("c3", "it is ana@@example")
        assert "doesn't look like an email address" in frames[-2]["text"]

        frames = chat.say("c4", "sure, write to Ana.Lopez@Example.COM thanks")
        assert {"type": "status", "status": "bot"} in frames
        saved = [f for f in frames if f["type"] == "message" and f["role"] == "bot"][-1]
        assert saved["custom"] == {"type": "handoff", "status": "email"}
        assert "Ana.Lopez@example.com" in saved["text"]

        # The assistant answers again, and the team's queue keeps the request.
        frames = chat.say("c5", "what is your return policy?")
        assert [f for f in frames if f["type"] == "message" and f["role"] == "bot"]
    handoff = _only_handoff(session_factory)
    assert (handoff.status, handoff.offline_reason, handoff.email) == (
        "offline",
        "after_hours",
        "Ana.Lopez@example.com",
    )
    inbox = client.get("/api/agent/inbox", headers=auth_headers).json()
    assert inbox["open_now"] is False
    [row] = inbox["handoffs"]
    assert row["status"] == "offline" and row["email"] == "Ana.Lopez@example.com"

    # Answered by email: an agent resolves it; the shopper's chat gets the rating prompt.
    url = f"/api/agent/conversations/{handoff.conversation_id}"
    assert client.post(f"{url}/handback?resolved=true", headers=auth_headers).status_code == 200
    messages = client.get(f"{url}/messages", headers=auth_headers).json()["messages"]
    assert messages[-1]["custom"] == {"type": "handoff", "status": "resolved"}
    assert _only_handoff(session_factory).status == "resolved"


def test_keep_chatting_gives_the_conversation_back_without_an_email(
    closed_today: TestClient, session_factory: sessionmaker[Session]
) -> None:
    with closed_today.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello()
        _ask_for_a_person(chat)
        frames = chat.say("c2", "Keep chatting", payload="/offline_decline")
        assert {"type": "status", "status": "bot"} in frames
        handoff = _only_handoff(session_factory)
        assert (handoff.status, handoff.email) == ("offline", None)
        # Asking again puts the request back before the team (still after hours: offline).
        frames = chat.say("c3", "actually I want a person")
        assert {"type": "status", "status": "handoff"} in frames
    with session_factory() as session:
        assert session.scalars(select(Handoff)).one().status == "offline"


def test_with_accounts_but_nobody_signed_in_the_shopper_is_told_so(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    add_account(
        session_factory, email="dana@shop.example", name="Dana", role="agent", password=PASSWORD
    )
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello()
        said = _ask_for_a_person(chat)
        assert said[-1]["custom"]["reason"] == "no_agents"
        assert "Nobody from our team is signed in" in said[-1]["text"]


def test_an_agent_with_the_inbox_open_is_signed_in_and_the_hand_off_waits_for_them(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    add_account(
        session_factory, email="dana@shop.example", name="Dana", role="agent", password=PASSWORD
    )
    response = client.post(
        "/api/auth/login", json={"email": "dana@shop.example", "password": PASSWORD}, headers=OWN
    )
    assert response.status_code == 200
    with client.websocket_connect("/ws/agent", headers=OWN) as agent:
        assert agent.receive_json()["type"] == "welcome"
        with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
            chat = Chat(ws)
            chat.hello()
            said = _ask_for_a_person(chat)
            assert "connecting you with a person" in said[0]["text"]
            assert said[-1]["custom"] == {"type": "handoff", "status": "requested"}
            event = agent.receive_json()
            assert (event["type"], event["event"]) == ("inbox", "requested")
            assert event["handoff"]["status"] == "requested"
            assert event["handoff"]["reason"]
    assert _only_handoff(session_factory).status == "requested"


def test_a_hand_off_nobody_claims_in_time_goes_offline_once(
    make_settings: Callable[..., Settings], session_factory: sessionmaker[Session]
) -> None:
    settings = make_settings(**{"support.unclaimed_timeout_s": 60})
    with _client(settings) as client, client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello()
        _ask_for_a_person(chat)
        conversations = client.app.state.components.conversations  # type: ignore[attr-defined]
        assert client.portal.call(conversations.expire_unclaimed) == []  # not yet due
        with session_factory.begin() as session:
            session.execute(
                update(Handoff).values(requested_at=datetime.now(UTC) - timedelta(seconds=61))
            )
        [moved] = client.portal.call(conversations.expire_unclaimed)
        assert client.portal.call(conversations.expire_unclaimed) == []  # once
        frames = chat.until(lambda f: f["type"] == "message" and f["role"] == "bot")
        assert frames[-1]["custom"] == {
            "type": "handoff",
            "status": "offline",
            "reason": "timeout",
        }
        assert "still busy" in frames[-1]["text"]
        with session_factory() as session:
            assert session.get(Conversation, moved).status == "handoff"  # awaiting an email
        # An agent can still join: the shopper may be there.
        joined = client.post(
            f"/api/agent/conversations/{moved}/claim",
            json={"agent": "Bob"},
            headers={"Authorization": f"Bearer {settings.security.api_token}"},
        )
        assert joined.status_code == 200
        assert chat.until(lambda f: f.get("role") == "system")[-1]["text"] == (
            "Bob joined the conversation."
        )
    handoff = _only_handoff(session_factory)
    assert (handoff.status, handoff.agent, handoff.offline_reason) == ("active", "Bob", "timeout")
