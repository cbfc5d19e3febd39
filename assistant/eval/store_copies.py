"""Throw-away copies of the demo store for evaluations that change it.

A migrated, seeded SQLite template is made once; each conversation gets its own copy. A
reference copy can have expected changes applied directly through the order backend
(`apply_goal`), and two copies are compared on the state that changes can touch
(`snapshot`, `differences`).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.backends.changes import ModifyCustomerAddress, OrderChange, apply, parse_change
from assistant.backends.orders import AddressView
from assistant.backends.sql_orders import SqlOrderBackend
from assistant.errors import AisleError
from assistant.persistence.db import make_engine, make_session_factory
from assistant.persistence.migrate import upgrade
from assistant.persistence.models.store import Address, Customer, Order, PaymentMethod
from assistant.store.seed import seed_store

ADDRESS_FIELDS = ("address1", "address2", "city", "state", "country", "zip")
# A goal's arguments that are fields of a change (the address is read from its flat fields).
_CHANGE_FIELDS = ("order_id", "reason", "payment_method_id", "item_ids", "new_item_ids")


class TaskDataError(AisleError):
    status_code = 422
    code = "invalid_task_data"


@dataclass(frozen=True)
class Goal:
    """One change to the store, in the backend's terms."""

    operation: str
    arguments: dict[str, Any]

    @property
    def order_id(self) -> str | None:
        value = self.arguments.get("order_id")
        return str(value) if value else None


class StoreCopies:
    """A migrated, seeded SQLite store made once, copied for each conversation."""

    def __init__(self, seed: Path, workdir: Path) -> None:
        self.workdir = workdir
        self.template = workdir / "template.db"
        url = f"sqlite:///{self.template}"
        upgrade(url)
        engine = make_engine(url)
        try:
            seed_store(make_session_factory(engine), seed)
        finally:
            engine.dispose()

    def copy(self, name: str) -> tuple[sessionmaker[Session], Any]:
        """A fresh copy of the template: its session factory and its engine (to dispose)."""
        path = self.workdir / f"{name}.db"
        shutil.copyfile(self.template, path)
        engine = make_engine(f"sqlite:///{path}")
        return make_session_factory(engine), engine


def goal_change(goal: Goal) -> OrderChange:
    """A goal as the typed change the assistant's actions make (`InvalidChange` if none)."""
    args = goal.arguments
    data: dict[str, Any] = {"kind": goal.operation}
    data.update({k: v for k, v in args.items() if k in _CHANGE_FIELDS})
    if "address" in goal.operation:
        data["address"] = address_of(args)
    return parse_change(data)


def apply_goal(sessions: sessionmaker[Session], goal: Goal, key: str) -> None:
    """Apply one expected change directly, as the reference end state."""
    change = goal_change(goal)
    if isinstance(change, ModifyCustomerAddress):
        customer = str(goal.arguments["user_id"])
    else:
        customer = owner_of(sessions, change.order_id)
    apply(SqlOrderBackend(sessions), change, customer_id=customer, key=key)


def owner_of(sessions: sessionmaker[Session], order_id: str) -> str:
    """The customer id that owns an order."""
    with sessions() as session:
        order = session.get(Order, order_id)
        if order is None:
            raise TaskDataError(f"order {order_id} is not in the store")
        return order.customer_id


def address_of(args: dict[str, Any]) -> AddressView:
    """An address from flat τ²-bench arguments (address1, city, zip, ...)."""
    return AddressView(**{name: str(args.get(name) or "") for name in ADDRESS_FIELDS})


def order_state(order: Order) -> dict[str, Any]:
    """What changes can touch in one order, in a comparable form."""
    return {
        "status": order.status,
        "address": [getattr(order, name) for name in ADDRESS_FIELDS],
        "items": [(i.item_id, str(i.price), i.options) for i in order.items],
        "payments": [
            (p.transaction_type, str(p.amount), p.payment_method_id) for p in order.payments
        ],
        "cancel_reason": order.cancel_reason,
        "return": (sorted(order.return_items or []), order.return_payment_method_id),
        "exchange": (
            sorted(order.exchange_items or []),
            sorted(order.exchange_new_items or []),
            order.exchange_payment_method_id,
            str(order.exchange_price_difference)
            if order.exchange_price_difference is not None
            else None,
        ),
    }


def snapshot(sessions: sessionmaker[Session]) -> dict[str, Any]:
    """The store's state that changes can touch, in a comparable form."""
    with sessions() as session:
        orders = {}
        for order in session.scalars(select(Order).order_by(Order.id)):
            orders[order.id] = order_state(order)
        addresses = {
            a.customer_id: [getattr(a, name) for name in ADDRESS_FIELDS]
            for a in session.scalars(select(Address))
        }
        balances = {
            m.id: str(m.balance)
            for m in session.scalars(
                select(PaymentMethod).where(PaymentMethod.balance.is_not(None))
            )
        }
        customers = sorted(session.scalars(select(Customer.id)))
    return {"orders": orders, "addresses": addresses, "balances": balances, "customers": customers}


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Readable lines for each order, address or balance that differs between two snapshots."""
    found = []
    for section in ("orders", "addresses", "balances"):
        keys = set(expected[section]) | set(actual[section])
        for key in sorted(keys):
            if expected[section].get(key) != actual[section].get(key):
                found.append(
                    f"{section}[{key}]: expected {expected[section].get(key)!r}, "
                    f"got {actual[section].get(key)!r}"
                )
    return found
