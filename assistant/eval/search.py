"""`assistant eval search`: conversational product search, case by case, against sets
worked out independently from the demo catalog.

Each case (`assistant/eval/data/search_cases.yml`) is what a shopper types over a few turns
and the search it should end with, stated declaratively (products, option values, price
bounds, in stock; or `none`). The expected set is computed from `knowledge_base/store/db.json`
by a plain filter written here, sharing no code with `assistant/search/`, so a misreading in
the search cannot hide in its own reference.

Every case is a fresh conversation with the real dialogue engine (trained NLU, flows,
actions) on one seeded temporary SQLite copy of the demo store, with no language model and no
store documents (a message routed to the knowledge base gets the out-of-scope reply). The
assistant's set is every item matching the terms the `search` slot holds after the last turn
(the catalog search's `results`): what the shopper's search now is, not only the first page.
The baseline, in the same run, reads the last turn alone with no conversation state
(`SearchSession.turn(last, None)`): what a stateless search box would do with the same words.
A third reading, `core`, tells the NLU's part from the search's: every turn goes straight to
`SearchSession.turn` with the state carried, as if each were routed to the search (a clicked
button as its payload says); where `core` is right and the assistant is not, the message was
routed elsewhere (out of scope, another flow).

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
import json
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from assistant.errors import AisleError

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.engine.embeddings import Embedder
    from assistant.engine.manager import DialogueEngine, Parser
    from assistant.search.session import SearchSession

DEFAULT_CASES = "assistant/eval/data/search_cases.yml"
CATEGORIES = (
    "single",
    "refine",
    "option_change",
    "relax",
    "switch",
    "no_results",
    "relative",
    "follow_up",
)
SYSTEMS = ("aisle", "core", "stateless")
_EXPECT_KEYS = {"product", "options", "min_price", "max_price", "in_stock"}


class SearchCaseError(AisleError):
    """The search cases are missing or malformed, or name what the catalog does not have."""

    status_code = 422
    code = "invalid_search_cases"


# -- the reference catalog ---------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogVariant:
    item_id: str
    product: str
    options: Mapping[str, str]
    price: Decimal
    available: bool


def load_catalog(path: Path) -> list[CatalogVariant]:
    """Every variant of the demo store's seed file, read directly."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        products = raw["products"].values()
        return [
            CatalogVariant(
                item_id=str(variant["item_id"]),
                product=str(product["name"]),
                options={str(k): str(v) for k, v in variant["options"].items()},
                price=Decimal(str(variant["price"])),
                available=bool(variant["available"]),
            )
            for product in products
            for variant in product["variants"].values()
        ]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SearchCaseError(f"{path}: cannot read the catalog: {exc}") from exc


# -- cases ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    """What the search should end with; `none`: nothing matches."""

    none: bool = False
    products: frozenset[str] = frozenset()
    options: Mapping[str, frozenset[str]] = field(default_factory=dict)
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False

    def as_dict(self) -> dict[str, Any] | str:
        if self.none:
            return "none"
        stated: dict[str, Any] = {"product": sorted(self.products)} if self.products else {}
        if self.options:
            stated["options"] = {name: sorted(values) for name, values in self.options.items()}
        for name in ("min_price", "max_price"):
            if getattr(self, name) is not None:
                stated[name] = str(getattr(self, name))
        return stated | ({"in_stock": True} if self.in_stock else {})


@dataclass(frozen=True)
class SearchCase:
    id: str
    category: str
    turns: tuple[str, ...]
    expect: Expectation


def expected_items(expect: Expectation, catalog: Sequence[CatalogVariant]) -> frozenset[str]:
    """The item ids meeting every stated constraint."""
    if expect.none:
        return frozenset()
    found = set()
    for variant in catalog:
        if expect.products and variant.product not in expect.products:
            continue
        if any(variant.options.get(name) not in wanted for name, wanted in expect.options.items()):
            continue
        if expect.min_price is not None and variant.price < expect.min_price:
            continue
        if expect.max_price is not None and variant.price > expect.max_price:
            continue
        if expect.in_stock and not variant.available:
            continue
        found.add(variant.item_id)
    return frozenset(found)


