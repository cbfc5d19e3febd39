"""Rows of the store tables as the order backend's frozen views, and a write's result as JSON.

A write's result is stored with its idempotency key (`OrderChange.result`) so that a replay
returns what the first call returned, not the order as it is now. Money travels as strings
in the JSON, never floats, and comes back as `Decimal`.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.backends.orders import (
    AddressView,
    ChangeResult,
    CustomerView,
    FulfilmentView,
    OrderItemView,
    OrderView,
    PaymentMethodView,
    PaymentView,
    ProductView,
    VariantView,
)
from assistant.persistence.models.store import Address, Customer, Order, Product


def address_view(row: Address | Order) -> AddressView:
    return AddressView(
        address1=row.address1,
        address2=row.address2 or "",
        city=row.city,
        state=row.state,
        country=row.country,
        zip=row.zip,
    )


def order_view(order: Order) -> OrderView:
    return OrderView(
        id=order.id,
        customer_id=order.customer_id,
        status=order.status,
        address=address_view(order),
        items=tuple(
            OrderItemView(i.item_id, i.product_id, i.name, dict(i.options), i.price)
            for i in order.items
        ),
        fulfilments=tuple(
            FulfilmentView(tuple(f.tracking_ids), tuple(f.item_ids)) for f in order.fulfilments
        ),
        payments=tuple(
            PaymentView(p.transaction_type, p.amount, p.payment_method_id) for p in order.payments
        ),
        cancel_reason=order.cancel_reason,
        return_items=tuple(order.return_items or ()),
        return_payment_method_id=order.return_payment_method_id,
        exchange_items=tuple(order.exchange_items or ()),
        exchange_new_items=tuple(order.exchange_new_items or ()),
        exchange_payment_method_id=order.exchange_payment_method_id,
        exchange_price_difference=order.exchange_price_difference,
    )


def customer_view(session: Session, customer: Customer) -> CustomerView:
    order_ids = session.scalars(
        select(Order.id).where(Order.customer_id == customer.id).order_by(Order.id)
    )
    return CustomerView(
        id=customer.id,
        first_name=customer.first_name,
        last_name=customer.last_name,
        email=customer.email,
        address=None if customer.address is None else address_view(customer.address),
        payment_methods=tuple(
            PaymentMethodView(m.id, m.source, m.brand, m.last_four, m.balance)
            for m in customer.payment_methods
        ),
        order_ids=tuple(order_ids),
    )


def product_view(product: Product) -> ProductView:
    variants = sorted(product.variants, key=lambda v: v.item_id)
    return ProductView(
        id=product.id,
        name=product.name,
        variants=tuple(
            VariantView(v.item_id, dict(v.options), v.price, v.available) for v in variants
        ),
    )


# -- a write's stored result ------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def _money(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def result_to_json(result: ChangeResult) -> dict[str, Any]:
    return {
        "order": None if result.order is None else _jsonable(asdict(result.order)),
        "customer": None if result.customer is None else _jsonable(asdict(result.customer)),
        "amount_due": str(result.amount_due),
        "details": _jsonable(result.details),
    }


def _order_from_json(data: dict[str, Any]) -> OrderView:
    return OrderView(
        id=data["id"],
        customer_id=data["customer_id"],
        status=data["status"],
        address=AddressView(**data["address"]),
        items=tuple(
            OrderItemView(**{**item, "price": Decimal(item["price"])}) for item in data["items"]
        ),
        fulfilments=tuple(
            FulfilmentView(tuple(f["tracking_ids"]), tuple(f["item_ids"]))
            for f in data["fulfilments"]
        ),
        payments=tuple(
            PaymentView(p["transaction_type"], Decimal(p["amount"]), p["payment_method_id"])
            for p in data["payments"]
        ),
        cancel_reason=data["cancel_reason"],
        return_items=tuple(data["return_items"]),
        return_payment_method_id=data["return_payment_method_id"],
        exchange_items=tuple(data["exchange_items"]),
        exchange_new_items=tuple(data["exchange_new_items"]),
        exchange_payment_method_id=data["exchange_payment_method_id"],
        exchange_price_difference=_money(data["exchange_price_difference"]),
    )


def _customer_from_json(data: dict[str, Any]) -> CustomerView:
    address = data["address"]
    return CustomerView(
        id=data["id"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        address=None if address is None else AddressView(**address),
        payment_methods=tuple(
            PaymentMethodView(**{**m, "balance": _money(m["balance"])})
            for m in data["payment_methods"]
        ),
        order_ids=tuple(data["order_ids"]),
    )


def result_from_json(operation: str, data: dict[str, Any]) -> ChangeResult:
    return ChangeResult(
        operation=operation,
        order=None if data["order"] is None else _order_from_json(data["order"]),
        customer=None if data["customer"] is None else _customer_from_json(data["customer"]),
        amount_due=Decimal(data["amount_due"]),
        applied=False,
        details=data["details"],
    )
