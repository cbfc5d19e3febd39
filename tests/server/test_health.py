"""Liveness and readiness."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.persistence import migrate
from tests.fake_llm import run_fake_model_server
from tests.servers import free_port


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


def test_readyz_reports_the_model_and_a_dead_one_degrades_without_failing(
    make_settings: Callable[..., Settings],
) -> None:
    from assistant.server.app import create_app

    server = run_fake_model_server()
    fake = next(server)
    try:
        settings = make_settings(
            **{"llm.provider": "openai", "llm.base_url": fake.base_url, "llm.model": "fake"}
        )
        with TestClient(create_app(settings)) as client:
            response = client.get("/readyz")
            assert response.status_code == 200 and response.json()["status"] == "ready"
            model = response.json()["checks"]["model"]
            assert model == {"ok": True, "provider": "openai", "model": "fake", "state": "ready"}
    finally:
        server.close()

    dead = make_settings(
        **{
            "llm.provider": "openai",
            "llm.base_url": f"http://127.0.0.1:{free_port()}/v1",
            "llm.model": "gone",
        }
    )
    with TestClient(create_app(dead)) as client:
        response = client.get("/readyz")
        # Answers fall back to the documents, quoted: the assistant stays ready, degraded.
        assert response.status_code == 200 and response.json()["status"] == "degraded"
        model = response.json()["checks"]["model"]
        assert model["state"] == "unreachable" and "Connect" in model["detail"]
