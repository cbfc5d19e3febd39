"""`assistant db ...`: migrate the database schema (Alembic, configured in code)."""

from __future__ import annotations

import typer
from sqlalchemy import Engine

from assistant.cli.context import state
from assistant.persistence import migrate
from assistant.persistence.db import make_engine

app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)


def _engine(ctx: typer.Context) -> Engine:
    settings = state(ctx).settings
    return make_engine(settings.database_url, echo=settings.database.echo)


@app.command()
def upgrade(
    ctx: typer.Context,
    revision: str = typer.Argument("head", help="Target revision."),
) -> None:
    """Migrate the database up to REVISION (the newest by default)."""
    engine = _engine(ctx)
    try:
        migrate.upgrade(engine, revision)
        typer.echo(f"database at revision {migrate.current(engine)}")
    finally:
        engine.dispose()


@app.command()
def downgrade(
    ctx: typer.Context,
    revision: str = typer.Argument(..., help='Target revision; "base" drops every table.'),
) -> None:
    """Migrate the database down to REVISION."""
    engine = _engine(ctx)
    try:
        migrate.downgrade(engine, revision)
        typer.echo(f"database at revision {migrate.current(engine) or 'base'}")
    finally:
        engine.dispose()


@app.command()
def current(ctx: typer.Context) -> None:
    """Print the database's revision and whether it is the newest."""
    engine = _engine(ctx)
    try:
        revision = migrate.current(engine)
        up_to_date = migrate.check_up_to_date(engine)
    finally:
        engine.dispose()
    note = "up to date" if up_to_date else f"behind head {migrate.head()}"
    typer.echo(f"{revision or 'base (not migrated)'} ({note})")
