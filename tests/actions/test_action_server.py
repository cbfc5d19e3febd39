"""The same `actions` package served by rasa_sdk's own action server, over real HTTP."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.engine.domain import load_domain

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log_path = tmp_path_factory.mktemp("action-server") / "stderr.log"
    with log_path.open("wb") as log:
        # Its own session, so the server and any worker processes stop together.
        process = subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                stderr = log_path.read_text(errors="replace")
                raise RuntimeError(f"the action server did not start: {stderr[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _call(action: str, text: str = "I need a person") -> dict:
    domain = load_domain(ROOT / "actions" / "domain.yml").as_rasa_dict()
    return {
        "next_action": action,
        "sender_id": "s1",
        "tracker": {
            "sender_id": "s1",
            "slots": {"handoff_reason": None},
            "latest_message": {
                "text": text,
                "intent": {"name": "human_handoff", "confidence": 1.0},
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
        "domain": domain,
        "version": "3.1",
    }


def test_the_action_server_runs_our_actions(action_server: str) -> None:
    actions = httpx.get(f"{action_server}/actions").json()
    assert {"name": "action_handoff"} in actions
    response = httpx.post(f"{action_server}/webhook", json=_call("action_handoff"), timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["events"][0]["event"] == "slot"
    assert body["events"][0]["name"] == "handoff_reason"
    assert body["events"][0]["value"] == "I need a person"
    assert body["events"][1]["event"] == "pause"
    assert body["responses"][0]["response"] == "utter_handoff"
    assert body["responses"][1]["custom"] == {"type": "handoff", "status": "requested"}


def test_an_unknown_action_is_a_404(action_server: str) -> None:
    response = httpx.post(f"{action_server}/webhook", json=_call("action_nope"), timeout=10)
    assert response.status_code == 404


def test_the_assistant_runs_actions_on_the_action_server(
    action_server: str, make_settings: Callable[..., Settings]
) -> None:
    from assistant.server.app import create_app

    settings = make_settings(**{"dialogue.actions_endpoint": f"{action_server}/webhook"})
    with TestClient(create_app(settings)) as client:
        items = client.post(
            "/webhooks/rest/webhook", json={"sender": "a", "message": "let me talk to an agent"}
        ).json()
    assert any((item.get("custom") or {}).get("type") == "handoff" for item in items)
