"""The built-in order backend: the demo store's policy applied to the assistant's database.

The rules are τ²-bench retail's tools, so the end state of a conversation can be compared
with the benchmark's. Each write runs in one transaction: it takes its locks first (the
customer's and the order's rows on PostgreSQL, the database's write lock on SQLite), checks
every rule, then changes rows and records an `OrderChange` under the caller's idempotency
key. A refused call raises before anything is written; a replayed key returns the stored
first result; the unique key settles a race between two transactions that both missed it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from assistant.backends.orders import (
    CANCEL_REASONS,
    AddressView,
    ChangeResult,
    CustomerNotFound,
    CustomerView,
    IdempotencyConflict,
    InvalidCancelReason,
    OrderNotFound,
    OrderView,
    PaymentMethodNotAllowed,
    PaymentMethodNotFound,
    ProductNotFound,
    ProductView,
    normalise_order_id,
)
from assistant.backends.sql_order_rules import (
    GIFT_CARD,
    cents,
    check_address,
    check_gift_card,
    move_gift_card,
    pair_items,
    pick_items,
    record_payment,
    require_status,
)
from assistant.backends.sql_order_views import (
    customer_view,
    order_view,
    product_view,
    result_from_json,
    result_to_json,
)
from assistant.errors import InvalidInput
from assistant.persistence.db import transaction
from assistant.persistence.models.store import (
    ORDER_STATUSES,
    Address,
    Customer,
    Order,
    OrderChange,
    PaymentMethod,
    Product,
)

PENDING, ITEMS_MODIFIED, DELIVERED = ORDER_STATUSES[0], ORDER_STATUSES[1], ORDER_STATUSES[3]
KEY_LIMIT = 200
_ORDER_LOAD = (
    selectinload(Order.items),
    selectinload(Order.fulfilments),
    selectinload(Order.payments),
)


@dataclass
class _Outcome:
    """What an applied write hands back, beside the rows it changed."""

    amount_due: Decimal = Decimal("0")
    details: dict[str, Any] = field(default_factory=dict)


def _fold(text: str) -> str:
    """Case and accents folded: a shopper who types "Vazquez" is "Vázquez"."""
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _refund_timing(method: PaymentMethod) -> str:
    return "immediately" if method.source == GIFT_CARD else "5 to 7 business days"


# -- the backend -------------------------------------------------------------------------------


class SqlOrderBackend:
    """`OrderBackend` on the store tables of `assistant.persistence.models.store`."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory

    # Authentication.

    def find_customer_by_email(self, email: str) -> str:
        wanted = email.strip().lower()
        found = None
        if wanted:
            with self._factory() as session:
                found = session.scalars(
                    select(Customer.id)
                    .where(func.lower(Customer.email) == wanted)
                    .order_by(Customer.id)
                ).first()
        if found is None:
            raise CustomerNotFound("no customer with that email")
        return found

    def find_customer_by_name_zip(self, first_name: str, last_name: str, zip_code: str) -> str:
        # The zip narrows the search in SQL; names compare folded, which SQL cannot do portably.
        with self._factory() as session:
            rows = session.execute(
                select(Customer.id, Customer.first_name, Customer.last_name)
                .join(Address, Address.customer_id == Customer.id)
                .where(Address.zip == zip_code.strip())
                .order_by(Customer.id)
            ).all()
        wanted = (_fold(first_name), _fold(last_name))
        for customer_id, first, last in rows:
            if (_fold(first), _fold(last)) == wanted:
                return str(customer_id)
        raise CustomerNotFound("no customer with that name and zip code")

    # Reads.

    def get_customer(self, customer_id: str) -> CustomerView:
        with self._factory() as session:
            return customer_view(session, self._customer(session, customer_id))

    def get_order(self, order_id: str, *, customer_id: str) -> OrderView:
        with self._factory() as session:
            return order_view(self._order(session, order_id, customer_id))

    def list_orders(self, customer_id: str) -> list[OrderView]:
        with self._factory() as session:
            self._customer(session, customer_id)
            orders = session.scalars(
                select(Order)
                .where(Order.customer_id == customer_id)
                .order_by(Order.id)
                .options(*_ORDER_LOAD)
            )
            return [order_view(order) for order in orders]

    def get_product(self, product_id: str) -> ProductView:
        with self._factory() as session:
            product = session.get(Product, product_id.strip())
            if product is None:
                raise ProductNotFound(
                    f"no product {product_id}", details={"product_id": product_id}
                )
            return product_view(product)

    def list_products(self) -> list[ProductView]:
        with self._factory() as session:
            products = session.scalars(
                select(Product)
                .order_by(Product.name, Product.id)
                .options(selectinload(Product.variants))
            )
            return [product_view(product) for product in products]

    # Writes.

    def cancel_order(
        self, order_id: str, reason: str, *, customer_id: str, key: str
    ) -> ChangeResult:
        def apply(session: Session, order: Order) -> _Outcome:
            require_status(order, PENDING, "cancelling")
            if reason not in CANCEL_REASONS:
                raise InvalidCancelReason(
                    f"{reason!r} is not a reason to cancel", details={"allowed": CANCEL_REASONS}
                )
            # What each method paid, net of refunds: τ²-bench refunds every history line,
            # which after a payment change would refund the replaced method a second time.
            net: dict[str, Decimal] = {}
            for payment in order.payments:
                sign = 1 if payment.transaction_type == "payment" else -1
                net[payment.payment_method_id] = (
                    net.get(payment.payment_method_id, Decimal("0")) + sign * payment.amount
                )
            refunds = [(method_id, amount) for method_id, amount in net.items() if amount > 0]
            methods = [self._method(session, customer_id, method_id) for method_id, _ in refunds]
            for method, (method_id, amount) in zip(methods, refunds, strict=True):
                record_payment(order, "refund", amount, method_id)
                move_gift_card(method, amount)
            order.status = "cancelled"
            order.cancel_reason = reason
            timing = (
                "immediately"
                if methods and all(m.source == GIFT_CARD for m in methods)
                else "5 to 7 business days"
            )
            refunded = sum((amount for _, amount in refunds), Decimal("0"))
            return _Outcome(-cents(refunded), {"refund_timing": timing})

        arguments = {"reason": reason}
        return self._write_order("cancel_order", order_id, arguments, apply, customer_id, key)

    def modify_order_address(
        self, order_id: str, address: AddressView, *, customer_id: str, key: str
    ) -> ChangeResult:
        def apply(_session: Session, order: Order) -> _Outcome:
            require_status(order, PENDING, "changing the address")
            check_address(address)
            for name, value in asdict(address).items():
                setattr(order, name, value)
            return _Outcome()

        arguments = {"address": asdict(address)}
        return self._write_order(
            "modify_order_address", order_id, arguments, apply, customer_id, key
        )

    def modify_order_payment(
        self, order_id: str, payment_method_id: str, *, customer_id: str, key: str
    ) -> ChangeResult:
        def apply(session: Session, order: Order) -> _Outcome:
            require_status(order, PENDING, "changing the payment method")
            new = self._method(session, customer_id, payment_method_id)
            payments = order.payments
            if len(payments) != 1 or payments[0].transaction_type != "payment":
                raise PaymentMethodNotAllowed(
                    f"order {order.id} was not paid in a single payment",
                    details={"order_id": order.id},
                )
            old_id, amount = payments[0].payment_method_id, payments[0].amount
            if old_id == payment_method_id:
                raise PaymentMethodNotAllowed(
                    f"order {order.id} is already paid with {payment_method_id}",
                    details={"order_id": order.id, "payment_method_id": payment_method_id},
                )
            check_gift_card(new, amount)
            old = self._method(session, customer_id, old_id)
            record_payment(order, "payment", amount, new.id)
            record_payment(order, "refund", amount, old.id)
            move_gift_card(new, -amount)
            move_gift_card(old, amount)
            return _Outcome(details={"refund_timing": _refund_timing(old)})

        arguments = {"payment_method_id": payment_method_id}
        return self._write_order(
            "modify_order_payment", order_id, arguments, apply, customer_id, key
        )

    def modify_order_items(
        self,
        order_id: str,
        item_ids: list[str],
        new_item_ids: list[str],
        payment_method_id: str,
        *,
        customer_id: str,
        key: str,
    ) -> ChangeResult:
        def apply(session: Session, order: Order) -> _Outcome:
            require_status(order, PENDING, "changing items")
            pairs, difference = pair_items(session, order, item_ids, new_item_ids)
            method = self._method(session, customer_id, payment_method_id)
            check_gift_card(method, difference)
            # As τ²-bench: no difference still records a refund of 0.00.
            kind = "payment" if difference > 0 else "refund"
            record_payment(order, kind, abs(difference), method.id)
            move_gift_card(method, -difference)
            for line, variant in pairs:
                line.item_id, line.price = variant.item_id, variant.price
                line.options = dict(variant.options)
            order.status = ITEMS_MODIFIED
            return _Outcome(difference, {"transaction_type": kind})

        arguments = {
            "item_ids": list(item_ids),
            "new_item_ids": list(new_item_ids),
            "payment_method_id": payment_method_id,
        }
        return self._write_order("modify_order_items", order_id, arguments, apply, customer_id, key)

    def return_order_items(
        self,
        order_id: str,
        item_ids: list[str],
        payment_method_id: str,
        *,
        customer_id: str,
        key: str,
    ) -> ChangeResult:
        def apply(session: Session, order: Order) -> _Outcome:
            require_status(order, DELIVERED, "returning items")
            method = self._method(session, customer_id, payment_method_id)
            original = order.payments[0].payment_method_id if order.payments else None
            if method.source != GIFT_CARD and method.id != original:
                raise PaymentMethodNotAllowed(
                    "a refund goes to the original payment method or a gift card",
                    details={"order_id": order.id, "original_payment_method_id": original},
                )
            lines = pick_items(order, item_ids)
            order.status = "return requested"
            order.return_items = sorted(item_ids)
            order.return_payment_method_id = method.id
            refund = sum((line.price for line in lines), Decimal("0"))
            # Refunded when the items come back: no payment line and no balance change now.
            return _Outcome(-cents(refund))

        arguments = {"item_ids": list(item_ids), "payment_method_id": payment_method_id}
        return self._write_order("return_order_items", order_id, arguments, apply, customer_id, key)

    def exchange_order_items(
        self,
        order_id: str,
        item_ids: list[str],
        new_item_ids: list[str],
        payment_method_id: str,
        *,
        customer_id: str,
        key: str,
    ) -> ChangeResult:
        def apply(session: Session, order: Order) -> _Outcome:
            require_status(order, DELIVERED, "exchanging items")
            _pairs, difference = pair_items(session, order, item_ids, new_item_ids)
            method = self._method(session, customer_id, payment_method_id)
            check_gift_card(method, difference)
            order.status = "exchange requested"
            order.exchange_items = sorted(item_ids)
            order.exchange_new_items = sorted(new_item_ids)
            order.exchange_payment_method_id = method.id
            order.exchange_price_difference = difference
            return _Outcome(difference)

        arguments = {
            "item_ids": list(item_ids),
            "new_item_ids": list(new_item_ids),
            "payment_method_id": payment_method_id,
        }
        return self._write_order(
            "exchange_order_items", order_id, arguments, apply, customer_id, key
        )

    def modify_customer_address(
        self, address: AddressView, *, customer_id: str, key: str
    ) -> ChangeResult:
        operation = "modify_customer_address"

        def apply(session: Session) -> ChangeResult:
            customer = self._customer(session, customer_id)
            check_address(address)
            if customer.address is None:
                customer.address = Address(customer_id=customer.id, **asdict(address))
            else:
                for name, value in asdict(address).items():
                    setattr(customer.address, name, value)
            session.flush()
            return ChangeResult(
                operation=operation, order=None, customer=customer_view(session, customer)
            )

        arguments = {"address": asdict(address)}
        return self._write(operation, customer_id, None, arguments, key, apply)

    # Audit.

    def changes(self, *, customer_id: str | None = None) -> list[dict[str, Any]]:
        query = select(OrderChange).order_by(OrderChange.id)
        if customer_id is not None:
            query = query.where(OrderChange.customer_id == customer_id)
        with self._factory() as session:
            return [
                {
                    "key": change.key,
                    "operation": change.operation,
                    "customer_id": change.customer_id,
                    "order_id": change.order_id,
                    "arguments": change.arguments,
                    "created_at": change.created_at,
                }
                for change in session.scalars(query)
            ]

    # Internals.

    def _customer(self, session: Session, customer_id: str) -> Customer:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise CustomerNotFound(
                f"no customer {customer_id}", details={"customer_id": customer_id}
            )
        return customer

    def _order(self, session: Session, order_id: str, customer_id: str) -> Order:
        """The customer's order; another customer's is "not found" too, so ids do not leak."""
        normalised = normalise_order_id(order_id)
        order = session.scalars(
            select(Order).where(Order.id == normalised).options(*_ORDER_LOAD)
        ).first()
        if order is None or order.customer_id != customer_id:
            raise OrderNotFound(f"no order {normalised}", details={"order_id": normalised})
        return order

    def _method(self, session: Session, customer_id: str, method_id: str) -> PaymentMethod:
        method = session.get(PaymentMethod, method_id)
        if method is None or method.customer_id != customer_id:
            raise PaymentMethodNotFound(
                f"no payment method {method_id}", details={"payment_method_id": method_id}
            )
        return method

    def _write_order(
        self,
        operation: str,
        order_id: str,
        arguments: dict[str, Any],
        apply: Callable[[Session, Order], _Outcome],
        customer_id: str,
        key: str,
    ) -> ChangeResult:
        normalised = normalise_order_id(order_id)

        def run(session: Session) -> ChangeResult:
            order = self._order(session, normalised, customer_id)
            outcome = apply(session, order)
            session.flush()
            return ChangeResult(
                operation=operation,
                order=order_view(order),
                amount_due=cents(outcome.amount_due),
                details=outcome.details,
            )

        arguments = {"order_id": normalised, **arguments}
        return self._write(operation, customer_id, normalised, arguments, key, run)

    def _write(
        self,
        operation: str,
        customer_id: str,
        order_id: str | None,
        arguments: dict[str, Any],
        key: str,
        run: Callable[[Session], ChangeResult],
    ) -> ChangeResult:
        if not key or len(key) > KEY_LIMIT:
            raise InvalidInput(f"an idempotency key has 1 to {KEY_LIMIT} characters")
        try:
            with transaction(self._factory) as session:
                _lock(session, customer_id, order_id)
                stored = session.scalars(select(OrderChange).where(OrderChange.key == key)).first()
                if stored is not None:
                    return _replay(stored, operation, customer_id, arguments)
                result = run(session)
                session.add(
                    OrderChange(
                        key=key,
                        operation=operation,
                        customer_id=customer_id,
                        order_id=order_id,
                        arguments=arguments,
                        result=result_to_json(result),
                    )
                )
                session.flush()
                return result
        except IntegrityError:
            # Another transaction stored the same key first (the unique index said so):
            # everything here was rolled back; answer as a replay of that one.
            with self._factory() as session:
                stored = session.scalars(select(OrderChange).where(OrderChange.key == key)).first()
                if stored is None:
                    raise
                return _replay(stored, operation, customer_id, arguments)


def _lock(session: Session, customer_id: str, order_id: str | None) -> None:
    """Take the write's locks before anything is read: a racing write (a replay included)
    waits, then sees what this one committed."""
    if session.get_bind().dialect.name == "sqlite":
        # No FOR UPDATE there, and pysqlite only begins a transaction at the first write: a
        # write that changes nothing takes the database's single write lock now.
        session.execute(
            update(Customer)
            .where(Customer.id == customer_id)
            .values(first_name=Customer.first_name)
            .execution_options(synchronize_session=False)
        )
        return
    # Customer, then order, always in that order: the customer's writes serialise (its gift
    # card balances with them) without deadlocks.
    session.execute(select(Customer.id).where(Customer.id == customer_id).with_for_update())
    if order_id is not None:
        session.execute(select(Order.id).where(Order.id == order_id).with_for_update())


def _replay(
    stored: OrderChange, operation: str, customer_id: str, arguments: dict[str, Any]
) -> ChangeResult:
    if (stored.operation, stored.customer_id, stored.arguments) != (
        operation,
        customer_id,
        arguments,
    ):
        raise IdempotencyConflict(
            f"idempotency key {stored.key!r} was used for another request",
            details={"key": stored.key},
        )
    return result_from_json(operation, stored.result)
