"""An order backend write as one transaction, idempotent on its key.

The write takes its locks first (the customer's and the order's rows on PostgreSQL, the
database's write lock on SQLite), then runs, and its result is stored as an `OrderChange`
under the caller's idempotency key. A replayed key returns the stored first result; the same
key with other arguments is refused; the unique key settles a race between two transactions
that both missed it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.backends.orders import ChangeResult, IdempotencyConflict
from assistant.backends.sql_order_views import result_from_json, result_to_json
from assistant.errors import InvalidInput
from assistant.persistence.db import transaction
from assistant.persistence.models.store import Customer, Order, OrderChange

KEY_LIMIT = 200


def write_change(
    factory: sessionmaker[Session],
    operation: str,
    customer_id: str,
    order_id: str | None,
    arguments: dict[str, Any],
    key: str,
    run: Callable[[Session], ChangeResult],
) -> ChangeResult:
    """`run` in one transaction under the write's locks, its result stored under `key`; or,
    when `key` was used before, the first result (the same request) or a refusal (another)."""
    if not key or len(key) > KEY_LIMIT:
        raise InvalidInput(f"an idempotency key has 1 to {KEY_LIMIT} characters")
    try:
        with transaction(factory) as session:
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
        with factory() as session:
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
