"""Order flows through the widget's WebSocket protocol (docs/protocol.md): an exchange made by
clicking, and a resent confirmation that must not change the order twice. Every frame is
checked against docs/protocol.schema.json (`Widget`, in conftest.py). The per-kind typed
conversations of test_order_flows.py run over this channel too."""

from __future__ import annotations

from decimal import Decimal

from tests.conversations.conftest import (
    ORIGIN,
    YUSUF,
    YUSUF_CARD,
    YUSUF_EMAIL,
    Store,
    Widget,
    acks,
)


def test_an_exchange_by_clicking_over_the_websocket(store: Store) -> None:
    before = store.snapshot()
    with store.client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        widget = Widget(ws)
        welcome = widget.hello()
        assert welcome["resumed"] is False and welcome["status"] == "bot"

        widget.message("I want to exchange an item from one of my orders")
        assert "confirm who you are" in widget.text or "To find your account" in widget.text
        widget.message(f"it's {YUSUF_EMAIL}")
        assert "Thanks, Yusuf, I've found your account." in widget.text
        assert "Which order would you like to exchange items from?" in widget.text
        # Only the delivered orders can be exchanged.
        assert [b["payload"] for b in widget.buttons] == [
            '/inform{"order_id":"#W2378156"}',
            '/inform{"order_id":"#W6679257"}',
        ]

        turn = widget.click("#W2378156")
        # The click is stored and echoed as the shopper's message, with the button's title.
        (echo,) = [f for f in turn if f["type"] == "message" and f["role"] == "user"]
        assert echo["text"].startswith("#W2378156 (delivered)")
        assert acks(turn)[0]["seq"] == echo["seq"] and acks(turn)[0]["duplicate"] is False
        first_bot = next(i for i, f in enumerate(turn) if f["type"] == "message" and f is not echo)
        assert turn.index(echo) < first_bot
        assert "Which items from order #W2378156 would you like to exchange?" in widget.text

        widget.click("Smart Watch")
        assert "So far: Smart Watch (color: gold, band material: leather, display: LCD)" in (
            widget.text
        )
        widget.click("That's all")
        assert "What would you like instead of the Smart Watch" in widget.text
        assert "There are 5 available options." in widget.text
        widget.click("color: silver")
        assert "Which payment method should pay or receive the price difference?" in widget.text
        widget.click("Mastercard credit card ending 2478")
        (summary,) = widget.cards("change_summary")
        assert summary["flow"] == "exchange_order"
        assert summary["lines"][:2] == [
            "Exchange in order #W2378156:",
            "• Smart Watch: color: gold → color: silver ($381.26 → $370.38)",
        ]
        assert "You get $10.88 back to your Mastercard credit card ending 2478." in widget.text
        assert [b["title"] for b in widget.buttons] == ["Yes, go ahead", "No"]
        assert store.backend.changes() == []

        widget.click("Yes, go ahead")
        assert "The exchange for order #W2378156 is requested (you get $10.88 back)." in (
            widget.text
        )
        (card,) = widget.cards("order_summary")
        assert card["order_id"] == "#W2378156" and card["status"] == "exchange requested"

    # Every stored message reached the widget once, in order; every message was acknowledged.
    seqs = [f["seq"] for f in widget.frames if f["type"] == "message"]
    assert seqs == list(range(1, len(seqs) + 1))
    assert [a["client_id"] for a in acks(widget.frames)] == [f"c{n}" for n in range(1, 9)]
    assert not [f for f in widget.frames if f["type"] == "error"]

    order = store.order("#W2378156")
    assert order.status == "exchange requested"
    assert order.exchange_items == ("9408160950",)
    assert order.exchange_new_items == ("9811090008",)
    assert order.exchange_payment_method_id == YUSUF_CARD
    assert order.exchange_price_difference == Decimal("-10.88")
    assert store.changed_orders(before) == {"#W2378156"}
    (change,) = store.backend.changes()
    assert change["operation"] == "exchange_order_items" and change["customer_id"] == YUSUF


def test_a_resent_confirmation_cancels_once(store: Store) -> None:
    before = store.snapshot()
    with store.client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        widget = Widget(ws)
        session = widget.hello()["session"]
        widget.message("I want to cancel my order #W6247578, it's no longer needed")
        widget.message(YUSUF_EMAIL)
        assert "Cancel order #W6247578 (T-Shirt)" in widget.text
        widget.message("Yes, go ahead", payload="/affirm", client_id="confirm-1")
        assert "Order #W6247578 is cancelled" in widget.text
        (first_ack,) = acks(widget.last)
        last_seq = max(f["seq"] for f in widget.frames if f["type"] == "message")

        # The widget is not sure its click arrived and sends it again: acknowledged as a
        # duplicate with the original seq, and nothing else happens (the next frame is the
        # answer to a ping, not a message).
        widget.send(
            {
                "type": "message",
                "client_id": "confirm-1",
                "text": "Yes, go ahead",
                "payload": "/affirm",
            }
        )
        assert widget.receive() == {
            "type": "ack",
            "client_id": "confirm-1",
            "seq": first_ack["seq"],
            "duplicate": True,
        }
        widget.send({"type": "ping"})
        assert widget.receive() == {"type": "pong"}

    # After a reconnect the same resend is still a duplicate.
    with store.client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        widget = Widget(ws)
        welcome = widget.hello(session, last_seq=last_seq)
        assert welcome["resumed"] is True and welcome["last_seq"] == last_seq
        widget.send(
            {
                "type": "message",
                "client_id": "confirm-1",
                "text": "Yes, go ahead",
                "payload": "/affirm",
            }
        )
        assert widget.receive()["duplicate"] is True
        widget.send({"type": "ping"})
        assert widget.receive() == {"type": "pong"}

    refunds = [p for p in store.order("#W6247578").payments if p.transaction_type == "refund"]
    assert [(p.amount, p.payment_method_id) for p in refunds] == [(Decimal("53.27"), YUSUF_CARD)]
    assert store.order("#W6247578").status == "cancelled"
    assert store.changed_orders(before) == {"#W6247578"}
    assert len(store.backend.changes()) == 1
