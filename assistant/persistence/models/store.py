"""The demo store's tables: customers and their addresses and payment methods, the catalog
(products and their variants) and orders with their items, fulfilments and payments.

Shaped after the τ²-bench retail database so its tasks can be checked against the exact end
state. Lists whose order matters (order items, fulfilments, payment history) keep a
`position`; money is `Numeric(12, 2)`, a `Decimal` in Python, never a float.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.persistence.models.base import Base, utcnow

Money = Numeric(12, 2)

# Order statuses of the demo store's policy (later states come from returns and exchanges).
ORDER_STATUSES = (
    "pending",
    "pending (items modified)",
    "processed",
    "delivered",
    "cancelled",
    "return requested",
    "exchange requested",
)
PAYMENT_SOURCES = ("credit_card", "paypal", "gift_card")


class Customer(Base):
    """A shopper with an account; `id` is the store's user id (e.g. "noah_brown_6181")."""

    __tablename__ = "customers"
    # Authentication by name + zip looks customers up by name, then checks the address.
    __table_args__ = (Index("ix_customers_name", "last_name", "first_name"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_name: Mapped[str] = mapped_column(String(64))
    last_name: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(255), unique=True)

    address: Mapped[Address | None] = relationship(
        back_populates="customer", cascade="all, delete-orphan", uselist=False
    )
    payment_methods: Mapped[list[PaymentMethod]] = relationship(
        back_populates="customer", order_by="PaymentMethod.id", cascade="all, delete-orphan"
    )
    orders: Mapped[list[Order]] = relationship(back_populates="customer", order_by="Order.id")


class Address(Base):
    """A customer's default address: its own table, as the policy lets shoppers change it."""

    __tablename__ = "addresses"

    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    address1: Mapped[str] = mapped_column(String(128))
    address2: Mapped[str] = mapped_column(String(128), default="")
    city: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(32))
    country: Mapped[str] = mapped_column(String(64))
    zip: Mapped[str] = mapped_column(String(16), index=True)

    customer: Mapped[Customer] = relationship(back_populates="address")


class PaymentMethod(Base):
    """A customer's credit card, PayPal account or gift card (the only one with a balance)."""

    __tablename__ = "payment_methods"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    # credit_card, paypal or gift_card
    source: Mapped[str] = mapped_column(String(16))
    brand: Mapped[str | None] = mapped_column(String(32), default=None)
    last_four: Mapped[str | None] = mapped_column(String(4), default=None)
    balance: Mapped[Decimal | None] = mapped_column(Money, default=None)

    customer: Mapped[Customer] = relationship(back_populates="payment_methods")


class Product(Base):
    """A product type ("T-Shirt"); what shoppers buy is one of its variants."""

    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)

    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", order_by="Variant.item_id", cascade="all, delete-orphan"
    )


class Variant(Base):
    """One purchasable item of a product, with its options (color, size, …) and price."""

    __tablename__ = "variants"

    item_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    product_id: Mapped[str] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    price: Mapped[Decimal] = mapped_column(Money)
    available: Mapped[bool] = mapped_column(default=True)

    product: Mapped[Product] = relationship(back_populates="variants")


class Order(Base):
    """An order (id like "#W2611340") with the shipping address it was placed with."""

    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    address1: Mapped[str] = mapped_column(String(128))
    address2: Mapped[str] = mapped_column(String(128), default="")
    city: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(32))
    country: Mapped[str] = mapped_column(String(64))
    zip: Mapped[str] = mapped_column(String(16))
    # The demo data has no dates; orders placed later through the store may.
    created_at: Mapped[datetime | None] = mapped_column(default=None)
    # What the policy's writes record beside the status (τ²-bench keeps the same fields).
    cancel_reason: Mapped[str | None] = mapped_column(String(64), default=None)
    return_items: Mapped[list[Any] | None] = mapped_column(default=list)
    return_payment_method_id: Mapped[str | None] = mapped_column(String(64), default=None)
    exchange_items: Mapped[list[Any] | None] = mapped_column(default=list)
    exchange_new_items: Mapped[list[Any] | None] = mapped_column(default=list)
    exchange_payment_method_id: Mapped[str | None] = mapped_column(String(64), default=None)
    exchange_price_difference: Mapped[Decimal | None] = mapped_column(Money, default=None)

    customer: Mapped[Customer] = relationship(back_populates="orders")
    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", order_by="OrderItem.position", cascade="all, delete-orphan"
    )
    fulfilments: Mapped[list[Fulfilment]] = relationship(
        order_by="Fulfilment.position", cascade="all, delete-orphan"
    )
    payments: Mapped[list[PaymentTransaction]] = relationship(
        order_by="PaymentTransaction.position", cascade="all, delete-orphan"
    )


class OrderItem(Base):
    """A line of an order: the variant bought, with its name, options and price at the time."""

    __tablename__ = "order_items"

    order_id: Mapped[str] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("variants.item_id"), index=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    price: Mapped[Decimal] = mapped_column(Money)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)

    order: Mapped[Order] = relationship(back_populates="items")


class Fulfilment(Base):
    """A shipment of some of an order's items, with its tracking numbers."""

    __tablename__ = "fulfilments"

    order_id: Mapped[str] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_ids: Mapped[list[Any]] = mapped_column(default=list)
    item_ids: Mapped[list[Any]] = mapped_column(default=list)


class PaymentTransaction(Base):
    """A payment or refund of an order, in the order it happened."""

    __tablename__ = "payment_transactions"

    order_id: Mapped[str] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    # payment or refund
    transaction_type: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money)
    payment_method_id: Mapped[str] = mapped_column(ForeignKey("payment_methods.id"), index=True)


class OrderChange(Base):
    """One applied write of the order backend, under the caller's idempotency key.

    A repeated key is answered from `result` instead of being applied again, so a
    confirmation sent twice never refunds twice; the rows double as the audit log.
    """

    __tablename__ = "order_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    # cancel_order, modify_order_items, … (the backend method's name)
    operation: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    # None for changes of the customer's profile (their default address).
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), default=None)
    # The normalised arguments: a replay must match them to be a replay.
    arguments: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The first call's result (views as JSON, money as strings), returned on a replay.
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
