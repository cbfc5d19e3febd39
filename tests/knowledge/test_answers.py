"""Answers from the store's documents: quoted from the best section, cited, or an honest
fallback; with a model, its checked rewrite, streamed to the widget as a draft."""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.knowledge.answer import answer_question
from assistant.knowledge.documents import read_knowledge_base
from assistant.knowledge.index import KnowledgeIndex
from assistant.knowledge.ingest import get_collection, ingest
from assistant.knowledge.service import Knowledge
from tests.fake_llm import FakeModelServer, Reply
from tests.knowledge.conftest import CountingEmbedder
from tests.protocol_frames import ORIGIN

ROOT = Path(__file__).resolve().parents[2]

# Each question asked through REST comes from a sender of its own.
senders = itertools.count(1)


def _documents() -> list[Any]:
    chunks, problems = read_knowledge_base(ROOT / "knowledge_base")
    assert problems == []
    return [chunk for chunk in chunks if chunk.metadata["type"] != "product"]


@pytest.fixture
def knowledge(chroma: Any, embedder: CountingEmbedder) -> Knowledge:
    collection = get_collection(chroma, "knowledge")
    ingest(collection, embedder, _documents(), scope="kb")
    index = KnowledgeIndex(collection, embedder)
    index.refresh()
    return Knowledge(index, embedder)


def test_a_question_gets_a_quoted_cited_answer(knowledge: Knowledge) -> None:
    answer = knowledge.answer("how long does delivery take?")
    assert answer is not None
    (source,) = answer.sources
    assert source.title == "Shipping and Delivery" and source.section == "Delivery times"
    assert source.link == "/kb/shipping-and-delivery#delivery-times"
    assert "3 to 5 business days" in source.quote
    assert answer.text.startswith(f"“{source.quote}”") and source.section in answer.text
    custom = answer.as_custom()
    assert custom["type"] == "answer" and custom["sources"][0]["chunk_id"] == source.chunk_id  # type: ignore[index]


def test_every_citation_points_at_text_that_contains_the_quote(knowledge: Knowledge) -> None:
    questions = yaml.safe_load(
        (ROOT / "assistant/eval/data/policy_questions.yml").read_text(encoding="utf-8")
    )["questions"]
    texts = {chunk.id: chunk for chunk in _documents()}
    answered = 0
    for entry in questions[:50]:
        answer = knowledge.answer(entry["question"])
        if answer is None:
            continue
        answered += 1
        for source in answer.sources:
            chunk = texts[source.chunk_id]
            assert (source.title, source.section) == (chunk.title, chunk.section)
            document = (ROOT / "knowledge_base" / str(chunk.metadata["source"])).read_text()
            flat_document = " ".join(document.split())
            assert source.sentences, entry
            for sentence in source.sentences:
                # Word for word in the cited chunk, and in the file it came from.
                assert sentence in chunk.text, (entry, sentence)
                assert sentence.split("; ")[0] in flat_document, (entry, sentence)
            for part in source.quote.split(" … "):
                assert part in chunk.text, (entry, part)
    assert answered >= 35


def test_questions_the_documents_do_not_answer_get_no_answer(knowledge: Knowledge) -> None:
    for question in ("what's the weather on mars tomorrow", "who won the football last night"):
        assert knowledge.answer(question) is None
    # The threshold is the caller's: asking for certainty refuses a loose match.
    assert (
        answer_question(
            knowledge.index, knowledge.embedder, "do you take paypal?", min_similarity=0.99
        )
        is None
    )


def test_the_rest_channel_answers_from_the_documents(
    make_settings: Callable[..., Settings], embedder: CountingEmbedder
) -> None:
    from assistant.knowledge.vector_store import vector_store_from_settings
    from assistant.server.app import create_app

    settings = make_settings()
    collection = get_collection(
        vector_store_from_settings(settings), settings.vector_store.collection
    )
    ingest(collection, embedder, _documents(), scope="kb")

    def ask(client: TestClient, text: str) -> list[dict[str, Any]]:
        # A new sender per question: each question is a conversation of its own.
        body = {"sender": f"q-{next(senders)}", "message": text}
        response = client.post("/webhooks/rest/webhook", json=body)
        assert response.status_code == 200
        return list(response.json())

    with TestClient(create_app(settings)) as client:
        (reply,) = ask(client, "How long does delivery take?")
        assert "3 to 5 business days" in reply["text"]
        assert reply["custom"]["type"] == "answer"
        (source,) = reply["custom"]["sources"]
        assert source["link"].startswith("/kb/shipping-and-delivery#")

        # The citation's link opens the document at the cited section, the quote in it.
        path, _, anchor = source["link"].partition("#")
        page = client.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert "<script" not in page.text
        section = page.text.split(f'<section id="{anchor}">', 1)[1].split("</section>", 1)[0]
        assert f"<h2>{html.escape(source['section'])}</h2>" in section
        for sentence in source["sentences"]:
            assert html.escape(sentence) in section
        # Sections appear in the document's order.
        headings = re.findall(r"<h2>(.*?)</h2>", page.text)
        assert headings.index("Delivery times") < headings.index("Tracking your order")
        missing = client.get("/kb/no-such-document")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"

        (fallback,) = ask(client, "what is the airspeed velocity of an unladen swallow")
        assert "custom" not in fallback or fallback["custom"].get("type") != "answer"
        assert any(b["payload"] == "/human_handoff" for b in fallback["buttons"])


