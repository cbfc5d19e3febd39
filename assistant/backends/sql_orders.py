"""The built-in order backend: the demo store's policy applied to the assistant's database.

The rules are τ²-bench retail's tools, so the end state of a conversation can be compared
with the benchmark's. Each write runs in one transaction: it takes its locks first (the
customer's and the order's rows on PostgreSQL, the database's write lock on SQLite), checks
every rule, then changes rows and records an `OrderChange` under the caller's idempotency
key. A refused call raises before anything is written; a replayed key returns the stored
first result; the unique key settles a race between two transactions that both missed it.

The reads and the loading of rows are `sql_order_reads.py`; the transaction, its locks and
its idempotency key `sql_order_changes.py`; the rules the writes check `sql_order_rules.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from assistant.backends.orders import (
    AddressView,
    ChangeResult,
    InvalidCancelReason,
    PaymentMethodNotAllowed,
)
from assistant.backends.sql_order_changes import write_change
from assistant.backends.sql_order_reads import SqlOrderReads, load_customer, load_method, load_order
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
from assistant.backends.sql_order_views import customer_view, order_view
from assistant.persistence.models.store import (
    ORDER_STATUSES,
    Address,
    Order,
    OrderItem,
    PaymentMethod,
    Variant,
)

PENDING, ITEMS_MODIFIED, DELIVERED = ORDER_STATUSES[0], ORDER_STATUSES[1], ORDER_STATUSES[3]


@dataclass
class _Outcome:
    """What an applied write hands back, beside the rows it changed."""

    amount_due: Decimal = Decimal("0")
    details: dict[str, Any] = field(default_factory=dict)


# Each old order line with the variant that replaces it.
_Pairs = list[tuple[OrderItem, Variant]]


def _refund_timing(method: PaymentMethod) -> str:
    return "immediately" if method.source == GIFT_CARD else "5 to 7 business days"


# -- the backend -------------------------------------------------------------------------------


class SqlOrderBackend(SqlOrderReads):
    """`OrderBackend` on the store tables of `assistant.persistence.models.store`: the reads
    (`SqlOrderReads`) and the writes."""

    # Writes.

    def cancel_order(
        self, order_id: str, reason: str, *, customer_id: str, key: str
    ) -> ChangeResult:
        def apply(session: Session, order: Order) -> _Outcome:
            require_status(order, PENDING, "cancelling")
            allowed = [accepted.reason for accepted in self.cancel_reasons]
            if reason not in allowed:
                raise InvalidCancelReason(
                    f"{reason!r} is not a reason to cancel", details={"allowed": allowed}
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
            methods = [load_method(session, customer_id, method_id) for method_id, _ in refunds]
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
            new = load_method(session, customer_id, payment_method_id)
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
            old = load_method(session, customer_id, old_id)
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
        def apply(
            order: Order, pairs: _Pairs, difference: Decimal, method: PaymentMethod
        ) -> _Outcome:
            # As τ²-bench: no difference still records a refund of 0.00.
            kind = "payment" if difference > 0 else "refund"
            record_payment(order, kind, abs(difference), method.id)
            move_gift_card(method, -difference)
            for line, variant in pairs:
                line.item_id, line.price = variant.item_id, variant.price
                line.options = dict(variant.options)
            order.status = ITEMS_MODIFIED
            return _Outcome(difference, {"transaction_type": kind})

        return self._change_items(
            "modify_order_items",
            (PENDING, "changing items"),
            order_id,
            item_ids,
            new_item_ids,
            payment_method_id,
            apply,
            customer_id,
            key,
        )

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
            method = load_method(session, customer_id, payment_method_id)
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
        def apply(
            order: Order, _pairs: _Pairs, difference: Decimal, method: PaymentMethod
        ) -> _Outcome:
            order.status = "exchange requested"
            order.exchange_items = sorted(item_ids)
            order.exchange_new_items = sorted(new_item_ids)
            order.exchange_payment_method_id = method.id
            order.exchange_price_difference = difference
            return _Outcome(difference)

        return self._change_items(
            "exchange_order_items",
            (DELIVERED, "exchanging items"),
            order_id,
            item_ids,
            new_item_ids,
            payment_method_id,
            apply,
            customer_id,
            key,
        )

    def modify_customer_address(
        self, address: AddressView, *, customer_id: str, key: str
    ) -> ChangeResult:
        operation = "modify_customer_address"

        def apply(session: Session) -> ChangeResult:
            customer = load_customer(session, customer_id)
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
        return write_change(self._factory, operation, customer_id, None, arguments, key, apply)

    # Internals.

    def _change_items(
        self,
        operation: str,
        requirement: tuple[str, str],
        order_id: str,
        item_ids: list[str],
        new_item_ids: list[str],
        payment_method_id: str,
        finish: Callable[[Order, _Pairs, Decimal, PaymentMethod], _Outcome],
        customer_id: str,
        key: str,
    ) -> ChangeResult:
        """What modifying and exchanging items share: the order in the required status
        (`requirement`: the status and what is being done, for the refusal), each old item
        paired with its new variant, the payment method able to pay the difference; then
        `finish` changes the order."""
        status, doing = requirement

        def apply(session: Session, order: Order) -> _Outcome:
            require_status(order, status, doing)
            pairs, difference = pair_items(session, order, item_ids, new_item_ids)
            method = load_method(session, customer_id, payment_method_id)
            check_gift_card(method, difference)
            return finish(order, pairs, difference, method)

        arguments = {
            "item_ids": list(item_ids),
            "new_item_ids": list(new_item_ids),
            "payment_method_id": payment_method_id,
        }
        return self._write_order(operation, order_id, arguments, apply, customer_id, key)

    def _write_order(
        self,
        operation: str,
        order_id: str,
        arguments: dict[str, Any],
        apply: Callable[[Session, Order], _Outcome],
        customer_id: str,
        key: str,
    ) -> ChangeResult:
        normalised = self.order_ids.normalise(order_id)

        def run(session: Session) -> ChangeResult:
            order = load_order(session, normalised, customer_id)
            outcome = apply(session, order)
            session.flush()
            return ChangeResult(
                operation=operation,
                order=order_view(order),
                amount_due=cents(outcome.amount_due),
                details=outcome.details,
            )

        arguments = {"order_id": normalised, **arguments}
        return write_change(self._factory, operation, customer_id, normalised, arguments, key, run)
