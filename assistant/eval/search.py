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
Scores per case and the figures (exact, precision, recall, means overall and per category)
are `search_report.py`'s; the engine the cases run on is `demo_engine.py`'s.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.eval.demo_engine import demo_engine
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
from assistant.eval.search_report import Answer, CaseResult, SearchReport, set_scores

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.engine.manager import DialogueEngine, Parser
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
    from assistant.search.state import SearchState

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
