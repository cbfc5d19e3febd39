"""What the admin API's tests share: the app with the store's policies indexed, and a member
of staff signed in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.knowledge.ingest import ingest
from assistant.knowledge.library import library_chunks
from assistant.staff.accounts import add_account

PASSWORD = "correct horse battery"
OWN = {"Origin": "http://testserver"}


@pytest.fixture
def admin_client(
    settings: Settings, session_factory: sessionmaker[Session]
) -> Iterator[TestClient]:
    """The app with the store's policies indexed (the catalog left out: it is not needed)."""
    from assistant.server.app import create_app

    with TestClient(create_app(settings)) as client:
        index = client.app.state.components.knowledge.index  # type: ignore[attr-defined]
        root = Path(settings.path("knowledge_base"))
        with session_factory() as session:
            chunks, _ = library_chunks(session, root)
        policies = [c for c in chunks if c.metadata.get("type") != "product"]
        ingest(index.collection, index.embedder, policies, scope="kb")
        index.refresh()
        yield client


def ask(client: TestClient, sender: str, question: str) -> str:
    """What a shopper reads back (the REST channel), all replies' text together."""
    replies = client.post(
        "/webhooks/rest/webhook", json={"sender": sender, "message": question}
    ).json()
    return " ".join(str(r.get("text") or "") for r in replies)


def sign_in(client: TestClient, sessions: sessionmaker[Session], role: str) -> dict[str, str]:
    email = f"{role}@shop.example"
    add_account(sessions, email=email, name=role.title(), role=role, password=PASSWORD)
    client.cookies.clear()
    response = client.post(
        "/api/auth/login", json={"email": email, "password": PASSWORD}, headers=OWN
    )
    client.cookies.clear()
    cookie = f"aisle_staff={response.cookies['aisle_staff']}"
    return {**OWN, "Cookie": cookie, "X-CSRF-Token": response.json()["csrf_token"]}
