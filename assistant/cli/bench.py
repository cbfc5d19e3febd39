"""`assistant bench <suite>`: speed figures measured on this machine, each beside a reference."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from assistant.cli.context import state
from assistant.cli.figures import (
    JsonFlag,
    OutputOption,
    ProviderOption,
    emit_json,
    progress_lines,
    provider_choice,
)

app = typer.Typer(
    help="Measure speed on this machine, each figure beside a reference.",
    no_args_is_help=True,
)

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


@app.command("retrieval")
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


@app.command("llm")
def llm(
    ctx: typer.Context,
    provider: ProviderOption = "llamacpp",
    pairs: Annotated[int, typer.Option("--pairs", min=1, help="Timed request pairs.")] = 12,
    max_tokens: Annotated[int, typer.Option("--max-tokens", min=2, max=1024)] = 48,
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Time to first token and tokens/s of a RAG turn through the assistant, beside the same
    request sent straight to the model server."""
    import asyncio

    from assistant.bench.llm import run_benchmark

    figures = asyncio.run(
        run_benchmark(
            state(ctx).settings,
            provider=provider_choice(provider),
            pairs=pairs,
            max_tokens=max_tokens,
            progress=progress_lines(as_json=as_json),
        )
    )
    if emit_json(figures, as_json=as_json, output=output):
        return
    overhead = figures["ttft_overhead"]
    met = {True: "met", False: "NOT met", None: "not measured"}[figures["met"]]
    table = Table(
        title=f"A RAG turn with {figures['provider']} ({figures['model']}), {pairs} pairs",
        caption=(
            "Overhead of the assistant's time to first token over the direct request: "
            f"{'—' if overhead is None else f'{overhead:+.1%}'} "
            f"(target ≤ {figures['target_overhead']:.0%}: {met}); {figures['seconds']} s."
        ),
    )
    table.add_column("")
    table.add_column("through the assistant", justify="right")
    table.add_column("direct to the server", justify="right")
    for key, label in (
        ("ttft_p50_ms", "time to first token, p50 (ms)"),
        ("ttft_mean_ms", "time to first token, mean (ms)"),
        ("tokens_per_s_p50", "tokens/s after the first, p50"),
        ("tokens_p50", "tokens per answer, p50"),
    ):
        table.add_row(label, str(figures["assistant"][key]), str(figures["direct"][key]))
    Console().print(table)


