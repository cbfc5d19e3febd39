"""`assistant eval retrieval`: hybrid retrieval beside lexical-only and vector-only on the same
index, per query set."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.context import state
from assistant.cli.figures import JsonFlag, OutputOption, emit_json, fmt, progress_lines


def retrieval(
    ctx: typer.Context,
    sets: Annotated[
        str,
        typer.Option("--sets", help="Comma-separated: policyqa, policies, products."),
    ] = "policyqa,policies,products",
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Retrieval quality: hybrid search beside lexical-only and vector-only, same index."""
    from assistant.eval.retrieval import evaluate_retrieval

    chosen = [part.strip() for part in sets.split(",") if part.strip()]
    figures = evaluate_retrieval(
        state(ctx).settings,
        sets=chosen,
        progress=progress_lines(as_json=as_json),
    )
    if emit_json(figures, as_json=as_json, output=output):
        return
    for result in figures["sets"]:
        table = Table(
            title=f"Retrieval on {result['set']}",
            caption=f"{result['chunks']} chunks, {result['queries']} queries, "
            f"{result['seconds']} s",
        )
        table.add_column("metric")
        for mode in figures["modes"]:
            table.add_column(mode, justify="right")
        for metric in result["systems"]["hybrid"]:
            table.add_row(
                metric, *(fmt(result["systems"][mode][metric]) for mode in figures["modes"])
            )
        Console().print(table)
