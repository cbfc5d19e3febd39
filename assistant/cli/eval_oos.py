"""`assistant eval oos`: the share of CLINC150's other-domain and out-of-scope messages that
start an order task, a search or a policy answer, beside the TF-IDF baseline's."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.context import state
from assistant.cli.figures import JsonFlag, OutputOption, emit_json, progress_lines


def oos(
    ctx: typer.Context,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", help="CLINC150 JSON (default: ../shared/data/clinc150/train_val.json)."
        ),
    ] = None,
    splits: Annotated[
        str, typer.Option("--splits", help="Comma-separated CLINC150 splits to run.")
    ] = "val,oos_val",
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, help="Only the first N messages of each split."),
    ] = None,
    in_scope: Annotated[
        bool,
        typer.Option(
            "--in-scope/--no-in-scope",
            help="Also measure the false out-of-scope rate on Bitext's in-scope requests.",
        ),
    ] = True,
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Out-of-scope safety on CLINC150: what other domains' messages start, Aisle vs TF-IDF."""
    from assistant.eval.oos import evaluate_oos

    chosen = [part.strip() for part in splits.split(",") if part.strip()]
    report = evaluate_oos(
        state(ctx).settings,
        data_path=data,
        splits=chosen,
        limit=limit,
        in_scope=in_scope,
        progress=progress_lines(as_json=as_json),
    )
    figures = report.as_dict()
    if emit_json(figures, as_json=as_json, output=output):
        return
    Console().print(_table(figures))


def _table(figures: dict[str, Any]) -> Table:
    table = Table(
        title=f"Out-of-scope safety on {figures['data']} ({', '.join(figures['splits'])})",
        caption=f"{figures['messages']} other-domain and out-of-scope messages, one per "
        f"conversation; target: at most {figures['target']:.0%} start something; "
        f"{figures['seconds']} s",
    )
    table.add_column("metric")
    table.add_column("aisle", justify="right")
    table.add_column("baseline", justify="right")
    systems = ("aisle", "baseline")
    table.add_row("start something", *(_pct(figures["started_share"][s]) for s in systems))
    for kind in ("order", "search", "policy"):
        table.add_row(
            f"  start {'an' if kind == 'order' else 'a'} {kind}",
            *(str(figures["started_by_kind"][s][kind]) for s in systems),
        )
    for split in figures["splits"]:
        table.add_row(f"  on {split}", *(_pct(figures["by_split"][s][split]) for s in systems))
    table.add_row(
        f"shopping messages that start something ({figures['shopping_messages']})",
        *(_pct(figures["shopping_started_share"][s]) for s in systems),
    )
    table.add_row(
        f"in-scope requests put out of scope ({figures['in_scope_rows']}, NLU only)",
        *(_pct(figures["false_out_of_scope"][s]) for s in systems),
    )
    tuning = figures["baseline_tuning"]
    table.add_row(
        "baseline C / threshold (tuned on nlu_data/)",
        "",
        f"{tuning['regularisation']} / {tuning['threshold']}",
    )
    return table


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"
