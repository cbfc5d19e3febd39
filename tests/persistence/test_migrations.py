"""Migrations build the schema the models describe, both ways, on every backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from assistant.cli import db as db_cli
from assistant.config import load_settings
from assistant.persistence import migrate
from assistant.persistence.db import make_engine
from assistant.persistence.models import Base
from tests.cli_runner import command_runner


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_head_is_the_agent_notes_revision() -> None:
    assert migrate.head() == "0010"


def test_upgrade_downgrade_upgrade(empty_database_url: str) -> None:
    url = empty_database_url
    assert migrate.current(url) is None
    assert not migrate.check_up_to_date(url)

    migrate.upgrade(url)
    assert migrate.current(url) == migrate.head()
    assert migrate.check_up_to_date(url)
    assert _tables(url) == set(Base.metadata.tables) | {"alembic_version"}

    migrate.downgrade(url, "base")
    assert migrate.current(url) is None
    assert _tables(url) <= {"alembic_version"}

    migrate.upgrade(url, "head")
    assert migrate.current(url) == migrate.head()
    assert _tables(url) == set(Base.metadata.tables) | {"alembic_version"}


def test_models_match_the_migrations(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


@pytest.mark.postgres
def test_postgres_tables_live_in_the_test_schema(engine: Engine) -> None:
    with engine.connect() as connection:
        schema = connection.scalar(text("SELECT current_schema()"))
        assert schema is not None and schema.startswith("t_")
        found = connection.scalars(
            text("SELECT table_name FROM information_schema.tables WHERE table_schema = :schema"),
            {"schema": schema},
        ).all()
    assert set(found) == set(Base.metadata.tables) | {"alembic_version"}


def test_db_cli_upgrade_current_downgrade(empty_database_url: str, tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("{}\n", encoding="utf-8")
    settings = load_settings(config, environ={}, overrides={"database.url": empty_database_url})
    run = command_runner(db_cli.app, "db", settings)

    result = run("current")
    assert result.exit_code == 0, result.output
    assert "base" in result.output and "behind head 0010" in result.output

    result = run("upgrade")
    assert result.exit_code == 0, result.output
    assert "database at revision 0010" in result.output

    result = run("current")
    assert result.exit_code == 0, result.output
    assert "0010 (up to date)" in result.output

    result = run("downgrade", "base")
    assert result.exit_code == 0, result.output
    assert migrate.current(empty_database_url) is None


def test_order_changes_revision_keeps_the_store(empty_database_url: str) -> None:
    """0002 adds to a filled `orders` table and takes it off again without losing a row
    (nor, through a table copy, the rows that reference it)."""
    url = empty_database_url
    migrate.upgrade(url, "0001")
    rows = {
        "customers": "INSERT INTO customers VALUES ('c', 'A', 'B', 'a@b.c')",
        "products": "INSERT INTO products VALUES ('p', 'Lamp')",
        "variants": "INSERT INTO variants VALUES ('v', 'p', '{}', 1.50, true)",
        "orders": "INSERT INTO orders (id, customer_id, status, address1, address2, city, state,"
        " country, zip) VALUES ('#W1', 'c', 'pending', 'a', '', 'c', 's', 'u', 'z')",
        "order_items": "INSERT INTO order_items VALUES ('#W1', 0, 'v', 'p', 'Lamp', 1.50, '{}')",
    }
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for statement in rows.values():
                connection.execute(text(statement))
        for revision in ("0002", "0001", "0002"):
            engine.dispose()
            (migrate.upgrade if revision == "0002" else migrate.downgrade)(url, revision)
            with engine.connect() as connection:
                for table in rows:
                    count = connection.scalar(text(f"SELECT count(*) FROM {table}"))
                    assert count == 1, (revision, table)
            columns = {c["name"] for c in inspect(engine).get_columns("orders")}
            assert ("cancel_reason" in columns) == (revision == "0002")
            assert ("order_changes" in inspect(engine).get_table_names()) == (revision == "0002")
    finally:
        engine.dispose()


def test_conversation_ratings_revision_keeps_the_conversations(empty_database_url: str) -> None:
    """0004 adds the rating columns to a filled `conversations` table and takes them off again
    without losing it, nor the messages that reference it."""
    url = empty_database_url
    migrate.upgrade(url, "0003")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO conversations (id, channel, external_id, status, last_seq,"
                    " dialogue_state, created_at, updated_at)"
                    " VALUES ('c1', 'web', 's', 'bot', 1, '{}', :now, :now)"
                ),
                {"now": "2026-12-06 10:00:00+00:00"},
            )
            connection.execute(
                text(
                    "INSERT INTO messages (conversation_id, seq, role, text, data, status,"
                    " created_at) VALUES ('c1', 1, 'user', 'hi', '{}', 'processed', :now)"
                ),
                {"now": "2026-12-06 10:00:00+00:00"},
            )
        # 0005 (the REST session secret's hash) is added and taken off the same way.
        current = "0003"
        for revision in ("0004", "0005", "0004", "0003", "0005"):
            engine.dispose()
            step = migrate.upgrade if revision > current else migrate.downgrade
            step(url, revision)
            current = revision
            with engine.connect() as connection:
                for table in ("conversations", "messages"):
                    count = connection.scalar(text(f"SELECT count(*) FROM {table}"))
                    assert count == 1, (revision, table)
            columns = {c["name"] for c in inspect(engine).get_columns("conversations")}
            rating = {"rating", "rating_comment", "rated_at"}
            assert columns & rating == (rating if revision >= "0004" else set()), revision
            assert ("secret_hash" in columns) == (revision >= "0005"), revision
    finally:
        engine.dispose()