@app.command("search")
def search(
    ctx: typer.Context,
    products: Annotated[
        int, typer.Option("--products", min=1, help="Products in the synthetic catalog.")
    ] = 100_000,
    repeat: Annotated[
        int, typer.Option("--repeat", min=1, help="Timed passes over the scripted turns.")
    ] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic catalog.")] = 20240601,
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Search-turn latency through the dialogue engine on the demo and a synthetic catalog,
    beside the search core alone and a brute-force scan."""
    from assistant.bench.search import run_benchmark

    figures = run_benchmark(
        state(ctx).settings,
        products=products,
        repeat=repeat,
        seed=seed,
        progress=progress_lines(as_json=as_json),
    )
    if emit_json(figures, as_json=as_json, output=output):
        return
    out = Console()
    out.print(search_table(figures))
    for line in search_target_lines(figures):
        out.print(line)


_SEARCH_ROWS = (
    ("turn", "search turn (engine, NLU included)"),
    ("parse", "  of which the NLU parse, alone"),
    ("core", "search core (SearchSession.turn)"),
    ("scan", "brute-force scan (reference)"),
)


def search_table(figures: dict[str, Any]) -> Table:
    load = figures["load_average"]
    table = Table(
        title=(
            f"Search turns, ms ({figures['turns']} scripted turns × {figures['repeat']} "
            "passes, after one warm-up pass)"
        ),
        caption=(
            f"{figures['cpu_count']} CPUs, torch {figures['torch_threads']} threads, load "
            f"{load['start']}→{load['end']}; NLU "
            f"{figures['nlu']['source']}; synthetic catalog drawn in "
            f"{figures['synthetic_build_s']} s; {figures['seconds']} s in all."
        ),
    )
    table.add_column("")
    catalogs = figures["catalogs"]
    for catalog in catalogs:
        head = f"{catalog['name']}, {catalog['products']:,} products"
        table.add_column(f"{head}\np50", justify="right")
        table.add_column(f"{head}\np95", justify="right")
    for key, label in _SEARCH_ROWS:
        cells = []
        for catalog in catalogs:
            cells += [f"{catalog[key]['p50_ms']:.2f}", f"{catalog[key]['p95_ms']:.2f}"]
        table.add_row(label, *cells)
    builds = []
    for catalog in catalogs:
        index = catalog["index"]
        builds += [f"{index['build_s']:.2f} s", f"{index['peak_mib']:.1f} MiB"]
    table.add_row("index build, peak memory", *builds)
    return table


def search_target_lines(figures: dict[str, Any]) -> list[str]:
    words = {True: "met", False: "NOT met", None: "not measured"}
    lines = []
    for catalog in figures["catalogs"]:
        target = catalog["target"]
        if target["p50_ms"] is None:
            size = figures["targets"]["synthetic_size"]
            lines.append(f"Target at {size:,} products: not measured.")
        else:
            lines.append(
                f"Target: {catalog['name']} search-turn p50 ≤ {target['p50_ms']:g} ms: "
                f"{words[target['met']]} ({catalog['turn']['p50_ms']:.1f} ms)."
            )
        if catalog["not_search_turns"]:
            lines.append(
                f"{catalog['name']}: turns no search action answered: "
                + "; ".join(catalog["not_search_turns"])
            )
    return lines


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


def _worker_counts(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError as exc:
        raise typer.BadParameter("comma-separated worker counts: 1, 2 or 1,2") from exc
    if not counts or not set(counts) <= {1, 2}:
        raise typer.BadParameter("comma-separated worker counts: 1, 2 or 1,2")
    return counts


def _settings_overrides(pairs: list[str]) -> dict[str, Any]:
    import yaml

    found: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{pair!r}: expected key=value, e.g. events.max_batch=50")
        found[key.strip()] = yaml.safe_load(value)
    return found


@app.command("load")
def load(
    ctx: typer.Context,
    shoppers: Annotated[
        int, typer.Option("--shoppers", min=1, help="Simulated shoppers per phase.")
    ] = 100,
    turns: Annotated[int, typer.Option("--turns", min=1, help="Messages each shopper sends.")] = 4,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, help="Shoppers connected at once, at most.")
    ] = 100,
    ramp: Annotated[
        float,
        typer.Option("--ramp", min=1, help="Connections a second while the first ones open."),
    ] = 200.0,
    timeout: Annotated[
        float, typer.Option("--timeout", min=10, help="Seconds for the whole run, at most.")
    ] = 900.0,
    workers: Annotated[
        str, typer.Option("--workers", help="Worker counts to measure: 1, 2 or 1,2.")
    ] = "1,2",
    fault: Annotated[
        bool,
        typer.Option("--fault", help="Also 2 workers with Redis restarted and one killed."),
    ] = False,
    database_url: Annotated[
        str,
        typer.Option(
            "--database-url",
            help="PostgreSQL server to create the bench's database on (sqlite: one worker).",
        ),
    ] = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    settings_set: Annotated[
        list[str] | None,
        typer.Option("--set", help="A setting for the workers, key=value (repeatable)."),
    ] = None,
    logs: Annotated[
        Path | None, typer.Option("--logs", help="Keep the servers' logs in this directory.")
    ] = None,
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Turns/s and p50/p99 of simulated shoppers on 1 and 2 workers (PostgreSQL, Redis,
    Chroma, all started here), messages lost and duplicated by the database's account,
    beside a bare FastAPI WebSocket echo."""
    from assistant.bench.load import run_benchmark

    counts = _worker_counts(workers)
    if fault and 2 not in counts:
        counts = (*counts, 2)
    figures = run_benchmark(
        state(ctx).settings,
        shoppers=shoppers,
        turns=turns,
        concurrency=concurrency,
        ramp=ramp,
        timeout=timeout,
        workers=counts,
        fault=fault,
        database_url=database_url,
        overrides=_settings_overrides(settings_set or []),
        logs=logs,
        progress=progress_lines(as_json=as_json),
    )
    if emit_json(figures, as_json=as_json, output=output):
        return
    out = Console()
    if not out.is_terminal:  # a file or a pipe: a full row per line
        out.width = max(out.width, 110)
    out.print(load_table(figures))
    for line in load_notes(figures):
        out.print(line)


def _cell(value: Any, key: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, int) or (key.endswith("_ms") and value >= 100):
        return f"{value:,.0f}"
    return f"{value:,.1f}"


_LOAD_COLUMNS = {
    "shoppers": "shoppers",
    "turns": "turns",
    "turns_per_s": "turns/s",
    "p50_ms": "p50 ms",
    "p99_ms": "p99 ms",
    "lost": "lost",
    "duplicated": "dup.",
    "errors": "errors",
    "reconnects": "reconn.",
}


def load_table(figures: dict[str, Any]) -> Table:
    load = figures["load_average"]
    table = Table(
        box=box.SIMPLE_HEAD,
        title=(
            f"Simulated shoppers over WS /ws/chat: {figures['shoppers']} × "
            f"{figures['turns_per_shopper']} turns, at most {figures['concurrency']} at once"
        ),
        caption=(
            f"{figures['database']}, Redis, a Chroma server; no language model; "
            f"{figures['cpu_count']} CPUs, load {load['start']}→{load['end']}; "
            f"{figures['seconds']} s in all. Lost and duplicated are counted against the "
            "database; the echo stores nothing."
        ),
    )
    table.add_column("", no_wrap=True)
    for label in _LOAD_COLUMNS.values():
        table.add_column(label, justify="right")
    for phase in figures["phases"]:
        name = "echo (reference)" if phase["name"] == "echo" else phase["name"]
        table.add_row(name, *(_cell(phase[key], key) for key in _LOAD_COLUMNS))
    return table


def load_notes(figures: dict[str, Any]) -> list[str]:
    """What the table cannot say: the kinds of loss, errors and server log lines."""
    lines = []
    for phase in figures["phases"]:
        name = phase["name"]
        fault = phase.get("fault")
        if fault and "killed" in fault:
            lines.append(
                f"{name}: at turn {fault['at_turn']} of {fault['of_turns']}, Redis stopped and "
                f"{fault['killed']} killed (SIGKILL); Redis back after {fault['redis_down_s']} s."
            )
        elif fault:
            lines.append(f"{name}: {fault}")
        checks = phase.get("checks") or {}
        if checks.get("kinds"):
            lines.append(f"{name}: {checks['kinds']}")
            lines += [f"  {example}" for example in checks["examples"][:5]]
        if phase["error_kinds"]:
            lines.append(f"{name}: errors {phase['error_kinds']}")
        server = phase.get("server_errors") or {}
        if server.get("lines") or server.get("warnings"):
            lines.append(
                f"{name}: the workers logged {server['lines']} error lines "
                f"({server['tracebacks']} tracebacks) and {server['warnings']} warnings"
            )
            lines += [f"  {example}" for example in server["examples"]]
    return lines
