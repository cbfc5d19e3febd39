"""`assistant eval tasks`: the τ²-bench retail tasks, played by a scripted shopper.

For each task the shopper is built from the task: who it is (the facts it gives: email, or
name and zip), and what it wants (the task's expected changes: which order, which items,
which new options, which payment method, which address). It talks to the real dialogue
engine — the trained NLU, the flows, the actions, the order backend — on its own copy of the
demo store. Half the tasks type free text ("exchange the Mechanical Keyboard for switch type
clicky"), half click the buttons the assistant offers whenever one matches the goal. It
answers what it is asked, and says yes to a proposed change only when the change is exactly
one it wants.

After the conversation the store is compared with a second copy on which the task's expected
actions were applied directly through the backend. A task passes when the two are identical
(and, for a goal outside the assistant's scope, when the conversation ended in a hand-off).
Every write the expected actions do not contain counts as a policy violation.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.backends.orders import AddressView, OrderPolicyError
from assistant.backends.sql_orders import SqlOrderBackend
from assistant.config import Settings
from assistant.engine.domain import load_domain
from assistant.engine.executor import InProcessActionRunner
from assistant.engine.flows import load_flows
from assistant.engine.manager import DialogueEngine, Parser
from assistant.engine.tracker import DialogueTracker
from assistant.errors import AisleError
from assistant.persistence.db import make_engine, make_session_factory
from assistant.persistence.migrate import upgrade
from assistant.persistence.models.store import (
    Address,
    Customer,
    Order,
    PaymentMethod,
)
from assistant.store.seed import seed_store

DEFAULT_DATA = "knowledge_base/store/tasks_train.json"
READS = {
    "find_user_id_by_email",
    "find_user_id_by_name_zip",
    "get_user_details",
    "get_order_details",
    "get_product_details",
    "get_item_details",
    "list_all_product_types",
    "calculate",
    "think",
}
TRANSFER = "transfer_to_human_agents"
# τ²-bench's write tools and the backend operations that make them.
OPERATIONS = {
    "cancel_pending_order": "cancel_order",
    "modify_pending_order_address": "modify_order_address",
    "modify_pending_order_payment": "modify_order_payment",
    "modify_pending_order_items": "modify_order_items",
    "return_delivered_order_items": "return_order_items",
    "exchange_delivered_order_items": "exchange_order_items",
    "modify_user_address": "modify_customer_address",
}
# The flow that makes each operation.
FLOWS = {
    "cancel_order": "cancel_order",
    "modify_order_address": "modify_order_address",
    "modify_order_payment": "modify_order_payment",
    "modify_order_items": "modify_order_items",
    "return_order_items": "return_order",
    "exchange_order_items": "exchange_order",
    "modify_customer_address": "change_default_address",
}
MAX_TURNS_PER_GOAL = 14
ADDRESS_FIELDS = ("address1", "address2", "city", "state", "country", "zip")


class TaskDataError(AisleError):
    status_code = 422
    code = "invalid_task_data"


@dataclass(frozen=True)
class Goal:
    """One change the shopper wants, in the backend's terms."""

    operation: str
    arguments: dict[str, Any]

    @property
    def order_id(self) -> str | None:
        value = self.arguments.get("order_id")
        return str(value) if value else None


@dataclass
class Task:
    id: str
    identity: dict[str, str]
    goals: list[Goal]
    transfer: bool
    reads: list[str]
    instructions: dict[str, Any]


@dataclass
class TaskOutcome:
    id: str
    passed: bool
    violations: int
    transferred: bool
    expected_transfer: bool
    turns: int
    reason: str
    transcript: list[dict[str, Any]] = field(default_factory=list)
    typed: bool = True

    def as_dict(self, *, transcript: bool) -> dict[str, Any]:
        data = {
            "id": self.id,
            "passed": self.passed,
            "violations": self.violations,
            "transferred": self.transferred,
            "expected_transfer": self.expected_transfer,
            "turns": self.turns,
            "style": "typed" if self.typed else "clicked",
            "reason": self.reason,
        }
        if transcript:
            data["transcript"] = self.transcript
        return data


