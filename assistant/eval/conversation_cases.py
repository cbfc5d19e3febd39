"""The conversations suite's cases: reading and checking the YAML files.

One file per category (`assistant/eval/data/conversations/*.yml`):

    category: digressions
    description: One line on what the category tests.
    conversations:
      - id: digressions-01
        persona: "Priya, shopping on her phone, impatient"
        turns:
          - say: "where is my order??"
            expect:
              - does: ask_sign_in
          - click: "email"            # the offered button whose title has these words
        end:
          - order: "#W1234567"
            status: cancelled         # or: unchanged

A malformed conversation is left out and named in the suite's `problems`, so one slip does
not hide the figures of the others; a file that cannot be read at all is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import AisleError
from assistant.eval.judge import BEHAVIOURS, Check

PHRASE_CHECKS = ("mentions", "mentions_any", "avoids")
BEHAVIOUR_CHECKS = ("does", "does_not")
UNCHANGED = "unchanged"


class ConversationCaseError(AisleError):
    """The conversation cases are missing or cannot be read."""

    status_code = 422
    code = "invalid_conversation_cases"


@dataclass(frozen=True)
class CaseTurn:
    """What the shopper does (types `say`, or clicks the button titled like `click`) and
    what the reply must do."""

    say: str | None = None
    click: str | None = None
    expect: tuple[Check, ...] = ()

    @property
    def words(self) -> str:
        return self.say if self.say is not None else f"[clicks {self.click!r}]"


@dataclass(frozen=True)
class EndCheck:
    """An order's state after the conversation: a status, or `unchanged`."""

    order: str
    status: str

    def describe(self) -> str:
        return f"order {self.order}: {self.status}"


@dataclass(frozen=True)
class Conversation:
    id: str
    category: str
    persona: str
    turns: tuple[CaseTurn, ...]
    end: tuple[EndCheck, ...] = ()


@dataclass
class Suite:
    directory: Path
    conversations: list[Conversation] = field(default_factory=list)
    descriptions: dict[str, str] = field(default_factory=dict)
    # "file: id: what is wrong" for each conversation left out.
    problems: list[str] = field(default_factory=list)

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(c.category for c in self.conversations))


def load_suite(directory: Path, *, category: str | None = None) -> Suite:
    """Every conversation of every `*.yml` file in `directory` (or of one category)."""
    files = sorted(directory.glob("*.yml")) + sorted(directory.glob("*.yaml"))
    if not files:
        raise ConversationCaseError(f"{directory}: no conversation files (*.yml)")
    suite = Suite(directory=directory)
    seen: set[str] = set()
    for path in files:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ConversationCaseError(f"{path}: cannot read: {exc}") from exc
        if not isinstance(raw, dict) or not isinstance(raw.get("conversations"), list):
            raise ConversationCaseError(f"{path}: expected `category` and a `conversations` list")
        name = str(raw.get("category") or path.stem)
        if category is not None and name != category:
            continue
        suite.descriptions[name] = str(raw.get("description") or "")
        for number, entry in enumerate(raw["conversations"], 1):
            ident = entry.get("id") if isinstance(entry, dict) else None
            where = f"{path.name}: {ident or f'conversation {number}'}"
            try:
                conversation = _conversation(entry, name)
            except ValueError as exc:
                suite.problems.append(f"{where}: {exc}")
                continue
            if conversation.id in seen:
                suite.problems.append(f"{where}: the id is used twice")
                continue
            seen.add(conversation.id)
            suite.conversations.append(conversation)
    if category is not None and category not in suite.descriptions:
        raise ConversationCaseError(f"{directory}: no category {category!r}")
    return suite


def _conversation(entry: Any, category: str) -> Conversation:
    if not isinstance(entry, dict):
        raise ValueError("a conversation is a mapping")
    unknown = set(entry) - {"id", "persona", "turns", "end"}
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    if not entry.get("id"):
        raise ValueError("no id")
    turns = entry.get("turns")
    if not isinstance(turns, list) or not turns:
        raise ValueError("no turns")
    return Conversation(
        id=str(entry["id"]),
        category=category,
        persona=str(entry.get("persona") or ""),
        turns=tuple(_turn(turn, number) for number, turn in enumerate(turns, 1)),
        end=tuple(_end(check) for check in entry.get("end") or ()),
    )


def _turn(raw: Any, number: int) -> CaseTurn:
    if not isinstance(raw, dict):
        raise ValueError(f"turn {number} is not a mapping")
    unknown = set(raw) - {"say", "click", "expect"}
    if unknown:
        raise ValueError(f"turn {number}: unknown keys {sorted(unknown)}")
    said, click = raw.get("say"), raw.get("click")
    if (said is None) == (click is None):
        raise ValueError(f"turn {number}: needs exactly one of `say` and `click`")
    text = str(said if said is not None else click).strip()
    if not text:
        raise ValueError(f"turn {number}: nothing to say or click")
    expect = raw.get("expect") or []
    if not isinstance(expect, list):
        raise ValueError(f"turn {number}: `expect` is a list of checks")
    checks = tuple(_check(check, number) for check in expect)
    return CaseTurn(
        say=text if said is not None else None,
        click=text if click is not None else None,
        expect=checks,
    )


def _check(raw: Any, number: int) -> Check:
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ValueError(f"turn {number}: each check is a mapping with one key, not {raw!r}")
    ((kind, value),) = raw.items()
    if kind in PHRASE_CHECKS:
        phrases = [value] if isinstance(value, str) else value
        if (
            not isinstance(phrases, list)
            or not phrases
            or not all(isinstance(p, str | int | float) and str(p).strip() for p in phrases)
        ):
            raise ValueError(f"turn {number}: `{kind}` takes a list of phrases")
        return Check(kind, [str(p) for p in phrases])
    if kind in BEHAVIOUR_CHECKS:
        if value not in BEHAVIOURS:
            raise ValueError(f"turn {number}: unknown behaviour {value!r}")
        return Check(kind, str(value))
    raise ValueError(f"turn {number}: unknown check {kind!r}")


def _end(raw: Any) -> EndCheck:
    if not isinstance(raw, dict) or set(raw) != {"order", "status"}:
        raise ValueError(f"an end check has `order` and `status`, not {raw!r}")
    order = str(raw["order"]).strip()
    return EndCheck(
        order=order if order.startswith("#") else f"#{order}",
        status=str(raw["status"]).strip().lower(),
    )
