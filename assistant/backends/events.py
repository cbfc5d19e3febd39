"""The analytics backend: what shoppers do on the store (views, searches, cart additions,
purchases, clicks on products the chat showed), recorded from `POST /api/events` and read by
recommendations. An interface, and the built-in store on the assistant's database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import UnknownItem
from assistant.persistence.db import transaction
from assistant.persistence.models import ShopperEvent, Variant
from assistant.persistence.models.base import utcnow


@dataclass(frozen=True)
class Event:
    kind: str
    session_id: str
    occurred_at: datetime
    customer_id: str | None = None
    item_id: str | None = None
    query: str | None = None
    quantity: int | None = None
    price: Decimal | None = None


_FIELDS = tuple(f.name for f in fields(Event))


class EventStore(Protocol):
    def record(self, events: Sequence[Event]) -> int:
        """Store every event or none (an unknown item refuses the whole batch)."""
        ...

    def recent(
        self, *, session_id: str | None = None, customer_id: str | None = None, limit: int = 100
    ) -> list[Event]:
        """A session's or a customer's latest events, newest first."""
        ...


class SqlEventStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record(self, events: Sequence[Event]) -> int:
        items = {e.item_id for e in events if e.item_id is not None}
        with transaction(self._sessions) as session:
            if items:
                known = set(
                    session.scalars(select(Variant.item_id).where(Variant.item_id.in_(items)))
                )
                unknown = sorted(items - known)
                if unknown:
                    raise UnknownItem(
                        f"no item {unknown[0]} in the catalog",
                        details={"unknown_items": unknown[:20]},
                    )
            received = utcnow()
            session.add_all(ShopperEvent(**asdict(e), received_at=received) for e in events)
        return len(events)

    def recent(
        self, *, session_id: str | None = None, customer_id: str | None = None, limit: int = 100
    ) -> list[Event]:
        if (session_id is None) == (customer_id is None):
            raise ValueError("give exactly one of session_id and customer_id")
        column = ShopperEvent.session_id if session_id is not None else ShopperEvent.customer_id
        statement = (
            select(ShopperEvent)
            .where(column == (session_id if session_id is not None else customer_id))
            .order_by(ShopperEvent.occurred_at.desc(), ShopperEvent.id.desc())
            .limit(limit)
        )
        with self._sessions() as session:
            return [
                Event(**{name: getattr(row, name) for name in _FIELDS})
                for row in session.scalars(statement)
            ]
