"""`assistant bench retrieval`: the synthetic catalog, and the shape of a tiny run's figures.

Timings are never asserted on: they depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console

from assistant.bench.retrieval_catalog import (
    compose_vectors,
    synthetic_catalog,
    synthetic_queries,
)
from assistant.bench.retrieval_scan import Scan
from assistant.bench.retrieval_timing import SYSTEMS
from assistant.cli.bench_retrieval import ingestion_table, latency_table, target_line
from assistant.knowledge.index import Filters

ROOT = Path(__file__).resolve().parents[2]


class _PhraseEmbedder:
    """A stand-in for the model: a fixed random unit vector per text."""

    dimension = 8

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = [
            np.random.default_rng(abs(hash(text)) % 2**32).standard_normal(self.dimension)
            for text in texts
        ]
        matrix = np.array(rows, dtype=np.float32).reshape(len(texts), self.dimension)
        normalised: np.ndarray = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
        return normalised


def test_the_synthetic_catalog_is_seeded_and_shaped_like_the_real_one() -> None:
    catalog = synthetic_catalog(300, seed=7)
    assert len(catalog) == 300
    assert [p.chunk.id for p in catalog] == [p.chunk.id for p in synthetic_catalog(300, seed=7)]
    assert [p.chunk.text for p in catalog] != [p.chunk.text for p in synthetic_catalog(300, 8)]
    assert len({p.chunk.id for p in catalog}) == 300
    for product in catalog:
        metadata = product.chunk.metadata
        assert metadata["type"] == "product"
        assert isinstance(metadata["price"], float) and isinstance(metadata["available"], bool)
        assert any(key.startswith("opt_") for key in metadata)
        assert product.chunk.text.startswith(product.chunk.title + " with ")
        assert product.phrases[0] == metadata["category"]
    # A prefix of a bigger catalog is the smaller one: every size draws the same products.
    assert [p.chunk.id for p in synthetic_catalog(100, seed=7)] == [
        p.chunk.id for p in catalog[:100]
    ]


def test_queries_are_distinct_and_their_narrow_filter_matches_products() -> None:
    queries = synthetic_queries(150, seed=7)
    assert len({q.text for q in queries}) == 150
    catalog = synthetic_catalog(3000, seed=7)
    vectors = compose_vectors(catalog, _PhraseEmbedder(), seed=7)
    assert vectors.shape == (3000, 8)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    scan = Scan.of(catalog, vectors)
    shares = [scan.mask(q.narrow).mean() for q in queries]
    assert 0 < float(np.mean(shares)) < 0.05
    mask = scan.mask(Filters(type="product", max_price=50.0, available=True))
    best = scan.top(vectors[0], 10, mask)
    assert len(best) <= 10 and all(mask[best])


@pytest.fixture(scope="module")
def tiny_run() -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant",
            "bench",
            "retrieval",
            "--sizes",
            "200,120",
            "--queries",
            "5",
            "--ingest-documents",
            "40",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result, json.loads(result.stdout)


@pytest.mark.slow
def test_json_is_one_object_with_every_figure(
    tiny_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    result, figures = tiny_run
    assert result.stdout.strip().count("\n") == 0  # one line: the object, nothing else
    assert isinstance(figures["cpu_count"], int) and figures["cpu_count"] >= 1
    assert figures["sizes"] == [120, 200] and figures["queries"] == 5
    assert figures["systems"] == list(SYSTEMS)
    assert "embedded for real" in figures["vectors"]
    ingest = figures["ingest"]
    assert ingest["documents"] == 40
    for key in ("real_docs_per_s", "precomputed_docs_per_s", "phrase_seconds"):
        assert isinstance(ingest[key], float) and ingest[key] >= 0
    assert [r["size"] for r in figures["results"]] == [120, 200]
    for row in figures["results"]:
        assert set(row["systems"]) == set(SYSTEMS)
        for timing in row["systems"].values():
            assert set(timing) == {"p50_ms", "p99_ms", "mean_ms"}
            assert all(isinstance(v, float) and v >= 0 for v in timing.values())
        assert row["vocabulary"] > 0
        assert 0 < row["filter_share"]["price"] < 1
        assert 0 < row["filter_share"]["category"] < 1
    # 100,000 products were not measured, so the target is neither met nor missed.
    assert figures["target"] == {"size": 100_000, "p50_ms": 30.0, "met": None}
    assert isinstance(figures["seconds"], float)


@pytest.mark.slow
def test_the_tables_render_from_the_json(
    tiny_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    _, figures = tiny_run
    console = Console(record=True, width=200)
    console.print(latency_table(figures))
    console.print(target_line(figures))
    console.print(ingestion_table(figures))
    text = console.export_text()
    assert "query" in text and "numpy scan" in text and "docs/s" in text
    assert "200" in text and "not measured" in text
