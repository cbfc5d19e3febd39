"""`assistant bench retrieval`: how fast the knowledge base ingests and answers as the catalog
grows, beside a brute-force numpy scan over the same vectors, measured in one run.

- **Ingestion**: `ingest()` of 1,000 synthetic product chunks with the real embedder
  (documents/s), and of the same chunks with precomputed vectors (the upsert alone).
- **Query latency**: p50/p99 of `KnowledgeIndex.search` in hybrid mode at each catalog size,
  unfiltered and with two filters: a broad one (in-stock products up to $50) and a narrow one
  (the query's category and one of its option values, as the dialogue fills them in). The query
  is embedded for real inside the timed call: that is what a shopper's turn costs. The index is
  built with `cache_size=0`, so no answer comes from the cache (`retrieval_timing.py`).
- **Reference**: the same queries as a numpy scan (embed, `matrix @ q`, top-10 with
  `np.argpartition`; a filter is a boolean mask, and a narrow one scores only its rows), with
  one BLAS thread, and the query embedding alone (`retrieval_scan.py`).
- With `breakdown`, each side of the hybrid search alone, to see where its time goes.

The catalog is synthetic and seeded, drawn from a vocabulary modelled on the demo store's
catalog (`data/retrieval_vocabulary.yml`), and a product's vector is composed from its
vocabulary phrases' real embeddings (`retrieval_catalog.py`). These vectors are for timing
only; the 1k ingestion figure and every query use real embeddings.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from assistant.bench.retrieval_catalog import (
    DEFAULT_SEED,
    Precomputed,
    Product,
    compose_vectors,
    synthetic_catalog,
    synthetic_queries,
)
from assistant.bench.retrieval_scan import Scan
from assistant.bench.retrieval_timing import PRICE_FILTER, WARMUP, K, measure_size
from assistant.engine.embeddings import Embedder
from assistant.knowledge.index import KnowledgeIndex, words
from assistant.knowledge.ingest import chunk_metadata, get_collection, ingest

DEFAULT_SIZES = (1_000, 10_000, 100_000)
DEFAULT_QUERIES = 200
INGEST_DOCUMENTS = 1_000
# The project's target: hybrid search p50 at 100k products, filtered and unfiltered.
TARGET_P50_MS = 30.0
TARGET_SIZE = 100_000
SCOPE = "bench"
# Chunks per upsert when the catalog sizes are loaded.
BULK_BATCH = 5_000
VECTORS_NOTE = (
    "Synthetic product vectors (timing only): each vocabulary phrase embedded once for real, "
    "a product's vector is the L2-normalised sum of its phrases' vectors plus a small seeded "
    "random part. The 1k ingestion and every query are embedded for real."
)


def _bulk_load(collection: Any, products: Sequence[Product], vectors: np.ndarray) -> float:
    """Precomputed vectors upserted in large batches: the catalog sizes are set up faster than
    `ingest` would (128 per batch, each embedded). Returns the seconds taken."""
    started = time.perf_counter()
    for start in range(0, len(products), BULK_BATCH):
        batch = products[start : start + BULK_BATCH]
        collection.upsert(
            ids=[p.chunk.id for p in batch],
            embeddings=vectors[start : start + BULK_BATCH],
            documents=[p.chunk.text for p in batch],
            metadatas=[chunk_metadata(p.chunk, SCOPE) for p in batch],
        )
    return time.perf_counter() - started


def _refresh(collection: Any, embedder: Embedder) -> tuple[KnowledgeIndex, float]:
    """The index over the collection, refreshed, and the seconds the refresh took."""
    index = KnowledgeIndex(collection, embedder, cache_size=0)
    started = time.perf_counter()
    index.refresh()
    return index, time.perf_counter() - started


def _torch_threads() -> int | None:
    try:
        import torch
    except ImportError:
        return None
    return int(torch.get_num_threads())


def run_benchmark(
    embedder: Embedder,
    *,
    sizes: Sequence[int] = DEFAULT_SIZES,
    queries: int = DEFAULT_QUERIES,
    seed: int = DEFAULT_SEED,
    ingest_documents: int = INGEST_DOCUMENTS,
    breakdown: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Every figure of `assistant bench retrieval`, as one JSON-ready dict."""
    from assistant.knowledge.vector_store import open_vector_store

    def say(line: str) -> None:
        if progress is not None:
            progress(line)

    started = time.perf_counter()
    load_start = round(os.getloadavg()[0], 2)
    sizes = sorted({int(size) for size in sizes if int(size) > 0})
    if not sizes or queries < 1:
        raise ValueError("need at least one size and one query")
    catalog = synthetic_catalog(max(sizes[-1], ingest_documents), seed)
    bench_queries = synthetic_queries(queries + WARMUP, seed)
    embedder.encode(["warm up the model"])

    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="aisle-bench-") as directory:
        client = open_vector_store(directory)
        first = [p.chunk for p in catalog[:ingest_documents]]
        say(f"ingesting {len(first)} products with real embeddings")
        real = ingest(get_collection(client, "bench-ingest-real"), embedder, first, scope=SCOPE)

        phrases_started = time.perf_counter()
        vectors = compose_vectors(catalog, embedder, seed)
        phrase_seconds = time.perf_counter() - phrases_started
        phrases = len({phrase for product in catalog for phrase in product.phrases})
        precomputed = Precomputed(catalog, vectors, embedder.dimension)
        upsert = ingest(
            get_collection(client, "bench-ingest-precomputed"), precomputed, first, scope=SCOPE
        )

        collection = get_collection(client, "bench")
        loaded = 0
        for size in sizes:
            say(f"{size} products: upserting {size - loaded} precomputed vectors")
            load_seconds = _bulk_load(collection, catalog[loaded:size], vectors[loaded:size])
            index, refresh_seconds = _refresh(collection, embedder)
            scan = Scan.of(catalog[:size], vectors[:size])
            price_share = float(scan.mask(PRICE_FILTER).mean())
            category_share = float(np.mean([scan.mask(q.narrow).mean() for q in bench_queries]))
            vocabulary = {
                w for p in catalog[:size] for w in words(p.chunk.text) if w.isalpha() and len(w) > 3
            }
            say(f"{size} products: {queries} queries per system")
            systems = measure_size(index, scan, embedder, bench_queries, breakdown=breakdown)
            results.append(
                {
                    "size": size,
                    "load_docs_per_s": round((size - loaded) / max(load_seconds, 1e-9), 1),
                    "refresh_seconds": round(refresh_seconds, 2),
                    # Distinct words the typo correction compares unknown query words with.
                    "vocabulary": len(vocabulary),
                    "filter_share": {
                        "price": round(price_share, 4),
                        "category": round(category_share, 5),
                    },
                    "systems": systems,
                }
            )
            loaded = size
        client.clear_system_cache()

    at_target = next((r for r in results if r["size"] == TARGET_SIZE), None)
    target: dict[str, Any] = {"size": TARGET_SIZE, "p50_ms": TARGET_P50_MS, "met": None}
    if at_target is not None:
        target["met"] = all(
            at_target["systems"][name]["p50_ms"] <= TARGET_P50_MS
            for name in ("hybrid", "hybrid_price", "hybrid_category")
        )
    return {
        "cpu_count": os.cpu_count(),
        "torch_threads": _torch_threads(),
        # 1-minute load average before and after: other work on the machine skews latency.
        "load_average": {"start": load_start, "end": round(os.getloadavg()[0], 2)},
        "seed": seed,
        "queries": queries,
        "warmup_queries": WARMUP,
        "k": K,
        "sizes": sizes,
        "systems": list(results[0]["systems"]),
        "filters": {
            "price": "type=product, max_price=50, available=true",
            "category": "type=product, the query's category and one option value",
        },
        "vectors": VECTORS_NOTE,
        "ingest": {
            "documents": len(first),
            "real_docs_per_s": round(len(first) / max(real.seconds, 1e-9), 1),
            "real_seconds": round(real.seconds, 2),
            "precomputed_docs_per_s": round(len(first) / max(upsert.seconds, 1e-9), 1),
            "precomputed_seconds": round(upsert.seconds, 2),
            "phrases": phrases,
            "phrase_seconds": round(phrase_seconds, 2),
        },
        "results": results,
        "target": target,
        "seconds": round(time.perf_counter() - started, 1),
    }
