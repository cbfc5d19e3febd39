"""What `eval` and `bench` commands share: the `--json`, `--output` and `--provider` options,
their progress lines, a figure in a table cell, and writing their figures out (a table for
people, one JSON object on stdout for machines)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from assistant.config import LLMProvider

JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print one JSON object on stdout, nothing else.")
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Also write the JSON to this file.")
]
# The servers a bench starts: settings for its workers, and where their logs are kept.
WorkerSettings = Annotated[
    list[str] | None,
    typer.Option("--set", help="A setting for the workers, key=value (repeatable)."),
]
LogsOption = Annotated[
    Path | None, typer.Option("--logs", help="Keep the servers' logs in this directory.")
]


def emit_json(figures: dict[str, Any], *, as_json: bool, output: Path | None) -> bool:
    """Write the figures to `output` if given, print them as one JSON line with `as_json`;
    True when printed (the caller then prints nothing else)."""
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(figures))
    return as_json


def progress_lines(*, as_json: bool) -> Callable[[str], None] | None:
    """A long command's progress for people (dimmed, on stderr); none when it prints JSON."""
    if as_json:
        return None
    from rich.console import Console

    console = Console(stderr=True)
    return lambda line: console.print(f"[dim]{line}[/dim]")


def fmt(value: object) -> str:
    """A figure in a table cell: three decimals, or a dash for none."""
    return "—" if value is None else f"{value:.3f}"


ProviderOption = Annotated[
    str,
    typer.Option("--provider", help="llamacpp (started here), openai, or config (as set)."),
]


def provider_choice(name: str) -> LLMProvider | None:
    """The provider a command runs with; None keeps the configured one."""
    from assistant.config import LLMProvider

    choices = {"llamacpp": LLMProvider.llamacpp, "openai": LLMProvider.openai, "config": None}
    if name not in choices:
        raise typer.BadParameter("llamacpp, openai or config", param_hint="--provider")
    return choices[name]
