"""Liveness and readiness: a public status, details with the API token, no exception text."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import httpx
import pytest
import redis.exceptions
import sqlalchemy.exc
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.persistence import migrate
from assistant.server.routes import health
from assistant.server.routes.health import NotMigrated, describe_failure
from tests.fake_llm import run_fake_model_server
from tests.servers import free_port

SECRET_TEXT = "redis://:hunter2@10.1.2.3:6379"
LOGGER = "assistant.server.routes.health"


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"


def test_readyz_tells_the_public_only_whether_it_is_ready(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready"}
    wrong = client.get("/readyz", headers={"Authorization": "Bearer not-the-token-at-all"})
    assert wrong.json() == {"status": "ready"}


def test_readyz_reports_every_part_to_the_api_token(
    client: TestClient, auth_headers: dict[str, str]
) -> None:
    response = client.get("/readyz", headers=auth_headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ready"
    checks = response.json()["checks"]
    assert set(checks) == {"database", "vector_store", "model", "pubsub"}
    assert all(check["ok"] for check in checks.values())
    assert checks["model"] == {"ok": True, "provider": "none", "state": "none"}


def test_without_an_api_token_configured_no_one_gets_details(
    make_settings: Callable[..., Settings], auth_headers: dict[str, str]
) -> None:
    from assistant.server.app import create_app

    with TestClient(create_app(make_settings(**{"security.api_token": None}))) as client:
        assert client.get("/readyz", headers=auth_headers).json() == {"status": "ready"}


def test_readyz_fails_when_the_database_is_behind(
    client: TestClient, settings: Settings, auth_headers: dict[str, str]
) -> None:
    migrate.downgrade(settings.database_url, "base")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    detailed = client.get("/readyz", headers=auth_headers)
    assert detailed.status_code == 503
    assert detailed.json()["checks"]["database"] == {"ok": False, "error": "not migrated"}


def test_a_failing_part_is_named_not_described_and_logged_once_per_change(
    client: TestClient,
    auth_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broker = client.app.state.components.broker  # type: ignore[attr-defined]
    failure: list[Exception] = [ConnectionError(f"Error connecting to {SECRET_TEXT}")]

    async def ping() -> None:
        if failure:
            raise failure[0]

    monkeypatch.setattr(broker, "ping", ping)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        for _ in range(3):
            response = client.get("/readyz", headers=auth_headers)
            assert response.status_code == 503
            assert response.json()["checks"]["pubsub"] == {"ok": False, "error": "unreachable"}
            assert "hunter2" not in response.text and "10.1.2.3" not in response.text
        assert client.get("/readyz").json() == {"status": "unavailable"}
        # Failing differently is a change; so is recovering.
        failure[0] = RuntimeError(f"subscriber lost {SECRET_TEXT}")
        response = client.get("/readyz", headers=auth_headers)
        assert response.json()["checks"]["pubsub"] == {"ok": False, "error": "RuntimeError"}
        assert "hunter2" not in response.text
        failure.clear()
        assert client.get("/readyz").status_code == 200
        assert client.get("/readyz").status_code == 200
    records = [r for r in caplog.records if r.name == LOGGER]
    assert [r.levelno for r in records] == [logging.WARNING, logging.WARNING, logging.INFO]
    # The whole exception is in the server's log, where it belongs.
    assert records[0].exc_info is not None and SECRET_TEXT in str(records[0].exc_info[1])
    assert "pubsub" in records[0].getMessage() and "unreachable" in records[0].getMessage()
    assert "recovered" in records[2].getMessage()


def test_a_part_that_does_not_answer_is_a_timeout(
    client: TestClient, auth_headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    broker = client.app.state.components.broker  # type: ignore[attr-defined]

    async def hang() -> None:
        await asyncio.Event().wait()

    monkeypatch.setattr(broker, "ping", hang)
    monkeypatch.setattr(health, "CHECK_TIMEOUT_S", 0.05)
    response = client.get("/readyz", headers=auth_headers)
    assert response.status_code == 503
    assert response.json()["checks"]["pubsub"] == {"ok": False, "error": "timeout"}


class BrokerUnavailable(RuntimeError):
    pass


@pytest.mark.parametrize(
    ("exc", "described"),
    [
        (NotMigrated("at revision 0003"), "not migrated"),
        (TimeoutError(), "timeout"),
        (httpx.ReadTimeout("read timed out from 10.1.2.3"), "timeout"),
        (redis.exceptions.TimeoutError("Timeout reading from 10.1.2.3:6379"), "timeout"),
        (ConnectionRefusedError(111, "Connection refused"), "unreachable"),
        (httpx.ConnectError("All connection attempts failed"), "unreachable"),
        (redis.exceptions.ConnectionError(f"Error 111 connecting to {SECRET_TEXT}"), "unreachable"),
        (
            sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("host 10.1.2.3 refused")),
            "unreachable",
        ),
        (
            BrokerUnavailable(f"the subscriber of {SECRET_TEXT} is not connected"),
            "BrokerUnavailable",
        ),
        (ValueError(f"bad {SECRET_TEXT}"), "ValueError"),
    ],
)
def test_failures_are_described_by_kind(exc: BaseException, described: str) -> None:
    assert describe_failure(exc) == described


def test_readyz_reports_the_model_and_a_dead_one_degrades_without_failing(
    make_settings: Callable[..., Settings],
    auth_headers: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from assistant.server.app import create_app

    server = run_fake_model_server()
    fake = next(server)
    try:
        settings = make_settings(
            **{"llm.provider": "openai", "llm.base_url": fake.base_url, "llm.model": "fake"}
        )
        with TestClient(create_app(settings)) as client:
            response = client.get("/readyz", headers=auth_headers)
            assert response.status_code == 200 and response.json()["status"] == "ready"
            model = response.json()["checks"]["model"]
            assert model == {"ok": True, "provider": "openai", "model": "fake", "state": "ready"}
    finally:
        server.close()

    port = free_port()
    dead = make_settings(
        **{
            "llm.provider": "openai",
            "llm.base_url": f"http://127.0.0.1:{port}/v1",
            "llm.model": "gone",
        }
    )
    with TestClient(create_app(dead)) as client, caplog.at_level(logging.WARNING, logger=LOGGER):
        # Answers fall back to the documents, quoted: the assistant stays ready, degraded.
        assert client.get("/readyz").json() == {"status": "degraded"}
        response = client.get("/readyz", headers=auth_headers)
        assert response.status_code == 200 and response.json()["status"] == "degraded"
        model = response.json()["checks"]["model"]
        assert model == {"ok": True, "provider": "openai", "model": "gone", "state": "unreachable"}
        assert str(port) not in response.text
    # What went wrong is logged once, for the operator.
    records = [r for r in caplog.records if r.name == LOGGER]
    assert len(records) == 1 and "Connect" in records[0].getMessage()


def test_models_and_indexes_are_loaded_before_the_first_request(
    make_settings: Callable[..., Settings], seeded_session_factory: object
) -> None:
    from assistant.server.app import create_app

    with TestClient(create_app(make_settings(**{"server.warm": True}))) as client:
        components = client.app.state.components  # type: ignore[attr-defined]
        assert set(components.warmed) == {"nlu", "knowledge", "catalog", "recommender"}
        assert all(seconds >= 0 for seconds in components.warmed.values())
        assert components.shopping.catalog.built and components.shopping.recommender.fitted_now
        assert client.get("/readyz").json()["status"] == "ready"