@dataclass
class TasksReport:
    data: str
    outcomes: list[TaskOutcome]
    seconds: float

    @property
    def passed(self) -> int:
        return sum(outcome.passed for outcome in self.outcomes)

    @property
    def violations(self) -> int:
        return sum(outcome.violations for outcome in self.outcomes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "data": self.data,
            "tasks": len(self.outcomes),
            "passed": self.passed,
            "pass_rate": round(self.passed / len(self.outcomes), 4) if self.outcomes else None,
            "policy_violations": self.violations,
            "transfers_expected": sum(o.expected_transfer for o in self.outcomes),
            "transfers_done": sum(o.transferred and o.expected_transfer for o in self.outcomes),
            "seconds": self.seconds,
            "failures": [o.as_dict(transcript=True) for o in self.outcomes if not o.passed],
            "results": [o.as_dict(transcript=False) for o in self.outcomes],
        }


# -- tasks -------------------------------------------------------------------------------------


def load_tasks(path: Path) -> list[Task]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TaskDataError(f"{path}: cannot read the tasks: {exc}") from exc
    if not isinstance(raw, list):
        raise TaskDataError(f"{path}: expected a list of tasks")
    tasks = []
    for entry in raw:
        try:
            actions = entry["evaluation_criteria"]["actions"] or []
            instructions = entry["user_scenario"]["instructions"]
        except (KeyError, TypeError) as exc:
            raise TaskDataError(f"{path}: task {entry.get('id')!r} lacks {exc}") from exc
        unknown = {a["name"] for a in actions} - READS - set(OPERATIONS) - {TRANSFER}
        if unknown:
            raise TaskDataError(f"task {entry['id']}: unknown actions {sorted(unknown)}")
        tasks.append(
            Task(
                id=str(entry["id"]),
                identity=_identity(actions, instructions),
                goals=[
                    Goal(OPERATIONS[a["name"]], dict(a["arguments"]))
                    for a in actions
                    if a["name"] in OPERATIONS
                ],
                transfer=any(a["name"] == TRANSFER for a in actions),
                reads=[
                    str(a["arguments"]["order_id"])
                    for a in actions
                    if a["name"] == "get_order_details"
                ],
                instructions=instructions,
            )
        )
    return tasks


_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


_NAME = re.compile(
    r"(?:You are|You're|Your? name is|I am)\s+"
    r"(?:(?P<first>[A-Z][a-z]+)\s+(?P<last>[A-Z][a-z]+)|(?P<user>[a-z]+_[a-z]+)_\d+)"
)


def _identity(actions: list[dict[str, Any]], instructions: dict[str, Any]) -> dict[str, str]:
    """What the shopper says to be recognised: the facts the task gives it."""
    # A shopper who first gets a fact wrong tries again with the next one it knows.
    attempts = [a["arguments"] for a in actions if a["name"] == "find_user_id_by_name_zip"]
    if attempts:
        first = attempts[0]
        identity = {"first_name": first["first_name"], "last_name": first["last_name"]}
        identity["zip"] = first["zip"]
        later = [f"{a['first_name']}|{a['last_name']}|{a['zip']}" for a in attempts[1:]]
        if later:
            identity["other_names"] = " ".join(later)
        return identity
    known = str(instructions.get("known_info") or "")
    emails = _EMAIL.findall(known)
    for action in actions:
        if action["name"] == "find_user_id_by_email":
            emails.insert(0, action["arguments"]["email"])
    if emails:
        return {"email": emails[0], "other_emails": " ".join(emails[1:])}
    name = _NAME.search(known)
    zip_code = re.search(r"\b\d{5}\b", known)
    if name and zip_code:
        first, last = (name["first"], name["last"]) if name["first"] else name["user"].split("_")
        return {"first_name": first.title(), "last_name": last.title(), "zip": zip_code.group()}
    return {}


# -- stores ------------------------------------------------------------------------------------


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
        path = self.workdir / f"{name}.db"
        shutil.copyfile(self.template, path)
        engine = make_engine(f"sqlite:///{path}")
        return make_session_factory(engine), engine


def apply_goal(sessions: sessionmaker[Session], goal: Goal, key: str) -> None:
    """Apply one expected change directly, as the reference end state."""
    backend = SqlOrderBackend(sessions)
    args = goal.arguments
    if goal.operation == "modify_customer_address":
        backend.modify_customer_address(_address(args), customer_id=str(args["user_id"]), key=key)
        return
    order_id = str(args["order_id"])
    owner = _owner(sessions, order_id)
    if goal.operation == "cancel_order":
        backend.cancel_order(order_id, str(args["reason"]), customer_id=owner, key=key)
    elif goal.operation == "modify_order_address":
        backend.modify_order_address(order_id, _address(args), customer_id=owner, key=key)
    elif goal.operation == "modify_order_payment":
        backend.modify_order_payment(
            order_id, str(args["payment_method_id"]), customer_id=owner, key=key
        )
    elif goal.operation in ("modify_order_items", "exchange_order_items"):
        change = (
            backend.modify_order_items
            if goal.operation == "modify_order_items"
            else backend.exchange_order_items
        )
        change(
            order_id,
            list(args["item_ids"]),
            list(args["new_item_ids"]),
            str(args["payment_method_id"]),
            customer_id=owner,
            key=key,
        )
    elif goal.operation == "return_order_items":
        backend.return_order_items(
            order_id,
            list(args["item_ids"]),
            str(args["payment_method_id"]),
            customer_id=owner,
            key=key,
        )


