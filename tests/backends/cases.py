"""Cases picked from the demo store (knowledge_base/store/db.json) by what a test needs — a
pending order paid by gift card, an item with another available option, … — first by order
id, so no test depends on one order staying as it is; and the store's rows before and after a
refused call, which must be equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.backends.orders import AddressView, OrderPolicyError
from assistant.persistence.db import transaction
from assistant.persistence.models import Order, PaymentMethod
from assistant.store.seed import STORE_MODELS

Source = dict[str, Any]
T = TypeVar("T")
NEW_ADDRESS = AddressView("1 Main St", "Apt 2", "Springfield", "IL", "USA", "62701")


# -- picking cases from the demo store ---------------------------------------------------------


def money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def orders_with_status(source: Source, status: str) -> Iterator[Source]:
    for order_id in sorted(source["orders"]):
        if source["orders"][order_id]["status"] == status:
            yield source["orders"][order_id]


def methods_of(source: Source, order: Source) -> list[Source]:
    return list(source["users"][order["user_id"]]["payment_methods"].values())


def original_method(order: Source) -> str:
    method_id: str = order["payment_history"][0]["payment_method_id"]
    return method_id


def total_of(order: Source) -> Decimal:
    return sum((money(item["price"]) for item in order["items"]), Decimal("0"))


def other_options(source: Source, item: Source, *, available: bool = True) -> list[Source]:
    variants = source["products"][item["product_id"]]["variants"].values()
    return sorted(
        (v for v in variants if v["item_id"] != item["item_id"] and v["available"] == available),
        key=lambda v: v["item_id"],
    )


def pick(cases: Iterator[T], what: str) -> T:
    found = next(cases, None)
    assert found is not None, f"the demo store has no {what}"
    return found


def order_paid_with(source: Source, status: str, kind: str) -> Source:
    return pick(
        (o for o in orders_with_status(source, status) if original_method(o).startswith(kind)),
        f"{status} order paid by {kind}",
    )


def item_change(
    source: Source, status: str, accept: Callable[[Source, Source, Source], bool]
) -> tuple[Source, Source, Source]:
    """(order, item, new variant) for the first item with another available option that
    `accept(order, item, variant)` takes."""
    return pick(
        (
            (order, item, variant)
            for order in orders_with_status(source, status)
            for item in order["items"]
            for variant in other_options(source, item)
            if accept(order, item, variant)
        ),
        f"{status} order with an item change",
    )


def not_gift_card_paid(order: Source, _item: Source, _variant: Source) -> bool:
    return not original_method(order).startswith("gift_card")


def gift_card_of(source: Source, order: Source) -> Source | None:
    return next((m for m in methods_of(source, order) if m["source"] == "gift_card"), None)


def gift_card_paid_with_a_second_method(source: Source) -> tuple[Source, str]:
    """A pending order paid by gift card whose owner also has a card or PayPal."""
    return pick(
        (
            (order, method["id"])
            for order in orders_with_status(source, "pending")
            if original_method(order).startswith("gift_card")
            for method in methods_of(source, order)
            if method["source"] != "gift_card"
        ),
        "gift-card-paid order of a customer with a second method",
    )


def other_customers_order(source: Source, customer_id: str, status: str) -> Source:
    return pick(
        (o for o in orders_with_status(source, status) if o["user_id"] != customer_id),
        f"{status} order of another customer",
    )


# -- the database before and after -------------------------------------------------------------


def snapshot(factory: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every store table (the change log included), in key order."""
    with factory() as session:
        tables = {}
        for model in STORE_MODELS:
            table = model.__table__
            query = select(*table.columns).order_by(*table.primary_key.columns)
            tables[table.name] = [tuple(row) for row in session.execute(query)]
        return tables


def assert_refused(
    factory: sessionmaker[Session], error: type[OrderPolicyError], call: Callable[[], object]
) -> OrderPolicyError:
    before = snapshot(factory)
    with pytest.raises(error) as caught:
        call()
    assert type(caught.value) is error
    assert snapshot(factory) == before
    return caught.value


def balance_of(factory: sessionmaker[Session], method_id: str) -> Decimal | None:
    with factory() as session:
        return session.get_one(PaymentMethod, method_id).balance


def set_balance(factory: sessionmaker[Session], method_id: str, balance: str) -> None:
    with transaction(factory) as session:
        session.get_one(PaymentMethod, method_id).balance = Decimal(balance)


def set_status(factory: sessionmaker[Session], order_id: str, status: str) -> None:
    with transaction(factory) as session:
        session.get_one(Order, order_id).status = status


def pending_change_with_gift_card(
    source: Source, accept: Callable[[Decimal, Decimal], bool]
) -> tuple[Source, Source, Source, str]:
    """(order, item, new variant, the owner's gift card) where `accept(difference, balance)`."""

    def fits(order: Source, item: Source, variant: Source) -> bool:
        card = gift_card_of(source, order)
        difference = money(variant["price"]) - money(item["price"])
        return card is not None and accept(difference, money(card["balance"]))

    order, item, variant = item_change(source, "pending", fits)
    card = gift_card_of(source, order)
    assert card is not None
    return order, item, variant, card["id"]
