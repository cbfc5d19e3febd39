"""The judge of the order tasks: the only reader of their expected actions.

The store after the conversation is compared with a second copy on which the expected actions
were applied directly through the backend (`store_copies.differences`); every write they do
not contain is a policy violation (`count_violations`); a task with nothing to write passes
only if the shopper's request was answered or refused with the policy's reason (or handed to
a person when that is expected); τ²-bench's `communicate_info` facts are checked in the
assistant's replies (`facts_told`). `judge` gives the verdict and its reasons.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from assistant.eval.store_copies import Goal
from assistant.eval.task_data import Task

# A request answered by refusing it, with the policy's reason, or by showing the order.
REFUSED = re.compile(
    r"i can only \w+|couldn't make that change: |can't (be )?(cancel|change|return|exchange)|"
    r"haven't changed anything|none of your [\w ]+ can be used|can't use that payment method"
)


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


def facts_told(facts: Sequence[str], transcript: Sequence[dict[str, Any]]) -> bool:
    """Whether every stated fact appears in what the assistant said (numbers without $ or ,)."""
    said = " ".join(str(line.get("assistant") or "") for line in transcript)
    said += " " + " ".join(json.dumps(line.get("cards") or []) for line in transcript)
    plain = said.lower().replace(",", "").replace("$", "")
    return all(str(fact).lower().replace(",", "").replace("$", "") in plain for fact in facts)


def request_settled(transcript: Sequence[dict[str, Any]]) -> bool:
    """The assistant answered the request (an order shown) or refused it with its reason."""
    for line in transcript:
        if any(card.get("type") == "order_summary" for card in line.get("cards") or []):
            return True
        if REFUSED.search(str(line.get("assistant") or "").lower()):
            return True
    return False


def judge(
    task: Task,
    *,
    diff: list[str],
    violations: int,
    transferred: bool,
    transcript: Sequence[dict[str, Any]],
) -> tuple[bool, list[str], bool | None]:
    """(passed, why not, facts told) for one conversation, from the expected actions."""
    reasons = list(diff[:5])
    told = facts_told(task.facts, transcript) if task.facts else None
    if task.transfer and not transferred:
        reasons.append("expected a transfer to a person")
    if not task.goals and not task.transfer:
        settled = bool(told) if task.facts else request_settled(transcript)
        if not settled:
            reasons.append("nothing to write, and the request was neither answered nor refused")
    if violations:
        reasons.append(f"{violations} write(s) the expected actions do not contain")
    return not reasons, reasons, told
