"""Liveness and readiness."""

from __future__ import annotations

from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.persistence import migrate


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"


def test_readyz_reports_every_part(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    checks = response.json()["checks"]
    assert set(checks) == {"database", "vector_store", "model", "pubsub"}
    assert all(check["ok"] for check in checks.values())
    assert checks["model"]["provider"] == "none"


def test_readyz_fails_when_the_database_is_behind(client: TestClient, settings: Settings) -> None:
    migrate.downgrade(settings.database_url, "base")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["ok"] is False
