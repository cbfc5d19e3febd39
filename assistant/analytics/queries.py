"""What a report reads from the database: a few set-wise queries over the period's
conversations, the shoppers' events and the store's orders, returned as plain records so
that the figures are computed in Python, the same on SQLite and PostgreSQL.

The period's conversations are those created in [start, end); everything that happened in
them counts, whenever it happened (a cohort), so a past period's figures settle once its
conversations are over.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from assistant.analytics.figures import utc
from assistant.analytics.period import Period
from assistant.persistence.models import (
    Conversation,
    Handoff,
    Message,
    Order,
    OrderItem,
    ShopperEvent,
    TrackerEvent,
)

# The tracker events the dialogue figures read: the shopper's parsed messages, the actions
# run, flows starting and ending, and the bot pausing for a person and resuming.
DIALOGUE_KINDS = ("user", "action", "active_loop", "pause", "resume")


@dataclass(frozen=True)
class HandoffRecord:
    requested_at: datetime
    closed_at: datetime | None
    # The first `agent` message in [requested_at, closed_at]; None when no person wrote.
    first_reply_at: datetime | None


@dataclass
class ChatRecord:
    """One conversation of the period, with what the figures need of its messages."""

    id: str
    customer_id: str | None
    rating: int | None
    shopper_messages: int = 0
    first_message_at: datetime | None = None
    last_message_at: datetime | None = None
    handoffs: list[HandoffRecord] = field(default_factory=list)


@dataclass(frozen=True)
class DialogueEvent:
    kind: str
    # The action's or the flow's name (`action`, `active_loop`); None when a flow ended.
    name: str | None = None
    # An `active_loop` naming the flow that resumes after the one on top ended.
    resumed: bool = False
    # The intent the NLU (or a button's payload) read, for `user` events.
    intent: str | None = None


@dataclass(frozen=True)
class ShopperAction:
    kind: str
    session_id: str
    customer_id: str | None
    occurred_at: datetime


@dataclass(frozen=True)
class OrderRecord:
    customer_id: str
    created_at: datetime
    total: Decimal


def _period_ids(period: Period) -> Select[str]:
    return select(Conversation.id).where(
        Conversation.created_at >= period.start, Conversation.created_at < period.end
    )


def load_chats(session: Session, period: Period) -> list[ChatRecord]:
    """The period's conversations, oldest first, with their shopper messages counted, their
    hand-offs and when a person first answered each."""
    chats = {
        row.id: ChatRecord(id=row.id, customer_id=row.customer_id, rating=row.rating)
        for row in session.execute(
            select(Conversation.id, Conversation.customer_id, Conversation.rating)
            .where(Conversation.id.in_(_period_ids(period)))
            .order_by(Conversation.created_at, Conversation.id)
        )
    }
    shopper = session.execute(
        select(
            Message.conversation_id,
            func.count(),
            func.min(Message.created_at),
            func.max(Message.created_at),
        )
        .where(Message.conversation_id.in_(_period_ids(period)), Message.role == "user")
        .group_by(Message.conversation_id)
    )
    for conversation_id, count, earliest, latest in shopper:
        chat = chats[conversation_id]
        chat.shopper_messages = int(count)
        chat.first_message_at, chat.last_message_at = utc(earliest), utc(latest)
    replies: dict[str, list[datetime]] = defaultdict(list)
    for conversation_id, created_at in session.execute(
        select(Message.conversation_id, Message.created_at)
        .where(Message.conversation_id.in_(_period_ids(period)), Message.role == "agent")
        .order_by(Message.created_at)
    ):
        replies[conversation_id].append(utc(created_at))
    for handoff in session.execute(
        select(Handoff.conversation_id, Handoff.requested_at, Handoff.closed_at)
        .where(Handoff.conversation_id.in_(_period_ids(period)))
        .order_by(Handoff.requested_at, Handoff.id)
    ):
        requested = utc(handoff.requested_at)
        closed = utc(handoff.closed_at) if handoff.closed_at is not None else None
        times = replies[handoff.conversation_id]
        index = bisect_left(times, requested)
        reply: datetime | None = times[index] if index < len(times) else None
        if reply is not None and closed is not None and reply > closed:
            reply = None
        chats[handoff.conversation_id].handoffs.append(HandoffRecord(requested, closed, reply))
    return list(chats.values())


def load_dialogue(session: Session, period: Period) -> dict[str, list[DialogueEvent]]:
    """The dialogue events of the period's conversations, in tracker order, by conversation.
    Only the fields the figures read come back (extracted from the JSON by the database)."""
    event = TrackerEvent.event
    kind = event["event"].as_string()
    rows = session.execute(
        select(
            TrackerEvent.conversation_id,
            kind,
            event["name"].as_string(),
            event["resumed"].as_boolean(),
            event[("parse_data", "intent", "name")].as_string(),
        )
        .where(TrackerEvent.conversation_id.in_(_period_ids(period)), kind.in_(DIALOGUE_KINDS))
        .order_by(TrackerEvent.conversation_id, TrackerEvent.position)
    )
    events: dict[str, list[DialogueEvent]] = defaultdict(list)
    for conversation_id, kind_, name, resumed, intent in rows:
        events[conversation_id].append(
            DialogueEvent(kind=kind_, name=name, resumed=bool(resumed), intent=intent)
        )
    return dict(events)


def load_shopper_events(
    session: Session, *, kinds: Collection[str], since: datetime, until: datetime
) -> list[ShopperAction]:
    """Shopper events of these kinds that occurred in [since, until], by session and time."""
    rows = session.execute(
        select(
            ShopperEvent.kind,
            ShopperEvent.session_id,
            ShopperEvent.customer_id,
            ShopperEvent.occurred_at,
        )
        .where(
            ShopperEvent.kind.in_(tuple(kinds)),
            ShopperEvent.occurred_at >= since,
            ShopperEvent.occurred_at <= until,
        )
        .order_by(ShopperEvent.session_id, ShopperEvent.occurred_at, ShopperEvent.id)
    )
    return [
        ShopperAction(kind, session_id, customer, utc(at))
        for kind, session_id, customer, at in rows
    ]


def load_purchases(session: Session, period: Period) -> dict[str, list[datetime]]:
    """When each customer of the period's conversations bought, from `period.start` on: their
    `purchase` events and their dated orders not cancelled, sorted."""
    customers = select(Conversation.customer_id).where(
        Conversation.id.in_(_period_ids(period)), Conversation.customer_id.is_not(None)
    )
    purchases: dict[str, list[datetime]] = defaultdict(list)
    for customer_id, at in session.execute(
        select(ShopperEvent.customer_id, ShopperEvent.occurred_at).where(
            ShopperEvent.kind == "purchase",
            ShopperEvent.customer_id.in_(customers),
            ShopperEvent.occurred_at >= period.start,
        )
    ):
        if customer_id is not None:
            purchases[customer_id].append(utc(at))
    for customer_id, placed in session.execute(
        select(Order.customer_id, Order.created_at).where(
            Order.customer_id.in_(customers),
            Order.created_at >= period.start,
            Order.status != "cancelled",
        )
    ):
        if placed is not None:
            purchases[customer_id].append(utc(placed))
    return {customer: sorted(times) for customer, times in purchases.items()}


def _money(total: object) -> Decimal:
    # SQLite sums NUMERIC as a float: back to cents.
    return Decimal(str(total if total is not None else 0)).quantize(Decimal("0.01"))


def load_orders(session: Session, *, before: datetime) -> list[OrderRecord]:
    """Every dated order placed before `before` and not cancelled, with its items' total."""
    rows = session.execute(
        select(Order.customer_id, Order.created_at, func.sum(OrderItem.price))
        .outerjoin(OrderItem, OrderItem.order_id == Order.id)
        .where(
            Order.created_at.is_not(None), Order.created_at < before, Order.status != "cancelled"
        )
        .group_by(Order.id, Order.customer_id, Order.created_at)
    )
    return [
        OrderRecord(customer_id, utc(created_at), _money(total))
        for customer_id, created_at, total in rows
        if created_at is not None
    ]
