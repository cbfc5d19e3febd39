"""`assistant store ...`: load the demo store's data into the database."""

from __future__ import annotations

import typer

from assistant.cli.context import state
from assistant.persistence.db import make_engine, make_session_factory
from assistant.store.seed import seed_store

app = typer.Typer(help="The demo store's data.", no_args_is_help=True)


@app.command()
def seed(
    ctx: typer.Context,
    reset: bool = typer.Option(
        False, "--reset", help="Delete the store's rows and reload them (orders included)."
    ),
) -> None:
    """Seed an empty store from `store.seed_path`; with --reset, restore the pristine data."""
    settings = state(ctx).settings
    engine = make_engine(settings.database_url, echo=settings.database.echo)
    try:
        report = seed_store(
            make_session_factory(engine), settings.path(settings.store.seed_path), reset=reset
        )
    finally:
        engine.dispose()
    typer.echo(report.summary())
