"""Loading the demo store (τ²-bench retail `db.json`) into the store tables.

The whole source is read and checked before anything is written, so a bad file changes
nothing. Seeding only fills an empty store: the assistant changes orders as it works, and
`make run` seeds on every start. `reset=True` deletes the store's rows and reloads them in
the same transaction; the assistant's own tables are never touched.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import AisleError
from assistant.persistence.db import transaction
from assistant.persistence.models.base import Base
from assistant.persistence.models.store import (
    ORDER_STATUSES,
    PAYMENT_SOURCES,
    Address,
    Customer,
    Fulfilment,
    Order,
    OrderChange,
    OrderItem,
    PaymentMethod,
    PaymentTransaction,
    Product,
    Variant,
)

CENT = Decimal("0.01")
# Parents before children: the insert order; deletes run in reverse.
STORE_MODELS: tuple[type[Base], ...] = (
    Product,
    Variant,
    Customer,
    Address,
    PaymentMethod,
    Order,
    OrderItem,
    Fulfilment,
    PaymentTransaction,
    # The backend's record of applied writes: cleared first on reset, never seeded.
    OrderChange,
)
_MAX_PROBLEMS = 20


class SeedError(AisleError):
    """The seed source is missing, unreadable or inconsistent; nothing was written."""

    status_code = 422
    code = "invalid_seed_data"


# The source's shape. Unknown keys are refused so a misspelt field fails loudly.
class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Variant(_Source):
    item_id: str = Field(min_length=1, max_length=32)
    options: dict[str, Any]
    available: bool
    price: Decimal = Field(ge=0)


class _Product(_Source):
    product_id: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=128)
    variants: dict[str, _Variant]


class _Name(_Source):
    first_name: str = Field(min_length=1, max_length=64)
    last_name: str = Field(min_length=1, max_length=64)


class _Address(_Source):
    address1: str = Field(min_length=1, max_length=128)
    address2: str = Field("", max_length=128)
    city: str = Field(min_length=1, max_length=64)
    country: str = Field(min_length=1, max_length=64)
    state: str = Field(min_length=1, max_length=32)
    zip: str = Field(min_length=1, max_length=16)


class _PaymentMethod(_Source):
    id: str = Field(min_length=1, max_length=64)
    source: str
    brand: str | None = Field(None, max_length=32)
    last_four: str | None = Field(None, max_length=4)
    balance: Decimal | None = Field(None, ge=0)


class _User(_Source):
    user_id: str = Field(min_length=1, max_length=64)
    name: _Name
    address: _Address
    email: str = Field(min_length=3, max_length=255)
    payment_methods: dict[str, _PaymentMethod]
    orders: list[str]


class _Item(_Source):
    name: str = Field(min_length=1, max_length=128)
    product_id: str
    item_id: str
    price: Decimal = Field(ge=0)
    options: dict[str, Any]


class _Fulfilment(_Source):
    tracking_id: list[str]
    item_ids: list[str]


class _Payment(_Source):
    transaction_type: str
    amount: Decimal
    payment_method_id: str


class _Order(_Source):
    order_id: str = Field(min_length=1, max_length=32)
    user_id: str
    address: _Address
    items: list[_Item]
    status: str
    fulfillments: list[_Fulfilment]
    payment_history: list[_Payment]


class _Store(_Source):
    products: dict[str, _Product]
    users: dict[str, _User]
    orders: dict[str, _Order]


@dataclass(frozen=True)
class SeedReport:
    """Rows in each store table after the call (by table name), and whether this call
    wrote them."""

    counts: dict[str, int]
    written: bool
    reset: bool
    seconds: float

    def summary(self) -> str:
        if self.written:
            verb = "reset and reloaded" if self.reset else "seeded"
            head = f"store {verb} in {self.seconds:.2f}s"
        else:
            head = "store already has data: nothing written (use --reset to reload it)"
        body = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in self.counts.items())
        return f"{head}\n{body}"


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def _check(store: _Store) -> list[str]:
    """Cross-record consistency the schema alone cannot express."""
    problems: list[str] = []
    variant_product: dict[str, str] = {}
    for key, product in store.products.items():
        if key != product.product_id:
            problems.append(f"products.{key}: key differs from product_id {product.product_id!r}")
        for item_key, variant in product.variants.items():
            if item_key != variant.item_id:
                problems.append(f"products.{key}.variants.{item_key}: key differs from item_id")
            if variant.item_id in variant_product:
                problems.append(f"variant {variant.item_id} appears in two products")
            variant_product[variant.item_id] = product.product_id
    owner: dict[str, str] = {}
    emails: set[str] = set()
    for key, user in store.users.items():
        if key != user.user_id:
            problems.append(f"users.{key}: key differs from user_id {user.user_id!r}")
        if user.email in emails:
            problems.append(f"users.{key}: email {user.email!r} is not unique")
        emails.add(user.email)
        for method_key, method in user.payment_methods.items():
            where = f"users.{key}.payment_methods.{method_key}"
            if method_key != method.id:
                problems.append(f"{where}: key differs from id")
            if method.source not in PAYMENT_SOURCES:
                problems.append(f"{where}: unknown source {method.source!r}")
            if (method.source == "gift_card") != (method.balance is not None):
                problems.append(f"{where}: only gift cards, and all of them, have a balance")
            if method.id in owner:
                problems.append(f"{where}: id is used by another customer")
            owner[method.id] = user.user_id
        for order_id in user.orders:
            if order_id not in store.orders:
                problems.append(f"users.{key}.orders: unknown order {order_id!r}")
            elif store.orders[order_id].user_id != user.user_id:
                problems.append(f"users.{key}.orders: order {order_id!r} is another customer's")
    for key, order in store.orders.items():
        where = f"orders.{key}"
        if key != order.order_id:
            problems.append(f"{where}: key differs from order_id {order.order_id!r}")
        if order.user_id not in store.users:
            problems.append(f"{where}: unknown user {order.user_id!r}")
        if order.status not in ORDER_STATUSES:
            problems.append(f"{where}: unknown status {order.status!r}")
        for position, item in enumerate(order.items):
            if variant_product.get(item.item_id) != item.product_id:
                problems.append(
                    f"{where}.items.{position}: no variant {item.item_id!r} "
                    f"of product {item.product_id!r}"
                )
        for position, payment in enumerate(order.payment_history):
            if payment.transaction_type not in ("payment", "refund"):
                problems.append(f"{where}.payment_history.{position}: unknown transaction type")
            if owner.get(payment.payment_method_id) != order.user_id:
                problems.append(
                    f"{where}.payment_history.{position}: payment method "
                    f"{payment.payment_method_id!r} is not the customer's"
                )
    return problems


def load_source(source: Path) -> _Store:
    """Read and check the whole seed file; raise `SeedError` naming what is wrong."""
    details: dict[str, Any] = {"source": str(source)}
    try:
        raw = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SeedError(f"seed file {source} does not exist", details=details) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SeedError(f"seed file {source} is not readable JSON: {exc}", details=details) from exc
    try:
        store = _Store.model_validate(raw)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in error['loc']) or '(root)'}: {error['msg']}"
            for error in exc.errors()[:_MAX_PROBLEMS]
        ]
        raise SeedError(
            f"seed file {source} is invalid: {problems[0]}",
            details={**details, "problems": problems},
        ) from exc
    problems = _check(store)
    if problems:
        raise SeedError(
            f"seed file {source} is inconsistent: {problems[0]}",
            details={**details, "problems": problems[:_MAX_PROBLEMS]},
        )
    return store


def _address(address: _Address) -> dict[str, str]:
    return address.model_dump()


def _rows(store: _Store) -> dict[type[Base], list[dict[str, Any]]]:
    rows: dict[type[Base], list[dict[str, Any]]] = {model: [] for model in STORE_MODELS}
    for product in store.products.values():
        rows[Product].append({"id": product.product_id, "name": product.name})
        rows[Variant].extend(
            {
                "item_id": v.item_id,
                "product_id": product.product_id,
                "options": v.options,
                "price": _money(v.price),
                "available": v.available,
            }
            for v in product.variants.values()
        )
    for user in store.users.values():
        rows[Customer].append(
            {
                "id": user.user_id,
                "first_name": user.name.first_name,
                "last_name": user.name.last_name,
                "email": user.email,
            }
        )
        rows[Address].append({"customer_id": user.user_id, **_address(user.address)})
        rows[PaymentMethod].extend(
            {
                "id": m.id,
                "customer_id": user.user_id,
                "source": m.source,
                "brand": m.brand,
                "last_four": m.last_four,
                "balance": None if m.balance is None else _money(m.balance),
            }
            for m in user.payment_methods.values()
        )
    for order in store.orders.values():
        rows[Order].append(
            {
                "id": order.order_id,
                "customer_id": order.user_id,
                "status": order.status,
                "created_at": None,
                **_address(order.address),
            }
        )
        rows[OrderItem].extend(
            {
                "order_id": order.order_id,
                "position": position,
                "item_id": item.item_id,
                "product_id": item.product_id,
                "name": item.name,
                "price": _money(item.price),
                "options": item.options,
            }
            for position, item in enumerate(order.items)
        )
        rows[Fulfilment].extend(
            {
                "order_id": order.order_id,
                "position": position,
                "tracking_ids": fulfilment.tracking_id,
                "item_ids": fulfilment.item_ids,
            }
            for position, fulfilment in enumerate(order.fulfillments)
        )
        rows[PaymentTransaction].extend(
            {
                "order_id": order.order_id,
                "position": position,
                "transaction_type": payment.transaction_type,
                "amount": _money(payment.amount),
                "payment_method_id": payment.payment_method_id,
            }
            for position, payment in enumerate(order.payment_history)
        )
    return rows


def _count(session: Session, model: type[Base]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def store_is_empty(session: Session) -> bool:
    return all(_count(session, model) == 0 for model in STORE_MODELS)


def seed_store(
    session_factory: sessionmaker[Session], source: Path, *, reset: bool = False
) -> SeedReport:
    """Load `source` into an empty store (else write nothing); with `reset`, replace the
    store's rows with the source's, all in one transaction."""
    started = time.perf_counter()
    rows = _rows(load_source(source))
    with transaction(session_factory) as session:
        if reset:
            for model in reversed(STORE_MODELS):
                session.execute(delete(model))
        written = reset or store_is_empty(session)
        if written:
            for model in STORE_MODELS:
                if rows[model]:
                    session.execute(insert(model), rows[model])
        counts = {model.__tablename__: _count(session, model) for model in STORE_MODELS}
    return SeedReport(
        counts=counts,
        written=written,
        reset=reset,
        seconds=round(time.perf_counter() - started, 3),
    )
