"""`assistant bench load`: simulated shoppers on 1 and 2 workers beside a bare WebSocket echo;
its table and the notes the table cannot say."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from assistant.cli.context import state
from assistant.cli.figures import (
    JsonFlag,
    LogsOption,
    OutputOption,
    WorkerSettings,
    emit_json,
    progress_lines,
)


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
    settings_set: WorkerSettings = None,
    logs: LogsOption = None,
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
