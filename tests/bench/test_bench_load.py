"""`assistant bench load` at the smallest scale, with real servers (redis-server, a Chroma
server, one `assistant serve` worker, the echo), on PostgreSQL when AISLE_TEST_DATABASE_URL
names one, else on SQLite; and its account of lost and duplicated messages on a conversation
written by hand. Timings are never asserted on."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from assistant.bench.load import run_benchmark
from assistant.bench.load_check import check_database
from assistant.bench.load_servers import UNLIMITED, raised_limits
from assistant.bench.load_shoppers import Shopper
from assistant.cli.bench_load import load_table
from assistant.config import load_settings
from assistant.conversation import repository as repo
from tests.fixtures.database import TEST_DATABASE_URL_ENV

ROOT = Path(__file__).resolve().parents[2]


def _bench_databases(server_url: str) -> set[str]:
    engine = create_engine(server_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :name"),
                {"name": f"aisle_bench_{os.getpid()}_%"},
            )
            return {row[0] for row in rows}
    finally:
        engine.dispose()


@pytest.mark.slow
def test_four_shoppers_on_one_worker_lose_nothing(nlu_model_path: Path, tmp_path: Path) -> None:
    server_url = os.environ.get(TEST_DATABASE_URL_ENV) or "sqlite://"
    settings = load_settings(
        ROOT / "config.yml", environ={}, overrides={"nlu.model_path": str(nlu_model_path)}
    )
    figures = run_benchmark(
        settings,
        shoppers=4,
        turns=2,
        concurrency=4,
        workers=(1,),
        timeout=240,
        database_url=server_url,
        logs=tmp_path / "logs",
    )
    assert json.loads(json.dumps(figures)) == figures  # one JSON object, as --json prints
    assert figures["database"] == ("sqlite" if server_url.startswith("sqlite") else "postgresql")
    echo, one = figures["phases"]
    assert (echo["name"], one["name"]) == ("echo", "1 worker")
    for phase in (echo, one):
        assert (phase["shoppers"], phase["turns"], phase["errors"]) == (4, 8, 0), phase
        assert phase["turns_per_s"] > 0 and 0 < phase["p50_ms"] <= phase["p99_ms"]
    assert echo["lost"] is None and echo["duplicated"] is None  # the echo stores nothing
    assert (one["lost"], one["duplicated"]) == (0, 0), one["checks"]
    assert one["checks"]["conversations"] == 4 and one["checks"]["kinds"] == {}
    assert one["server_errors"]["lines"] == 0, one["server_errors"]
    # Real answers, not errors: the first shopper's greeting and policy question.
    assert [line["shopper"] for line in one["sample"]] == [
        "hi there",
        "what is your return policy?",
    ]
    assert all(line["bot"] for line in one["sample"])
    assert (tmp_path / "logs" / "worker-1.log").exists()
    if not server_url.startswith("sqlite"):
        assert _bench_databases(server_url) == set()  # dropped afterwards

    console = Console(width=160, record=True)
    console.print(load_table(figures))
    rendered = console.export_text()
    assert "echo (reference)" in rendered and "1 worker" in rendered


def test_the_account_finds_lost_and_duplicated_messages(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session:
        conversation = repo.create_conversation(session, channel="web", external_id="tok-1")
        first = repo.append_message(
            session, conversation=conversation, role="user", text="hi", client_id="c1"
        )
        for _ in range(2):  # answered twice
            repo.append_message(
                session, conversation=conversation, role="bot", text="Hi!", reply_to=first.id
            )
        repo.append_message(  # stored, never answered
            session,
            conversation=conversation,
            role="user",
            text="returns?",
            client_id="c2",
            status="received",
        )
    shopper = Shopper(0, ("hi", "returns?", "keyboards"), session="tok-1")
    # c3 never stored; c4 neither, but an error frame refused it (a rate limit): not lost.
    shopper.sent = {"c1": "hi", "c2": "returns?", "c3": "keyboards", "c4": "bye"}
    shopper.refused = {"c4"}
    shopper.seen = Counter({1: 1, 2: 2})  # seq 2 shown twice, seqs 3 and 4 never
    found = check_database(engine.url.render_as_string(hide_password=False), [shopper])
    assert found["kinds"] == {
        "sent, not stored": 1,
        "refused, not stored": 1,
        "stored, never answered": 1,
        "left 'received'": 1,
        "answered twice": 1,
        "stored, never delivered": 2,
        "delivered twice": 1,
    }
    assert (found["lost"], found["duplicated"]) == (4, 2)


def test_every_rate_limit_is_raised_for_the_workers() -> None:
    raised = raised_limits()
    assert {
        "channels.rate_limit_per_conversation",
        "channels.rate_limit_per_client",
        "events.rate_limit_per_session",
        "events.rate_limit_per_client",
    } <= set(raised)
    settings = load_settings(ROOT / "config.yml", environ={}, overrides=raised)
    assert settings.channels.rate_limit_per_client == UNLIMITED
