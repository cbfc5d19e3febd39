"""`assistant bench retrieval`: ingestion rate and search latency at growing catalog sizes,
beside a numpy scan; its tables."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.context import state
from assistant.cli.figures import JsonFlag, OutputOption, emit_json, progress_lines

_LABELS = {
    "hybrid": "hybrid",
    "hybrid_price": "hybrid, ≤ $50 in stock",
    "hybrid_category": "hybrid, category+option",
    "numpy": "numpy scan",
    "numpy_price": "numpy, ≤ $50 in stock",
    "numpy_category": "numpy, category+option",
    "embedding": "query embedding alone",
    "vector": "vector only",
    "vector_price": "vector only, ≤ $50 in stock",
    "vector_category": "vector only, category+option",
    "lexical": "lexical only",
    "lexical_price": "lexical only, ≤ $50 in stock",
    "lexical_category": "lexical only, category+option",
}


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise typer.BadParameter("comma-separated whole numbers, e.g. 1000,10000") from exc
    if not sizes or min(sizes) < 1:
        raise typer.BadParameter("at least one size, each at least 1")
    return sizes


def retrieval(
    ctx: typer.Context,
    sizes: Annotated[
        str, typer.Option("--sizes", help="Comma-separated catalog sizes (products).")
    ] = "1000,10000,100000",
    queries: Annotated[
        int, typer.Option("--queries", min=1, help="Distinct timed queries per system and size.")
    ] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic catalog.")] = 20240601,
    ingest_documents: Annotated[
        int,
        typer.Option("--ingest-documents", min=1, help="Products ingested with real embeddings."),
    ] = 1000,
    breakdown: Annotated[
        bool,
        typer.Option("--breakdown", help="Also time each side alone: vector-only, lexical-only."),
    ] = False,
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Ingestion rate and search latency (p50/p99) at growing catalog sizes, beside numpy."""
    from assistant.bench.retrieval import run_benchmark
    from assistant.engine.embeddings import embedder_from_settings

    chosen = _sizes(sizes)
    figures = run_benchmark(
        embedder_from_settings(state(ctx).settings),
        sizes=chosen,
        queries=queries,
        seed=seed,
        ingest_documents=ingest_documents,
        breakdown=breakdown,
        progress=progress_lines(as_json=as_json),
    )
    if emit_json(figures, as_json=as_json, output=output):
        return
    out = Console()
    out.print(latency_table(figures))
    out.print(target_line(figures))
    out.print(figures["vectors"], style="dim")
    out.print(ingestion_table(figures))


def target_line(figures: dict[str, Any]) -> str:
    target = figures["target"]
    met = {True: "met", False: "NOT met", None: "not measured"}[target["met"]]
    return (
        f"Target: hybrid p50 ≤ {target['p50_ms']:g} ms at {target['size']:,} products, "
        f"filtered and unfiltered: {met}."
    )


def latency_table(figures: dict[str, Any]) -> Table:
    load = figures["load_average"]
    table = Table(
        title=f"Search latency, ms, by catalog size ({figures['queries']} queries each)",
        caption=(
            f"{figures['cpu_count']} CPUs, torch {figures['torch_threads']} threads, load "
            f"{load['start']}→{load['end']}; {figures['seconds']} s in all."
        ),
    )
    table.add_column("search")
    for result in figures["results"]:
        table.add_column(f"{result['size']:,}\np50", justify="right")
        table.add_column(f"{result['size']:,}\np99", justify="right")
    for name in figures["systems"]:
        cells = []
        for result in figures["results"]:
            timing = result["systems"][name]
            cells += [f"{timing['p50_ms']:.1f}", f"{timing['p99_ms']:.1f}"]
        table.add_row(_LABELS.get(name, name), *cells)
    return table


def ingestion_table(figures: dict[str, Any]) -> Table:
    ingest = figures["ingest"]
    table = Table(title="Ingestion and index build")
    table.add_column("what")
    table.add_column("figure", justify="right")
    table.add_row(
        f"ingest() of {ingest['documents']:,} products, real embeddings",
        f"{ingest['real_docs_per_s']:,.1f} docs/s",
    )
    table.add_row(
        f"ingest() of {ingest['documents']:,} products, precomputed vectors (upsert only)",
        f"{ingest['precomputed_docs_per_s']:,.1f} docs/s",
    )
    table.add_row(
        f"vocabulary phrases embedded for the synthetic vectors ({ingest['phrases']})",
        f"{ingest['phrase_seconds']:.2f} s",
    )
    for result in figures["results"]:
        size = f"{result['size']:,}"
        table.add_row(
            f"{size}: bulk upsert of precomputed vectors",
            f"{result['load_docs_per_s']:,.1f} docs/s",
        )
        refresh = f"{result['refresh_seconds']:.2f} s"
        table.add_row(f"{size}: refresh() (BM25, vocabulary {result['vocabulary']:,})", refresh)
        share = result["filter_share"]
        table.add_row(
            f"{size}: share passing ≤ $50 in stock / category+option",
            f"{share['price']:.1%} / {share['category']:.2%}",
        )
    return table
