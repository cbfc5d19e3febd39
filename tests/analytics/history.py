"""A store's week, written by hand so that every analytics figure can be worked out on
paper (tests/analytics/test_report.py does, figure by figure).

The period is 1 to 8 March 2025 (UTC, the 8th excluded). Conversations c1..c8 are created
in it (c7 silent); `before` and `after` sit just outside and must change nothing. Tracker
events use the engine's own shapes (`assistant/engine/manager.py`), written in a short
notation: "user:<intent>", "start:<flow>", "end" (a flow ended, nothing resumes),
"back:<flow>" (the flow on top ended and <flow> resumes), "pause", "resume", "bot" and
"slot:<name>" (events the figures must ignore), and any other word: the action it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from assistant.persistence.models import (
    Conversation,
    Customer,
    Handoff,
    Message,
    Order,
    OrderItem,
    Product,
    ShopperEvent,
    TrackerEvent,
    Variant,
)


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0, *, month: int = 3) -> datetime:
    year = 2024 if month == 12 else 2025
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


START, END = at(1), at(8)


@dataclass
class Chat:
    id: str
    created: datetime
    customer: str | None = None
    rating: int | None = None
    # When the shopper wrote; a bot reply follows each, which no figure counts.
    user: list[datetime] = field(default_factory=list)
    # (requested, claimed, closed, status)
    handoffs: list[tuple[datetime, datetime | None, datetime | None, str]] = field(
        default_factory=list
    )
    agent: list[datetime] = field(default_factory=list)
    # The tracker's events in the notation above, separated by spaces; each string starts a
    # turn ("user:…") or goes on with the one before.
    events: list[str] = field(default_factory=list)


CHATS = [
    Chat(
        "c1",
        at(2, 9),
        customer="ana",
        rating=5,
        user=[at(2, 9), at(2, 9, 5)],
        events=[
            "user:greet start:greet utter_greet bot end",
            "user:search_products slot:search start:product_search action_search_products bot end",
        ],
    ),
    Chat(
        "c2",
        at(3, 10),
        customer="ben",
        rating=2,
        user=[at(3, 10), at(3, 10, 9)],
        handoffs=[(at(3, 10, 10), at(3, 10, 11), at(3, 10, 30), "resolved")],
        agent=[at(3, 10, 11, 30), at(3, 10, 20)],
        events=[
            "user:cancel_order start:cancel_order action_start_order_task action_authenticate bot",
            "user:human_handoff start:human_handoff action_handoff pause",
        ],
    ),
    Chat(
        "c3",
        at(4, 12),
        rating=4,
        user=[at(4, 12), at(4, 12, 1), at(4, 12, 2), at(4, 12, 4), at(4, 12, 59)],
        handoffs=[
            (at(4, 12, 5), at(4, 12, 6), at(4, 12, 20), "released"),
            (at(4, 13), None, at(4, 13, 30), "released"),
        ],
        # 14:00 is after the second hand-off closed: it answers neither.
        agent=[at(4, 12, 10), at(4, 12, 15), at(4, 14)],
        events=[
            "user:return_order start:return_order action_start_order_task action_authenticate bot",
            "user:inform slot:customer_id action_read_order_facts action_ask_order_id bot",
            "user:stop action_read_order_facts slot:stopped_task start:stop action_stop_task bot",
            "end",
            "user:human_handoff start:human_handoff action_handoff pause resume",
            "user:human_handoff start:human_handoff action_handoff pause",
        ],
    ),
    Chat(
        "c4",
        at(5, 8),
        customer="cara",
        user=[at(5, 8), at(5, 8, 1), at(5, 8, 2)],
        events=[
            "user:cancel_order start:cancel_order action_start_order_task action_authenticate bot",
            "user:inform action_read_order_facts action_ask_order_id bot",
            "user:policy_question action_read_order_facts start:policy_question",
            "action_answer_question bot back:cancel_order action_ask_order_id bot",
        ],
    ),
    Chat(
        "c5",
        at(6, 15),
        customer="dan",
        rating=1,
        user=[at(6, 15), at(6, 15, 1)],
        handoffs=[(at(6, 15, 2), at(6, 15, 3), at(6, 15, 40), "resolved")],
        agent=[at(6, 15, 12)],
        events=[
            "user:out_of_scope start:out_of_scope action_continue_search action_answer_or_fallback",
            "bot end",
            "user:human_handoff start:human_handoff action_handoff pause",
        ],
    ),
    Chat(
        "c6",
        at(7, 20),
        customer="eve",
        user=[at(7, 20), at(7, 20, 2), at(7, 20, 4), at(7, 20, 6), at(7, 20, 10)],
        events=[
            "user:greet start:greet utter_greet bot end",
            "user:order_status start:order_status action_start_order_task action_authenticate bot",
            # cancel_order interrupts order_status, then the shopper switches it for
            # modify_order_items (the engine pops it with no event of its own).
            "user:cancel_order start:cancel_order action_start_order_task action_ask_order_id bot",
            "user:modify_order_items start:modify_order_items action_ask_item bot",
            "user:inform action_read_order_facts action_apply_order_change bot back:order_status",
            "action_authenticate bot",
        ],
    ),
    Chat("c7", at(5, 11)),
    Chat(
        "c8",
        at(6, 9),
        customer="ana",
        rating=5,
        user=[at(6, 9), at(6, 9, 1)],
        handoffs=[(at(6, 9, 1), at(6, 9, 2), None, "active")],
        agent=[at(6, 9, 3)],
        events=["user:human_handoff start:human_handoff action_handoff pause"],
    ),
    # Outside the period: created a second before it starts, and as it ends.
    Chat(
        "before",
        at(28, 23, 59, 59, month=2),
        customer="ana",
        rating=1,
        user=[at(28, 23, 59, 59, month=2)],
        handoffs=[(at(1), None, None, "requested")],
        events=["user:goodbye start:goodbye utter_goodbye end"],
    ),
    Chat(
        "after",
        END,
        customer="ben",
        rating=1,
        user=[END],
        handoffs=[(END, None, None, "requested")],
        agent=[at(8, 0, 1)],
        events=["user:goodbye start:goodbye utter_goodbye end"],
    ),
]

# (kind, session, customer, when)
SHOPPER_EVENTS: list[tuple[str, str, str | None, datetime]] = [
    ("search", "s1", None, at(2, 10)),
    ("add_to_cart", "s1", None, at(2, 10, 30)),
    ("search", "s2", None, at(3, 10)),
    ("add_to_cart", "s2", None, at(4, 10)),  # exactly the window after: counts
    ("search", "s3", None, at(3, 10)),
    ("add_to_cart", "s3", None, at(4, 10, 0, 1)),  # a second too late
    ("add_to_cart", "s4", None, at(5, 9)),  # before the search: does not count
    ("search", "s4", None, at(5, 10)),
    ("search", "s5", None, at(7, 23)),
    ("add_to_cart", "s5", None, at(8, 1)),  # after the period, within the window
    ("search", "s6", None, at(28, 23, month=2)),  # searched before the period
    ("add_to_cart", "s6", None, at(1, 0, 30)),
    ("search", "s7", None, END),  # searched as the period ends
    ("add_to_cart", "s7", None, at(8, 0, 10)),
    ("view", "s8", None, at(3, 12)),
    # Purchases, for chat-to-purchase.
    ("purchase", "p1", "ana", at(2, 12)),  # c1: within a day of its last message
    ("purchase", "p2", "ben", at(4, 10, 9)),  # c2: exactly a day after its last message
    ("purchase", "p3", "cara", at(5, 7)),  # c4: before its first message
    ("purchase", "p4", "cara", at(6, 8, 3)),  # c4: a minute past the window
    ("purchase", "p5", None, at(7, 21)),  # no customer: links to nobody
]

# customer -> [(created, status, item prices)]; None for an undated order.
ORDERS: dict[str, list[tuple[datetime | None, str, list[str]]]] = {
    "ana": [
        (at(1, month=2), "delivered", ["100"]),
        (at(10, month=2), "delivered", ["60", "40"]),
        (at(15, month=2), "delivered", ["100"]),
        (at(20, month=2), "delivered", ["100"]),
        (at(6, 20), "pending", ["100"]),  # also c8's purchase
    ],
    "ben": [
        (at(1, month=2), "delivered", ["50"]),
        (at(10, month=2), "delivered", ["50"]),
        (at(20, month=2), "delivered", ["50"]),
        (at(5), "pending", ["50"]),
    ],
    "cara": [
        (at(1, month=2), "delivered", ["150"]),
        (at(26, month=2), "delivered", ["150"]),
        (at(5, 9), "cancelled", ["900"]),  # counts nowhere
    ],
    "dan": [
        (at(1, month=12), "delivered", ["100"]),
        (at(15, month=12), "delivered", ["100"]),
        (at(7, month=1), "delivered", ["200"]),
    ],
    "eve": [
        (at(5, 12), "delivered", ["50"]),
        (at(9), "pending", ["999"]),  # after the end: no RFM; after c6's window
    ],
    "fay": [(at(6, month=2), "delivered", ["100"]), (None, "delivered", ["1000"])],
    "gus": [(at(10), "pending", ["10"])],  # only after the end: no profile
}


def _event(code: str, clock: float) -> dict[str, Any]:
    kind, _, name = code.partition(":")
    event: dict[str, Any]
    if kind == "user":
        parse = {"text": name, "intent": {"name": name, "confidence": 0.9}, "entities": []}
        event = {"event": "user", "text": name, "parse_data": parse}
    elif kind == "start":
        event = {"event": "active_loop", "name": name}
    elif kind == "end":
        event = {"event": "active_loop", "name": None}
    elif kind == "back":
        event = {"event": "active_loop", "name": name, "resumed": True}
    elif kind == "slot":
        event = {"event": "slot", "name": name, "value": "x"}
    elif kind == "bot":
        event = {"event": "bot", "text": "…", "data": {}}
    elif kind in ("pause", "resume"):
        event = {"event": kind}
    else:
        event = {"event": "action", "name": kind}
    return {**event, "timestamp": clock}


def _store(session: Session) -> None:
    session.add(Product(id="p", name="Thing"))
    session.add(Variant(item_id="i", product_id="p", price=Decimal("1.00")))
    for number, (customer, orders) in enumerate(ORDERS.items()):
        session.add(
            Customer(id=customer, first_name=customer, last_name="x", email=f"{customer}@x.test")
        )
        for index, (created, status, prices) in enumerate(orders):
            order = Order(
                id=f"#W{number}{index}",
                customer_id=customer,
                status=status,
                address1="1 Main St",
                city="Town",
                state="TS",
                country="USA",
                zip="00000",
                created_at=created,
            )
            order.items = [
                OrderItem(
                    position=position, item_id="i", product_id="p", name="Thing", price=Decimal(p)
                )
                for position, p in enumerate(prices)
            ]
            session.add(order)


def _chat(session: Session, chat: Chat) -> None:
    session.add(
        Conversation(
            id=chat.id,
            channel="socketio",
            external_id=f"sender-{chat.id}",
            customer_id=chat.customer,
            rating=chat.rating,
            rated_at=chat.user[-1] if chat.rating else None,
            created_at=chat.created,
        )
    )
    session.flush()
    messages = [("user", moment) for moment in chat.user]
    messages += [("bot", moment) for moment in chat.user]
    messages += [("agent", moment) for moment in chat.agent]
    messages += [("system", requested) for requested, *_ in chat.handoffs]
    for seq, (role, moment) in enumerate(sorted(messages, key=lambda m: m[1]), start=1):
        session.add(
            Message(conversation_id=chat.id, seq=seq, role=role, text=role, created_at=moment)
        )
    for requested, claimed, closed, status in chat.handoffs:
        session.add(
            Handoff(
                conversation_id=chat.id,
                status=status,
                requested_at=requested,
                claimed_at=claimed,
                closed_at=closed,
            )
        )
    clock = chat.created.timestamp()
    codes = [code for turn in chat.events for code in turn.split()]
    for position, code in enumerate(codes):
        session.add(
            TrackerEvent(
                conversation_id=chat.id,
                position=position,
                event=_event(code, clock + position),
                created_at=chat.created,
            )
        )


def seed_history(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        _store(session)
        session.flush()
        for chat in CHATS:
            _chat(session, chat)
        for kind, session_id, customer, moment in SHOPPER_EVENTS:
            session.add(
                ShopperEvent(
                    kind=kind,
                    session_id=session_id,
                    customer_id=customer,
                    item_id=None if kind == "search" else "i",
                    query="thing" if kind == "search" else None,
                    occurred_at=moment,
                    received_at=moment,
                )
            )
