"""The scripted search turns of `assistant bench search` and how each figure times them:
through the engine, the NLU parse alone, the search core alone, and the reference, a
brute-force scan of each search's terms; `CatalogRun` measures one catalog a pass at a time."""

from __future__ import annotations

import asyncio
import math
import statistics
import time
import tracemalloc
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio

from assistant.backends.orders import ProductView
from assistant.bench.search_setup import Harness
from assistant.engine.manager import DialogueEngine
from assistant.search.index import CatalogIndex
from assistant.search.service import CatalogSearch
from assistant.search.session import SearchSession
from assistant.search.state import SearchState
from assistant.search.terms import SearchTerms

if TYPE_CHECKING:
    from assistant.engine.nlu.model import NLUModel

# The actions that answer a search turn (a message no flow took may continue the search).
SEARCH_ACTIONS = frozenset({"action_search_products", "action_continue_search"})
# Outcomes whose state is a search that ran this turn: the reference scans its terms.
SEARCHED = frozenset({"results", "more", "no_more", "no_results"})

# Conversations as shoppers have them, in the catalog's words (product types, option values
# and prices of the demo store, which the synthetic catalog shares).
CONVERSATIONS: tuple[tuple[str, ...], ...] = (
    (
        "show me t-shirts",
        "in black",
        "under $52",
        "show more",
        "compare the first two",
        "tell me more about the second",
        "cheaper",
    ),
    (
        "I'm looking for a backpack",
        "in leather",
        "only in stock",
        "show more",
        "forget the material",
        "relax the search",
    ),
    (
        "black t-shirts under $10",
        "forget the price",
        "compare them",
    ),
    (
        "do you have the mechanical keyboard with linear switches",
        "with no backlight",
        "between 200 and 300",
        "tell me more about the first one",
    ),
    (
        "find me a water bottle under 50 dollars",
        "compare the first and the third",
        "the 750ml ones",
        "tell me more about the first one",
        "a bigger one",
        "show more",
    ),
    (
        "show me laptops under $1500",
        "remove the price limit",
        "with 16GB of RAM",
        "cheapest first",
        "details of the third one",
    ),
    (
        "what kind of headphones do you have",
        "wireless ones only",
        "show more",
        "the second one",
        "in white",
        "more expensive ones",
    ),
    (
        "I need running shoes in size 10",
        "any size",
        "in yellow",
        "under 100 dollars",
        "relax the search",
    ),
)


@dataclass(frozen=True)
class CoreTurn:
    """One scripted turn through `SearchSession.turn`: its outcome and the terms it searched
    (None when the turn searched nothing: a comparison, the details of a card)."""

    text: str
    kind: str
    terms: SearchTerms | None
    seconds: float


def percentiles(seconds: Sequence[float]) -> dict[str, float | int]:
    ordered = sorted(seconds)
    if not ordered:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "max_ms": 0.0, "samples": 0}
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "samples": len(ordered),
    }


# -- the reference -------------------------------------------------------------------------------


def scan(products: Sequence[ProductView], terms: SearchTerms) -> list[str]:
    """The item ids of every variant that meets the terms, by looking at each one."""
    groups = terms.option_groups()
    low, high = terms.min_price, terms.max_price
    found: list[str] = []
    for product in products:
        if terms.products and product.name not in terms.products:
            continue  # a product not named: none of its variants is looked at
        for variant in product.variants:
            if low is not None and variant.price < low:
                continue
            if high is not None and variant.price > high:
                continue
            if terms.in_stock and not variant.available:
                continue
            options = variant.options
            if all(
                any(name in options and str(options[name]) == value for name, value in group)
                for group in groups
            ):
                found.append(variant.item_id)
    return found


# -- measuring -----------------------------------------------------------------------------------


def core_turns(session: SearchSession) -> list[CoreTurn]:
    """Every scripted turn once through `SearchSession.turn`, each conversation from the
    start."""
    turns: list[CoreTurn] = []
    for conversation in CONVERSATIONS:
        state: SearchState | None = None
        for text in conversation:
            started = time.perf_counter()
            outcome = session.turn(text, state)
            seconds = time.perf_counter() - started
            searched = outcome.kind in SEARCHED and outcome.state is not None
            terms = outcome.state.terms if searched and outcome.state is not None else None
            turns.append(CoreTurn(text, outcome.kind, terms, seconds))
            state = outcome.state
    return turns


