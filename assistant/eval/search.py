"""`assistant eval search`: conversational product search, case by case, against sets
worked out independently from the demo catalog.

The case files and the reference filter are `search_cases.py`. Two packaged files are scored,
each on its own and printed side by side: `search_cases.yml`, written alongside the search,
and `search_cases_shoppers.yml`, written from the catalog and shoppers' own words. For each
file the run also counts how many of its typed turns appear word for word in `nlu_data/` (an
honesty figure: a turn the NLU was trained on says little about reading new shoppers).

Every case is a fresh conversation with the real dialogue engine (trained NLU, flows,
actions) on one seeded temporary SQLite copy of the demo store, with no language model and no
store documents (a message routed to the knowledge base gets the out-of-scope reply). The
assistant's set is every item matching the terms the `search` slot holds after the last turn
(the catalog search's `results`): what the shopper's search now is, not only the first page.
A case with `expect_reply` also needs its last reply to be that reply, about items the
conversation showed earlier: a comparison table of at least two of them, one item's details,
or one of them added to the cart; otherwise the case scores 0, whatever the slot holds.
The baseline, in the same run, reads the last turn alone with no conversation state
(`SearchSession.turn(last, None)`): what a stateless search box would do with the same words.
A third reading, `core`, tells the NLU's part from the search's: every turn goes straight to
`SearchSession.turn` with the state carried, as if each were routed to the search (a clicked
button as its payload says); where `core` is right and the assistant is not, the message was
routed elsewhere (out of scope, another flow). Neither of these two writes replies, so they
are scored on the set only.

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

import asyncio
import re
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.eval.search_cases import (
    CASE_FILES,
    CATEGORIES,
    DEFAULT_CASES,
    REPLIES,
    CatalogVariant,
    Expectation,
    SearchCase,
    SearchCaseError,
    expected_items,
    load_cases,
    load_catalog,
    packaged_cases,
    reply_shown,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from assistant.config import Settings
    from assistant.engine.embeddings import Embedder
    from assistant.engine.manager import DialogueEngine, Parser
    from assistant.search.service import Shopping
    from assistant.search.session import SearchSession

__all__ = [
    "CASE_FILES",
    "CATEGORIES",
    "DEFAULT_CASES",
    "REPLIES",
    "Answer",
    "CaseResult",
    "CatalogVariant",
    "Expectation",
    "SearchCase",
    "SearchCaseError",
    "SearchReport",
    "evaluate_search",
    "evaluate_search_files",
    "expected_items",
    "load_cases",
    "load_catalog",
    "reply_shown",
    "set_scores",
]

SYSTEMS = ("aisle", "core", "stateless")

# -- scoring -------------------------------------------------------------------------------------


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


# -- running -------------------------------------------------------------------------------------


def evaluate_search(
    settings: Settings,
    *,
    cases_path: Path | None = None,
    parser: Parser | None = None,
    only: set[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> SearchReport:
    """One case file (default: the packaged `search_cases.yml`); see `evaluate_search_files`."""
    name = "cases" if cases_path is not None else "search_cases"
    path = cases_path if cases_path is not None else packaged_cases(CASE_FILES["search_cases"])
    reports = evaluate_search_files(
        settings, {name: path}, parser=parser, only=only, progress=progress
    )
    return reports[name]


def evaluate_search_files(
    settings: Settings,
    files: Mapping[str, Path] | None = None,
    *,
    parser: Parser | None = None,
    only: set[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, SearchReport]:
    """Every case of every file (default: the packaged files of CASE_FILES; only the cases in
    `only`, if given) through the engine, the search session alone and the stateless
    baseline, each file scored on its own; the NLU is trained from `nlu_data/` once unless a
    `parser` is given."""
    from assistant.engine.embeddings import CachingEmbedder, embedder_from_settings
    from assistant.engine.nlu.training_data import load_training_data

    started = time.perf_counter()
    catalog = load_catalog(settings.path(settings.store.seed_path))
    if files is None:
        files = {name: packaged_cases(filename) for name, filename in CASE_FILES.items()}
    loaded = {
        name: [c for c in load_cases(path, catalog) if only is None or c.id in only]
        for name, path in files.items()
    }
    training = load_training_data(settings.path(settings.nlu.training_data))
    trained = {_plain(example.text) for example in training.examples}
    embedder = CachingEmbedder(embedder_from_settings(settings))
    if parser is None:
        from assistant.engine.nlu.model import train_from_settings

        if progress:
            progress("training the NLU model")
        parser = train_from_settings(settings, embedder)
    reports: dict[str, SearchReport] = {}
    with tempfile.TemporaryDirectory(prefix="aisle-search-") as workdir:
        engine, session, _, _, dispose = demo_engine(settings, parser, embedder, Path(workdir))
        try:
            for name, cases in loaded.items():
                results = _run_cases(engine, session, name, cases, catalog, progress)
                typed = [turn for case in cases for turn in case.turns if not turn.startswith("/")]
                reports[name] = SearchReport(
                    cases_file=_shown_path(files[name]),
                    results=results,
                    seconds=round(time.perf_counter() - started, 1),
                    typed_turns=len(typed),
                    typed_in_training=[turn for turn in typed if _plain(turn) in trained],
                )
                started = time.perf_counter()
        finally:
            dispose()
    return reports


def _plain(text: str) -> str:
    """Case, spacing and end punctuation aside, the words as typed."""
    return re.sub(r"\s+", " ", text.lower()).strip(" .!?")


def _shown_path(path: Path) -> str:
    packaged = packaged_cases("")
    return f"assistant/eval/data/{path.name}" if path.parent == packaged else str(path)


def demo_engine(
    settings: Settings, parser: Parser, embedder: Embedder, workdir: Path
) -> tuple[DialogueEngine, SearchSession, Shopping, sessionmaker[Session], Callable[[], None]]:
    """The dialogue engine on a seeded copy of the demo store, its catalog search, the
    shopping services, the copy's sessions, and what releases the copy."""
    from assistant.backends.sql_orders import SqlOrderBackend
    from assistant.engine.domain import load_domain
    from assistant.engine.executor import InProcessActionRunner
    from assistant.engine.flows import load_flows
    from assistant.engine.manager import DialogueEngine
    from assistant.eval.tasks import StoreCopies
    from assistant.knowledge.index import KnowledgeIndex
    from assistant.knowledge.service import Knowledge
    from assistant.services import ActionServices, build_shopping

    copies = StoreCopies(settings.path(settings.store.seed_path), workdir)
    sessions, db_engine = copies.copy("search")
    orders = SqlOrderBackend(sessions)
    shopping = build_shopping(settings, sessions, orders, embedder=embedder)
    # No documents: the search is measured, not the answers to store questions.
    knowledge = Knowledge(KnowledgeIndex(None, embedder), embedder)
    services = ActionServices(orders, knowledge, shopping)
    engine = DialogueEngine(
        parser=parser,
        domain=load_domain(settings.path(settings.dialogue.domain)),
        flows=load_flows(settings.path(settings.dialogue.flows)),
        runner=InProcessActionRunner(settings.dialogue.actions_package, services=services),
        assistant_name=settings.assistant.name,
    )
    return engine, shopping.catalog.session(), shopping, sessions, db_engine.dispose


