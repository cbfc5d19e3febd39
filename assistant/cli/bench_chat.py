"""`assistant bench chat`: one server process under 1, 50 and 200 chats, back to back and at
a human pace, beside a bare WebSocket echo; its tables and the notes they cannot say."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from assistant.bench.chat_script import KINDS
from assistant.cli.bench_load import _settings_overrides
from assistant.cli.context import state
from assistant.cli.figures import (
    JsonFlag,
    LogsOption,
    OutputOption,
    WorkerSettings,
    emit_json,
    progress_lines,
)

_MODES = ("back-to-back", "paced")


def _counts(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise typer.BadParameter("comma-separated chat counts, e.g. 1,50,200") from exc
    if not counts or min(counts) < 1:
        raise typer.BadParameter("comma-separated chat counts, e.g. 1,50,200")
    return tuple(dict.fromkeys(counts))


def _modes(text: str) -> tuple[str, ...]:
    modes = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not modes or not set(modes) <= set(_MODES):
        raise typer.BadParameter("back-to-back, paced or both: back-to-back,paced")
    return modes


def chat(
    ctx: typer.Context,
    chats: Annotated[
        str, typer.Option("--chats", help="Chat counts, each a phase: e.g. 1,50,200.")
    ] = "1,50,200",
    modes: Annotated[
        str, typer.Option("--modes", help="back-to-back, paced, or both (comma-separated).")
    ] = "back-to-back,paced",
    pace_s: Annotated[
        float, typer.Option("--pace-s", min=0.1, help="Paced: seconds between a chat's messages.")
    ] = 3.0,
    duration_s: Annotated[
        float, typer.Option("--duration-s", min=1, help="Seconds of each phase.")
    ] = 20.0,
    idle: Annotated[
        bool, typer.Option("--idle", help="Also hold --idle-chats idle chats and read the RSS.")
    ] = False,
    idle_chats: Annotated[
        int, typer.Option("--idle-chats", min=1, help="Idle chats held open with --idle.")
    ] = 2000,
    database_url: Annotated[
        str,
        typer.Option(
            "--database-url",
            help="sqlite:// (a file of its own), or a PostgreSQL server to create one on.",
        ),
    ] = "sqlite://",
    settings_set: WorkerSettings = None,
    profile: Annotated[
        Path | None,
        typer.Option("--profile", help="cProfile the worker's phases (all threads); JSON here."),
    ] = None,
    logs: LogsOption = None,
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Turns/s, p50/p99 per kind of turn, server CPU per turn and memory of one server
    process under N chats (back to back and paced), its first reply after ready, beside a
    bare FastAPI WebSocket echo in the same run."""
    from assistant.bench.chat import run_benchmark

    figures = run_benchmark(
        state(ctx).settings,
        chats=_counts(chats),
        modes=_modes(modes),
        pace_s=pace_s,
        duration_s=duration_s,
        idle_chats=idle_chats if idle else 0,
        database_url=database_url,
        overrides=_settings_overrides(settings_set or []),
        logs=logs,
        profile=profile,
        progress=progress_lines(as_json=as_json),
    )
    if emit_json(figures, as_json=as_json, output=output):
        return
    out = Console()
    if not out.is_terminal:  # a file or a pipe: a full row per line
        out.width = max(out.width, 120)
    for table in (chat_table(figures), kinds_table(figures), first_reply_table(figures)):
        out.print(table)
    for line in chat_notes(figures):
        out.print(line)


def _cell(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.0f}" if value >= 1000 else f"{value:,.{digits}f}"


def _mode(row: dict[str, Any]) -> str:
    return f"paced {row['pace_s']:g} s" if row["pace_s"] else "back to back"


_COLUMNS = {
    "turns": ("turns", 0),
    "turns_per_s": ("turns/s", 1),
    "p50_ms": ("p50 ms", 1),
    "p99_ms": ("p99 ms", 1),
    "cpu_ms_per_turn": ("CPU ms/turn", 2),
    "cores_used": ("cores", 2),
    "rss_mb": ("RSS MB", 0),
    "errors": ("errors", 0),
}


def chat_table(figures: dict[str, Any]) -> Table:
    load = figures["load_average"]
    table = Table(
        box=box.SIMPLE_HEAD,
        title=(
            f"One server process under N chats over WS /ws/chat, {figures['duration_s']:g} s "
            "a phase, beside a bare FastAPI WebSocket echo"
        ),
        caption=(
            f"{figures['database']}, Redis, a Chroma server; no language model; "
            f"{figures['cpu_count']} CPUs, load {load['start']}→{load['end']}; "
            f"{figures['seconds']} s in all. CPU: the server process's user + system time "
            "over the phase, per turn answered."
        ),
    )
    for label in ("chats", "mode", ""):
        table.add_column(label, no_wrap=True)
    for label, _digits in _COLUMNS.values():
        table.add_column(label, justify="right")
    for row in figures["phases"]:
        for name in ("assistant", "echo"):
            phase = row[name]
            cells = [_cell(phase[key], digits) for key, (_label, digits) in _COLUMNS.items()]
            if name == "assistant":
                table.add_row(str(row["chats"]), _mode(row), "assistant", *cells)
            else:
                table.add_row("", "", "echo (reference)", *cells)
    return table


