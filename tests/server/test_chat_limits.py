"""Chat rate limits: per conversation and per client address, on the widget's WebSocket (an
error frame, the socket stays open) and on the REST channel (429 with Retry-After)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.persistence.models import Message
from tests.protocol_frames import ORIGIN, Chat

WEBHOOK = "/webhooks/rest/webhook"


@pytest.fixture
def limited(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    from assistant.server.app import create_app

    settings = make_settings(
        **{
            "channels.rate_limit_per_conversation": "3/minute",
            "channels.rate_limit_per_client": "5/minute",
        }
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _user_messages(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        count = session.scalar(select(func.count()).where(Message.role == "user"))
        return int(count or 0)


def test_a_conversation_past_its_limit_gets_an_error_frame_and_stays_open(
    limited: TestClient, session_factory: sessionmaker[Session]
) -> None:
    with limited.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello()
        for n in range(3):
            chat.say(f"m{n}", "hi")
        chat.send({"type": "message", "client_id": "m3", "text": "hi"})
        error = chat.until(lambda f: f["type"] == "error")[-1]
        assert error["code"] == "rate_limited" and error["client_id"] == "m3"
        assert 1 <= error["retry_after_s"] <= 60
        chat.send({"type": "ping"})
        assert chat.until(lambda f: f["type"] == "pong")
    assert _user_messages(session_factory) == 3


def test_new_conversations_from_one_address_share_its_limit(
    limited: TestClient, session_factory: sessionmaker[Session]
) -> None:
    codes = []
    for n in range(3):
        with limited.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
            chat = Chat(ws)
            chat.hello()
            for m in range(2):
                chat.send({"type": "message", "client_id": f"c{n}-{m}", "text": "hello"})
                frame = chat.until(lambda f: f["type"] in ("ack", "error"))[-1]
                codes.append(frame.get("code", "ack"))
    assert codes == ["ack"] * 5 + ["rate_limited"]
    assert _user_messages(session_factory) == 5


def test_rest_answers_429_with_retry_after(
    limited: TestClient, session_factory: sessionmaker[Session]
) -> None:
    first = limited.post(WEBHOOK, json={"sender": "r", "message": "hi"})
    headers = {"X-Session-Secret": first.headers["X-Session-Secret"]}
    statuses = [
        limited.post(WEBHOOK, json={"sender": "r", "message": "hi"}, headers=headers).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    refused = limited.post(WEBHOOK, json={"sender": "r", "message": "hi"}, headers=headers)
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert _user_messages(session_factory) == 3
