"""`assistant eval search`: conversational product search, each case file scored on its own,
the assistant beside the search alone and a stateless reading of the last message."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.context import state
from assistant.cli.figures import JsonFlag, OutputOption, emit_json, fmt, progress_lines


def search(
    ctx: typer.Context,
    cases: Annotated[
        list[Path] | None,
        typer.Option(
            "--cases",
            help="A search case file; repeat for several (default: the packaged "
            "search_cases.yml and search_cases_shoppers.yml, each scored on its own).",
        ),
    ] = None,
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Conversational product search: the assistant's final result set (and, for follow-ups,
    its reply) beside a stateless reading of the last message, against sets worked out from
    the catalog."""
    from assistant.eval.search import evaluate_search_files

    files = {path.stem: path for path in cases} if cases else None
    reports = evaluate_search_files(
        state(ctx).settings, files, progress=progress_lines(as_json=as_json)
    )
    figures = {"files": {name: report.as_dict() for name, report in reports.items()}}
    if emit_json(figures, as_json=as_json, output=output):
        return
    console = Console()
    console.print(_search_summary(figures["files"]))
    for name, report in figures["files"].items():
        _print_search_file(console, name, report)


def _search_summary(files: dict[str, Any]) -> Table:
    """One row per case file, side by side."""
    table = Table(title="Product search, each case file scored on its own")
    table.add_column("case file")
    table.add_column("cases", justify="right")
    for heading in ("aisle exact", "aisle precision", "aisle recall", "core exact"):
        table.add_column(heading, justify="right")
    table.add_column("stateless exact", justify="right")
    table.add_column("follow-ups right: slot + reply / slot only", justify="right")
    table.add_column("typed turns in nlu_data/", justify="right")
    for name, report in files.items():
        aisle = report["systems"]["aisle"]
        replies = report["replies"]
        table.add_row(
            name,
            str(report["cases"]),
            *(fmt(aisle[m]) for m in ("exact", "precision", "recall")),
            fmt(report["systems"]["core"]["exact"]),
            fmt(report["systems"]["stateless"]["exact"]),
            f"{replies['exact']} / {replies['set_only_exact']} of {replies['checked']}",
            f"{report['typed_turns_in_nlu_data']} / {report['typed_turns']}",
        )
    return table


def _print_search_file(console: Console, name: str, figures: dict[str, Any]) -> None:
    table = Table(
        title=f"Product search on {figures['cases_file']}",
        caption=f"{figures['exact']} of {figures['cases']} cases exactly right; "
        f"{figures['seconds']} s",
    )
    table.add_column("cases")
    table.add_column("n", justify="right")
    columns = [("aisle", m) for m in ("exact", "precision", "recall")]
    columns += [("core", "exact"), ("stateless", "exact"), ("stateless", "recall")]
    for system, metric in columns:
        table.add_column(f"{system} {metric}", justify="right")
    scopes = {"all": {"cases": figures["cases"], **figures["systems"]}, **figures["categories"]}
    for scope, row in scopes.items():
        cells = [fmt(row[system][metric]) for system, metric in columns]
        table.add_row(scope, str(row["cases"]), *cells)
    console.print(table)
    if figures["failures"]:
        failures = Table(title=f"Not exactly right ({name})")
        failures.add_column("case")
        failures.add_column("category")
        failures.add_column("expected", justify="right")
        failures.add_column("got", justify="right")
        failures.add_column("reply")
        failures.add_column("core")
        failures.add_column("the search it ended with")
        for failure in figures["failures"]:
            got = failure["got_size"]
            reply = failure["expect_reply"]
            shown = "shown" if failure["reply_ok"] else "not shown"
            failures.add_row(
                failure["id"],
                failure["category"],
                str(failure["expected_size"]),
                "no search" if got is None else str(got),
                "—" if reply is None else f"{reply}: {shown}",
                "right" if failure["core_exact"] else "wrong",
                _terms_line(failure["got_terms"]),
            )
        console.print(failures)


def _terms_line(terms: dict[str, Any] | None) -> str:
    """ "Backpack; color black; ≤ 200; in stock"."""
    if not terms:
        return "—"
    parts = [" or ".join(terms["products"]) or "any product"]
    parts += [f"{name} {' or '.join(values)}" for name, values in terms["options"].items()]
    if terms["min_price"] is not None:
        parts.append(f"≥ {terms['min_price']}")
    if terms["max_price"] is not None:
        parts.append(f"≤ {terms['max_price']}")
    if terms["in_stock"]:
        parts.append("in stock")
    return "; ".join(parts)
