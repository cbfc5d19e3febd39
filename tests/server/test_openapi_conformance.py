"""The API against its own OpenAPI document: schemathesis (examples, coverage and fuzzing
phases, bounded) against the app served by uvicorn, with 0 server errors and 0 answers the
document does not describe. And the documents themselves: `/openapi.json`, `/docs`, `/redoc`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from tests.fixtures.app import API_TOKEN
from tests.server.hostile import KNOWN_CODES, served

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
]
# Examples per operation and phase; with every phase this is a few hundred requests.
MAX_EXAMPLES = 25


@pytest.fixture
def base_url(make_settings: Callable[..., Settings]) -> Iterator[str]:
    # High limits, so that generated requests reach the checks behind them.
    settings = make_settings(
        **{
            "events.rate_limit_per_session": "100000/minute",
            "events.rate_limit_per_client": "100000/minute",
        }
    )
    with served(settings) as url:
        yield url


def test_the_documents_are_served(client: TestClient) -> None:
    document = client.get("/openapi.json")
    assert document.status_code == 200
    paths = document.json()["paths"]
    assert {"/webhooks/rest/webhook", "/api/events", "/api/catalog/products"} <= set(paths)
    for page in ("/docs", "/redoc"):
        html = client.get(page)
        assert html.status_code == 200 and "/openapi.json" in html.text, page
        # Every script and style the page loads is served here: the docs work offline.
        assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html.text)
        assert assets, page
        for asset in assets:
            assert asset.startswith("/"), (page, asset)
            served = client.get(asset)
            assert served.status_code == 200 and len(served.content) > 10_000, asset
    for old, new in (("/api/docs", "/docs"), ("/api/openapi.json", "/openapi.json")):
        moved = client.get(old, follow_redirects=False)
        assert (moved.status_code, moved.headers["location"]) == (308, new)


def test_bodies_read_by_the_routes_are_documented(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    for path, model in (
        ("/webhooks/rest/webhook", "RestRequest"),
        ("/api/agent/conversations/{conversation_id}/claim", "ClaimRequest"),
        ("/api/agent/conversations/{conversation_id}/messages", "AgentMessageRequest"),
    ):
        body = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        assert body["schema"]["title"] == model, path
    events = document["paths"]["/api/events"]["post"]["requestBody"]["content"]
    titles = [s.get("title") for s in events["application/json"]["schema"]["anyOf"]]
    assert titles == ["EventIn", "EventsRequest"]
    assert "EventIn" in schemas
    # Every error answer is the wire's error shape.
    for operations in document["paths"].values():
        for operation in operations.values():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) and "content" in response:
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/ErrorResponse", (status, operation)


def test_a_wrong_method_is_405_with_allow(client: TestClient) -> None:
    response = client.delete("/api/events")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert response.json()["error"]["code"] in KNOWN_CODES


def _handed_off(base_url: str) -> str:
    """A conversation waiting for an agent, so the agent API's calls reach past a 404."""
    body = {"sender": "conformance", "message": "can I speak to a real person please"}
    assert httpx.post(f"{base_url}/webhooks/rest/webhook", json=body, timeout=60).status_code == 200
    auth = {"Authorization": f"Bearer {API_TOKEN}"}
    handoffs = httpx.get(f"{base_url}/api/agent/handoffs", headers=auth).json()["handoffs"]
    return str(handoffs[0]["conversation_id"])


@pytest.mark.slow
def test_schemathesis_finds_no_failure(base_url: str, tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(f'[parameters]\n"path.conversation_id" = "{_handed_off(base_url)}"\n')
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--header",
        f"Authorization: Bearer {API_TOKEN}",
        "--request-timeout",
        "30",
        "--no-color",
        "--output-truncate",
        "true",
    ]
    result = subprocess.run(
        command,
        cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false"},
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    output = result.stdout + result.stderr
    print(output[-4000:])  # shown with -rP: what was tested
    assert result.returncode == 0, output[-12000:]
