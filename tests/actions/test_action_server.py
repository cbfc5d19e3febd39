"""The same `actions` package served by rasa_sdk's own action server, over real HTTP."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.engine.domain import load_domain
from tests.servers import free_port, serve

ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def _serve(log_path: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    with serve(
        command,
        health=f"{url}/health",
        log_path=log_path,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), **(env or {})},
    ):
        yield url


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _serve(tmp_path_factory.mktemp("action-server") / "stderr.log") as url:
        yield url


def _call(
    action: str,
    text: str = "I need a person",
    *,
    intent: str = "human_handoff",
    slots: dict[str, object] | None = None,
    entities: list[dict[str, object]] | None = None,
) -> dict:
    domain = load_domain(ROOT / "actions" / "domain.yml").as_rasa_dict()
    return {
        "next_action": action,
        "sender_id": "s1",
        "tracker": {
            "sender_id": "s1",
            "slots": slots if slots is not None else {"handoff_reason": None},
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": 1.0},
                "entities": entities or [],
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


def test_order_actions_on_the_action_server_reach_the_store_from_settings(
    tmp_path: Path,
) -> None:
    # A separate action server gets no backend handed over: it builds one from the same
    # settings as the assistant (here AISLE_DATABASE_URL), on a seeded store.
    from assistant.persistence.db import make_engine, make_session_factory
    from assistant.persistence.migrate import upgrade
    from assistant.store.seed import seed_store

    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade(url)
    engine = make_engine(url)
    seed_store(make_session_factory(engine), ROOT / "knowledge_base" / "store" / "db.json")
    engine.dispose()
    with _serve(tmp_path / "stderr.log", {"AISLE_DATABASE_URL": url}) as server:
        call = _call(
            "action_authenticate",
            "it's yusuf.rossi7301@example.com",
            intent="inform",
            slots={"customer_id": None, "customer_name": None},
        )
        body = httpx.post(f"{server}/webhook", json=call, timeout=30).json()
    assert {"event": "slot", "name": "customer_id", "value": "yusuf_rossi_9620"}.items() <= {
        **body["events"][0]
    }.items()
    assert body["responses"][0]["response"] == "utter_authenticated"


@pytest.mark.slow
def test_on_the_action_server_answers_come_from_the_configured_model(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    # With provider `openai` (vLLM in production) the action server rewrites answers with the
    # same model as the assistant, checked by the same guard.
    from assistant.engine.embeddings import SentenceEmbedder
    from assistant.knowledge.documents import read_knowledge_base
    from assistant.knowledge.ingest import get_collection, ingest
    from assistant.knowledge.vector_store import vector_store_from_settings
    from tests.fake_llm import run_fake_model_server

    settings = make_settings(data_dir=str(tmp_path / "data"))
    chunks, _ = read_knowledge_base(ROOT / "knowledge_base")
    policies = [c for c in chunks if c.metadata["type"] != "product"]
    collection = get_collection(
        vector_store_from_settings(settings), settings.vector_store.collection
    )
    ingest(collection, SentenceEmbedder(), policies, scope="kb")
    rewrite = "Standard delivery takes 3 to 5 business days after your order is processed [1]."
    server = run_fake_model_server()
    fake = next(server)
    fake.script(rewrite)
    env = {
        "AISLE_DATA_DIR": str(tmp_path / "data"),
        "AISLE_LLM_PROVIDER": "openai",
        "AISLE_LLM_BASE_URL": fake.base_url,
        "AISLE_LLM_MODEL": "fake",
    }
    try:
        with _serve(tmp_path / "stderr.log", env) as url:
            call = _call(
                "action_answer_question", "How long does standard delivery take?", intent="faq"
            )
            body = httpx.post(f"{url}/webhook", json=call, timeout=60).json()
    finally:
        server.close()
    (response,) = body["responses"]
    assert response["answer"] == rewrite, body
    assert response["custom"]["generated"] is True
    (request,) = fake.requests
    assert "<passages>" in request["messages"][-1]["content"]