@dataclass
class ModelStore:
    """The real app with a model configured (the queue-driven fake) over the store's policies."""

    client: TestClient
    fake: FakeModelServer


@pytest.fixture
def model_store(
    fake: FakeModelServer, fake_settings: Callable[..., Settings], embedder: CountingEmbedder
) -> Iterator[ModelStore]:
    from assistant.knowledge.vector_store import vector_store_from_settings
    from assistant.server.app import create_app

    # Answers only: the NLU alone reads the shopper here.
    settings = fake_settings(**{"llm.commands": False})
    collection = get_collection(
        vector_store_from_settings(settings), settings.vector_store.collection
    )
    ingest(collection, embedder, _documents(), scope="kb")
    with TestClient(create_app(settings)) as client:
        yield ModelStore(client, fake)


REWRITE = "Standard delivery takes 3 to 5 business days after your order is processed [1]."


def test_with_a_model_the_answer_is_its_checked_rewrite_or_the_quote(
    model_store: ModelStore,
) -> None:
    client, fake = model_store.client, model_store.fake

    def ask(text: str) -> dict[str, Any]:
        body = {"sender": f"m-{next(senders)}", "message": text}
        response = client.post("/webhooks/rest/webhook", json=body)
        assert response.status_code == 200
        (reply,) = response.json()
        return dict(reply)

    fake.script(REWRITE, "Delivery takes 2 days and express shipping is free [1].")
    supported = ask("How long does delivery take?")
    assert supported["text"] == REWRITE
    assert supported["custom"]["generated"] is True
    # The REST channel gets no drafts, so its answers replace none.
    assert "replaces" not in supported and "replaces" not in supported["custom"]
    # `[n]` refers to sources[n - 1]: the passages the model was given, in order.
    sources = supported["custom"]["sources"]
    assert any(source["section"] == "Delivery times" for source in sources)
    assert all(source["link"].startswith("/kb/") for source in sources)
    prompt = fake.requests[0]["messages"][-1]["content"]
    for number, source in enumerate(sources, start=1):
        assert f"[{number}] {source['title']} — {source['section']}" in prompt

    unsupported = ask("How long does delivery take?")
    assert unsupported["custom"]["generated"] is False
    assert unsupported["text"].startswith("“") and "3 to 5 business days" in unsupported["text"]
    assert "2 days" not in unsupported["text"]

    # A question the documents do not answer never reaches the model.
    asked = len(fake.requests)
    ask("what is the airspeed velocity of an unladen swallow")
    assert len(fake.requests) == asked


def test_over_the_websocket_drafts_stream_and_the_final_message_replaces_them(
    model_store: ModelStore,
) -> None:
    """The model's words arrive as drafts while written; the stored message that follows
    names the draft it replaces — the checked rewrite, or the quote when the guard refused."""
    from tests.conversations.conftest import Widget

    unsupported = "Delivery takes 2 days and express shipping is free for everyone [1]."
    model_store.fake.script(
        Reply(REWRITE, piece_delay_s=0.06), Reply(unsupported, piece_delay_s=0.06)
    )
    with model_store.client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        widget = Widget(ws)
        widget.hello()
        for expected in (REWRITE, unsupported):
            turn = widget.message("How long does delivery take?")
            drafts = [f for f in turn if f["type"] == "draft"]
            (final,) = widget.bot
            (user,) = [f for f in turn if f["type"] == "message" and f["role"] == "user"]
            # Several drafts, each all of the text so far, growing to the model's whole answer.
            assert len(drafts) >= 3, turn
            assert {d["id"] for d in drafts} == {final["replaces"]}
            assert all(d["reply_to"] == user["seq"] for d in drafts)
            texts = [d["text"] for d in drafts]
            assert all(b.startswith(a) for a, b in itertools.pairwise(texts))
            assert texts[-1] == expected
            # Every draft precedes the message that replaces it.
            assert turn.index(drafts[-1]) < turn.index(final)
            if expected == REWRITE:
                assert final["text"] == REWRITE and final["custom"]["generated"] is True
            else:
                assert final["custom"]["generated"] is False
                assert final["text"].startswith("“") and "2 days" not in final["text"]
    # Resuming replays the stored messages only: their `replaces`, never a draft.
    with model_store.client.websocket_connect("/ws/chat", headers=ORIGIN) as ws2:
        replay = Widget(ws2)
        session = widget.frames[0]["session"]
        replay.hello(session=session)
        frames = [replay.receive() for _ in range(4)]
        assert [f["type"] for f in frames] == ["message"] * 4
        assert [bool(f.get("replaces")) for f in frames] == [False, True, False, True]
