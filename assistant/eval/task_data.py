"""The τ²-bench retail tasks as read from their file: who the shopper is, what it says it wants.

`Task.instructions` is the scenario text a shopper speaks from; `Task.goals`, `transfer` and
`facts` come from the expected actions and `communicate_info`, which only the judge and the
goal-scripted shopper read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from actions.order_apply import KINDS
from assistant.eval.store_copies import Goal, TaskDataError

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
# The flow that makes each operation: the actions' own map, read backwards.
FLOWS = {kind: flow for flow, kind in KINDS.items()}
MAX_TURNS_PER_GOAL = 14


@dataclass
class Task:
    id: str
    identity: dict[str, str]
    goals: list[Goal]
    transfer: bool
    reads: list[str]
    instructions: dict[str, Any]
    # τ²-bench's communicate_info: facts the assistant should tell the shopper.
    facts: list[str] = field(default_factory=list)


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
                facts=[str(f) for f in entry["evaluation_criteria"].get("communicate_info") or []],
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
