"""Identify: the store signs a token for its logged-in customer, the widget passes it on
(`identify`, or `hello`'s `customer_token`), and order questions then need no further proof.
Tokens are signed here with the configured secret, as the store's backend would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.persistence.models import Conversation, SlotValue
from tests.conversations.conftest import shown_text
from tests.protocol_frames import ORIGIN, Chat

# Long enough for HS512 too (a token signed with the same key by another algorithm).
SECRET = "store-signing-secret-" * 4
YUSUF = "yusuf_rossi_9620"
OLIVIA = "olivia_ito_3591"
ASK_IDENTITY = "Before I can look at your orders I need to confirm who you are"


def token(sub: Any = YUSUF, *, secret: str = SECRET, expires_in: float = 300, **claims: Any) -> str:
    payload = {"sub": sub, "exp": datetime.now(UTC) + timedelta(seconds=expires_in), **claims}
    return jwt.encode(payload, secret, algorithm="HS256")


@pytest.fixture
def client(
    make_settings: Callable[..., Settings], seeded_session_factory: sessionmaker[Session]
) -> Iterator[TestClient]:
    """The app with customer tokens enabled, on the demo store."""
    from assistant.server.app import create_app

    settings = make_settings(**{"channels.identity_secret": SECRET})
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def slots(sessions: sessionmaker[Session]) -> dict[str, Any]:
    with sessions() as session:
        return {s.name: s.value for s in session.scalars(select(SlotValue))}


def bot_text(frames: list[dict[str, Any]]) -> str:
    """The bot's texts, with what their cards show (`text_form`)."""
    return "\n".join(shown_text(f) for f in frames if f["type"] == "message" and f["role"] == "bot")


def test_an_identified_customer_asks_about_an_order_without_proving_who_they_are(
    client: TestClient, seeded_session_factory: sessionmaker[Session]
) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello()
        chat.send({"type": "identify", "token": token()})
        assert chat.receive() == {"type": "identified", "customer_id": YUSUF, "name": "Yusuf"}
        assert slots(seeded_session_factory) == {"customer_id": YUSUF, "customer_name": "Yusuf"}
        with seeded_session_factory() as session:
            assert session.scalars(select(Conversation.customer_id)).one() == YUSUF

        frames = chat.say("c1", "Where is my order #W2378156?")
        text = bot_text(frames)
        assert ASK_IDENTITY not in text and "found your account" not in text
        assert "Order #W2378156 is delivered." in text
        assert "Tracking number: 843053632392" in text


def test_a_token_on_hello_identifies_and_its_name_is_shown(
    client: TestClient, seeded_session_factory: sessionmaker[Session]
) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        welcome = chat.hello(customer_token=token(name="Yusuf R."))
        assert welcome["type"] == "welcome"
        assert chat.receive() == {"type": "identified", "customer_id": YUSUF, "name": "Yusuf R."}
    # The assistant addresses them as its own authentication would.
    assert slots(seeded_session_factory)["customer_name"] == "Yusuf"


def test_identifying_in_the_middle_of_an_order_question_answers_it(client: TestClient) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello()
        assert ASK_IDENTITY in bot_text(chat.say("c1", "Where is my order #W2378156?"))
        chat.send({"type": "identify", "token": token()})
        assert chat.receive()["type"] == "identified"
        text = bot_text(chat.say("c2", "#W2378156"))
        assert "Order #W2378156 is delivered." in text, text


def _tampered() -> str:
    header, payload, signature = token().split(".")
    forged = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(YUSUF.encode(), OLIVIA.encode())
    ).decode()
    return f"{header}.{forged}.{signature}"


# Made when the test runs (each signed token expires).
BAD_TOKENS: dict[str, tuple[Callable[[], str], str]] = {
    "tampered": (_tampered, "Signature verification failed"),
    "another secret": (
        lambda: token(secret="another-secret-of-another-store-0123"),
        "Signature verification failed",
    ),
    "expired": (lambda: token(expires_in=-60), "expired"),
    "no exp": (lambda: jwt.encode({"sub": YUSUF}, SECRET, algorithm="HS256"), "exp"),
    "no sub": (lambda: token(sub=None), "sub"),
    "unknown customer": (lambda: token(sub="nobody_1234"), "no customer"),
    "bad name": (lambda: token(name=["not", "a", "name"]), "name"),
    # Unsigned ("alg": "none") or with another algorithm: never accepted.
    "unsigned": (
        lambda: jwt.encode({"sub": YUSUF, "exp": 4_000_000_000}, None, algorithm="none"),
        "not valid",
    ),
    "HS512": (
        lambda: jwt.encode({"sub": YUSUF, "exp": 4_000_000_000}, SECRET, algorithm="HS512"),
        "not valid",
    ),
    "garbage": (lambda: "not-a-token", "not valid"),
}


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
def test_a_bad_token_is_refused_and_identifies_nobody(
    client: TestClient, seeded_session_factory: sessionmaker[Session], case: str
) -> None:
    make, message = BAD_TOKENS[case]
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello()
        chat.send({"type": "identify", "token": make()})
        error = chat.receive()
        assert error["type"] == "error" and error["code"] == "invalid_token", error
        assert message in error["message"], error
        assert slots(seeded_session_factory) == {}
        # The conversation goes on, and still asks who the shopper is.
        assert ASK_IDENTITY in bot_text(chat.say("c1", "Where is my order #W2378156?"))


def test_a_bad_token_on_hello_still_opens_the_conversation(client: TestClient) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        welcome = chat.hello(customer_token=token(expires_in=-60))
        assert welcome["type"] == "welcome" and welcome["resumed"] is False
        error = chat.receive()
        assert (error["type"], error["code"]) == ("error", "invalid_token")
        chat.send({"type": "ping"})
        assert chat.receive() == {"type": "pong"}


def test_a_conversation_keeps_its_customer(
    client: TestClient, seeded_session_factory: sessionmaker[Session]
) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello(customer_token=token())
        assert chat.receive()["customer_id"] == YUSUF
        chat.send({"type": "identify", "token": token(OLIVIA)})
        error = chat.receive()
        assert (error["type"], error["code"]) == ("error", "identity_conflict")
        # The same customer again is fine (a refreshed token).
        chat.send({"type": "identify", "token": token()})
        assert chat.receive()["type"] == "identified"
    assert slots(seeded_session_factory)["customer_id"] == YUSUF
