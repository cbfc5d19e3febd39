"""The admin console's knowledge base API: an edit answers shoppers at once (no restart), every
save is a revision that can be restored, every change is in the audit log, and only admins
reach it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.server.admin import admin_client, ask, sign_in

__all__ = ["admin_client"]  # the fixture
DOC = "returns-and-refunds"
QUESTION = "how long do I have to return an item?"
OLD = "There's no fixed return deadline."
NEW = "You have 45 days from delivery to return an item."


def test_an_edit_answers_at_once_and_a_restore_brings_the_old_answer_back(
    admin_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    client = admin_client
    admin = sign_in(client, session_factory, "admin")
    assert OLD in ask(client, "s1", QUESTION)

    listed = client.get("/api/admin/kb/documents", headers=admin).json()["documents"]
    returns = next(d for d in listed if d["doc_id"] == DOC)
    assert (returns["edited"], returns["revision"], returns["source"]) == (
        False,
        0,
        "policies/returns-and-refunds.md",
    )
    opened = client.get(f"/api/admin/kb/documents/{DOC}", headers=admin).json()
    text = opened["text"]
    assert OLD in text

    saved = client.put(
        f"/api/admin/kb/documents/{DOC}",
        json={"text": text.replace(OLD, NEW), "base_revision": 0},
        headers=admin,
    )
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["document"]["revision"] == 2  # the file's text is revision 1
    assert body["index"]["updated"] >= 1 and body["index"]["added"] == 0
    assert body["index"]["unchanged"] > 0  # only the changed chunk was embedded again
    answer = ask(client, "s2", QUESTION)
    assert "45 days" in answer and OLD not in answer

    # A save from an editor opened before this one is refused, not silently lost.
    stale = client.put(
        f"/api/admin/kb/documents/{DOC}", json={"text": text, "base_revision": 0}, headers=admin
    )
    assert stale.status_code == 409 and stale.json()["error"]["details"] == {"revision": 2}

    revisions = client.get(f"/api/admin/kb/documents/{DOC}/revisions", headers=admin).json()
    assert [(r["number"], r["action"], r["author"]) for r in revisions["revisions"]] == [
        (2, "edited", "Admin"),
        (1, "imported", "knowledge_base/"),
    ]
    assert f"-{OLD}" in revisions["revisions"][0]["diff"]
    assert f"+{NEW}" in revisions["revisions"][0]["diff"]

    restored = client.post(f"/api/admin/kb/documents/{DOC}/revisions/1/restore", headers=admin)
    assert restored.status_code == 200 and restored.json()["document"]["revision"] == 3
    assert OLD in ask(client, "s3", QUESTION)

    log = client.get("/api/admin/audit", headers=admin).json()
    assert [(e["action"], e["target"], e["actor"]) for e in log["entries"]] == [
        ("kb.restore", DOC, "Admin"),
        ("kb.edit", DOC, "Admin"),
    ]
    assert log["entries"][0]["details"] == {"revision": 1}


def test_create_rename_and_delete_a_document(
    admin_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    client = admin_client
    admin = sign_in(client, session_factory, "admin")
    text = "## Gift wrapping\n\nWe gift-wrap any order for free: ask for it at checkout.\n"
    created = client.post(
        "/api/admin/kb/documents", json={"title": "Gift Wrapping", "text": text}, headers=admin
    )
    assert created.status_code == 201, created.text
    assert created.json()["document"]["doc_id"] == "gift-wrapping"
    again = client.post(
        "/api/admin/kb/documents", json={"title": "gift wrapping", "text": text}, headers=admin
    )
    assert again.status_code == 409
    assert client.get("/kb/gift-wrapping").status_code == 200  # citations can link to it

    renamed = client.post(
        "/api/admin/kb/documents/gift-wrapping/rename", json={"title": "Gift wrap"}, headers=admin
    )
    assert renamed.json()["document"]["title"] == "Gift wrap"
    assert "Gift wrap" in client.get("/kb/gift-wrapping").text

    deleted = client.delete("/api/admin/kb/documents/gift-wrapping", headers=admin)
    assert deleted.json()["document"]["deleted"] is True
    assert deleted.json()["index"]["deleted"] >= 1
    assert client.get("/kb/gift-wrapping").status_code == 404
    # Deleted, not lost: its revisions stay and one can be restored.
    refused = client.put(
        "/api/admin/kb/documents/gift-wrapping", json={"text": text}, headers=admin
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "document_deleted")
    restored = client.post(
        "/api/admin/kb/documents/gift-wrapping/revisions/2/restore", headers=admin
    )
    assert restored.status_code == 200 and restored.json()["document"]["deleted"] is False
    assert client.get("/kb/gift-wrapping").status_code == 200

    entries = client.get("/api/admin/audit", headers=admin).json()["entries"]
    assert [(e["action"], e["target"]) for e in entries] == [
        ("kb.restore", "gift-wrapping"),
        ("kb.delete", "gift-wrapping"),
        ("kb.rename", "gift-wrapping"),
        ("kb.create", "gift-wrapping"),
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("---\nid: [unclosed\n---\nhello", "front matter"),
        ("---\ntitle: Empty\n---\n", "no text"),
        ("---\nid: another-id\n---\n\nSome text.", "must stay"),
    ],
)
def test_a_text_that_cannot_be_a_document_is_refused_and_nothing_is_saved(
    admin_client: TestClient, session_factory: sessionmaker[Session], text: str, says: str
) -> None:
    admin = sign_in(admin_client, session_factory, "admin")
    answer = admin_client.put(f"/api/admin/kb/documents/{DOC}", json={"text": text}, headers=admin)
    assert answer.status_code == 400 and says in answer.json()["error"]["message"]
    assert admin_client.get("/api/admin/audit", headers=admin).json()["total"] == 0
    listed = admin_client.get("/api/admin/kb/documents", headers=admin).json()["documents"]
    assert next(d for d in listed if d["doc_id"] == DOC)["edited"] is False


def test_an_agent_cannot_reach_the_admin_api_or_page(
    admin_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    agent = sign_in(admin_client, session_factory, "agent")
    for method, path in (
        ("GET", "/api/admin/kb/documents"),
        ("PUT", f"/api/admin/kb/documents/{DOC}"),
        ("GET", "/api/admin/audit"),
    ):
        answer = admin_client.request(method, path, headers=agent, json={"text": "x"})
        assert answer.status_code == 403, (method, path)
        assert answer.json()["error"]["code"] == "role_required"
