"""The search eval's scores and report: one answer per system and case, and the figures
`assistant eval search --json` prints.

Scores per case, over sets of item ids (E expected, G got):
- exact: E == G.
- precision |E∩G|/|G| and recall |E∩G|/|E|; both 1 when E and G are both empty (nothing
  expected, nothing found), both 0 when exactly one of them is empty (an empty answer to a
  search that has results, or results where nothing should match, is wholly wrong).
- No search at all (the slot is empty: the message was not read as a search) is no set: not
  exact, precision and recall 0, even where nothing should match, since a case expecting
  nothing asks for a search that finds nothing, not for a message left unread.
The figures are means over cases, overall and per category.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.eval.search_cases import CATEGORIES, SearchCase

SYSTEMS = ("aisle", "core", "stateless")


def set_scores(expected: frozenset[str], got: frozenset[str]) -> tuple[float, float]:
    """(precision, recall) of one case; the empty-set cases as the module docstring says."""
    if not expected and not got:
        return 1.0, 1.0
    if not expected or not got:
        return 0.0, 0.0
    common = len(expected & got)
    return common / len(got), common / len(expected)


@dataclass(frozen=True)
class Answer:
    """One system's set for one case; None: no search at all."""

    items: frozenset[str] | None
    terms: dict[str, Any] | None = None
    # Whether the last reply is the one the case expects; None: not checked.
    reply_ok: bool | None = None

    def scores(self, expected: frozenset[str]) -> dict[str, float]:
        # A follow-up that keeps the search but ignores what was asked of it is wrong.
        if self.items is None or self.reply_ok is False:
            return {"exact": 0.0, "precision": 0.0, "recall": 0.0}
        precision, recall = set_scores(expected, self.items)
        return {"exact": float(self.items == expected), "precision": precision, "recall": recall}

    @property
    def size(self) -> int | None:
        return None if self.items is None else len(self.items)


@dataclass
class CaseResult:
    case: SearchCase
    expected: frozenset[str]
    answers: dict[str, Answer]
    transcript: list[dict[str, Any]]

    def scores(self, system: str) -> dict[str, float]:
        return self.answers[system].scores(self.expected)

    @property
    def exact(self) -> bool:
        return self.scores("aisle")["exact"] == 1.0


def _means(results: Sequence[CaseResult], system: str) -> dict[str, float | None]:
    if not results:
        return {"exact": None, "precision": None, "recall": None}
    scores = [r.scores(system) for r in results]
    return {name: round(sum(s[name] for s in scores) / len(scores), 4) for name in scores[0]}


@dataclass
class SearchReport:
    cases_file: str
    results: list[CaseResult]
    seconds: float
    # Typed turns (not button payloads), and those found word for word in nlu_data/.
    typed_turns: int = 0
    typed_in_training: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        categories = [c for c in CATEGORIES if any(r.case.category == c for r in self.results)]
        checked = [r for r in self.results if r.case.expect_reply is not None]
        return {
            "cases_file": self.cases_file,
            "cases": len(self.results),
            "exact": sum(r.exact for r in self.results),
            "seconds": self.seconds,
            "typed_turns": self.typed_turns,
            "typed_turns_in_nlu_data": len(self.typed_in_training),
            "turns_in_nlu_data": sorted(set(self.typed_in_training)),
            "replies": {
                "checked": len(checked),
                "right": sum(r.answers["aisle"].reply_ok is True for r in checked),
                # Exactly right on the search slot alone, as cases were scored before replies
                # were checked: the difference is follow-ups that kept the search but did not
                # do what was asked.
                "set_only_exact": sum(r.answers["aisle"].items == r.expected for r in checked),
                "exact": sum(r.exact for r in checked),
            },
            "systems": {system: _means(self.results, system) for system in SYSTEMS},
            "categories": {
                category: {
                    "cases": sum(r.case.category == category for r in self.results),
                    **{
                        system: _means(
                            [r for r in self.results if r.case.category == category], system
                        )
                        for system in SYSTEMS
                    },
                }
                for category in categories
            },
            "failures": [_failure(r) for r in self.results if not r.exact],
            "results": [
                {
                    "id": r.case.id,
                    "category": r.case.category,
                    "expected_size": len(r.expected),
                    "got_size": r.answers["aisle"].size,
                    "expect_reply": r.case.expect_reply,
                    "reply_ok": r.answers["aisle"].reply_ok,
                    **r.scores("aisle"),
                    "core_exact": r.scores("core")["exact"],
                    "stateless_exact": r.scores("stateless")["exact"],
                }
                for r in self.results
            ],
        }


def _failure(result: CaseResult) -> dict[str, Any]:
    got = result.answers["aisle"]
    return {
        "id": result.case.id,
        "category": result.case.category,
        "expect": result.case.expect.as_dict(),
        "expected_size": len(result.expected),
        "got_size": got.size,
        "got_terms": got.terms,
        "expect_reply": result.case.expect_reply,
        "reply_ok": got.reply_ok,
        "missing": len(result.expected - (got.items or frozenset())),
        "extra": len(got.items - result.expected) if got.items is not None else None,
        # Right when every turn goes to the search: the NLU or the flows lost it.
        "core_exact": result.scores("core")["exact"] == 1.0,
        "transcript": result.transcript,
    }
