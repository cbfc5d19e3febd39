"""Running one `assistant` command group in process, on given settings, as the real CLI
would (typer's CliRunner; the settings handed over as the CLI's state)."""

from __future__ import annotations

from collections.abc import Callable

import typer
from click.testing import Result
from typer.testing import CliRunner

from assistant.cli import CLIState
from assistant.config import Settings


def command_runner(group: typer.Typer, name: str, settings: Settings) -> Callable[..., Result]:
    """`run("seed", "--reset")` invokes `assistant <name> seed --reset`."""
    root = typer.Typer()

    @root.callback()
    def _root() -> None:
        pass

    root.add_typer(group, name=name)
    runner = CliRunner()

    def run(*arguments: str, input: str | None = None) -> Result:
        return runner.invoke(
            root, [name, *arguments], input=input, obj=CLIState(_settings=settings)
        )

    return run
