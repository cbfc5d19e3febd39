"""The admin console's analytics (`GET /api/admin/analytics`, `.csv`) are the report the
command line prints, for admins only."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from assistant.analytics import report
from assistant.config import Settings
from assistant.staff.accounts import add_account
from tests.analytics.history import END, START, seed_history
from tests.cli_runner import command_runner

WEEK = {"since": "2025-03-01", "until": "2025-03-07"}
OWN = {"Origin": "http://testserver"}
PASSWORD = "correct horse battery"


def test_the_console_shows_what_the_command_line_prints(
    client: TestClient,
    settings: Settings,
    session_factory: sessionmaker[Session],
    auth_headers: dict[str, str],
    tmp_path: Path,
) -> None:
    from assistant.cli import analytics

    seed_history(session_factory)
    answer = client.get("/api/admin/analytics", params=WEEK, headers=auth_headers)
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert shown == report(session_factory, start=START, end=END).as_dict()
    printed = command_runner(analytics.app, "analytics", settings)(
        "report", "--since", WEEK["since"], "--until", WEEK["until"], "--json"
    )
    assert json.loads(printed.output) == shown

    exported = client.get("/api/admin/analytics.csv", params=WEEK, headers=auth_headers)
    assert exported.headers["content-type"].startswith("text/csv")
    assert "aisle-analytics-2025-03-01-2025-03-07.csv" in exported.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(exported.text)))
    opened = next(r for r in rows if r[:2] == ["conversations", "opened"])
    assert opened[2] == str(shown["conversations"]["opened"]) and opened[2] != "0"


def test_a_bad_period_is_a_typed_error_and_an_agent_is_refused(
    client: TestClient, session_factory: sessionmaker[Session], auth_headers: dict[str, str]
) -> None:
    bad = client.get("/api/admin/analytics", params={"since": "2025-13-01"}, headers=auth_headers)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_period"
    backwards = client.get(
        "/api/admin/analytics",
        params={"since": "2025-03-07", "until": "2025-03-01"},
        headers=auth_headers,
    )
    assert backwards.status_code == 400
    add_account(
        session_factory, email="dana@shop.example", name="Dana", role="agent", password=PASSWORD
    )
    client.post(
        "/api/auth/login", json={"email": "dana@shop.example", "password": PASSWORD}, headers=OWN
    )
    refused = client.get("/api/admin/analytics", headers=OWN)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "role_required"