def _run_cases(
    engine: DialogueEngine,
    session: SearchSession,
    name: str,
    cases: Sequence[SearchCase],
    catalog: Sequence[CatalogVariant],
    progress: Callable[[str], None] | None,
) -> list[CaseResult]:
    results = []
    for number, case in enumerate(cases, 1):
        slot, transcript, said = asyncio.run(_converse(engine, f"search-{name}-{case.id}", case))
        reply_ok = None if case.expect_reply is None else reply_shown(case.expect_reply, said)
        results.append(
            CaseResult(
                case=case,
                expected=expected_items(case.expect, catalog),
                answers={
                    "aisle": _answer(session, slot, reply_ok),
                    "core": _core(session, case.turns),
                    "stateless": _core(session, case.turns[-1:]),
                },
                transcript=transcript,
            )
        )
        if progress and (number % 10 == 0 or number == len(cases)):
            progress(f"{name}: {number}/{len(cases)} cases")
    return results


async def _converse(
    engine: DialogueEngine, sender: str, case: SearchCase
) -> tuple[Any, list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """The `search` slot after the last turn, what was said (with the NLU's intents), and
    every turn's messages in their wire form."""
    tracker = engine.new_tracker(sender)
    transcript: list[dict[str, Any]] = []
    said: list[list[dict[str, Any]]] = []
    for text in case.turns:
        result = await engine.handle(tracker, text)
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        messages = [m.as_data() for m in result.messages]
        said.append(messages)
        lines = [str(m.get("text") or "") for m in messages]
        reply = " / ".join(line.splitlines()[0] for line in lines if line)
        transcript.append({"shopper": text, "intent": intent, "assistant": reply[:200]})
    return tracker.slots.get("search"), transcript, said


def _answer(session: SearchSession, slot: Any, reply_ok: bool | None = None) -> Answer:
    from assistant.search.session import SearchState

    state = SearchState.from_dict(slot)
    if state is None:
        return Answer(None, reply_ok=reply_ok)
    return Answer(frozenset(session.results(state.terms)), state.terms.as_dict(), reply_ok)


def _core(session: SearchSession, turns: Sequence[str]) -> Answer:
    """The turns straight through the search session, the state carried as the action keeps
    it; one turn alone is the stateless baseline."""
    from assistant.engine.nlu.payload import parse_payload

    state = None
    for text in turns:
        payload = parse_payload(text)
        values = {e.entity: e.value for e in payload.entities} if payload else {}
        item, relax = values.get("item_id"), values.get("relax")
        outcome = session.turn(
            text,
            state,
            item_id=None if item is None else str(item),
            relax=None if relax is None else str(relax),
        )
        state = outcome.state or state
    return _answer(session, state.as_dict() if state else None)
