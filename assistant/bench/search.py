"""`assistant bench search`: how long a conversational product search turn takes, on the demo
store's catalog and on a synthetic one of 100k products, beside a brute-force scan measured
in the same run.

- **Search turn**: a whole turn through the `DialogueEngine` (the NLU's parse with the real
  embedding model, the flow, `action_search_products` in process, rendering the reply), over
  scripted multi-turn conversations: start, refine with an option, a price bound, "show more",
  "compare the first two", "tell me more about the second", "cheaper", relaxing, nothing
  matching. The actions search the catalog under test (`Shopping(CatalogSearch(...))`). Each
  turn embeds its message for real (no embedding cache), as a shopper's new message would be.
- **NLU parse**: the parse alone over the same messages, in a worker thread as the engine runs
  it, to show how much of a turn is the model's.
- **Search core**: `SearchSession.turn` alone over the same turns (reading the message,
  searching, ranking, the page).
- **Reference**: a brute-force scan, a plain Python loop over every variant of every product
  applying the terms each searching turn ended with (product names, option groups, price,
  stock), no ranking.
- **Index**: the time to build the catalog's index, and its peak memory (tracemalloc, in a
  second build: tracing slows a build down).

A pass runs every figure's turns once, for one catalog then the other, so the machine's load
at the time reaches all figures alike; the first pass warms up and is not counted (the
embedding model's first call traces it, which takes seconds).

Not in a timed turn: the conversation's storage and pub/sub (the server's, not the engine's),
shopper events (the bench's `Shopping` records none), a language model (none is configured).
"""

from __future__ import annotations

import asyncio
import math
import os
import statistics
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

from assistant.backends.orders import OrderBackend, ProductView
from assistant.bench.catalog import DEFAULT_SEED, demo_products, product_types, synthetic_catalog
from assistant.config import Settings
from assistant.engine.embeddings import Embedder
from assistant.engine.manager import DialogueEngine
from assistant.knowledge.service import Knowledge
from assistant.search.index import CatalogIndex
from assistant.search.service import CatalogSearch, Shopping
from assistant.search.session import SearchSession, SearchState
from assistant.search.terms import SearchTerms

if TYPE_CHECKING:
    from assistant.engine.nlu.model import NLUModel

DEFAULT_PRODUCTS = 100_000
DEFAULT_REPEAT = 10
# The project's targets: search-turn p50 on the demo catalog, and at 100k products.
TARGET_DEMO_MS = 50.0
TARGET_SYNTHETIC_MS = 80.0
TARGET_SIZE = 100_000
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
        named = not terms.products or product.name in terms.products
        for variant in product.variants:
            if not named:
                continue
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


@dataclass
class Harness:
    """What every catalog's engine shares: settings, the NLU, the order store and the (empty)
    knowledge base behind the flows' fallback, which no search turn should reach."""

    settings: Settings
    parser: NLUModel
    orders: OrderBackend
    knowledge: Knowledge

    def engine(self, catalog: CatalogSearch) -> DialogueEngine:
        from assistant.engine.domain import load_domain
        from assistant.engine.executor import InProcessActionRunner
        from assistant.engine.flows import load_flows
        from assistant.services import SEARCH_FLOW, ActionServices

        settings = self.settings
        runner = InProcessActionRunner(
            settings.dialogue.actions_package,
            services=ActionServices(self.orders, self.knowledge, Shopping(catalog)),
        )
        flows = load_flows(settings.path(settings.dialogue.flows))
        return DialogueEngine(
            parser=self.parser,
            domain=load_domain(settings.path(settings.dialogue.domain)),
            flows=flows,
            runner=runner,
            assistant_name=settings.assistant.name,
            intents=set(self.parser.intents),
            search_flow=SEARCH_FLOW if SEARCH_FLOW in flows.flows else None,
        )


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


# -- what the engine needs -----------------------------------------------------------------------


def load_parser(settings: Settings) -> tuple[NLUModel, str, float]:
    """The NLU the server would load when it matches nlu_data/, else one trained here (not
    saved): (parser, "loaded" or "trained", seconds). Its embedder caches nothing."""
    from assistant.engine.embeddings import embedder_from_settings
    from assistant.engine.nlu.model import NLUModel, train_from_settings
    from assistant.engine.nlu.training_data import load_training_data
    from assistant.errors import ModelNotTrained

    started = time.perf_counter()
    embedder = embedder_from_settings(settings)
    path = settings.nlu_model_path
    if path.exists():
        wanted = load_training_data(settings.path(settings.nlu.training_data)).fingerprint()
        try:
            model = NLUModel.load(path, embedder)
        except ModelNotTrained:
            pass
        else:
            if model.fingerprint == wanted:
                return model, "loaded", time.perf_counter() - started
    model = train_from_settings(settings, embedder)
    return model, "trained", time.perf_counter() - started


