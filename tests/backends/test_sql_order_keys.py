"""The SQL order backend's guarantees across calls: another customer's order is not found on
any write, an idempotency key applies a write once (replays change nothing; a reused key is a
conflict), and concurrent writes neither refund twice nor overdraw a gift card.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from assistant.backends.orders import (
    ChangeResult,
    IdempotencyConflict,
    InsufficientGiftCardBalance,
    InvalidCancelReason,
    OrderNotFound,
    OrderStatusError,
)
from assistant.backends.sql_orders import SqlOrderBackend
from assistant.errors import InvalidInput
from assistant.persistence.models.store import OrderChange
from assistant.store.seed import seed_store
from tests.backends.cases import (
    NEW_ADDRESS,
    Source,
    assert_refused,
    balance_of,
    gift_card_of,
    money,
    order_paid_with,
    orders_with_status,
    original_method,
    other_customers_order,
    pending_change_with_gift_card,
    pick,
    set_balance,
    snapshot,
)
from tests.fixtures.database import SEED_PATH

# -- another customer's order, on every write --------------------------------------------------


WRITES: dict[str, Callable[[SqlOrderBackend, Source, str], ChangeResult]] = {
    "cancel": lambda b, o, c: b.cancel_order(
        o["order_id"], "no longer needed", customer_id=c, key="w"
    ),
    "address": lambda b, o, c: b.modify_order_address(
        o["order_id"], NEW_ADDRESS, customer_id=c, key="w"
    ),
    "payment": lambda b, o, c: b.modify_order_payment(
        o["order_id"], original_method(o), customer_id=c, key="w"
    ),
    "items": lambda b, o, c: b.modify_order_items(
        o["order_id"], [o["items"][0]["item_id"]], ["1"], original_method(o), customer_id=c, key="w"
    ),
    "return": lambda b, o, c: b.return_order_items(
        o["order_id"], [o["items"][0]["item_id"]], original_method(o), customer_id=c, key="w"
    ),
    "exchange": lambda b, o, c: b.exchange_order_items(
        o["order_id"], [o["items"][0]["item_id"]], ["1"], original_method(o), customer_id=c, key="w"
    ),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_another_customers_order_is_not_found_on_writes(
    backend: SqlOrderBackend,
    seeded_session_factory: sessionmaker[Session],
    source: Source,
    write: str,
) -> None:
    status = "delivered" if write in ("return", "exchange") else "pending"
    order = next(orders_with_status(source, status))
    stranger = other_customers_order(source, order["user_id"], status)["user_id"]
    for customer, order_id in ((stranger, order["order_id"]), (stranger, "#W0000000")):
        assert_refused(
            seeded_session_factory,
            OrderNotFound,
            lambda c=customer, o=order_id: WRITES[write](backend, {**order, "order_id": o}, c),
        )


# -- idempotency -------------------------------------------------------------------------------


def test_a_replayed_cancel_refunds_once(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    order = order_paid_with(source, "pending", "gift_card")
    card, customer = original_method(order), order["user_id"]
    before = balance_of(seeded_session_factory, card)
    assert before is not None
    first = backend.cancel_order(
        order["order_id"], "no longer needed", customer_id=customer, key="k"
    )
    state = snapshot(seeded_session_factory)
    again = backend.cancel_order(
        order["order_id"].lower().lstrip("#"), "no longer needed", customer_id=customer, key="k"
    )
    assert again == replace(first, applied=False)
    assert snapshot(seeded_session_factory) == state
    assert balance_of(seeded_session_factory, card) == before + money(
        order["payment_history"][0]["amount"]
    )
    assert len(backend.changes()) == 1


def test_a_replay_returns_the_first_result_not_the_current_order(
    backend: SqlOrderBackend, source: Source
) -> None:
    order = order_paid_with(source, "pending", "credit_card")
    customer = order["user_id"]
    first = backend.modify_order_address(
        order["order_id"], NEW_ADDRESS, customer_id=customer, key="a1"
    )
    backend.cancel_order(order["order_id"], "no longer needed", customer_id=customer, key="c1")
    again = backend.modify_order_address(
        order["order_id"], NEW_ADDRESS, customer_id=customer, key="a1"
    )
    assert again == replace(first, applied=False)
    assert again.order is not None and again.order.status == "pending"


def test_replays_of_every_write_return_equal_views(
    backend: SqlOrderBackend, source: Source
) -> None:
    order, item, variant, card = pending_change_with_gift_card(
        source, lambda diff, balance: 0 < diff <= balance
    )
    user = order["user_id"]
    calls: list[Callable[[], ChangeResult]] = [
        lambda: backend.modify_order_items(
            order["order_id"],
            [item["item_id"]],
            [variant["item_id"]],
            card,
            customer_id=user,
            key="1",
        ),
        lambda: backend.modify_customer_address(NEW_ADDRESS, customer_id=user, key="2"),
    ]
    for call in calls:
        first = call()
        assert first.applied
        assert call() == replace(first, applied=False)


@pytest.mark.parametrize("reuse", ["other_arguments", "other_operation", "other_customer"])
def test_a_reused_key_is_a_conflict(
    backend: SqlOrderBackend,
    seeded_session_factory: sessionmaker[Session],
    source: Source,
    reuse: str,
) -> None:
    order = order_paid_with(source, "pending", "credit_card")
    customer = order["user_id"]
    backend.cancel_order(order["order_id"], "no longer needed", customer_id=customer, key="k")
    other = other_customers_order(source, customer, "pending")
    calls: dict[str, Callable[[], ChangeResult]] = {
        "other_arguments": lambda: backend.cancel_order(
            order["order_id"], "ordered by mistake", customer_id=customer, key="k"
        ),
        "other_operation": lambda: backend.modify_order_address(
            order["order_id"], NEW_ADDRESS, customer_id=customer, key="k"
        ),
        "other_customer": lambda: backend.cancel_order(
            other["order_id"], "no longer needed", customer_id=other["user_id"], key="k"
        ),
    }
    error = assert_refused(seeded_session_factory, IdempotencyConflict, calls[reuse])
    assert error.details == {"key": "k"}


def test_a_refused_write_does_not_use_up_its_key(backend: SqlOrderBackend, source: Source) -> None:
    order = order_paid_with(source, "pending", "credit_card")
    with pytest.raises(InvalidCancelReason):
        backend.cancel_order(order["order_id"], "bored", customer_id=order["user_id"], key="k")
    result = backend.cancel_order(
        order["order_id"], "no longer needed", customer_id=order["user_id"], key="k"
    )
    assert result.applied


@pytest.mark.parametrize("key", ["", "k" * 201])
def test_keys_have_a_length(backend: SqlOrderBackend, source: Source, key: str) -> None:
    order = order_paid_with(source, "pending", "credit_card")
    with pytest.raises(InvalidInput):
        backend.cancel_order(
            order["order_id"], "no longer needed", customer_id=order["user_id"], key=key
        )


def test_changes_oldest_first_and_by_customer(backend: SqlOrderBackend, source: Source) -> None:
    first = order_paid_with(source, "pending", "credit_card")
    second = other_customers_order(source, first["user_id"], "pending")
    backend.modify_order_address(
        first["order_id"], NEW_ADDRESS, customer_id=first["user_id"], key="1"
    )
    backend.modify_order_address(
        second["order_id"], NEW_ADDRESS, customer_id=second["user_id"], key="2"
    )
    backend.cancel_order(
        first["order_id"], "no longer needed", customer_id=first["user_id"], key="3"
    )
    assert [c["key"] for c in backend.changes()] == ["1", "2", "3"]
    assert [c["key"] for c in backend.changes(customer_id=first["user_id"])] == ["1", "3"]
    assert backend.changes(customer_id="nobody_0") == []
    assert set(backend.changes()[0]) == {
        "key",
        "operation",
        "customer_id",
        "order_id",
        "arguments",
        "created_at",
    }


def test_seed_reset_clears_the_change_log(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    order = order_paid_with(source, "pending", "credit_card")
    backend.cancel_order(
        order["order_id"], "no longer needed", customer_id=order["user_id"], key="k"
    )
    report = seed_store(seeded_session_factory, SEED_PATH, reset=True)
    assert report.counts["order_changes"] == 0
    assert backend.changes() == []
    assert backend.get_order(order["order_id"], customer_id=order["user_id"]).status == "pending"


# -- concurrent writes -------------------------------------------------------------------------


def _together(calls: list[Callable[[], ChangeResult]]) -> list[ChangeResult | Exception]:
    """Run the calls at once, one thread each; each one's result or error, in call order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[ChangeResult | Exception] = [RuntimeError("not run")] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = calls[index]()
        except Exception as exc:  # the test inspects every outcome
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_concurrent_cancels_refund_once(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    order = order_paid_with(source, "pending", "gift_card")
    card, customer = original_method(order), order["user_id"]
    before = balance_of(seeded_session_factory, card)
    assert before is not None

    def cancel(key: str) -> Callable[[], ChangeResult]:
        return lambda: backend.cancel_order(
            order["order_id"], "no longer needed", customer_id=customer, key=key
        )

    outcomes = _together([cancel("same"), cancel("same"), cancel("other"), cancel("another")])
    applied = [o for o in outcomes if isinstance(o, ChangeResult) and o.applied]
    replays = [o for o in outcomes if isinstance(o, ChangeResult) and not o.applied]
    refused = [o for o in outcomes if isinstance(o, OrderStatusError)]
    assert len(applied) == 1 and len(applied) + len(replays) + len(refused) == 4, outcomes
    assert balance_of(seeded_session_factory, card) == before + money(
        order["payment_history"][0]["amount"]
    )
    view = backend.get_order(order["order_id"], customer_id=customer)
    assert [p.transaction_type for p in view.payments] == ["payment", "refund"]
    assert len(backend.changes()) == 1


def test_concurrent_gift_card_payments_never_overdraw(
    backend: SqlOrderBackend, seeded_session_factory: sessionmaker[Session], source: Source
) -> None:
    """Two orders of one customer moved onto one gift card that covers only one of them."""

    def candidates() -> Iterator[tuple[Source, Source, Source]]:
        for customer_id in sorted(source["users"]):
            user = source["users"][customer_id]
            card = gift_card_of(source, {"user_id": customer_id})
            pending = [
                source["orders"][o]
                for o in sorted(user["orders"])
                if source["orders"][o]["status"] == "pending"
                and not original_method(source["orders"][o]).startswith("gift_card")
            ]
            if card and len(pending) >= 2:
                yield card, pending[0], pending[1]

    card, first, second = pick(candidates(), "customer with two card-paid pending orders")
    amounts = [money(o["payment_history"][0]["amount"]) for o in (first, second)]
    set_balance(seeded_session_factory, card["id"], str(max(amounts)))
    outcomes = _together(
        [
            lambda o=o: backend.modify_order_payment(
                o["order_id"], card["id"], customer_id=o["user_id"], key=o["order_id"]
            )
            for o in (first, second)
        ]
    )
    balance = balance_of(seeded_session_factory, card["id"])
    assert balance is not None and balance >= 0
    applied = [o for o in outcomes if isinstance(o, ChangeResult)]
    assert applied and all(
        isinstance(o, InsufficientGiftCardBalance) for o in outcomes if o not in applied
    ), outcomes
    assert balance == max(amounts) - sum(
        (r.order.payments[0].amount for r in applied if r.order is not None), Decimal("0")
    )


@pytest.mark.postgres
def test_a_key_stored_by_a_racing_transaction_turns_into_a_conflict(
    backend: SqlOrderBackend,
    seeded_session_factory: sessionmaker[Session],
    engine: Engine,
    source: Source,
) -> None:
    """The unique key, not the lookup, is the last word: another transaction stores the key
    between this write's lookup and its insert; the write rolls back and reports a conflict."""
    order = order_paid_with(source, "pending", "credit_card")
    other = other_customers_order(source, order["user_id"], "pending")
    injected = False

    @event.listens_for(seeded_session_factory, "do_orm_execute")
    def _race(state: ORMExecuteState) -> Any:
        nonlocal injected
        if injected or not state.is_select or "order_changes" not in str(state.statement):
            return None
        injected = True
        result = state.invoke_statement()
        with engine.begin() as connection:
            connection.execute(
                insert(OrderChange).values(
                    key="k",
                    operation="cancel_order",
                    customer_id=other["user_id"],
                    order_id=other["order_id"],
                    arguments={},
                    result={},
                )
            )
        return result

    before = snapshot(seeded_session_factory)
    with pytest.raises(IdempotencyConflict):
        backend.cancel_order(
            order["order_id"], "no longer needed", customer_id=order["user_id"], key="k"
        )
    assert injected
    after = snapshot(seeded_session_factory)
    assert [row for row in after["order_changes"] if row not in before["order_changes"]]
    assert {k: v for k, v in after.items() if k != "order_changes"} == {
        k: v for k, v in before.items() if k != "order_changes"
    }
