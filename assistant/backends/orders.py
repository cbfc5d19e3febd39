"""The order backend's interface: what the order actions may read and change.

The store's own API can stand behind this protocol; the built-in implementation
(`assistant.backends.sql_orders.SqlOrderBackend`) works on the assistant's database. Every
operation enforces the demo store's policy itself: a call that breaks a rule raises an
`OrderPolicyError` subclass and changes nothing, whatever the caller checked before.

Reads and writes take the authenticated `customer_id`; an order of another customer is
reported as not found, so its existence does not leak. Each write takes an idempotency key:
repeating a key with the same arguments returns the first result and changes nothing again
(a confirmation sent twice never refunds twice); the same key with other arguments is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from assistant.config.store import CancelReason, OrderIds
from assistant.errors import AisleError

PAYMENT_SOURCE_NAMES = {"credit_card": "credit card", "paypal": "PayPal", "gift_card": "gift card"}


# -- errors ------------------------------------------------------------------------------------


class OrderPolicyError(AisleError):
    """A request the store's policy does not allow, or about something that does not exist."""

    status_code = 409
    code = "order_policy"


class CustomerNotFound(OrderPolicyError):
    status_code = 404
    code = "customer_not_found"


class OrderNotFound(OrderPolicyError):
    status_code = 404
    code = "order_not_found"


class ProductNotFound(OrderPolicyError):
    status_code = 404
    code = "product_not_found"


class ItemNotFound(OrderPolicyError):
    """An item id that is not in the order (or not that many times), or not in the catalog."""

    status_code = 404
    code = "item_not_found"


class PaymentMethodNotFound(OrderPolicyError):
    status_code = 404
    code = "payment_method_not_found"


class OrderStatusError(OrderPolicyError):
    """The order's status does not allow the operation (e.g. cancelling a delivered order)."""

    code = "order_status"


class InvalidCancelReason(OrderPolicyError):
    status_code = 422
    code = "invalid_cancel_reason"


class InvalidItemChange(OrderPolicyError):
    """A new item that is another product, the same option, unavailable, or lists that
    do not pair up."""

    status_code = 422
    code = "invalid_item_change"


class PaymentMethodNotAllowed(OrderPolicyError):
    """The method is not allowed for this operation (same as before, not original, …)."""

    status_code = 422
    code = "payment_method_not_allowed"


class InsufficientGiftCardBalance(OrderPolicyError):
    status_code = 422
    code = "insufficient_gift_card_balance"


class InvalidAddress(OrderPolicyError):
    status_code = 422
    code = "invalid_address"


class IdempotencyConflict(OrderPolicyError):
    """An idempotency key reused with different arguments."""

    code = "idempotency_conflict"


# -- views -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressView:
    address1: str
    address2: str
    city: str
    state: str
    country: str
    zip: str

    def one_line(self) -> str:
        parts = [self.address1, self.address2, self.city, f"{self.state} {self.zip}", self.country]
        return ", ".join(part for part in parts if part)


@dataclass(frozen=True)
class PaymentMethodView:
    id: str
    source: str  # credit_card, paypal or gift_card
    brand: str | None = None
    last_four: str | None = None
    balance: Decimal | None = None

    @property
    def label(self) -> str:
        """How the assistant names it to the shopper: "Visa credit card ending 1234"."""
        if self.source == "credit_card":
            brand = (self.brand or "").title().replace("Amex", "Amex")
            ending = f" ending {self.last_four}" if self.last_four else ""
            return f"{brand} credit card{ending}".strip()
        if self.source == "gift_card":
            balance = f" (balance ${self.balance:.2f})" if self.balance is not None else ""
            return f"gift card{balance}"
        return PAYMENT_SOURCE_NAMES.get(self.source, self.source)


@dataclass(frozen=True)
class CustomerView:
    id: str
    first_name: str
    last_name: str
    email: str
    address: AddressView | None
    payment_methods: tuple[PaymentMethodView, ...]
    order_ids: tuple[str, ...]

    def payment_method(self, method_id: str) -> PaymentMethodView | None:
        return next((m for m in self.payment_methods if m.id == method_id), None)


