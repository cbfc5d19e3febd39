"""`assistant analytics report`: its `--json` is the report the admin console shows, its
CSV holds the same figures, and a date it cannot read stops it with the reason."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy.orm import Session, sessionmaker

from assistant.analytics import InvalidPeriod, report
from assistant.config import Settings, load_settings
from tests.analytics.history import END, START, seed_history
from tests.cli_runner import command_runner

ROOT = Path(__file__).resolve().parents[2]
WEEK = ("--since", "2025-03-01", "--until", "2025-03-07")

Run = Callable[..., Result]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # No NLU model: the report reads the database and the flows file only.
    overrides = {"environment": "test", "data_dir": str(tmp_path), "database.url": database_url}
    return load_settings(ROOT / "config.yml", environ={}, overrides=overrides)


@pytest.fixture
def run(settings: Settings, session_factory: sessionmaker[Session]) -> Run:
    from assistant.cli import analytics

    seed_history(session_factory)
    return command_runner(analytics.app, "analytics", settings)


def test_json_is_the_report(run: Run, session_factory: sessionmaker[Session]) -> None:
    expected = report(session_factory, start=START, end=END).as_dict()
    for period in (
        WEEK,
        ("--since", "2025-03-01", "--days", "7"),
        ("--until", "2025-03-07", "--days", "7"),
    ):
        result = run("report", *period, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == expected
    assert expected["flows"]["abandoned"]["numerator"] == 4  # the seeded week, not zeros


def test_the_window_and_top_reach_the_report(
    run: Run, session_factory: sessionmaker[Session]
) -> None:
    result = run("report", *WEEK, "--window-hours", "3", "--top", "2", "--json")
    assert result.exit_code == 0, result.output
    expected = report(session_factory, start=START, end=END, window=timedelta(hours=3), top=2)
    assert json.loads(result.output) == expected.as_dict()


def test_the_console_shows_the_same_figures(run: Run) -> None:
    result = run("report", *WEEK)
    assert result.exit_code == 0, result.output
    for shown in (
        "2025-03-01 00:00 to 2025-03-08 00:00 UTC",
        "42.9%",  # containment, 3 of 7
        "3 of 7",
        "57.1%",  # hand-off rate, 4 of 7
        "210 s",  # median first agent reply
        "600 s",  # its 90th percentile
        "60.0%",  # CSAT, 3 of 5
        "3.40",  # mean rating
        "23.5%",  # flow runs abandoned, 4 of 17
        "(1 anonymous)",
        "modify_order_items",
        "action_ask_order_id",
        "champions",
        "at_risk",
    ):
        assert shown in result.output, shown


def test_csv_holds_every_row(
    run: Run, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    path = tmp_path / "out" / "analytics.csv"
    result = run("report", *WEEK, "--csv", str(path), "--json")
    assert result.exit_code == 0, result.output
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    expected = report(session_factory, start=START, end=END).rows()
    assert rows[0] == ["section", "name", "value"]
    assert rows[1:] == [[section, name, str(value)] for section, name, value in expected]
    assert json.loads(result.output)["containment"]["numerator"] == 3  # still one JSON object


def test_a_bad_date_stops_it_with_the_reason(run: Run) -> None:
    result = run("report", "--since", "2025-02-30", "--json")
    assert result.exit_code != 0
    assert isinstance(result.exception, InvalidPeriod)
    assert "since: '2025-02-30' is not a date" in str(result.exception)
    assert result.output == ""


def test_the_command_line_says_what_is_wrong() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "analytics", "report", "--until", "2025/03/07"],
        capture_output=True,
        text=True,
        # From the checkout: `-m` imports this tree's package, whichever is installed.
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert "error: until: '2025/03/07' is not a date written YYYY-MM-DD" in result.stderr
