"""The `assistant` command line: one sub-application per concept, mounted here.

Each sub-module defines `app = typer.Typer(...)`; commands read the settings through
`state(ctx).settings`, loaded once from `--config` (or AISLE_CONFIG, or ./config.yml). Logging
is set up in text at INFO from the start, then as `server.log_format` and `server.log_level`
say once the settings are read (`assistant.logs`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.context import CLIState
from assistant.errors import AisleError
from assistant.logs import configure_logging

app = typer.Typer(
    name="assistant",
    help="Aisle: a self-hosted, chat-first assistant for online stores.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="Path of config.yml.")
    ] = None,
) -> None:
    ctx.obj = CLIState(config_path=config)


def _mount() -> None:
    # Imported here so `assistant --help` stays fast and nothing heavy runs at import.
    from assistant.cli import analytics, bench, db, eval, kb, protocol, serve, store, train, users

    app.add_typer(db.app, name="db")
    app.add_typer(store.app, name="store")
    app.add_typer(eval.app, name="eval")
    app.add_typer(bench.app, name="bench")
    app.add_typer(kb.app, name="kb")
    app.add_typer(users.app, name="users")
    app.add_typer(analytics.app, name="analytics")
    serve.register(app)
    train.register(app)
    protocol.register(app)


def main() -> None:
    configure_logging()
    _mount()
    try:
        app()
    except AisleError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        sys.exit(2)
