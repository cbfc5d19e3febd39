"""`assistant bench search`: search-turn latency through the dialogue engine on the demo and a
synthetic catalog, beside the search core alone and a brute-force scan; its table."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.context import state
from assistant.cli.figures import JsonFlag, OutputOption, emit_json, progress_lines


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