async def engine_turns(engine: DialogueEngine, label: str) -> tuple[list[float], list[str]]:
    """Every scripted conversation once through the engine, each with a new tracker: each
    turn's seconds, and the turns no search action answered."""
    seconds: list[float] = []
    missed: list[str] = []
    for number, conversation in enumerate(CONVERSATIONS):
        tracker = engine.new_tracker(f"bench-search-{label}-{number}")
        for text in conversation:
            before = len(tracker.events)
            started = time.perf_counter()
            result = await engine.handle(tracker, text)
            seconds.append(time.perf_counter() - started)
            actions = {e.get("name") for e in tracker.events[before:] if e.get("event") == "action"}
            if not (actions & SEARCH_ACTIONS and result.messages):
                missed.append(text)
    return seconds, missed


async def parse_turns(parser: NLUModel, texts: Sequence[str]) -> list[float]:
    """Each message's parse alone, in a worker thread as the engine runs it (the same parse
    on the calling thread measured several times slower on a 2-core machine)."""
    seconds: list[float] = []
    for text in texts:
        started = time.perf_counter()
        await anyio.to_thread.run_sync(parser.parse, text)
        seconds.append(time.perf_counter() - started)
    return seconds


def build_index(products: Sequence[ProductView]) -> tuple[float, float]:
    """(seconds, peak MiB) of building the index, the peak traced in a second build."""
    started = time.perf_counter()
    CatalogIndex(products)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        CatalogIndex(products)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return seconds, peak / 2**20


class CatalogRun:
    """One catalog under measurement: its index, search and engine built once, then timed a
    pass at a time (`one_pass`), its figures summed up by `figures`."""

    def __init__(
        self, name: str, products: Sequence[ProductView], harness: Harness, target_ms: float | None
    ) -> None:
        self.name = name
        self.products = products
        self.harness = harness
        self.target_ms = target_ms
        self.variants = sum(len(p.variants) for p in products)
        self.build_seconds, self.peak_mib = build_index(products)
        catalog = CatalogSearch(
            lambda: products, page_size=harness.settings.search.page_size, max_age_s=math.inf
        )
        self.session = catalog.session()  # built here, never inside a timed turn
        self.engine = harness.engine(catalog)
        self.samples: dict[str, list[float]] = {"turn": [], "parse": [], "core": [], "scan": []}
        self.missed: set[str] = set()
        self.kinds: Counter[str] = Counter()
        self.searches = 0
        self.passes = 0

    def one_pass(self, *, counted: bool) -> None:
        """Every scripted turn through the engine, its parse alone, the search core alone,
        and the scan of each search's terms."""
        self.passes += 1
        texts = [text for conversation in CONVERSATIONS for text in conversation]
        turns, missed = asyncio.run(engine_turns(self.engine, f"{self.name}-{self.passes}"))
        self.missed.update(missed)
        parses = asyncio.run(parse_turns(self.harness.parser, texts))
        core = core_turns(self.session)
        searched = [turn.terms for turn in core if turn.terms is not None]
        scans = []
        for terms in searched:
            started = time.perf_counter()
            scan(self.products, terms)
            scans.append(time.perf_counter() - started)
        self.kinds = Counter(turn.kind for turn in core)
        self.searches = len(searched)
        if counted:
            self.samples["turn"] += turns
            self.samples["parse"] += parses
            self.samples["core"] += [turn.seconds for turn in core]
            self.samples["scan"] += scans

    def figures(self) -> dict[str, Any]:
        timings = {key: percentiles(seconds) for key, seconds in self.samples.items()}
        met = None
        if self.target_ms is not None:
            met = float(timings["turn"]["p50_ms"]) <= self.target_ms
        return {
            "name": self.name,
            "products": len(self.products),
            "variants": self.variants,
            "index": {"build_s": round(self.build_seconds, 3), "peak_mib": round(self.peak_mib, 1)},
            **timings,
            "searches": self.searches,
            "kinds": dict(sorted(self.kinds.items())),
            "not_search_turns": sorted(self.missed),
            "target": {"p50_ms": self.target_ms, "met": met},
        }
