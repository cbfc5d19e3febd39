"""Conversations with the real app (trained NLU, flows, actions, order backend) on a seeded
copy of the demo store, and the order backend on the same database to check what they changed.

The shoppers used (knowledge_base/store/db.json):

- Yusuf Rossi (`yusuf_rossi_9620`, yusuf.rossi7301@example.com, zip 19122), one Mastercard
  (credit_card_9513926): #W2378156 delivered (Headphones, Vacuum Cleaner, Mechanical Keyboard,
  Smart Thermostat, Smart Watch; tracking 843053632392), #W6679257 delivered (Digital Camera;
  tracking 522129247270), #W6247578 pending (T-Shirt, $53.27), #W4776164 pending (T-Shirt,
  Espresso Machine, $2,772.44), #W9711842 cancelled.
- Olivia Ito (`olivia_ito_3591`, olivia.ito5204@example.com, zip 80218): a Visa
  (credit_card_9753331), PayPal (paypal_8049766) and a gift card with $56.00
  (gift_card_7794233): #W5442520 pending (Gaming Mouse, Patio Umbrella, Hiking Boots, $663.85 by
  Visa), #W7941031 pending (Wristwatch, Backpack, by Visa), #W5866402 delivered (Espresso
  Machine, Sneakers, paid by PayPal).

A `Shopper` speaks through the REST channel or through the widget's WebSocket (the `transport`
fixture, "rest" unless a test parametrizes it), with the same `say`, `click`, `text` and
`buttons` either way.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import WebSocketTestSession

from assistant.backends.orders import CustomerView, OrderView
from assistant.backends.sql_orders import SqlOrderBackend
from assistant.config import Settings
from tests.protocol_frames import ORIGIN, check

WEBHOOK = "/webhooks/rest/webhook"

YUSUF = "yusuf_rossi_9620"
YUSUF_EMAIL = "yusuf.rossi7301@example.com"
YUSUF_CARD = "credit_card_9513926"
OLIVIA = "olivia_ito_3591"
OLIVIA_EMAIL = "olivia.ito5204@example.com"
OLIVIA_VISA = "credit_card_9753331"
OLIVIA_PAYPAL = "paypal_8049766"
OLIVIA_GIFT_CARD = "gift_card_7794233"
YUSUF_ORDERS = {"#W2378156", "#W6679257", "#W6247578", "#W4776164", "#W9711842"}
CUSTOMERS = (YUSUF, OLIVIA)


@dataclass
class Store:
    """The app under test and the database behind it."""

    client: TestClient
    backend: SqlOrderBackend
    sessions: sessionmaker[Session]

    def order(self, order_id: str) -> OrderView:
        owner = YUSUF if order_id in YUSUF_ORDERS else OLIVIA
        return self.backend.get_order(order_id, customer_id=owner)

    def customer(self, customer_id: str) -> CustomerView:
        return self.backend.get_customer(customer_id)

    def balance(self, customer_id: str, method_id: str) -> Any:
        method = self.customer(customer_id).payment_method(method_id)
        assert method is not None
        return method.balance

    def snapshot(self) -> dict[str, Any]:
        """Everything a conversation may change for the shoppers used here, comparable."""
        return {
            customer_id: {
                "customer": self.backend.get_customer(customer_id),
                "orders": {o.id: o for o in self.backend.list_orders(customer_id)},
            }
            for customer_id in CUSTOMERS
        }

    def changed_orders(self, before: dict[str, Any]) -> set[str]:
        """The ids of the orders that differ from `before` (a `snapshot()`)."""
        after = self.snapshot()
        changed = set()
        for customer_id in CUSTOMERS:
            old, new = before[customer_id]["orders"], after[customer_id]["orders"]
            changed |= {
                order_id
                for order_id in old.keys() | new.keys()
                if old.get(order_id) != new.get(order_id)
            }
        return changed


@pytest.fixture
def store(seeded_session_factory: sessionmaker[Session], settings: Settings) -> Iterator[Store]:
    """The real app on a database holding the demo store (seeded before the app starts)."""
    from assistant.server.app import create_app

    with TestClient(create_app(settings)) as client:
        yield Store(client, SqlOrderBackend(seeded_session_factory), seeded_session_factory)


# -- the widget protocol (docs/protocol.md) ------------------------------------------------------


def shown_text(item: dict[str, Any]) -> str:
    """A reply's text as the shopper sees it: over the WebSocket, with what its card shows."""
    text = item.get("text") or ""
    text_form = (item.get("custom") or {}).get("text_form")
    if "seq" in item and isinstance(text_form, str):
        return f"{text}\n{text_form}" if text else text_form
    return text


