"""`assistant eval conversations`: the pass rate per category of the multi-turn conversations,
with conversation repair and without it, and what failed (with transcripts on request)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.context import state
from assistant.cli.figures import JsonFlag, OutputOption, emit_json, progress_lines

HEADINGS = {"repair": "with repair", "no_repair": "repair off"}


def conversations(
    ctx: typer.Context,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Folder of conversation files (default: assistant/eval/data/conversations).",
        ),
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="Only this category's conversations.")
    ] = None,
    baseline: Annotated[
        bool,
        typer.Option(
            "--baseline/--no-baseline",
            help="Also play the suite with conversation repair switched off (default).",
        ),
    ] = True,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Print each failure's transcript.")
    ] = False,
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Multi-turn conversations as shoppers have them, judged by meaning: pass rate per
    category, beside the same suite with conversation repair switched off."""
    from assistant.eval.conversations import SYSTEMS, evaluate_conversations

    report = evaluate_conversations(
        state(ctx).settings,
        data_dir=data,
        category=category,
        systems=SYSTEMS if baseline else SYSTEMS[:1],
        progress=progress_lines(as_json=as_json),
    )
    figures = report.as_dict()
    if emit_json(figures, as_json=as_json, output=output):
        return
    console = Console()
    console.print(rates_table(figures))
    console.print(checks_table(figures))
    failures = figures["failures"].get("repair", [])
    if failures:
        console.print(failures_table(failures))
    if verbose:
        for failure in failures:
            console.print(transcript_text(failure), markup=False)
    for problem in figures["problems"]:
        console.print(f"[yellow]left out[/yellow] {problem}")


def rates_table(figures: dict[str, Any]) -> Table:
    systems = list(figures["systems"])
    table = Table(
        title=f"Conversations in {figures['data']}",
        caption=f"{figures['conversations']} conversations, {figures['turns']} turns; "
        f"{figures['seconds']} s",
    )
    table.add_column("category")
    table.add_column("n", justify="right")
    for system in systems:
        table.add_column(HEADINGS.get(system, system), justify="right")
    for category in figures["categories"]:
        cells = [figures["systems"][s]["categories"][category] for s in systems]
        table.add_row(category, str(cells[0]["conversations"]), *(_rate(c) for c in cells))
    overall = [figures["systems"][s]["all"] for s in systems]
    table.add_row("all", str(overall[0]["conversations"]), *(_rate(c) for c in overall))
    return table


def checks_table(figures: dict[str, Any]) -> Table:
    systems = list(figures["systems"])
    table = Table(title="Failed checks (conversations may fail several)")
    table.add_column("check")
    for system in systems:
        table.add_column(HEADINGS.get(system, system), justify="right")
    names: list[str] = []
    for system in systems:
        names += [n for n in figures["systems"][system]["failed_checks"] if n not in names]
    for name in names:
        table.add_row(
            name, *(str(figures["systems"][s]["failed_checks"].get(name, 0)) for s in systems)
        )
    return table


def failures_table(failures: list[dict[str, Any]]) -> Table:
    table = Table(title="Failures with repair (first failed check)")
    table.add_column("conversation")
    table.add_column("turn", justify="right")
    table.add_column("check")
    table.add_column("why")
    for failure in failures:
        first = failure["failures"][0]
        turn = "end" if first["turn"] is None else str(first["turn"])
        table.add_row(failure["id"], turn, first["check"], first["why"][:100])
    return table


def transcript_text(failure: dict[str, Any]) -> str:
    lines = [f"\n== {failure['id']} ({failure['persona']})"]
    lines += [
        f"  ✗ turn {f['turn'] if f['turn'] is not None else 'end'}: {f['check']} — {f['why']}"
        for f in failure["failures"]
    ]
    for line in failure["transcript"]:
        if "shopper" in line:
            lines.append(f"  shopper: {line['shopper']}")
            continue
        said = str(line.get("assistant") or f"[{line.get('card')}]").replace("\n", "\n           ")
        extra = f" [{line['card']}]" if line.get("card") and line.get("assistant") else ""
        buttons = f" {line['buttons']}" if line.get("buttons") else ""
        lines.append(f"  bot:     {said}{extra}{buttons}")
    return "\n".join(lines)


def _rate(cell: dict[str, Any]) -> str:
    if cell["pass_rate"] is None:
        return "—"
    return f"{cell['pass_rate']:.0%} ({cell['passed']})"
