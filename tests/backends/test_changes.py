"""An order change is one typed value: read from plain data with typed errors, and made by
the one `apply`, which reaches the backend's own checks."""

from __future__ import annotations

import pytest

from assistant.backends.changes import (
    CHANGES,
    CancelOrder,
    ExchangeOrderItems,
    InvalidChange,
    ModifyCustomerAddress,
    apply,
    parse_change,
)
from assistant.backends.orders import InvalidCancelReason
from assistant.backends.sql_orders import SqlOrderBackend
from tests.backends.cases import NEW_ADDRESS, Source, order_paid_with


def test_a_change_is_read_by_its_kind_with_typed_errors() -> None:
    change = parse_change(
        {
            "kind": "exchange_order_items",
            "order_id": "#W1",
            "item_ids": ["a"],
            "new_item_ids": ["b"],
            "payment_method_id": "credit_card_1",
        }
    )
    assert isinstance(change, ExchangeOrderItems) and change.item_ids == ("a",)
    with pytest.raises(InvalidChange, match="kind"):
        parse_change({"kind": "refund_everything", "order_id": "#W1"})
    with pytest.raises(InvalidChange, match=r"cancel_order\.reason"):
        parse_change({"kind": "cancel_order", "order_id": "#W1"})
    with pytest.raises(InvalidChange, match=r"unknown|Extra"):
        parse_change({"kind": "cancel_order", "order_id": "#W1", "reason": "x", "items": []})
    assert set(CHANGES) == {
        "cancel_order",
        "modify_order_address",
        "modify_order_payment",
        "modify_order_items",
        "exchange_order_items",
        "return_order_items",
        "modify_customer_address",
    }


def test_apply_makes_the_change_through_the_backends_rules(
    backend: SqlOrderBackend, source: Source
) -> None:
    order = order_paid_with(source, "pending", "credit_card")
    owner = order["user_id"]
    with pytest.raises(InvalidCancelReason):
        apply(
            backend,
            CancelOrder(order_id=order["order_id"], reason="too slow"),
            customer_id=owner,
            key="k0",
        )
    assert backend.get_order(order["order_id"], customer_id=owner).status == "pending"
    done = apply(
        backend,
        CancelOrder(order_id=order["order_id"], reason="no longer needed"),
        customer_id=owner,
        key="k1",
    )
    assert done.operation == "cancel_order" and done.order is not None
    assert done.order.status == "cancelled"
    moved = apply(backend, ModifyCustomerAddress(address=NEW_ADDRESS), customer_id=owner, key="k2")
    assert moved.customer is not None and moved.customer.address == NEW_ADDRESS
