"""The SQL order backend's item writes: modifying a pending order's items, returning and
exchanging a delivered order's, each rule on its allowed path and on its refused one, which
must leave every store row as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from assistant.backends.orders import (
    ChangeResult,
    InsufficientGiftCardBalance,
    InvalidItemChange,
    ItemNotFound,
    OrderStatusError,
    PaymentMethodNotAllowed,
    PaymentMethodNotFound,
)
from assistant.backends.sql_orders import SqlOrderBackend
from assistant.persistence.db import transaction
from assistant.persistence.models import Variant
from tests.backends.cases import (
    Source,
    assert_refused,
    balance_of,
    gift_card_of,
    item_change,
    methods_of,
    money,
    not_gift_card_paid,
    orders_with_status,
    original_method,
    other_customers_order,
    other_options,
    pending_change_with_gift_card,
    pick,
    set_balance,
    set_status,
    snapshot,
)

# -- modify items ------------------------------------------------------------------------------


def test_modify_items_with_a_card(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    order, item, variant = item_change(source, "pending", not_gift_card_paid)
    position = [i["item_id"] for i in order["items"]].index(item["item_id"])
    method = original_method(order)
    result = backend.modify_order_items(
        order["order_id"],
        [item["item_id"]],
        [variant["item_id"]],
        method,
        customer_id=order["user_id"],
        key="m1",
    )
    difference = money(variant["price"]) - money(item["price"])
    assert result.order is not None and result.order.status == "pending (items modified)"
    assert result.amount_due == difference
    changed = result.order.items[position]
    assert (changed.item_id, changed.price, changed.options) == (
        variant["item_id"],
        money(variant["price"]),
        variant["options"],
    )
    assert (changed.name, changed.product_id) == (item["name"], item["product_id"])
    assert [i.item_id for n, i in enumerate(result.order.items) if n != position] == [
        i["item_id"] for n, i in enumerate(order["items"]) if n != position
    ]
    kind = "payment" if difference > 0 else "refund"
    assert result.order.payments[-1] == replace(
        result.order.payments[-1], transaction_type=kind, amount=abs(difference)
    )
    assert result.order.payments[-1].payment_method_id == method
    assert result.details == {"transaction_type": kind}
    # Items change once: the order is no longer "pending", so neither again nor a cancel.
    for call in (
        lambda: backend.modify_order_items(
            order["order_id"],
            [variant["item_id"]],
            [item["item_id"]],
            method,
            customer_id=order["user_id"],
            key="m2",
        ),
        lambda: backend.cancel_order(
            order["order_id"], "no longer needed", customer_id=order["user_id"], key="m3"
        ),
    ):
        assert_refused(seeded_session_factory, OrderStatusError, call)


@pytest.mark.parametrize("direction", ["pays", "refunded"])
def test_modify_items_gift_card_arithmetic(
    backend: SqlOrderBackend,
    seeded_session_factory: sessionmaker[Session],
    source: Source,
    direction: str,
) -> None:
    def accept(difference: Decimal, balance: Decimal) -> bool:
        return 0 < difference <= balance if direction == "pays" else difference < 0

    order, item, variant, card = pending_change_with_gift_card(source, accept)
    before = balance_of(seeded_session_factory, card)
    assert before is not None
    result = backend.modify_order_items(
        order["order_id"],
        [item["item_id"]],
        [variant["item_id"]],
        card,
        customer_id=order["user_id"],
        key="m1",
    )
    difference = money(variant["price"]) - money(item["price"])
    assert balance_of(seeded_session_factory, card) == before - difference
    assert result.order is not None
    last = result.order.payments[-1]
    assert (last.transaction_type, last.amount, last.payment_method_id) == (
        "payment" if direction == "pays" else "refund",
        abs(difference),
        card,
    )


def test_modify_items_without_a_difference_records_a_zero_refund(
    backend: SqlOrderBackend, source: Source
) -> None:
    """As τ²-bench does: the history keeps a line for the change even when nothing moved."""
    order, item, variant = item_change(
        source, "pending", lambda o, i, v: money(v["price"]) == money(i["price"])
    )
    result = backend.modify_order_items(
        order["order_id"],
        [item["item_id"]],
        [variant["item_id"]],
        original_method(order),
        customer_id=order["user_id"],
        key="m1",
    )
    assert result.amount_due == 0 and result.order is not None
    last = result.order.payments[-1]
    assert (last.transaction_type, last.amount) == ("refund", Decimal("0.00"))


def test_modify_items_with_a_short_gift_card(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    order, item, variant, card = pending_change_with_gift_card(
        source, lambda diff, balance: diff > balance
    )
    assert_refused(
        seeded_session_factory,
        InsufficientGiftCardBalance,
        lambda: backend.modify_order_items(
            order["order_id"],
            [item["item_id"]],
            [variant["item_id"]],
            card,
            customer_id=order["user_id"],
            key="m1",
        ),
    )


def test_modify_items_listed_twice(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    def twice(order: Source, item: Source, _variant: Source) -> bool:
        return [i["item_id"] for i in order["items"]].count(item["item_id"]) == 2

    order, item, variant = item_change(source, "pending", twice)
    customer, old, new = order["user_id"], item["item_id"], variant["item_id"]
    assert_refused(
        seeded_session_factory,
        ItemNotFound,
        lambda: backend.modify_order_items(
            order["order_id"],
            [old] * 3,
            [new] * 3,
            original_method(order),
            customer_id=customer,
            key="m1",
        ),
    )
    result = backend.modify_order_items(
        order["order_id"],
        [old, old],
        [new, new],
        original_method(order),
        customer_id=customer,
        key="m1",
    )
    assert result.order is not None
    assert [i.item_id for i in result.order.items].count(new) == 2
    assert old not in [i.item_id for i in result.order.items]
    assert result.amount_due == 2 * (money(variant["price"]) - money(item["price"]))


def _item_refusals(source: Source, status: str) -> dict[str, tuple[Any, ...]]:
    """Per rule: (error, item_ids, new_item_ids) that break it for the picked order."""
    order, item, variant = item_change(source, status, lambda o, i, v: True)
    old, new = item["item_id"], variant["item_id"]
    not_in_order = pick(
        (
            v["item_id"]
            for v in other_options(source, item) + other_options(source, item, available=False)
            if v["item_id"] not in [i["item_id"] for i in order["items"]]
        ),
        "variant not in the order",
    )
    other_product = pick(
        (
            variant_id
            for product_id, product in sorted(source["products"].items())
            if product_id != item["product_id"]
            for variant_id, v in sorted(product["variants"].items())
            if v["available"]
        ),
        "variant of another product",
    )
    return {
        "empty": (InvalidItemChange, [], []),
        "unpaired": (InvalidItemChange, [old], [new, new]),
        "not_in_order": (ItemNotFound, [not_in_order], [new]),
        "listed_too_often": (ItemNotFound, [old] * 9, [new] * 9),
        "same_item": (InvalidItemChange, [old], [old]),
        "another_product": (InvalidItemChange, [old], [other_product]),
        "not_in_catalog": (ItemNotFound, [old], ["0000000000"]),
    }


ITEM_RULES = (
    "empty",
    "unpaired",
    "not_in_order",
    "listed_too_often",
    "same_item",
    "another_product",
    "not_in_catalog",
    "unavailable",
)


@pytest.mark.parametrize("operation", ["modify_order_items", "exchange_order_items"])
@pytest.mark.parametrize("rule", ITEM_RULES)
def test_item_change_rules(
    backend: SqlOrderBackend,
    seeded_session_factory: sessionmaker[Session],
    source: Source,
    operation: str,
    rule: str,
) -> None:
    status = "pending" if operation == "modify_order_items" else "delivered"
    if rule == "unavailable":
        order, item, variant = pick(
            (
                (o, i, v)
                for o in orders_with_status(source, status)
                for i in o["items"]
                for v in other_options(source, i, available=False)
            ),
            "unavailable option",
        )
        error, old, new = InvalidItemChange, [item["item_id"]], [variant["item_id"]]
    else:
        order, _item, _variant = item_change(source, status, lambda o, i, v: True)
        error, old, new = _item_refusals(source, status)[rule]
    call = getattr(backend, operation)
    assert_refused(
        seeded_session_factory,
        error,
        lambda: call(
            order["order_id"],
            old,
            new,
            original_method(order),
            customer_id=order["user_id"],
            key="k",
        ),
    )


@pytest.mark.parametrize("operation", ["modify_order_items", "exchange_order_items"])
def test_item_changes_need_the_customers_payment_method(
    backend: SqlOrderBackend,
    seeded_session_factory: sessionmaker[Session],
    source: Source,
    operation: str,
) -> None:
    status = "pending" if operation == "modify_order_items" else "delivered"
    order, item, variant = item_change(source, status, lambda o, i, v: True)
    stranger_method = original_method(other_customers_order(source, order["user_id"], status))
    call = getattr(backend, operation)
    assert_refused(
        seeded_session_factory,
        PaymentMethodNotFound,
        lambda: call(
            order["order_id"],
            [item["item_id"]],
            [variant["item_id"]],
            stranger_method,
            customer_id=order["user_id"],
            key="k",
        ),
    )


@pytest.mark.parametrize(
    ("operation", "status"),
    [
        ("modify_order_items", "processed"),
        ("modify_order_items", "delivered"),
        ("exchange_order_items", "pending"),
        ("exchange_order_items", "processed"),
        ("exchange_order_items", "return requested"),
    ],
)
def test_item_changes_need_their_status(
    backend: SqlOrderBackend,
    seeded_session_factory: sessionmaker[Session],
    source: Source,
    operation: str,
    status: str,
) -> None:
    allowed = "pending" if operation == "modify_order_items" else "delivered"
    order, item, variant = item_change(source, allowed, lambda o, i, v: True)
    set_status(seeded_session_factory, order["order_id"], status)
    call = getattr(backend, operation)
    assert_refused(
        seeded_session_factory,
        OrderStatusError,
        lambda: call(
            order["order_id"],
            [item["item_id"]],
            [variant["item_id"]],
            original_method(order),
            customer_id=order["user_id"],
            key="k",
        ),
    )


# -- return ------------------------------------------------------------------------------------


def _delivered_with_methods(source: Source) -> tuple[Source, str, str]:
    """A delivered order whose owner has another card or PayPal and a gift card besides."""

    def methods(order: Source) -> tuple[str, str] | None:
        others = [m["id"] for m in methods_of(source, order) if m["id"] != original_method(order)]
        cards = [m for m in others if m.startswith("gift_card")]
        plain = [m for m in others if not m.startswith("gift_card")]
        return (plain[0], cards[0]) if plain and cards else None

    order = pick(
        (o for o in orders_with_status(source, "delivered") if methods(o) and len(o["items"]) >= 2),
        "delivered order with spare payment methods",
    )
    found = methods(order)
    assert found is not None
    return order, *found


def test_return_to_the_original_method(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    order, _plain, _card = _delivered_with_methods(source)
    items = sorted((i["item_id"] for i in order["items"][:2]), reverse=True)
    before = snapshot(seeded_session_factory)
    result = backend.return_order_items(
        order["order_id"], items, original_method(order), customer_id=order["user_id"], key="r1"
    )
    assert result.order is not None and result.order.status == "return requested"
    assert result.order.return_items == tuple(sorted(items))
    assert result.order.return_payment_method_id == original_method(order)
    assert result.amount_due == -sum((money(i["price"]) for i in order["items"][:2]), Decimal("0"))
    after = snapshot(seeded_session_factory)
    # Nothing moves until the items are back: no payment line, no balance.
    for table in ("payment_transactions", "payment_methods", "order_items"):
        assert after[table] == before[table]


def test_return_to_a_gift_card(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    order, _plain, card = _delivered_with_methods(source)
    before = balance_of(seeded_session_factory, card)
    result = backend.return_order_items(
        order["order_id"],
        [order["items"][0]["item_id"]],
        card,
        customer_id=order["user_id"],
        key="r1",
    )
    assert result.order is not None and result.order.return_payment_method_id == card
    assert result.amount_due == -money(order["items"][0]["price"])
    assert balance_of(seeded_session_factory, card) == before


def test_return_refusals(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    order, plain, _card = _delivered_with_methods(source)
    order_id, customer = order["order_id"], order["user_id"]
    first = order["items"][0]["item_id"]
    stranger_card = pick(
        (
            m["id"]
            for o in orders_with_status(source, "delivered")
            if o["user_id"] != customer
            for m in methods_of(source, o)
            if m["source"] == "gift_card"
        ),
        "another customer's gift card",
    )

    def ret(items: list[str], method: str) -> Callable[[], ChangeResult]:
        return lambda: backend.return_order_items(
            order_id, items, method, customer_id=customer, key="r1"
        )

    factory = seeded_session_factory
    assert_refused(factory, PaymentMethodNotAllowed, ret([first], plain))
    assert_refused(factory, PaymentMethodNotFound, ret([first], stranger_card))
    assert_refused(factory, ItemNotFound, ret(["0000000000"], original_method(order)))
    assert_refused(factory, ItemNotFound, ret([first] * 9, original_method(order)))
    assert_refused(factory, InvalidItemChange, ret([], original_method(order)))
    for status in ("pending", "processed", "cancelled", "exchange requested"):
        set_status(factory, order_id, status)
        assert_refused(factory, OrderStatusError, ret([first], original_method(order)))


# -- exchange ----------------------------------------------------------------------------------


def test_exchange(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    order, item, variant = item_change(source, "delivered", not_gift_card_paid)
    before = snapshot(seeded_session_factory)
    result = backend.exchange_order_items(
        order["order_id"],
        [item["item_id"]],
        [variant["item_id"]],
        original_method(order),
        customer_id=order["user_id"],
        key="e1",
    )
    difference = money(variant["price"]) - money(item["price"])
    assert result.order is not None and result.order.status == "exchange requested"
    assert result.order.exchange_items == (item["item_id"],)
    assert result.order.exchange_new_items == (variant["item_id"],)
    assert result.order.exchange_payment_method_id == original_method(order)
    assert result.order.exchange_price_difference == difference
    assert result.amount_due == difference
    after = snapshot(seeded_session_factory)
    for table in ("payment_transactions", "payment_methods", "order_items"):
        assert after[table] == before[table]


def test_exchange_lists_are_sorted(backend: SqlOrderBackend, source: Source) -> None:
    def two_changes(order: Source) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for item in order["items"]:
            options = other_options(source, item)
            if options and item["item_id"] not in [old for old, _ in pairs]:
                pairs.append((item["item_id"], options[0]["item_id"]))
        return pairs[:2]

    order = pick(
        (
            o
            for o in orders_with_status(source, "delivered")
            if len(two_changes(o)) == 2 and not original_method(o).startswith("gift_card")
        ),
        "two changes",
    )
    pairs = sorted(two_changes(order), reverse=True)
    result = backend.exchange_order_items(
        order["order_id"],
        [old for old, _ in pairs],
        [new for _, new in pairs],
        original_method(order),
        customer_id=order["user_id"],
        key="e1",
    )
    assert result.order is not None
    assert result.order.exchange_items == tuple(sorted(old for old, _ in pairs))
    assert result.order.exchange_new_items == tuple(sorted(new for _, new in pairs))


def test_exchange_gift_card_must_cover_the_difference(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    def dearer(order: Source, item: Source, variant: Source) -> bool:
        return gift_card_of(source, order) is not None and variant["price"] > item["price"]

    order, item, variant = item_change(source, "delivered", dearer)
    card = gift_card_of(source, order)
    assert card is not None
    difference = money(variant["price"]) - money(item["price"])

    def exchange(key: str) -> ChangeResult:
        return backend.exchange_order_items(
            order["order_id"],
            [item["item_id"]],
            [variant["item_id"]],
            card["id"],
            customer_id=order["user_id"],
            key=key,
        )

    set_balance(seeded_session_factory, card["id"], str(difference - Decimal("0.01")))
    assert_refused(seeded_session_factory, InsufficientGiftCardBalance, lambda: exchange("e1"))
    set_balance(seeded_session_factory, card["id"], str(difference))
    assert exchange("e1").amount_due == difference
    # The difference is settled when the new items ship, not now.
    assert balance_of(seeded_session_factory, card["id"]) == difference


def test_variants_are_read_not_written(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    """A variant made unavailable after the order was placed cannot be switched to."""
    order, item, variant = item_change(source, "pending", lambda o, i, v: True)
    with transaction(seeded_session_factory) as session:
        session.execute(
            update(Variant).where(Variant.item_id == variant["item_id"]).values(available=False)
        )
    assert_refused(
        seeded_session_factory,
        InvalidItemChange,
        lambda: backend.modify_order_items(
            order["order_id"],
            [item["item_id"]],
            [variant["item_id"]],
            original_method(order),
            customer_id=order["user_id"],
            key="m1",
        ),
    )
