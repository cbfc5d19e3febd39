"""The conversations suite's results: what failed where, pass rates per category and system,
and the end checks on the store after a conversation."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.eval.conversation_cases import UNCHANGED, Conversation, Suite
from assistant.eval.judge import normalise

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


@dataclass(frozen=True)
class Failure:
    """A check that did not hold: on turn `turn` (1-based), or at the end (None)."""

    turn: int | None
    check: str
    why: str

    def as_dict(self) -> dict[str, Any]:
        return {"turn": self.turn, "check": self.check, "why": self.why}


@dataclass
class Outcome:
    conversation: Conversation
    failures: list[Failure] = field(default_factory=list)
    transcript: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def as_dict(self, *, transcript: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.conversation.id,
            "category": self.conversation.category,
            "persona": self.conversation.persona,
            "passed": self.passed,
            "failures": [f.as_dict() for f in self.failures],
        }
        if transcript:
            data["transcript"] = self.transcript
        return data


def rates(outcomes: list[Outcome]) -> dict[str, Any]:
    passed = sum(o.passed for o in outcomes)
    total = len(outcomes)
    return {
        "passed": passed,
        "conversations": total,
        "pass_rate": round(passed / total, 4) if total else None,
    }


def check_name(failure: Failure) -> str:
    """The kind of check that failed, for counting: "does: ask_sign_in", "mentions", "end:
    order status", "click"."""
    if failure.turn is None:
        return "end: order state"
    kind = failure.check.partition(": ")[0]
    return failure.check if kind in ("does", "does_not", "auto") else kind


@dataclass
class ConversationsReport:
    suite: Suite
    runs: dict[str, list[Outcome]]
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        categories = self.suite.categories
        systems: dict[str, Any] = {}
        for system, outcomes in self.runs.items():
            systems[system] = {
                "all": rates(outcomes),
                "categories": {
                    c: rates([o for o in outcomes if o.conversation.category == c])
                    for c in categories
                },
                "failed_checks": dict(
                    Counter(check_name(f) for o in outcomes for f in o.failures).most_common()
                ),
            }
        return {
            "data": str(self.suite.directory),
            "conversations": len(self.suite.conversations),
            "turns": sum(len(c.turns) for c in self.suite.conversations),
            "categories": {c: self.suite.descriptions.get(c, "") for c in categories},
            "systems": systems,
            "problems": self.suite.problems,
            "seconds": self.seconds,
            "failures": {
                system: [o.as_dict(transcript=True) for o in outcomes if not o.passed]
                for system, outcomes in self.runs.items()
            },
        }


def order_states(sessions: sessionmaker[Session], ids: list[str]) -> dict[str, Any]:
    """What a conversation can change about these orders, comparable; a missing id is left
    out."""
    from assistant.eval.store_copies import order_state
    from assistant.persistence.models.store import Order

    states = {}
    with sessions() as session:
        for order_id in ids:
            order = session.get(Order, order_id)
            if order is not None:
                states[order_id] = order_state(order)
    return states


def end_failures(
    conversation: Conversation, before: dict[str, Any], after: dict[str, Any]
) -> list[Failure]:
    failures = []
    for check in conversation.end:
        state = after.get(check.order)
        if state is None:
            failures.append(Failure(None, check.describe(), "the store has no such order"))
        elif check.status == UNCHANGED:
            if state != before.get(check.order):
                failures.append(
                    Failure(None, check.describe(), f"it changed (now {state['status']})")
                )
        elif normalise(str(state["status"])) != normalise(check.status):
            failures.append(Failure(None, check.describe(), f"its status is {state['status']}"))
    return failures