def kinds_table(figures: dict[str, Any]) -> Table:
    kinds = KINDS
    table = Table(box=box.SIMPLE_HEAD, title="The assistant's turns by kind: p50 / p99 ms")
    table.add_column("chats", no_wrap=True)
    table.add_column("mode", no_wrap=True)
    for kind in kinds:
        table.add_column(kind, justify="right")
    for row in figures["phases"]:
        by_kind = row["assistant"]["by_kind"]
        cells = []
        for kind in kinds:
            found = by_kind.get(kind)
            cells.append(f"{_cell(found['p50_ms'])} / {_cell(found['p99_ms'])}" if found else "—")
        table.add_row(str(row["chats"]), _mode(row), *cells)
    return table


def first_reply_table(figures: dict[str, Any]) -> Table:
    mine, echo = figures["first_reply"]["assistant"], figures["first_reply"]["echo"]
    table = Table(
        box=box.SIMPLE_HEAD,
        title=(
            f"First replies after /readyz said ready ({figures['ready_s']:g} s after start), "
            "then the same conversation again, ms"
        ),
        caption="Each kind's first turn of the server's life, and the same words again warm.",
    )
    for label in ("turn", "said", "first", "warm", "echo first", "echo warm"):
        table.add_column(label, justify="left" if label in ("turn", "said") else "right")
    for kind, found in mine["by_kind"].items():
        theirs = echo["by_kind"].get(kind, {})
        table.add_row(
            kind,
            found["said"][:40],
            _cell(found["first_ms"]),
            _cell(found["warm_ms"]),
            _cell(theirs.get("first_ms")),
            _cell(theirs.get("warm_ms")),
        )
    return table


def chat_notes(figures: dict[str, Any]) -> list[str]:
    """What the tables cannot say: other servers' CPU, the client's, errors, idle, profile."""
    lines = [
        f"The worker with no chat used {figures['idle_cpu_ms_per_s']} ms of CPU a second, "
        "which each phase's CPU per turn includes."
    ]
    for row in figures["phases"]:
        mine, echo = row["assistant"], row["echo"]
        where = f"{row['chats']} chats, {_mode(row)}"
        others = ", ".join(
            f"{name} {_cell(value, 2)}" for name, value in mine["others_cpu_ms_per_turn"].items()
        )
        lines.append(
            f"{where}: other servers' CPU ms/turn: {others}; the bench's chats used "
            f"{mine['client_cores_used']} cores (echo phase: {echo['client_cores_used']}); "
            f"peak RSS {mine['peak_rss_mb']} MB, {mine['threads']} threads; "
            f"{mine['system_share']:.0%} of its CPU in the kernel "
            f"(echo: {echo['system_share']:.0%})"
        )
        for name, phase in (("assistant", mine), ("echo", echo)):
            if phase["error_kinds"]:
                lines.append(f"  {name}: errors {phase['error_kinds']}")
        server = mine.get("server_errors") or {}
        if server.get("lines"):
            lines.append(f"  the worker logged {server['lines']} error lines")
            lines += [f"    {example}" for example in server["examples"]]
    idle = figures.get("idle")
    if idle:
        for name, found in idle.items():
            lines.append(
                f"{found['chats']} idle chats on the {name}: RSS {found['rss_before_mb']} → "
                f"{found['rss_mb']} MB ({found['kb_per_chat']} KB a chat), opened in "
                f"{found['open_s']} s; errors {found['errors'] or 0}"
            )
    profile = figures.get("profile")
    if profile and "inclusive" in profile:
        lines.append(
            f"Profile (cProfile, thread CPU; {profile['path']}): "
            f"{profile['python_threads_cpu_s']} s of Python threads' CPU of the process's "
            f"{profile['process_cpu_s']} s; top by inclusive CPU:"
        )
        lines += [f"  {row['share']:6.1%}  {row['function']}" for row in profile["inclusive"][:12]]
        lines.append("top by own CPU:")
        lines += [f"  {row['share']:6.1%}  {row['function']}" for row in profile["own"][:12]]
    elif profile:
        lines.append(f"Profile: {profile.get('error')}")
    return lines