@contextmanager
def bench_store(settings: Settings) -> Iterator[OrderBackend]:
    """The demo store in a temporary SQLite database: the order backend the actions get."""
    from assistant.backends.sql_orders import SqlOrderBackend
    from assistant.persistence.db import make_engine, make_session_factory
    from assistant.persistence.migrate import upgrade
    from assistant.store.seed import seed_store

    with tempfile.TemporaryDirectory(prefix="aisle-bench-search-") as directory:
        url = f"sqlite:///{Path(directory) / 'store.db'}"
        upgrade(url)
        db_engine = make_engine(url)
        try:
            sessions = make_session_factory(db_engine)
            seed_store(sessions, settings.path(settings.store.seed_path))
            yield SqlOrderBackend(sessions)
        finally:
            db_engine.dispose()


def empty_knowledge(embedder: Embedder) -> Knowledge:
    """A knowledge base with no documents, in memory: the fallback answers nothing."""
    from assistant.knowledge.index import KnowledgeIndex
    from assistant.knowledge.ingest import get_collection
    from assistant.knowledge.vector_store import open_vector_store

    client = open_vector_store()
    index = KnowledgeIndex(get_collection(client, "bench-search"), embedder)
    index.refresh()
    return Knowledge(index, embedder)


def torch_threads() -> int | None:
    try:
        import torch
    except ImportError:
        return None
    return int(torch.get_num_threads())


def run_benchmark(
    settings: Settings,
    *,
    products: int = DEFAULT_PRODUCTS,
    repeat: int = DEFAULT_REPEAT,
    seed: int = DEFAULT_SEED,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Every figure of `assistant bench search`, as one JSON-ready dict."""

    def say(line: str) -> None:
        if progress is not None:
            progress(line)

    if products < 1 or repeat < 1:
        raise ValueError("need at least one product and one timed pass")
    started = time.perf_counter()
    load_start = round(os.getloadavg()[0], 2)
    say("loading the NLU model")
    parser, nlu_source, nlu_seconds = load_parser(settings)
    demo = demo_products(settings.path(settings.store.seed_path))
    say(f"drawing {products:,} synthetic products")
    drawn = time.perf_counter()
    synthetic = synthetic_catalog(products, product_types(demo), seed=seed)
    catalog_seconds = time.perf_counter() - drawn
    with bench_store(settings) as orders:
        harness = Harness(settings, parser, orders, empty_knowledge(parser.embedder))
        runs = []
        for name, catalog, target in (
            ("demo", demo, TARGET_DEMO_MS),
            ("synthetic", synthetic, TARGET_SYNTHETIC_MS if products == TARGET_SIZE else None),
        ):
            say(f"{name}: indexing {len(catalog):,} products")
            runs.append(CatalogRun(name, catalog, harness, target))
        # The catalogs take turns pass by pass, so a change in the machine's load reaches
        # both alike; the first pass warms up (the model's first call traces it) and is not
        # counted.
        for number in range(repeat + 1):
            say(f"pass {number} of {repeat}" + (" (warm-up)" if number == 0 else ""))
            for run in runs:
                run.one_pass(counted=number > 0)
        results = [run.figures() for run in runs]
    return {
        "cpu_count": os.cpu_count(),
        # The embedding model's threads: on a busy machine, more threads than free cores
        # make a parse wait for a descheduled one.
        "torch_threads": torch_threads(),
        # 1-minute load average before and after: other work on the machine skews latency.
        "load_average": {"start": load_start, "end": round(os.getloadavg()[0], 2)},
        "seed": seed,
        "repeat": repeat,
        "conversations": len(CONVERSATIONS),
        "turns": sum(len(c) for c in CONVERSATIONS),
        "nlu": {"source": nlu_source, "seconds": round(nlu_seconds, 1)},
        "synthetic_build_s": round(catalog_seconds, 2),
        "catalogs": results,
        "targets": {
            "demo_p50_ms": TARGET_DEMO_MS,
            "synthetic_p50_ms": TARGET_SYNTHETIC_MS,
            "synthetic_size": TARGET_SIZE,
        },
        "seconds": round(time.perf_counter() - started, 1),
    }