def load_cases(path: Path | None, catalog: Sequence[CatalogVariant]) -> list[SearchCase]:
    """The cases of `path` (default: the packaged file), checked against the catalog."""
    if path is None:
        text = resources.files("assistant.eval").joinpath("data/search_cases.yml")
        where, source = DEFAULT_CASES, text.read_text(encoding="utf-8")
    else:
        where = str(path)
        try:
            source = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SearchCaseError(f"{where}: cannot read the cases: {exc}") from exc
    try:
        loaded = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise SearchCaseError(f"{where}: not YAML: {exc}") from exc
    entries = loaded.get("cases") if isinstance(loaded, dict) else None
    if not isinstance(entries, list) or not entries:
        raise SearchCaseError(f"{where}: expected a mapping with a non-empty list `cases`")
    cases: list[SearchCase] = []
    for number, entry in enumerate(entries, 1):
        case = _case(entry, f"{where}: case {number}", catalog)
        if any(c.id == case.id for c in cases):
            raise SearchCaseError(f"{where}: case id {case.id!r} is used twice")
        cases.append(case)
    return cases


def _case(entry: Any, where: str, catalog: Sequence[CatalogVariant]) -> SearchCase:
    if not isinstance(entry, dict):
        raise SearchCaseError(f"{where}: expected a mapping")
    case_id = entry.get("id")
    if not isinstance(case_id, str) or not case_id.strip():
        raise SearchCaseError(f"{where}: needs an id")
    where = f"{where} ({case_id})"
    category = entry.get("category")
    if category not in CATEGORIES:
        raise SearchCaseError(f"{where}: category must be one of {', '.join(CATEGORIES)}")
    turns = entry.get("turns")
    if (
        not isinstance(turns, list)
        or not turns
        or not all(isinstance(t, str) and t.strip() for t in turns)
    ):
        raise SearchCaseError(f"{where}: turns must be a non-empty list of messages")
    if "expect" not in entry:
        raise SearchCaseError(f"{where}: needs expect")
    expect = _expectation(entry["expect"], where, catalog)
    if not expect.none and not expected_items(expect, catalog):
        raise SearchCaseError(f"{where}: expect matches nothing in the catalog; write `none`")
    return SearchCase(case_id, str(category), tuple(turns), expect)


def _expectation(raw: Any, where: str, catalog: Sequence[CatalogVariant]) -> Expectation:
    if raw == "none":
        return Expectation(none=True)
    if not isinstance(raw, dict) or not raw:
        raise SearchCaseError(f"{where}: expect must be `none` or a mapping of constraints")
    unknown = set(raw) - _EXPECT_KEYS
    if unknown:
        raise SearchCaseError(f"{where}: unknown expect keys {sorted(unknown)}")
    names = {variant.product for variant in catalog}
    products = frozenset(_names(raw.get("product", []), f"{where}: product"))
    if products - names:
        raise SearchCaseError(f"{where}: no product named {sorted(products - names)}")
    scope = [v for v in catalog if not products or v.product in products]
    options: dict[str, frozenset[str]] = {}
    raw_options = raw.get("options", {})
    if not isinstance(raw_options, dict):
        raise SearchCaseError(f"{where}: options must map option names to values")
    for name, values in raw_options.items():
        offered = {v.options[str(name)] for v in scope if str(name) in v.options}
        if not offered:
            raise SearchCaseError(f"{where}: no option {name!r} for {sorted(products) or 'any'}")
        wanted = frozenset(_names(values, f"{where}: option {name!r}"))
        if wanted - offered:
            unknown_values = sorted(wanted - offered)
            raise SearchCaseError(f"{where}: option {name!r} has no value {unknown_values}")
        options[str(name)] = wanted
    low = _bound(raw.get("min_price"), f"{where}: min_price")
    high = _bound(raw.get("max_price"), f"{where}: max_price")
    if low is not None and high is not None and low > high:
        raise SearchCaseError(f"{where}: min_price is above max_price")
    if "in_stock" in raw and raw["in_stock"] is not True:
        raise SearchCaseError(f"{where}: in_stock is `true` or left out")
    return Expectation(False, products, dict(sorted(options.items())), low, high, "in_stock" in raw)


def _names(raw: Any, where: str) -> list[str]:
    """One name or a non-empty list of them; numbers are names too (`size: 10`)."""
    items = raw if isinstance(raw, list) else [raw]
    if not items or not all(isinstance(i, str | int) and not isinstance(i, bool) for i in items):
        raise SearchCaseError(f"{where}: expected a name or a list of names (quote yes/no)")
    return [str(i) for i in items]