def _owner(sessions: sessionmaker[Session], order_id: str) -> str:
    with sessions() as session:
        order = session.get(Order, order_id)
        if order is None:
            raise TaskDataError(f"order {order_id} is not in the store")
        return order.customer_id


def _address(args: dict[str, Any]) -> AddressView:
    return AddressView(**{name: str(args.get(name) or "") for name in ADDRESS_FIELDS})


def snapshot(sessions: sessionmaker[Session]) -> dict[str, Any]:
    """The store's state that changes can touch, in a comparable form."""
    with sessions() as session:
        orders = {}
        for order in session.scalars(select(Order).order_by(Order.id)):
            orders[order.id] = {
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


def _write_signature(operation: str, arguments: dict[str, Any], order_id: str | None) -> str:
    args = dict(arguments)
    if "address" in args and isinstance(args["address"], dict):
        args.update(args.pop("address"))
    args.pop("user_id", None)
    args.pop("customer_id", None)
    if order_id is not None:
        args["order_id"] = order_id
    pairs = None
    if "item_ids" in args and "new_item_ids" in args:
        pairs = sorted(zip(args.pop("item_ids"), args.pop("new_item_ids"), strict=False))
    elif "item_ids" in args:
        args["item_ids"] = sorted(args["item_ids"])
    body = {k: str(v) if not isinstance(v, list) else v for k, v in sorted(args.items())}
    return json.dumps([operation, body, pairs], sort_keys=True)


def count_violations(goals: Sequence[Goal], changes: Sequence[dict[str, Any]]) -> int:
    """Writes the expected actions do not contain (as a multiset)."""
    expected = Counter(_write_signature(g.operation, g.arguments, g.order_id) for g in goals)
    violations = 0
    for change in changes:
        signature = _write_signature(change["operation"], change["arguments"], change["order_id"])
        if expected[signature] > 0:
            expected[signature] -= 1
        else:
            violations += 1
    return violations


# -- the scripted shopper ----------------------------------------------------------------------


class ScriptedShopper:
    """Answers what the assistant asks with the task's facts; clicks matching buttons."""

    def __init__(self, task: Task, sessions: sessionmaker[Session], *, typed: bool) -> None:
        self.task = task
        # The shopper's own knowledge of its orders: a copy of the store before the talk.
        self.sessions = sessions
        self.store = SqlOrderBackend(sessions)
        self.typed = typed

    def opening(self, goal: Goal | None) -> str:
        if goal is None:
            if self.task.transfer:
                return "I need help with something about my orders."
            order = self.task.reads[0] if self.task.reads else None
            return f"What's the status of my order {order}?" if order else "Where is my order?"
        order_id = goal.order_id or ""
        shown = order_id if self.typed else ""
        if goal.operation == "cancel_order":
            reason = f", I {goal.arguments['reason']}" if self.typed else ""
            return f"I want to cancel my order {shown}{reason}".replace(
                "I no longer", "it's no longer"
            ).strip()
        if goal.operation == "modify_order_address":
            return f"I need to change the shipping address of my order {shown}".strip()
        if goal.operation == "modify_order_payment":
            return f"I want to change the payment method of my order {shown}".strip()
        if goal.operation == "modify_customer_address":
            return "I'd like to update the default address on my account."
        verb = {
            "return_order_items": "return",
            "exchange_order_items": "exchange",
            "modify_order_items": "change some items in",
        }[goal.operation]
        if not self.typed:
            noun = "items from" if goal.operation != "modify_order_items" else ""
            return f"I want to {verb} {noun} an order".replace("  ", " ")
        items = self._item_phrases(goal)
        if goal.operation == "return_order_items":
            return f"I want to return {items} from order {order_id}"
        if goal.operation == "exchange_order_items":
            return f"I want to exchange {items} from order {order_id}"
        return f"I want to change {items} in my pending order {order_id}"

    def simple_opening(self, goal: Goal) -> str:
        typed, self.typed = self.typed, False
        try:
            text = self.opening(goal)
        finally:
            self.typed = typed
        return f"{text} {goal.order_id or ''}".strip()

    def _order_items(self, order_id: str) -> list[Any]:
        return list(
            self.store.get_order(order_id, customer_id=_owner(self.sessions, order_id)).items
        )

    def _item_phrases(self, goal: Goal) -> str:
        order_id = str(goal.order_id)
        items = self._order_items(order_id)
        counts = Counter(item.product_id for item in items)
        phrases = []
        new_ids = list(goal.arguments.get("new_item_ids") or [])
        for position, item_id in enumerate(goal.arguments.get("item_ids") or []):
            item = next(i for i in items if i.item_id == item_id)
            phrase = f"the {item.name}"
            if counts[item.product_id] > 1:
                phrase += f" ({_distinguishing(item, items)})"
            if position < len(new_ids):
                target = self._variant(item.product_id, new_ids[position])
                changed = {k: v for k, v in target.items() if item.options.get(k) != v}
                phrase += " for one with " + ", ".join(f"{k} {v}" for k, v in changed.items())
            phrases.append(phrase)
        return " and ".join(phrases)

    def _variant(self, product_id: str, item_id: str) -> dict[str, Any]:
        variant = self.store.get_product(product_id).variant(item_id)
        return dict(variant.options) if variant else {}

    def identity_text(self) -> str:
        identity = self.task.identity
        if "email" in identity:
            # A shopper with several addresses tries the next one when one is not found.
            emails = [identity["email"], *identity.get("other_emails", "").split()]
            self._identity_tries = getattr(self, "_identity_tries", -1) + 1
            return f"My email is {emails[self._identity_tries % len(emails)]}"
        if not identity:
            return "I'd rather not say."
        attempts = [f"{identity['first_name']}|{identity['last_name']}|{identity['zip']}"]
        attempts += identity.get("other_names", "").split()
        if len(attempts) > 1:
            self._identity_tries = getattr(self, "_identity_tries", -1) + 1
            first, last, zip_code = attempts[self._identity_tries % len(attempts)].split("|")
            return f"I'm {first} {last}, zip code {zip_code}"
        return f"I'm {identity['first_name']} {identity['last_name']}, zip code {identity['zip']}"

    def answer(
        self,
        goal: Goal | None,
        waiting: str | None,
        slots: dict[str, Any],
        buttons: list[dict[str, str]],
    ) -> str:
        if waiting == "customer_id":
            return self.identity_text()
        if goal is None:
            if waiting == "order_id" and self.task.reads:
                order_id = self.task.reads[0]
                return self._click(buttons, order_id) or f"It's order {order_id.lstrip('#')}"
            return "No, that's all."
        args = goal.arguments
        if waiting == "order_id":
            return (
                self._click(buttons, str(goal.order_id))
                or f"It's order {str(goal.order_id).lstrip('#')}"
            )
        if waiting == "cancel_reason":
            return self._click(buttons, str(args["reason"])) or str(args["reason"])
        if waiting == "item_ids":
            return self._answer_items(goal, slots, buttons)
        if waiting == "new_item_ids":
            return self._answer_new_item(goal, slots, buttons)
        if waiting == "payment_method_id":
            method = str(args["payment_method_id"])
            return self._click(buttons, method) or self._method_text(goal, method)
        if waiting == "address":
            address = _address(args)
            return address.one_line()
        if waiting == "confirmed":
            return "yes" if self._matches(goal, slots) else "no"
        return "Sorry, I'm not sure."

    def _click(self, buttons: list[dict[str, str]], value: str) -> str | None:
        if self.typed:
            return None
        for button in buttons:
            if f'"{value}"' in button["payload"] or f':{value}"' in button["payload"]:
                return button["payload"]
        return None

    def _answer_items(
        self, goal: Goal, slots: dict[str, Any], buttons: list[dict[str, str]]
    ) -> str:
        order_items = self._order_items(str(goal.order_id))
        wanted = Counter(goal.arguments["item_ids"])
        selection = slots.get("selection") or {}
        positions = selection.get("positions") or [] if isinstance(selection, dict) else []
        chosen = Counter(order_items[i].item_id for i in positions)
        missing = wanted - chosen
        if not missing:
            done = next((b["payload"] for b in buttons if "items_done" in b["payload"]), None)
            return done if done and not self.typed else "That's all."
        if not self.typed:
            picked = {int(i) for i in positions}
            for position, item in enumerate(order_items):
                if item.item_id in missing and position not in picked:
                    payload = f'/inform{{"item_pick":"{position}"}}'
                    if any(b["payload"] == payload for b in buttons):
                        return payload
        item = next(i for i in order_items if i.item_id in missing)
        counts = Counter(i.product_id for i in order_items)
        if counts[item.product_id] > 1:
            return f"the {item.name} ({_distinguishing(item, order_items)})"
        return f"the {item.name}"

    def _answer_new_item(
        self, goal: Goal, slots: dict[str, Any], buttons: list[dict[str, str]]
    ) -> str:
        item_ids = list(slots.get("item_ids") or [])
        stored = slots.get("replacements") or {}
        replacements = dict(stored.get("picked") or {}) if isinstance(stored, dict) else {}
        wanted = dict(zip(goal.arguments["item_ids"], goal.arguments["new_item_ids"], strict=False))
        for position, item_id in enumerate(item_ids):
            if str(position) in replacements:
                continue
            target = wanted.get(item_id)
            if target is None:
                return "Never mind that one."
            clicked = self._click(buttons, target)
            if clicked:
                return clicked
            item = next(i for i in self._order_items(str(goal.order_id)) if i.item_id == item_id)
            options = self._variant(item.product_id, target)
            changed = {k: v for k, v in options.items() if item.options.get(k) != v}
            return "I'd like " + ", ".join(f"{k} {v}" for k, v in changed.items())
        return "That's all."

    def _method_text(self, goal: Goal, method_id: str) -> str:
        if method_id.startswith("gift_card"):
            return "my gift card"
        if method_id.startswith("paypal"):
            return "PayPal please"
        order_id = goal.order_id
        owner = _owner(self.sessions, order_id) if order_id else str(goal.arguments.get("user_id"))
        method = self.store.get_customer(owner).payment_method(method_id)
        ending = f" ending in {method.last_four}" if method and method.last_four else ""
        return f"the credit card{ending}"

    def _matches(self, goal: Goal, slots: dict[str, Any]) -> bool:
        args = goal.arguments
        if goal.order_id and slots.get("order_id") != goal.order_id:
            return False
        if "reason" in args and slots.get("cancel_reason") != args["reason"]:
            return False
        if (
            "payment_method_id" in args
            and slots.get("payment_method_id") != args["payment_method_id"]
        ):
            return False
        if "address1" in args:
            proposed = slots.get("address") or {}
            if any(str(proposed.get(k) or "") != str(args.get(k) or "") for k in ADDRESS_FIELDS):
                return False
        if "item_ids" in args:
            proposed_items = list(slots.get("item_ids") or [])
            if "new_item_ids" in args:
                pairs = sorted(zip(proposed_items, slots.get("new_item_ids") or [], strict=False))
                return pairs == sorted(zip(args["item_ids"], args["new_item_ids"], strict=False))
            return sorted(proposed_items) == sorted(args["item_ids"])
        return True


def _distinguishing(item: Any, items: Sequence[Any]) -> str:
    """The option values that tell this item from the order's others of the same product."""
    others = [i for i in items if i.product_id == item.product_id and i.item_id != item.item_id]
    values = [
        f"{name} {value}"
        for name, value in item.options.items()
        if any(other.options.get(name) != value for other in others)
    ]
    return ", ".join(values) or "either one"


# -- running -----------------------------------------------------------------------------------


async def run_conversation(
    engine: DialogueEngine, shopper: ScriptedShopper, task: Task
) -> tuple[DialogueTracker, list[dict[str, Any]], str]:
    tracker = engine.new_tracker(f"task-{task.id}")
    transcript: list[dict[str, Any]] = []
    problem = ""

    async def say(text: str) -> list[dict[str, str]]:
        transcript.append({"shopper": text})
        result = await engine.handle(tracker, text)
        buttons: list[dict[str, str]] = []
        for message in result.messages:
            data = message.as_data()
            transcript.append(
                {
                    "assistant": data.get("text"),
                    "buttons": [b["title"] for b in data.get("buttons") or []],
                }
            )
            buttons.extend(data.get("buttons") or [])
        return buttons

    goals: list[Goal | None] = list(task.goals) or [None]
    if task.transfer:
        goals = []
    for goal in goals:
        buttons = await say(shopper.opening(goal))
        if goal is not None and not tracker.stack and not tracker.paused:
            # Not understood: say it again more simply, as a person would.
            buttons = await say(shopper.simple_opening(goal))
        for _ in range(MAX_TURNS_PER_GOAL):
            if tracker.paused or not tracker.stack:
                break
            waiting = tracker.active.waiting if tracker.active else None
            if waiting is None or (goal is None and waiting != "customer_id" and not task.reads):
                break  # nothing left to say: the shopper leaves
            buttons = await say(shopper.answer(goal, waiting, tracker.slots, buttons))
        else:
            problem = f"no progress on {goal.operation if goal else 'the request'}"
            break
        if tracker.paused:
            break
    if task.transfer and not tracker.paused:
        buttons = await say(shopper.opening(None))
        for _ in range(3):
            waiting = tracker.active.waiting if tracker.active else None
            if waiting != "customer_id":
                break
            buttons = await say(shopper.identity_text())
        await say("I want to talk to a human agent.")
    return tracker, transcript, problem


def evaluate_tasks(
    settings: Settings,
    *,
    data_path: Path | None = None,
    parser: Parser | None = None,
    only: set[str] | None = None,
) -> TasksReport:
    started = time.perf_counter()
    path = (data_path if data_path is not None else settings.path(DEFAULT_DATA)).resolve()
    tasks = [t for t in load_tasks(path) if only is None or t.id in only]
    if parser is None:
        from assistant.engine.embeddings import CachingEmbedder, embedder_from_settings
        from assistant.engine.nlu.model import train_from_settings

        parser = train_from_settings(settings, CachingEmbedder(embedder_from_settings(settings)))
    domain = load_domain(settings.path(settings.dialogue.domain))
    flows = load_flows(settings.path(settings.dialogue.flows))
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="aisle-tasks-") as workdir:
        copies = StoreCopies(settings.path(settings.store.seed_path), Path(workdir))
        for index, task in enumerate(tasks):
            outcomes.append(
                asyncio.run(
                    _run_task(settings, copies, task, parser, domain, flows, typed=index % 2 == 0)
                )
            )
    return TasksReport(
        data=str(path), outcomes=outcomes, seconds=round(time.perf_counter() - started, 1)
    )


