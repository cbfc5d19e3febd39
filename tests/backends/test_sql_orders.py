"""The SQL order backend on the seeded demo store, part one: authentication, reads, and the
writes that touch no item (cancel, address, payment), each rule on its allowed path and on its
refused one, which must leave every store row as it was. Items: test_sql_order_items.py;
keys, other customers and concurrency: test_sql_order_keys.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from assistant.backends.orders import (
    AddressView,
    ChangeResult,
    CustomerNotFound,
    InsufficientGiftCardBalance,
    InvalidAddress,
    InvalidCancelReason,
    OrderBackend,
    OrderNotFound,
    OrderStatusError,
    PaymentMethodNotAllowed,
    PaymentMethodNotFound,
    ProductNotFound,
)
from assistant.backends.sql_orders import SqlOrderBackend
from assistant.persistence.db import transaction
from assistant.persistence.models import Address, Customer, Order
from tests.backends.cases import (
    NEW_ADDRESS,
    Source,
    assert_refused,
    balance_of,
    gift_card_of,
    gift_card_paid_with_a_second_method,
    money,
    order_paid_with,
    orders_with_status,
    original_method,
    other_customers_order,
    pick,
    set_balance,
    set_status,
    total_of,
)


def test_the_backend_fits_the_interface(backend: SqlOrderBackend) -> None:
    as_protocol: OrderBackend = backend
    assert as_protocol is backend


# -- authentication ----------------------------------------------------------------------------


def test_find_by_email(backend: SqlOrderBackend, source: Source) -> None:
    user = source["users"]["fatima_anderson_2157"]
    assert backend.find_customer_by_email(user["email"]) == user["user_id"]
    assert backend.find_customer_by_email(f"  {user['email'].upper()} ") == user["user_id"]
    for miss in ("nobody@example.com", "", "   ", user["email"] + "x"):
        with pytest.raises(CustomerNotFound):
            backend.find_customer_by_email(miss)


def test_find_by_name_and_zip(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    user = source["users"]["fatima_anderson_2157"]
    first, last, zip_code = (
        user["name"]["first_name"],
        user["name"]["last_name"],
        user["address"]["zip"],
    )
    assert backend.find_customer_by_name_zip(first, last, zip_code) == user["user_id"]
    assert (
        backend.find_customer_by_name_zip(f" {first.upper()}", last.lower(), zip_code)
        == (user["user_id"])
    )
    for miss in ((first, last, "00000"), (last, first, zip_code), ("Zed", last, zip_code)):
        with pytest.raises(CustomerNotFound):
            backend.find_customer_by_name_zip(*miss)
    # Accents fold too: a name said aloud or typed on a plain keyboard still matches.
    with transaction(seeded_session_factory) as session:
        session.get_one(Customer, user["user_id"]).last_name = "Ánderson"
    assert backend.find_customer_by_name_zip(first, "anderson", zip_code) == user["user_id"]


def test_name_and_zip_use_the_current_default_address(
    backend: SqlOrderBackend, source: Source
) -> None:
    user = source["users"]["fatima_anderson_2157"]
    name = (user["name"]["first_name"], user["name"]["last_name"])
    backend.modify_customer_address(NEW_ADDRESS, customer_id=user["user_id"], key="move")
    assert backend.find_customer_by_name_zip(*name, NEW_ADDRESS.zip) == user["user_id"]
    with pytest.raises(CustomerNotFound):
        backend.find_customer_by_name_zip(*name, user["address"]["zip"])


# -- reads -------------------------------------------------------------------------------------


def test_get_customer(backend: SqlOrderBackend, source: Source) -> None:
    user = source["users"]["fatima_anderson_2157"]
    customer = backend.get_customer(user["user_id"])
    assert (customer.first_name, customer.last_name, customer.email) == (
        user["name"]["first_name"],
        user["name"]["last_name"],
        user["email"],
    )
    assert customer.address == AddressView(**user["address"])
    assert customer.order_ids == tuple(sorted(user["orders"]))
    assert [m.id for m in customer.payment_methods] == sorted(user["payment_methods"])
    with pytest.raises(CustomerNotFound):
        backend.get_customer("nobody_0000")


def test_gift_card_balances_are_decimal(backend: SqlOrderBackend, source: Source) -> None:
    order = order_paid_with(source, "pending", "gift_card")
    card = backend.get_customer(order["user_id"]).payment_method(original_method(order))
    assert card is not None and card.source == "gift_card"
    expected = source["users"][order["user_id"]]["payment_methods"][card.id]["balance"]
    assert card.balance == money(expected) and isinstance(card.balance, Decimal)


@pytest.mark.parametrize("spelling", ["{id}", "{bare}", "{lower}", " #{lower} ", "# {bare}"])
def test_get_order_normalises_the_id(
    backend: SqlOrderBackend, source: Source, spelling: str
) -> None:
    order = source["orders"]["#W1840144"]
    bare = order["order_id"].lstrip("#")
    asked = spelling.format(id=order["order_id"], bare=bare, lower=bare.lower())
    assert backend.order_ids.normalise(asked) == order["order_id"]
    view = backend.get_order(asked, customer_id=order["user_id"])
    assert view.id == order["order_id"] and view.status == order["status"]
    assert [(i.item_id, i.price, i.options) for i in view.items] == [
        (i["item_id"], money(i["price"]), i["options"]) for i in order["items"]
    ]
    assert [(p.transaction_type, p.amount, p.payment_method_id) for p in view.payments] == [
        (p["transaction_type"], money(p["amount"]), p["payment_method_id"])
        for p in order["payment_history"]
    ]
    assert view.total == total_of(order)
    assert view.original_payment_method_id == original_method(order)


def test_another_customers_order_reads_as_missing(backend: SqlOrderBackend, source: Source) -> None:
    order = source["orders"]["#W1840144"]
    stranger = other_customers_order(source, order["user_id"], order["status"])["user_id"]
    with pytest.raises(OrderNotFound) as other:
        backend.get_order(order["order_id"], customer_id=stranger)
    with pytest.raises(OrderNotFound) as missing:
        backend.get_order("#W0000000", customer_id=stranger)
    assert other.value.to_wire() == {
        **missing.value.to_wire(),
        "message": missing.value.message.replace("#W0000000", order["order_id"]),
        "details": {"order_id": order["order_id"]},
    }
    assert order["order_id"] not in [o.id for o in backend.list_orders(stranger)]


def test_list_orders(backend: SqlOrderBackend, source: Source) -> None:
    user = source["users"]["fatima_anderson_2157"]
    orders = backend.list_orders(user["user_id"])
    assert [o.id for o in orders] == sorted(user["orders"])
    assert {o.customer_id for o in orders} == {user["user_id"]}
    with pytest.raises(CustomerNotFound):
        backend.list_orders("nobody_0000")


def test_products(backend: SqlOrderBackend, source: Source) -> None:
    product_id, expected = next(iter(source["products"].items()))
    product = backend.get_product(f" {product_id} ")
    assert product.name == expected["name"]
    assert [v.item_id for v in product.variants] == sorted(expected["variants"])
    variant = product.variants[0]
    raw = expected["variants"][variant.item_id]
    assert (variant.options, variant.price, variant.available) == (
        raw["options"],
        money(raw["price"]),
        raw["available"],
    )
    assert product.variant(variant.item_id) == variant and product.variant("0") is None
    with pytest.raises(ProductNotFound):
        backend.get_product("0000000000")
    products = backend.list_products()
    assert len(products) == len(source["products"])
    assert [p.name for p in products] == sorted(p["name"] for p in source["products"].values())


# -- cancel ------------------------------------------------------------------------------------


def test_cancel_refunds_a_card_in_days(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    order = order_paid_with(source, "pending", "credit_card")
    result = backend.cancel_order(
        order["order_id"], "no longer needed", customer_id=order["user_id"], key="c1"
    )
    assert result.applied and result.operation == "cancel_order"
    assert result.order is not None and result.order.status == "cancelled"
    assert result.order.cancel_reason == "no longer needed"
    paid = money(order["payment_history"][0]["amount"])
    assert [(p.transaction_type, p.amount, p.payment_method_id) for p in result.order.payments] == [
        ("payment", paid, original_method(order)),
        ("refund", paid, original_method(order)),
    ]
    assert result.amount_due == -paid
    assert result.details == {"refund_timing": "5 to 7 business days"}
    assert backend.get_order(order["order_id"], customer_id=order["user_id"]) == result.order
    assert backend.changes() == [
        {
            "key": "c1",
            "operation": "cancel_order",
            "customer_id": order["user_id"],
            "order_id": order["order_id"],
            "arguments": {"order_id": order["order_id"], "reason": "no longer needed"},
            "created_at": backend.changes()[0]["created_at"],
        }
    ]


def test_cancel_refunds_a_gift_card_at_once(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    order = order_paid_with(source, "pending", "gift_card")
    card = original_method(order)
    before = balance_of(seeded_session_factory, card)
    assert before is not None
    result = backend.cancel_order(
        order["order_id"], "ordered by mistake", customer_id=order["user_id"], key="c1"
    )
    paid = money(order["payment_history"][0]["amount"])
    assert balance_of(seeded_session_factory, card) == before + paid
    assert result.details == {"refund_timing": "immediately"}
    assert result.amount_due == -paid


@pytest.mark.parametrize(
    "status", ["processed", "delivered", "cancelled", "pending (items modified)"]
)
def test_cancel_needs_a_pending_order(
    backend: SqlOrderBackend,
    seeded_session_factory: sessionmaker[Session],
    source: Source,
    status: str,
) -> None:
    order = order_paid_with(source, "pending", "credit_card")
    set_status(seeded_session_factory, order["order_id"], status)
    error = assert_refused(
        seeded_session_factory,
        OrderStatusError,
        lambda: backend.cancel_order(
            order["order_id"], "no longer needed", customer_id=order["user_id"], key="c1"
        ),
    )
    assert error.details["status"] == status


@pytest.mark.parametrize("reason", ["changed my mind", "No longer needed", ""])
def test_cancel_needs_an_allowed_reason(
    backend: SqlOrderBackend,
    seeded_session_factory: sessionmaker[Session],
    source: Source,
    reason: str,
) -> None:
    order = order_paid_with(source, "pending", "credit_card")
    assert_refused(
        seeded_session_factory,
        InvalidCancelReason,
        lambda: backend.cancel_order(
            order["order_id"], reason, customer_id=order["user_id"], key="c1"
        ),
    )


def test_cancel_after_a_payment_change_refunds_what_was_paid(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    order, new = gift_card_paid_with_a_second_method(source)
    old = original_method(order)
    before = balance_of(seeded_session_factory, old)
    assert before is not None
    customer = order["user_id"]
    backend.modify_order_payment(order["order_id"], new, customer_id=customer, key="p1")
    result = backend.cancel_order(
        order["order_id"], "no longer needed", customer_id=customer, key="c1"
    )
    paid = money(order["payment_history"][0]["amount"])
    assert result.order is not None
    # Only the method that still holds the money is refunded, and only once.
    assert [(p.transaction_type, p.payment_method_id) for p in result.order.payments[3:]] == [
        ("refund", new)
    ]
    assert result.amount_due == -paid
    assert result.details == {"refund_timing": "5 to 7 business days"}
    assert balance_of(seeded_session_factory, old) == before + paid


# -- modify address ----------------------------------------------------------------------------


def test_modify_order_address(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    order = order_paid_with(source, "pending", "credit_card")
    address = replace(NEW_ADDRESS, address2="")
    result = backend.modify_order_address(
        order["order_id"], address, customer_id=order["user_id"], key="a1"
    )
    assert result.order is not None and result.order.address == address
    assert result.order.status == "pending" and result.amount_due == 0
    with seeded_session_factory() as session:
        stored = session.get_one(Order, order["order_id"])
        assert (stored.address1, stored.address2, stored.zip) == ("1 Main St", "", "62701")
    # The customer's default address is another thing.
    assert backend.get_customer(order["user_id"]).address == AddressView(
        **source["users"][order["user_id"]]["address"]
    )


@pytest.mark.parametrize(
    "change",
    [
        {"address1": ""},
        {"city": "  "},
        {"state": ""},
        {"country": ""},
        {"zip": ""},
        {"zip": "1" * 17},
        {"address1": "x" * 129},
    ],
)
def test_an_incomplete_address_is_refused(
    backend: SqlOrderBackend,
    seeded_session_factory: sessionmaker[Session],
    source: Source,
    change: dict[str, str],
) -> None:
    order = order_paid_with(source, "pending", "credit_card")
    address = replace(NEW_ADDRESS, **change)
    assert_refused(
        seeded_session_factory,
        InvalidAddress,
        lambda: backend.modify_order_address(
            order["order_id"], address, customer_id=order["user_id"], key="a1"
        ),
    )
    assert_refused(
        seeded_session_factory,
        InvalidAddress,
        lambda: backend.modify_customer_address(address, customer_id=order["user_id"], key="a2"),
    )


@pytest.mark.parametrize("status", ["processed", "delivered", "pending (items modified)"])
def test_modify_address_needs_a_pending_order(
    backend: SqlOrderBackend,
    seeded_session_factory: sessionmaker[Session],
    source: Source,
    status: str,
) -> None:
    order = order_paid_with(source, "pending", "credit_card")
    set_status(seeded_session_factory, order["order_id"], status)
    assert_refused(
        seeded_session_factory,
        OrderStatusError,
        lambda: backend.modify_order_address(
            order["order_id"], NEW_ADDRESS, customer_id=order["user_id"], key="a1"
        ),
    )


# -- modify payment ----------------------------------------------------------------------------


def _card_to_gift_card(source: Source, *, enough: bool) -> tuple[Source, str]:
    def fits(order: Source) -> bool:
        card = gift_card_of(source, order)
        if card is None or original_method(order).startswith("gift_card"):
            return False
        covers = money(card["balance"]) >= money(order["payment_history"][0]["amount"])
        return covers == enough

    order = pick((o for o in orders_with_status(source, "pending") if fits(o)), "card-paid order")
    card = gift_card_of(source, order)
    assert card is not None
    return order, card["id"]


def test_modify_payment_to_a_gift_card(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    order, card = _card_to_gift_card(source, enough=True)
    before = balance_of(seeded_session_factory, card)
    assert before is not None
    result = backend.modify_order_payment(
        order["order_id"], card, customer_id=order["user_id"], key="p1"
    )
    amount = money(order["payment_history"][0]["amount"])
    assert result.order is not None and result.order.status == "pending"
    assert [(p.transaction_type, p.amount, p.payment_method_id) for p in result.order.payments] == [
        ("payment", amount, original_method(order)),
        ("payment", amount, card),
        ("refund", amount, original_method(order)),
    ]
    assert balance_of(seeded_session_factory, card) == before - amount
    assert result.amount_due == 0
    assert result.details == {"refund_timing": "5 to 7 business days"}


def test_modify_payment_from_a_gift_card_refunds_it(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    order, new = gift_card_paid_with_a_second_method(source)
    card = original_method(order)
    before = balance_of(seeded_session_factory, card)
    assert before is not None
    result = backend.modify_order_payment(
        order["order_id"], new, customer_id=order["user_id"], key="p1"
    )
    assert balance_of(seeded_session_factory, card) == before + money(
        order["payment_history"][0]["amount"]
    )
    assert result.details == {"refund_timing": "immediately"}


def test_modify_payment_refusals(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    order, card = _card_to_gift_card(source, enough=True)
    order_id, customer = order["order_id"], order["user_id"]
    stranger_method = pick(
        (
            m
            for o in orders_with_status(source, "pending")
            if o["user_id"] != customer
            for m in [original_method(o)]
        ),
        "other customer's method",
    )

    def change(method_id: str, key: str = "p1") -> Callable[[], ChangeResult]:
        return lambda: backend.modify_order_payment(
            order_id, method_id, customer_id=customer, key=key
        )

    factory = seeded_session_factory
    assert_refused(factory, PaymentMethodNotFound, change(stranger_method))
    assert_refused(factory, PaymentMethodNotFound, change("credit_card_0000000"))
    assert_refused(factory, PaymentMethodNotAllowed, change(original_method(order)))
    set_balance(factory, card, "0.00")
    assert_refused(factory, InsufficientGiftCardBalance, change(card))
    set_balance(factory, card, str(order["payment_history"][0]["amount"]))
    backend.modify_order_payment(order_id, card, customer_id=customer, key="p1")
    # Changed once, the order has three lines of history: not a single payment any more.
    assert_refused(factory, PaymentMethodNotAllowed, change(original_method(order), key="p2"))
    assert balance_of(factory, card) == 0


def test_modify_payment_insufficient_gift_card(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    order, card = _card_to_gift_card(source, enough=False)
    assert_refused(
        seeded_session_factory,
        InsufficientGiftCardBalance,
        lambda: backend.modify_order_payment(
            order["order_id"], card, customer_id=order["user_id"], key="p1"
        ),
    )


@pytest.mark.parametrize(
    "status", ["processed", "delivered", "cancelled", "pending (items modified)"]
)
def test_modify_payment_needs_a_pending_order(
    backend: SqlOrderBackend,
    seeded_session_factory: sessionmaker[Session],
    source: Source,
    status: str,
) -> None:
    order, card = _card_to_gift_card(source, enough=True)
    set_status(seeded_session_factory, order["order_id"], status)
    assert_refused(
        seeded_session_factory,
        OrderStatusError,
        lambda: backend.modify_order_payment(
            order["order_id"], card, customer_id=order["user_id"], key="p1"
        ),
    )


# -- the customer's address --------------------------------------------------------------------


def test_modify_customer_address(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    user = source["users"]["fatima_anderson_2157"]
    result = backend.modify_customer_address(NEW_ADDRESS, customer_id=user["user_id"], key="u1")
    assert result.order is None and result.customer is not None
    assert result.customer.address == NEW_ADDRESS
    assert backend.get_customer(user["user_id"]).address == NEW_ADDRESS
    assert backend.changes(customer_id=user["user_id"])[0]["order_id"] is None
    # Orders keep the address they were placed with.
    first_order = backend.get_order(user["orders"][0], customer_id=user["user_id"])
    assert first_order.address == AddressView(**source["orders"][user["orders"][0]]["address"])


def test_modify_customer_address_creates_a_missing_one(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session]
) -> None:
    with transaction(seeded_session_factory) as session:
        session.execute(delete(Address).where(Address.customer_id == "fatima_anderson_2157"))
    assert backend.get_customer("fatima_anderson_2157").address is None
    backend.modify_customer_address(NEW_ADDRESS, customer_id="fatima_anderson_2157", key="u1")
    assert backend.get_customer("fatima_anderson_2157").address == NEW_ADDRESS


def test_modify_customer_address_of_nobody(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session]
) -> None:
    assert_refused(
        seeded_session_factory,
        CustomerNotFound,
        lambda: backend.modify_customer_address(NEW_ADDRESS, customer_id="nobody_0", key="u1"),
    )