def acks(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in frames if f["type"] == "ack"]


class Widget:
    """The widget's side of one connection: says things, clicks buttons, keeps every frame."""

    def __init__(self, ws: WebSocketTestSession, prefix: str = "c") -> None:
        self.ws = ws
        self.ids = (f"{prefix}{n}" for n in itertools.count(1))
        self.frames: list[dict[str, Any]] = []
        self.last: list[dict[str, Any]] = []

    def send(self, frame: dict[str, Any]) -> None:
        self.ws.send_text(json.dumps(check(frame, "ClientFrame")))

    def receive(self) -> dict[str, Any]:
        frame = check(self.ws.receive_json(), "ServerFrame")
        self.frames.append(frame)
        return frame

    def hello(self, session: str | None = None, last_seq: int = 0) -> dict[str, Any]:
        frame: dict[str, Any] = {"type": "hello", "last_seq": last_seq}
        if session:
            frame["session"] = session
        self.send(frame)
        welcome = self.receive()
        assert welcome["type"] == "welcome", welcome
        return welcome

    def message(
        self, text: str, payload: str | None = None, client_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Send a message; the frames up to the end of the assistant's typing."""
        frame = {"type": "message", "client_id": client_id or next(self.ids), "text": text}
        if payload is not None:
            frame["payload"] = payload
        self.send(frame)
        turn = []
        for _ in range(400):
            turn.append(self.receive())
            if turn[-1] == {"type": "typing", "active": False}:
                self.last = turn
                return turn
        raise AssertionError(f"the turn did not end: {turn}")

    @property
    def bot(self) -> list[dict[str, Any]]:
        """The bot messages of the latest turn."""
        return [f for f in self.last if f["type"] == "message" and f["role"] == "bot"]

    @property
    def text(self) -> str:
        return "\n".join(shown_text(f) for f in self.bot)

    @property
    def buttons(self) -> list[dict[str, str]]:
        return [b for f in self.bot for b in f.get("buttons") or []]

    def cards(self, kind: str) -> list[dict[str, Any]]:
        return [f["custom"] for f in self.bot if (f.get("custom") or {}).get("type") == kind]

    def click(self, title_part: str) -> list[dict[str, Any]]:
        """Click the one button of the latest reply whose title contains `title_part`: the
        widget sends the title as text and the button's payload."""
        found = [b for b in self.buttons if title_part in b["title"]]
        assert len(found) == 1, (title_part, [b["title"] for b in self.buttons])
        return self.message(found[0]["title"], payload=found[0]["payload"])


# -- a shopper, through either channel ------------------------------------------------------------


class Transport(Protocol):
    """How a shopper's message reaches the app; `send` returns the bot's replies to it, each
    with the REST item's `text`, `buttons` and `custom`."""

    def send(
        self, text: str, *, payload: str | None = None, message_id: str | None = None
    ) -> list[dict[str, Any]]: ...


_senders = itertools.count(1)


@dataclass
class RestTransport:
    """Rasa's REST channel: a POST per message, the replies in its answer. A click sends the
    button's payload as the message."""

    client: TestClient
    sender: str = field(default_factory=lambda: f"shopper-{next(_senders)}")
    # Issued with the first reply; every later message carries it.
    secret: str | None = None

    def send(
        self, text: str, *, payload: str | None = None, message_id: str | None = None
    ) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"sender": self.sender, "message": payload or text}
        if message_id is not None:
            body["metadata"] = {"message_id": message_id}
        headers = {"X-Session-Secret": self.secret} if self.secret else {}
        response = self.client.post(WEBHOOK, json=body, headers=headers)
        assert response.status_code == 200, response.text
        self.secret = self.secret or response.headers["X-Session-Secret"]
        replies: list[dict[str, Any]] = response.json()
        return replies


