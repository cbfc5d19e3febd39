"""The store policy's checks and money moves on ORM rows, shared by the order backend's writes.

Checks raise the `OrderPolicyError` that names the broken rule and change nothing; the
functions that change rows (`move_gift_card`, `record_payment`) run only after every check of
the write passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from decimal import Decimal

from sqlalchemy.orm import Session

from assistant.backends.orders import (
    AddressView,
    InsufficientGiftCardBalance,
    InvalidAddress,
    InvalidItemChange,
    ItemNotFound,
    OrderStatusError,
)
from assistant.persistence.models.store import (
    Order,
    OrderItem,
    PaymentMethod,
    PaymentTransaction,
    Variant,
)

CENT = Decimal("0.01")
GIFT_CARD = "gift_card"
# The columns' lengths: a longer value would fail on PostgreSQL only, so refuse it everywhere.
ADDRESS_LIMITS = {
    "address1": 128,
    "address2": 128,
    "city": 64,
    "state": 32,
    "country": 64,
    "zip": 16,
}


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def require_status(order: Order, status: str, operation: str) -> None:
    if order.status != status:
        raise OrderStatusError(
            f"order {order.id} is {order.status!r}; {operation} needs a {status!r} order",
            details={"order_id": order.id, "status": order.status, "required": status},
        )


def check_address(address: AddressView) -> None:
    values = asdict(address)
    blank = [name for name in ADDRESS_LIMITS if name != "address2" and not values[name].strip()]
    long = [name for name, limit in ADDRESS_LIMITS.items() if len(values[name]) > limit]
    if blank or long:
        raise InvalidAddress(
            "the address " + ("misses " + ", ".join(blank) if blank else "has fields too long"),
            details={"missing": blank, "too_long": long},
        )


def pick_items(order: Order, item_ids: Sequence[str]) -> list[OrderItem]:
    """The order's lines for `item_ids`, a listed id taking the next line with that id."""
    if not item_ids:
        raise InvalidItemChange("no items given", details={"order_id": order.id})
    available = list(order.items)
    picked: list[OrderItem] = []
    for item_id in item_ids:
        line = next((line for line in available if line.item_id == item_id), None)
        if line is None:
            raise ItemNotFound(
                f"item {item_id} is not in order {order.id} (or not that many times)",
                details={"order_id": order.id, "item_id": item_id},
            )
        available.remove(line)
        picked.append(line)
    return picked


def pair_items(
    session: Session, order: Order, item_ids: Sequence[str], new_item_ids: Sequence[str]
) -> tuple[list[tuple[OrderItem, Variant]], Decimal]:
    """Each old line with the variant replacing it, and what the new ones cost more."""
    lines = pick_items(order, item_ids)
    if len(item_ids) != len(new_item_ids):
        raise InvalidItemChange(
            f"{len(item_ids)} items cannot be changed into {len(new_item_ids)}",
            details={"order_id": order.id},
        )
    pairs: list[tuple[OrderItem, Variant]] = []
    for line, new_item_id in zip(lines, new_item_ids, strict=True):
        details = {"order_id": order.id, "item_id": line.item_id, "new_item_id": new_item_id}
        if new_item_id == line.item_id:
            raise InvalidItemChange(f"item {new_item_id} would not change", details=details)
        variant = session.get(Variant, new_item_id)
        if variant is None:
            raise ItemNotFound(f"no item {new_item_id} in the catalog", details=details)
        if variant.product_id != line.product_id:
            raise InvalidItemChange(
                f"item {new_item_id} is another product than {line.item_id}", details=details
            )
        if not variant.available:
            raise InvalidItemChange(f"item {new_item_id} is not available", details=details)
        pairs.append((line, variant))
    difference = sum((variant.price - line.price for line, variant in pairs), Decimal("0"))
    return pairs, cents(difference)


def check_gift_card(method: PaymentMethod, amount: Decimal) -> None:
    balance = method.balance or Decimal("0")
    if method.source == GIFT_CARD and balance < amount:
        raise InsufficientGiftCardBalance(
            f"gift card {method.id} has ${balance:.2f}, ${amount:.2f} is needed",
            details={"payment_method_id": method.id, "balance": str(balance)},
        )


def move_gift_card(method: PaymentMethod, amount: Decimal) -> None:
    """Add `amount` (negative: take it) to a gift card's balance; other methods have none."""
    if method.source == GIFT_CARD:
        method.balance = cents((method.balance or Decimal("0")) + amount)


def record_payment(order: Order, kind: str, amount: Decimal, method_id: str) -> None:
    position = max((p.position for p in order.payments), default=-1) + 1
    order.payments.append(
        PaymentTransaction(
            order_id=order.id,
            position=position,
            transaction_type=kind,
            amount=cents(amount),
            payment_method_id=method_id,
        )
    )
