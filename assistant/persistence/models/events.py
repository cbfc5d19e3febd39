"""Shoppers' behaviour on the store: views, searches, additions to the cart, purchases and
clicks on products the chat showed (`POST /api/events`). Recommendations and analytics read
them; nothing else writes them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.persistence.models.base import Base, utcnow

EVENT_KINDS = ("view", "search", "add_to_cart", "purchase", "chat_product_click")


class ShopperEvent(Base):
    __tablename__ = "shopper_events"
    __table_args__ = (
        Index("ix_shopper_events_session", "session_id", "occurred_at"),
        Index("ix_shopper_events_customer", "customer_id", "occurred_at"),
        Index("ix_shopper_events_item", "item_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(24))
    # The browser session (the store page's own id); the customer when the store knows them.
    session_id: Mapped[str] = mapped_column(String(128))
    customer_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # A catalog item (variant) for every kind but `search`, which has a query instead.
    item_id: Mapped[str | None] = mapped_column(String(32), default=None)
    query: Mapped[str | None] = mapped_column(Text, default=None)
    quantity: Mapped[int | None] = mapped_column(Integer, default=None)
    price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), default=None)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