@dataclass(frozen=True)
class OrderItemView:
    item_id: str
    product_id: str
    name: str
    options: dict[str, Any]
    price: Decimal


@dataclass(frozen=True)
class FulfilmentView:
    tracking_ids: tuple[str, ...]
    item_ids: tuple[str, ...]


@dataclass(frozen=True)
class PaymentView:
    transaction_type: str  # payment or refund
    amount: Decimal
    payment_method_id: str


@dataclass(frozen=True)
class OrderView:
    id: str
    customer_id: str
    status: str
    address: AddressView
    items: tuple[OrderItemView, ...]
    fulfilments: tuple[FulfilmentView, ...]
    payments: tuple[PaymentView, ...]
    cancel_reason: str | None = None
    return_items: tuple[str, ...] = ()
    return_payment_method_id: str | None = None
    exchange_items: tuple[str, ...] = ()
    exchange_new_items: tuple[str, ...] = ()
    exchange_payment_method_id: str | None = None
    exchange_price_difference: Decimal | None = None

    @property
    def total(self) -> Decimal:
        return sum((item.price for item in self.items), Decimal("0"))

    @property
    def original_payment_method_id(self) -> str | None:
        return self.payments[0].payment_method_id if self.payments else None


@dataclass(frozen=True)
class VariantView:
    item_id: str
    options: dict[str, Any]
    price: Decimal
    available: bool


@dataclass(frozen=True)
class ProductView:
    id: str
    name: str
    variants: tuple[VariantView, ...]

    def variant(self, item_id: str) -> VariantView | None:
        return next((v for v in self.variants if v.item_id == item_id), None)


@dataclass(frozen=True)
class ChangeResult:
    """What a write did: the order (or customer) after it, and the money it moved."""

    operation: str
    order: OrderView | None
    customer: CustomerView | None = None
    # Positive: the shopper pays; negative: the shopper is refunded.
    amount_due: Decimal = Decimal("0")
    # False when an idempotency key was replayed and nothing changed this time.
    applied: bool = True
    details: dict[str, Any] = field(default_factory=dict)


# -- the interface -----------------------------------------------------------------------------


class OrderBackend(Protocol):
    # The store's ways: how it writes order numbers, the reasons it accepts to cancel.
    order_ids: OrderIds
    cancel_reasons: tuple[CancelReason, ...]

    # Authentication.
    def find_customer_by_email(self, email: str) -> str: ...

    def find_customer_by_name_zip(self, first_name: str, last_name: str, zip_code: str) -> str: ...

    # Reads.
    def get_customer(self, customer_id: str) -> CustomerView: ...

    def get_order(self, order_id: str, *, customer_id: str) -> OrderView: ...

    def list_orders(self, customer_id: str) -> list[OrderView]: ...

    def get_product(self, product_id: str) -> ProductView: ...

    def list_products(self) -> list[ProductView]: ...

    # Writes: one transaction each, idempotent on `key`.
    def cancel_order(
        self, order_id: str, reason: str, *, customer_id: str, key: str
    ) -> ChangeResult: ...

    def modify_order_address(
        self, order_id: str, address: AddressView, *, customer_id: str, key: str
    ) -> ChangeResult: ...

    def modify_order_payment(
        self, order_id: str, payment_method_id: str, *, customer_id: str, key: str
    ) -> ChangeResult: ...

    def modify_order_items(
        self,
        order_id: str,
        item_ids: list[str],
        new_item_ids: list[str],
        payment_method_id: str,
        *,
        customer_id: str,
        key: str,
    ) -> ChangeResult: ...

    def return_order_items(
        self,
        order_id: str,
        item_ids: list[str],
        payment_method_id: str,
        *,
        customer_id: str,
        key: str,
    ) -> ChangeResult: ...

    def exchange_order_items(
        self,
        order_id: str,
        item_ids: list[str],
        new_item_ids: list[str],
        payment_method_id: str,
        *,
        customer_id: str,
        key: str,
    ) -> ChangeResult: ...

    def modify_customer_address(
        self, address: AddressView, *, customer_id: str, key: str
    ) -> ChangeResult: ...

    # Audit: every applied write, oldest first.
    def changes(self, *, customer_id: str | None = None) -> list[dict[str, Any]]: ...
