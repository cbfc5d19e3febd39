"""Schema migrations: Alembic driven from code, against a URL or an existing engine.

The scripts live beside this module (`migrations/`), so an installed package migrates without
an alembic.ini. Every function takes a URL (an engine is built and disposed) or an `Engine`
(reused, e.g. the app's own for /readyz).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from assistant.persistence.db import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic `Config` for our scripts; the URL travels in `attributes`, not in an ini
    option, so a `%` in it (e.g. `options=-csearch_path%3Dx`) needs no escaping."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.attributes["url"] = url
    return config


@contextmanager
def _engine(target: str | Engine) -> Iterator[Engine]:
    if isinstance(target, Engine):
        yield target
        return
    engine = make_engine(target)
    try:
        yield engine
    finally:
        engine.dispose()


def _run(target: str | Engine, action: Callable[[Config], None]) -> None:
    with _engine(target) as engine, engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        action(config)


def upgrade(url: str | Engine, revision: str = "head") -> None:
    """Migrate the database up to `revision` (all the way by default)."""
    _run(url, lambda config: command.upgrade(config, revision))


def downgrade(url: str | Engine, revision: str) -> None:
    """Migrate the database down to `revision` ("base" drops every table)."""
    _run(url, lambda config: command.downgrade(config, revision))


def head() -> str | None:
    """The newest revision among the scripts."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _current_heads(connection: Connection) -> tuple[str, ...]:
    return MigrationContext.configure(connection).get_current_heads()


def current(url: str | Engine) -> str | None:
    """The database's revision, or None when it was never migrated."""
    with _engine(url) as engine, engine.connect() as connection:
        heads = _current_heads(connection)
    return heads[0] if heads else None


def check_up_to_date(url: str | Engine) -> bool:
    """Whether the database is at the scripts' head (for /readyz); errors reaching the
    database propagate, so the caller can tell "unreachable" from "behind"."""
    script = ScriptDirectory.from_config(alembic_config())
    with _engine(url) as engine, engine.connect() as connection:
        heads = _current_heads(connection)
    return set(heads) == set(script.get_heads())
