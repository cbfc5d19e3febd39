"""The admin console's test console and gaps: a question shows the passages with each score and
the answer a shopper would get; questions the store could not answer are grouped as gaps, and a
gap closes once a document answers it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.persistence.models import Conversation
from tests.server.admin import admin_client, ask, sign_in

__all__ = ["admin_client"]  # the fixture


def test_the_test_console_shows_passages_scores_and_the_shoppers_answer(
    admin_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    admin = sign_in(admin_client, session_factory, "admin")
    answer = admin_client.post(
        "/api/admin/kb/test",
        json={"question": "how long do I have to return an item?"},
        headers=admin,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "There's no fixed return deadline." in body["reply"][0]["text"]
    assert body["reply"][0]["custom"]["type"] == "answer"
    [finding] = body["findings"]
    assert finding["covered"] and finding["grounding"] == "quoted"  # no model: quoted
    assert finding["sources"][0]["title"] == "Returns and Refunds"
    top = body["passages"][0]
    assert top["link"].startswith("/kb/returns-and-refunds")
    assert top["hybrid"] is not None
    assert any(p["lexical"] is not None and p["vector"] is not None for p in body["passages"])
    assert [p["hybrid"] for p in body["passages"] if p["hybrid"] is not None] == sorted(
        (p["hybrid"] for p in body["passages"] if p["hybrid"] is not None), reverse=True
    )
    # Nothing a test question does is stored as a conversation.
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 0


def test_unanswered_questions_are_grouped_and_a_written_answer_closes_their_gap(
    admin_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    client = admin_client
    admin = sign_in(client, session_factory, "admin")
    for sender, question in (
        ("g1", "do you offer gift wrapping?"),
        ("g2", "do you offer gift wrapping for my order?"),
        ("g3", "how long do I have to return an item?"),  # answered: not a gap
    ):
        ask(client, sender, question)
    listed = client.get("/api/admin/gaps", headers=admin).json()
    wrapping = [g for g in listed["gaps"] if "gift wrapping" in g["question"]]
    assert len(wrapping) == 1, listed
    gap = wrapping[0]
    assert (gap["count"], gap["status"]) == (2, "open")
    assert len(gap["conversations"]) == 2
    assert not any("return an item" in g["question"] for g in listed["gaps"])

    created = client.post(
        "/api/admin/kb/documents",
        json={
            "title": "Gift wrapping",
            "text": "## Gift wrapping\n\nWe offer free gift wrapping on every order: "
            "tick 'gift wrap' at checkout and add a message for the card.\n",
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    listed = client.get("/api/admin/gaps", headers=admin).json()
    gap = next(g for g in listed["gaps"] if "gift wrapping" in g["question"])
    assert gap["status"] == "closed"
    assert "free gift wrapping" in ask(client, "g4", "do you offer gift wrapping?")