@dataclass
class WebSocketTransport:
    """The widget's WebSocket after `hello`: a `message` frame per message (a click sends the
    button's title and payload) and the bot's `message` frames up to the end of the
    assistant's typing. Every frame is validated against the protocol's schema (`Widget`);
    each message must be acknowledged once as new, echoed with its `client_id`, answered
    without an error frame, and every stored message must arrive once, in `seq` order."""

    widget: Widget

    def send(
        self, text: str, *, payload: str | None = None, message_id: str | None = None
    ) -> list[dict[str, Any]]:
        client_id = message_id or next(self.widget.ids)
        shown = sum(1 for f in self.widget.frames if f["type"] == "message")
        turn = self.widget.message(text, payload=payload, client_id=client_id)
        assert not [f for f in turn if f["type"] == "error"], turn
        (ack,) = acks(turn)
        assert ack["client_id"] == client_id and ack["duplicate"] is False, ack
        messages = [f for f in turn if f["type"] == "message"]
        assert [f["seq"] for f in messages] == list(range(shown + 1, shown + len(messages) + 1))
        echo, *replies = messages
        assert (echo["role"], echo["seq"], echo.get("client_id"), echo["text"]) == (
            "user",
            ack["seq"],
            client_id,
            text,
        ), turn
        assert all(f["role"] == "bot" for f in replies), turn
        return replies


@dataclass
class Shopper:
    """One conversation: says things, clicks the buttons of the latest replies."""

    transport: Transport
    transcript: list[tuple[str, Any]] = field(default_factory=list)
    last: list[dict[str, Any]] = field(default_factory=list)

    def say(self, text: str, *, message_id: str | None = None) -> list[dict[str, Any]]:
        return self._send(text, message_id=message_id)

    def _send(
        self, text: str, *, payload: str | None = None, message_id: str | None = None
    ) -> list[dict[str, Any]]:
        self.last = self.transport.send(text, payload=payload, message_id=message_id)
        self.transcript.append(("shopper", f"{text} [{payload}]" if payload else text))
        self.transcript += [("bot", item) for item in self.last]
        return self.last

    @property
    def text(self) -> str:
        """The latest replies' texts, joined by newlines; over the WebSocket a card's
        `text_form` stands for the card the widget draws (REST has it in the text already)."""
        return "\n".join(shown_text(item) for item in self.last)

    @property
    def buttons(self) -> list[dict[str, str]]:
        """The buttons of the latest replies."""
        return [b for item in self.last for b in item.get("buttons") or []]

    @property
    def titles(self) -> list[str]:
        return [b["title"] for b in self.buttons]

    def cards(self, kind: str) -> list[dict[str, Any]]:
        """The latest replies' `custom` payloads of one type (order_summary, change_summary)."""
        return [
            item["custom"]
            for item in self.last
            if isinstance(item.get("custom"), dict) and item["custom"].get("type") == kind
        ]

    def button(self, title_part: str) -> dict[str, str]:
        """The one offered button whose title contains `title_part`."""
        found = [b for b in self.buttons if title_part in b["title"]]
        assert len(found) == 1, (title_part, self.titles, self.dump())
        return found[0]

    def click(self, title_part: str) -> list[dict[str, Any]]:
        """Click the button whose title contains `title_part`: REST sends its payload, the
        widget its title and payload."""
        button = self.button(title_part)
        return self._send(button["title"], payload=button["payload"])

    def everything_said(self) -> str:
        """All the bot sent in this conversation (texts, buttons, cards) as one string."""
        return "\n".join(json.dumps(item) for who, item in self.transcript if who == "bot")

    def dump(self) -> str:
        lines = []
        for who, what in self.transcript:
            if who == "shopper":
                lines.append(f"shopper: {what}")
            else:
                buttons = [b["title"] for b in what.get("buttons") or []]
                body = what.get("text") or json.dumps(what.get("custom"))
                lines.append(f"bot: {body}" + (f" {buttons}" if buttons else ""))
        return "\n".join(lines)


@pytest.fixture
def transport() -> str:
    """The channel the shopper speaks through: "rest", or "ws" where a test parametrizes it."""
    return "rest"


@pytest.fixture
def shopper(store: Store, transport: str) -> Iterator[Shopper]:
    if transport == "rest":
        yield Shopper(RestTransport(store.client))
        return
    assert transport == "ws", transport
    with store.client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        widget = Widget(ws)
        welcome = widget.hello()
        assert welcome["resumed"] is False and welcome["status"] == "bot", welcome
        yield Shopper(WebSocketTransport(widget))
