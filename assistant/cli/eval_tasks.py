"""`assistant eval tasks`: order support end to end, the τ²-bench retail tasks played by the
goal-scripted and the prose shopper, with pass rates, policy violations and transfers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.context import state
from assistant.cli.figures import JsonFlag, OutputOption, emit_json, fmt, progress_lines


def tasks(
    ctx: typer.Context,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", help="τ²-bench retail tasks (default: knowledge_base/store/tasks_train.json)."
        ),
    ] = None,
    only: Annotated[
        str | None, typer.Option("--only", help="Comma-separated task ids to run.")
    ] = None,
    shopper: Annotated[
        str,
        typer.Option(
            "--shopper",
            help="goal (knows the expected changes), prose (speaks from the scenario text "
            "only), or both.",
        ),
    ] = "both",
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Order support end to end: scripted shoppers play the τ²-bench retail tasks."""
    from assistant.eval.tasks import SHOPPERS, evaluate_tasks

    if shopper not in (*SHOPPERS, "both"):
        raise typer.BadParameter(f"choose goal, prose or both, not {shopper!r}")
    chosen = {part.strip() for part in only.split(",") if part.strip()} if only else None
    shoppers = SHOPPERS if shopper == "both" else (shopper,)
    report = evaluate_tasks(
        state(ctx).settings,
        data_path=data,
        only=chosen,
        shoppers=shoppers,
        progress=progress_lines(as_json=as_json),
    )
    figures = report.as_dict()
    if emit_json(figures, as_json=as_json, output=output):
        return
    console = Console()
    table = Table(title=f"Order tasks on {figures['data']}", caption=f"{figures['seconds']} s")
    for column in ("shopper", "task", "style", "result", "violations", "why it failed"):
        table.add_column(column, justify="right" if column == "violations" else "left")
    for row in figures["results"]:
        table.add_row(
            row["shopper"],
            row["id"],
            row["style"],
            "pass" if row["passed"] else "FAIL",
            str(row["violations"]),
            row["reason"][:120],
        )
    console.print(table)
    summary = Table(title="Summary")
    summary.add_column("metric")
    for name in figures["shoppers"]:
        summary.add_column(f"{name} shopper", justify="right")
    rows = list(figures["shoppers"].values())
    summary.add_row("tasks passed", *(f"{f['passed']} / {f['tasks']}" for f in rows))
    summary.add_row("pass rate", *(fmt(f["pass_rate"]) for f in rows))
    summary.add_row("policy violations", *(str(f["policy_violations"]) for f in rows))
    summary.add_row(
        "transfers to a person",
        *(f"{f['transfers_done']} / {f['transfers_expected']} expected" for f in rows),
    )
    summary.add_row(
        "passed with nothing to write",
        *(
            f"{f['passed_with_nothing_to_write']} / {f['tasks_with_nothing_to_write']}"
            for f in rows
        ),
    )
    summary.add_row(
        "facts told (communicate_info)",
        *(f"{f['facts_told']} / {f['tasks_with_facts']}" for f in rows),
    )
    console.print(summary)
