"""`assistant eval recs`: the store's recommender beside popularity and item-kNN on Online
Retail and DIGINETICA, with the validation search of its params."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.context import state
from assistant.cli.figures import JsonFlag, OutputOption, emit_json, fmt, progress_lines


def recs(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Folder of the interaction files (default: ../shared/data/interactions).",
        ),
    ] = None,
    retail_file: Annotated[
        str,
        typer.Option(
            "--retail-file",
            help="The Online Retail file in that folder, .csv or .csv.gz (the 10,000-line "
            "sample: online_retail_sample.csv).",
        ),
    ] = "online_retail.csv.gz",
    sets: Annotated[
        str,
        typer.Option(
            "--sets",
            help="Comma-separated: online_retail (whole basket), online_retail_new_items, "
            "diginetica.",
        ),
    ] = "online_retail,online_retail_new_items,diginetica",
    tune: Annotated[
        bool | None,
        typer.Option(
            "--tune/--no-tune",
            help="--tune: also search the recommender's params on Online Retail's validation "
            "split and show the choice beside config.yml's (the test still scores config.yml's). "
            "--no-tune: no validation at all (defaults for item-kNN and DIGINETICA).",
        ),
    ] = None,
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Recommendations: the store's recommender (config.yml) beside popularity and item-kNN,
    each Online Retail basket predicted by models fitted strictly before it."""
    from assistant.eval.recs import evaluate_recs

    chosen = [part.strip() for part in sets.split(",") if part.strip()]
    figures = evaluate_recs(
        state(ctx).settings,
        data_dir=data_dir,
        retail_file=retail_file,
        sets=chosen,
        tune=tune,
        progress=progress_lines(as_json=as_json),
    )
    if emit_json(figures, as_json=as_json, output=output):
        return
    console = Console()
    for result in figures["sets"]:
        console.print(_recs_table(result, figures["systems"], figures["k"]))
        if result.get("search"):
            console.print(_search_table(result["search"], figures["k"]))


def _recs_table(result: dict[str, Any], systems: list[str], k: int) -> Table:
    """One set: test figures of every system, then their validation figures."""
    params = result["params"]
    facts = [f"{result['dropped']} dropped", f"{result['reachable']:.0%} reachable"]
    if "cases_with_rebuys" in result:
        facts.append(f"{result['cases_with_rebuys']} with re-buys")
    if "blocks" in result:
        protocol = result["protocol"]
        facts.append(
            f"{result['blocks']} blocks of up to {protocol['block_cases']} baskets or "
            f"{protocol['block_days']:g} days, in time order"
        )
    validation = result["validation"] or {}
    table = Table(
        title=f"Recommendations on {result['set']} ({result['file']}): {result['split']}",
        caption=f"{result['cases']} cases ({', '.join(facts)}); validation "
        f"{validation.get('cases', 0)} cases; catalog {result['catalog']} items; "
        f"{result['seconds']} s\naisle: {params['aisle_source']}; "
        f"item-kNN {params['item_knn']['neighbours'] or 'all'} neighbours",
        min_width=72,
    )
    table.add_column("metric")
    for system in systems:
        table.add_column(system, justify="right")
    for metric in result["systems"]["aisle"]:
        table.add_row(metric, *(fmt(result["systems"][system][metric]) for system in systems))
    table.add_row(
        f"aisle hr@{k} ÷ this", "", *(_fmt_ratio(value) for value in result["ratios"].values())
    )
    for metric in result["validation_systems"].get("aisle", {}):
        table.add_row(
            f"{metric}, validation",
            *(fmt(result["validation_systems"][system][metric]) for system in systems),
        )
    return table


def _search_table(search: dict[str, Any], k: int) -> Table:
    """What the search on validation would change, with aisle's validation HR@k per value."""
    table = Table(
        title="Search on the validation split (from config.yml's params)",
        caption="no change: config.yml's params are where the search ends"
        if not search["changed"]
        else f"would change {', '.join(search['changed'])}",
        min_width=72,
    )
    table.add_column("param")
    table.add_column("configured", justify="right")
    table.add_column("chosen", justify="right")
    table.add_column(f"aisle hr@{k} on validation per value tried")
    for name, tried in search["tried"].items():
        table.add_row(
            name,
            str(search["configured"][name]),
            str(search["chosen"][name]),
            ", ".join(f"{value}: {fmt(f[f'hr@{k}'])}" for value, f in tried.items()),
        )
    return table


def _fmt_ratio(value: object) -> str:
    return "—" if value is None else f"{value:.2f}×"