async def _run_task(
    settings: Settings,
    copies: StoreCopies,
    task: Task,
    parser: Parser,
    domain: Any,
    flows: Any,
    *,
    typed: bool,
) -> TaskOutcome:
    expected_sessions, expected_engine = copies.copy(f"{task.id}-expected")
    actual_sessions, actual_engine = copies.copy(f"{task.id}-actual")
    pristine_sessions, pristine_engine = copies.copy(f"{task.id}-shopper")
    try:
        # As in τ²-bench, an expected action the policy refuses changes nothing; the shopper
        # does not pursue it (the assistant would refuse it as the backend did).
        refused: list[str] = []
        goals: list[Goal] = []
        for number, goal in enumerate(task.goals):
            try:
                apply_goal(expected_sessions, goal, key=f"expected-{task.id}-{number}")
                goals.append(goal)
            except OrderPolicyError as exc:
                refused.append(f"expected {goal.operation} is refused by the policy: {exc}")
        task = replace(task, goals=goals)
        actual = SqlOrderBackend(actual_sessions)
        from assistant.server.components import build_shopping

        shopping = build_shopping(settings, actual_sessions, actual)
        runner = InProcessActionRunner(
            settings.dialogue.actions_package, services={"orders": actual, "shopping": shopping}
        )
        engine = DialogueEngine(
            parser=parser,
            domain=domain,
            flows=flows,
            runner=runner,
            assistant_name=settings.assistant.name,
        )
        shopper = ScriptedShopper(task, pristine_sessions, typed=typed)
        tracker, transcript, problem = await run_conversation(engine, shopper, task)
        diff = differences(snapshot(expected_sessions), snapshot(actual_sessions))
        violations = count_violations(task.goals, actual.changes())
        transferred = tracker.paused
        reasons = [*refused, problem] if problem else list(refused)
        reasons += diff[:5]
        if task.transfer and not transferred:
            reasons.append("expected a transfer to a person")
        passed = not diff and (transferred or not task.transfer) and violations == 0
        return TaskOutcome(
            id=task.id,
            passed=passed,
            violations=violations,
            transferred=transferred,
            expected_transfer=task.transfer,
            turns=sum(1 for line in transcript if "shopper" in line),
            reason="; ".join(reasons),
            transcript=transcript,
            typed=typed,
        )
    finally:
        for engine_ in (expected_engine, actual_engine, pristine_engine):
            engine_.dispose()
