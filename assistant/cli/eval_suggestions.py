"""`assistant eval suggestions`: judged relevance of suggestions on the demo catalog,
precision@3 per kind beside popularity and plain co-purchase."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.context import state
from assistant.cli.figures import JsonFlag, OutputOption, emit_json, progress_lines


def suggestions(
    ctx: typer.Context,
    requests: Annotated[
        Path | None,
        typer.Option(
            "--requests",
            help="A file of judged requests (default: assistant/eval/data/"
            "suggestion_requests.yml).",
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Print each request aisle got wrong.")
    ] = False,
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Suggestions a shopper would take: precision@3 per kind beside the baselines."""
    from assistant.eval.suggestions import evaluate_suggestions

    figures = evaluate_suggestions(
        state(ctx).settings, path=requests, progress=progress_lines(as_json=as_json)
    )
    if emit_json(figures, as_json=as_json, output=output):
        return
    table = Table(
        title="Suggestions: precision@3 (strict: ÷ 3 whatever was shown)",
        caption=f"{figures['requests_file']}; {figures['seconds']} s",
    )
    table.add_column("kind")
    table.add_column("requests", justify="right")
    for system in figures["systems"]:
        table.add_column(system, justify="right")
    for group, row in figures["figures"].items():
        table.add_row(
            group,
            str(int(row["requests"]["count"])),
            *(
                f"{row[system]['precision@3']:.3f} ({row[system]['strict']:.3f})"
                for system in figures["systems"]
            ),
        )
    console = Console()
    console.print(table)
    if verbose:
        for miss in figures["misses"]:
            console.print(f"[bold]{miss['id']}[/] ({miss['kind']}): {', '.join(miss['shown'])}")
            for line in miss["transcript"]:
                console.print(f"  {line}")
