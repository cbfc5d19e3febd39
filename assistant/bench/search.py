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
- **Reference**: a brute-force scan, a plain Python loop over every product that skips a
  product the terms do not name before looking at its variants, and applies the rest of the
  terms each searching turn ended with (option groups, price, stock) to the variants of the
  others, no ranking.
- **Index**: the time to build the catalog's index, and its peak memory (tracemalloc, in a
  second build: tracing slows a build down).

A pass runs every figure's turns once, for one catalog then the other, so the machine's load
at the time reaches all figures alike; the first pass warms up and is not counted (the
embedding model's first call traces it, which takes seconds).

Not in a timed turn: the conversation's storage and pub/sub (the server's, not the engine's),
shopper events (the bench's `Shopping` records none), a language model (none is configured).

The scripted turns, the reference and the timing of a pass are in `search_turns.py`; the
NLU, the store and the engine the turns run through are built in `search_setup.py`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from assistant.bench.catalog import DEFAULT_SEED, demo_products, product_types, synthetic_catalog
from assistant.bench.search_setup import (
    Harness,
    bench_store,
    empty_knowledge,
    load_parser,
    torch_threads,
)
from assistant.bench.search_turns import CONVERSATIONS, CatalogRun
from assistant.config import Settings

DEFAULT_PRODUCTS = 100_000
DEFAULT_REPEAT = 10
# The project's targets: search-turn p50 on the demo catalog, and at 100k products.
TARGET_DEMO_MS = 50.0
TARGET_SYNTHETIC_MS = 80.0
TARGET_SIZE = 100_000


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