def _bound(raw: Any, where: str) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, int | float | str) and not isinstance(raw, bool):
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            value = Decimal("NaN")
        if value.is_finite() and value >= 0:
            return value
    raise SearchCaseError(f"{where}: not a price: {raw!r}")


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

    def scores(self, expected: frozenset[str]) -> dict[str, float]:
        if self.items is None:
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
        return self.answers["aisle"].items == self.expected


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

    def as_dict(self) -> dict[str, Any]:
        categories = [c for c in CATEGORIES if any(r.case.category == c for r in self.results)]
        return {
            "cases_file": self.cases_file,
            "cases": len(self.results),
            "exact": sum(r.exact for r in self.results),
            "seconds": self.seconds,
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
    """Every case (or those in `only`) through the engine, the search session alone and the
    stateless baseline; the NLU is trained from `nlu_data/` unless a `parser` is given."""
    from assistant.engine.embeddings import CachingEmbedder, embedder_from_settings

    started = time.perf_counter()
    catalog = load_catalog(settings.path(settings.store.seed_path))
    cases = [c for c in load_cases(cases_path, catalog) if only is None or c.id in only]
    embedder = CachingEmbedder(embedder_from_settings(settings))
    if parser is None:
        from assistant.engine.nlu.model import train_from_settings

        if progress:
            progress("training the NLU model")
        parser = train_from_settings(settings, embedder)
    with tempfile.TemporaryDirectory(prefix="aisle-search-") as workdir:
        results = _run_cases(settings, parser, embedder, cases, catalog, Path(workdir), progress)
    return SearchReport(
        cases_file=str(cases_path) if cases_path is not None else DEFAULT_CASES,
        results=results,
        seconds=round(time.perf_counter() - started, 1),
    )


def _run_cases(
    settings: Settings,
    parser: Parser,
    embedder: Embedder,
    cases: Sequence[SearchCase],
    catalog: Sequence[CatalogVariant],
    workdir: Path,
    progress: Callable[[str], None] | None,
) -> list[CaseResult]:
    from assistant.backends.sql_orders import SqlOrderBackend
    from assistant.engine.domain import load_domain
    from assistant.engine.executor import InProcessActionRunner
    from assistant.engine.flows import load_flows
    from assistant.engine.manager import DialogueEngine
    from assistant.eval.tasks import StoreCopies
    from assistant.knowledge.answer import Knowledge
    from assistant.knowledge.index import KnowledgeIndex
    from assistant.server.components import build_shopping

    copies = StoreCopies(settings.path(settings.store.seed_path), workdir)
    sessions, db_engine = copies.copy("search")
    try:
        orders = SqlOrderBackend(sessions)
        shopping = build_shopping(settings, sessions, orders, embedder=embedder)
        # No documents: the search is measured, not the answers to store questions.
        knowledge = Knowledge(KnowledgeIndex(None, embedder), embedder)
        services = {"orders": orders, "shopping": shopping, "knowledge": knowledge}
        engine = DialogueEngine(
            parser=parser,
            domain=load_domain(settings.path(settings.dialogue.domain)),
            flows=load_flows(settings.path(settings.dialogue.flows)),
            runner=InProcessActionRunner(settings.dialogue.actions_package, services=services),
            assistant_name=settings.assistant.name,
        )
        session = shopping.catalog.session()
        results = []
        for number, case in enumerate(cases, 1):
            slot, transcript = asyncio.run(_converse(engine, case))
            results.append(
                CaseResult(
                    case=case,
                    expected=expected_items(case.expect, catalog),
                    answers={
                        "aisle": _answer(session, slot),
                        "core": _core(session, case.turns),
                        "stateless": _core(session, case.turns[-1:]),
                    },
                    transcript=transcript,
                )
            )
            if progress and (number % 10 == 0 or number == len(cases)):
                progress(f"{number}/{len(cases)} cases")
        return results
    finally:
        db_engine.dispose()


async def _converse(engine: DialogueEngine, case: SearchCase) -> tuple[Any, list[dict[str, Any]]]:
    """The `search` slot after the last turn, and what was said (with the NLU's intents)."""
    tracker = engine.new_tracker(f"search-{case.id}")
    transcript: list[dict[str, Any]] = []
    for text in case.turns:
        result = await engine.handle(tracker, text)
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        said = [str(m.as_data().get("text") or "") for m in result.messages]
        reply = " / ".join(s.splitlines()[0] for s in said if s)
        transcript.append({"shopper": text, "intent": intent, "assistant": reply[:200]})
    return tracker.slots.get("search"), transcript


def _answer(session: SearchSession, slot: Any) -> Answer:
    from assistant.search.session import SearchState

    state = SearchState.from_dict(slot)
    if state is None:
        return Answer(None)
    return Answer(frozenset(session.results(state.terms)), state.terms.as_dict())


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
