"""The order tasks' outcomes and report: one outcome per task and shopper, and the figures
per shopper (`assistant eval tasks --json`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class TaskOutcome:
    id: str
    shopper: str
    passed: bool
    violations: int
    transferred: bool
    expected_transfer: bool
    turns: int
    reason: str
    # Nothing to write: the task passes on the conversation alone.
    no_op: bool = False
    # τ²-bench's communicate_info: None when the task states no facts.
    facts_told: bool | None = None
    transcript: list[dict[str, Any]] = field(default_factory=list)
    typed: bool = True

    def as_dict(self, *, transcript: bool) -> dict[str, Any]:
        data = {
            "id": self.id,
            "shopper": self.shopper,
            "passed": self.passed,
            "violations": self.violations,
            "transferred": self.transferred,
            "expected_transfer": self.expected_transfer,
            "no_op": self.no_op,
            "facts_told": self.facts_told,
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

    def shoppers(self) -> list[str]:
        return list(dict.fromkeys(o.shopper for o in self.outcomes))

    def figures(self, shopper: str) -> dict[str, Any]:
        mine = [o for o in self.outcomes if o.shopper == shopper]
        passed = sum(o.passed for o in mine)
        with_facts = [o for o in mine if o.facts_told is not None]
        return {
            "tasks": len(mine),
            "passed": passed,
            "pass_rate": round(passed / len(mine), 4) if mine else None,
            "policy_violations": sum(o.violations for o in mine),
            "transfers_expected": sum(o.expected_transfer for o in mine),
            "transfers_done": sum(o.transferred and o.expected_transfer for o in mine),
            "passed_with_nothing_to_write": sum(o.passed and o.no_op for o in mine),
            "tasks_with_nothing_to_write": sum(o.no_op for o in mine),
            "tasks_with_facts": len(with_facts),
            "facts_told": sum(bool(o.facts_told) for o in with_facts),
            "failed_ids": [o.id for o in mine if not o.passed],
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "data": self.data,
            "seconds": self.seconds,
            "shoppers": {name: self.figures(name) for name in self.shoppers()},
            "failures": [o.as_dict(transcript=True) for o in self.outcomes if not o.passed],
            "results": [o.as_dict(transcript=False) for o in self.outcomes],
        }
