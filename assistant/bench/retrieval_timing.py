"""The query timing of `assistant bench retrieval`: p50/p99 of each system (the hybrid search
unfiltered and with the broad and the narrow filter, the numpy scan likewise, the query
embedding alone, and with `breakdown` each side of the hybrid search alone) over the same
queries, after a few untimed ones."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from assistant.bench.retrieval_catalog import BenchQuery
from assistant.bench.retrieval_scan import Scan
from assistant.engine.embeddings import Embedder
from assistant.knowledge.index import Filters, KnowledgeIndex, Mode

# Queries run before the timed ones, for every system (model, HNSW index and caches loaded).
WARMUP = 5
K = 10
PRICE_FILTER = Filters(type="product", max_price=50.0, available=True)
SYSTEMS = (
    "hybrid",
    "hybrid_price",
    "hybrid_category",
    "numpy",
    "numpy_price",
    "numpy_category",
    "embedding",
)
# With `breakdown`: each side of the hybrid search alone (`mode="vector"`, `mode="lexical"`).
BREAKDOWN = tuple(
    f"{mode}{suffix}" for mode in ("vector", "lexical") for suffix in ("", "_price", "_category")
)


def _percentiles(seconds: Sequence[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1000.0
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
        "mean_ms": round(float(ms.mean()), 2),
    }


def _timed(call: Callable[[BenchQuery], object], queries: Sequence[BenchQuery]) -> dict[str, float]:
    for query in queries[:WARMUP]:
        call(query)
    seconds = []
    for query in queries[WARMUP:]:
        started = time.perf_counter()
        call(query)
        seconds.append(time.perf_counter() - started)
    return _percentiles(seconds)


def measure_size(
    index: KnowledgeIndex,
    scan: Scan,
    embedder: Embedder,
    queries: Sequence[BenchQuery],
    *,
    breakdown: bool = False,
) -> dict[str, dict[str, float]]:
    def embed(query: BenchQuery) -> np.ndarray:
        return np.asarray(embedder.encode([query.text])[0], dtype=np.float32)

    calls: dict[str, Callable[[BenchQuery], object]] = {
        "hybrid": lambda q: index.search(q.text, k=K),
        "hybrid_price": lambda q: index.search(q.text, k=K, filters=PRICE_FILTER),
        "hybrid_category": lambda q: index.search(q.text, k=K, filters=q.narrow),
        "numpy": lambda q: scan.top(embed(q), K),
        "numpy_price": lambda q: scan.top(embed(q), K, scan.mask(PRICE_FILTER)),
        "numpy_category": lambda q: scan.top(embed(q), K, scan.mask(q.narrow)),
        "embedding": embed,
    }
    if breakdown:
        modes: tuple[Mode, ...] = ("vector", "lexical")
        for mode in modes:
            calls.update(_side_calls(index, mode))
    timings: dict[str, dict[str, float]] = {}
    for name in calls:
        if name.startswith("numpy"):
            # One BLAS thread: OpenBLAS's threads keep spinning after a product and, on
            # 2 cores, slow the next query's embedding (torch's own threads) 2-3×.
            with _one_blas_thread():
                timings[name] = _timed(calls[name], queries)
        else:
            timings[name] = _timed(calls[name], queries)
    return timings


def _side_calls(index: KnowledgeIndex, mode: Mode) -> dict[str, Callable[[BenchQuery], object]]:
    def plain(query: BenchQuery) -> object:
        return index.search(query.text, k=K, mode=mode)

    def price(query: BenchQuery) -> object:
        return index.search(query.text, k=K, mode=mode, filters=PRICE_FILTER)

    def category(query: BenchQuery) -> object:
        return index.search(query.text, k=K, mode=mode, filters=query.narrow)

    return {mode: plain, f"{mode}_price": price, f"{mode}_category": category}


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn brings it
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield
