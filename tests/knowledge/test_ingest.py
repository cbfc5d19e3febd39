"""Reading the knowledge base into chunks, and incremental ingestion into Chroma."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.knowledge import ingest as ingest_module
from assistant.knowledge.documents import read_knowledge_base
from assistant.knowledge.ingest import get_collection, ingest, read_all
from tests.knowledge.conftest import CountingEmbedder

SHIPPING = """---
id: shipping
title: Shipping and delivery
updated: 2026-11-01
type: policy
---
# Shipping and delivery

Intro line about shipping.

## Delivery times

Standard delivery takes 3 to 5 business days.

Express delivery takes 1 to 2 business days.

## Tracking

Every shipment has a tracking number.
"""


def _write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _store(root: Path) -> None:
    catalog = {
        "products": {
            "p1": {
                "product_id": "p1",
                "name": "Water Bottle",
                "variants": {
                    "i1": {
                        "item_id": "i1",
                        "options": {"capacity": "500ml", "color": "black"},
                        "available": True,
                        "price": 19.5,
                    },
                    "i2": {
                        "item_id": "i2",
                        "options": {"capacity": "1000ml", "color": "blue"},
                        "available": False,
                        "price": 24.0,
                    },
                },
            }
        }
    }
    _write(root, "store/db.json", json.dumps(catalog))


def test_documents_split_by_heading_and_paragraph_with_stable_ids(tmp_path: Path) -> None:
    _write(tmp_path, "policies/shipping.md", SHIPPING)
    _store(tmp_path)
    chunks, problems = read_knowledge_base(tmp_path)
    assert problems == []
    by_id = {chunk.id: chunk for chunk in chunks}
    assert set(by_id) == {
        "shipping#intro-0",
        "shipping#delivery-times-0",
        "shipping#tracking-0",
        "product-i1",
        "product-i2",
    }
    # Short paragraphs of one section are merged into one chunk.
    times = by_id["shipping#delivery-times-0"]
    assert times.title == "Shipping and delivery" and times.section == "Delivery times"
    assert "3 to 5" in times.text and "1 to 2" in times.text
    assert times.link == "/kb/shipping#delivery-times"
    bottle = by_id["product-i2"]
    assert bottle.metadata["type"] == "product" and bottle.metadata["available"] is False
    assert bottle.metadata["opt_capacity"] == "1000ml" and bottle.metadata["price"] == 24.0
    assert "Water Bottle with capacity 1000ml, color blue" in bottle.text
    again, _ = read_knowledge_base(tmp_path)
    assert [(c.id, c.digest) for c in again] == [(c.id, c.digest) for c in chunks]


def test_ingestion_embeds_only_what_changed_and_deletes_what_is_gone(
    tmp_path: Path, chroma: Any, embedder: CountingEmbedder
) -> None:
    root = tmp_path / "kb"
    shipping = _write(root, "policies/shipping.md", SHIPPING)
    _write(root, "policies/privacy.md", "# Privacy\n\n## Data\n\nWe keep your data safe.\n")
    collection = get_collection(chroma, "knowledge")

    chunks, _ = read_knowledge_base(root)
    first = ingest(collection, embedder, chunks, scope="kb")
    assert (first.added, first.updated, first.deleted) == (4, 0, 0)
    assert collection.count() == 4

    embedder.texts.clear()
    second = ingest(collection, embedder, read_knowledge_base(root)[0], scope="kb")
    assert (second.added, second.updated, second.unchanged) == (0, 0, 4)
    assert embedder.texts == []

    # One paragraph changes: only its chunk is embedded again.
    shipping.write_text(SHIPPING.replace("tracking number", "tracking link"), encoding="utf-8")
    third = ingest(collection, embedder, read_knowledge_base(root)[0], scope="kb")
    assert (third.added, third.updated, third.unchanged) == (0, 1, 3)
    assert len(embedder.texts) == 1 and "tracking link" in embedder.texts[0]
    stored = collection.get(ids=["shipping#tracking-0"], include=["documents"])
    assert stored["documents"] == ["Every shipment has a tracking link."]

    # A deleted document disappears; another scope's chunks are left alone.
    (root / "policies" / "privacy.md").unlink()
    collection.upsert(
        ids=["other-1"],
        embeddings=embedder.encode(["x"]).tolist(),
        documents=["x"],
        metadatas=[{"scope": "catalog:other", "digest": "d"}],
    )
    fourth = ingest(collection, embedder, read_knowledge_base(root)[0], scope="kb")
    assert fourth.deleted == 1
    assert sorted(collection.get()["ids"]) == [
        "other-1",
        "shipping#delivery-times-0",
        "shipping#intro-0",
        "shipping#tracking-0",
    ]


def test_a_bad_file_is_reported_and_skipped(tmp_path: Path) -> None:
    _write(tmp_path, "policies/shipping.md", SHIPPING)
    _write(tmp_path, "policies/broken.md", "---\n- just: [a list\n---\n# Broken\n\ntext\n")
    (tmp_path / "policies" / "binary.md").write_bytes(b"\xff\xfe\x00bad")
    _write(tmp_path, "policies/empty.md", "---\nid: empty\n---\n")
    _write(tmp_path, "store/db.json", "{not json")
    chunks, problems = read_knowledge_base(tmp_path)
    assert {chunk.doc_id for chunk in chunks} == {"shipping"}
    assert sorted(problem.path for problem in problems) == [
        "policies/binary.md",
        "policies/broken.md",
        "policies/empty.md",
        "store/db.json",
    ]
    assert all(problem.reason for problem in problems)


def test_large_collections_are_read_in_pages(chroma: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chroma refuses one read of more than 32,766 records; ingestion and the index page."""
    collection = get_collection(chroma, "paged")
    collection.add(
        ids=[f"id-{i}" for i in range(25)],
        embeddings=[[float(i), 1.0] for i in range(25)],
        documents=[f"text {i}" for i in range(25)],
        metadatas=[{"scope": "kb" if i % 2 else "other", "n": i} for i in range(25)],
    )
    calls: list[int | None] = []
    real_get = collection.get

    def counted_get(**kwargs: Any) -> Any:
        calls.append(kwargs.get("limit"))
        return real_get(**kwargs)

    monkeypatch.setattr(ingest_module, "PAGE", 7)
    monkeypatch.setattr(collection, "get", counted_get)
    stored = read_all(collection, ["documents", "metadatas"])
    assert sorted(stored["ids"], key=lambda i: int(i[3:])) == [f"id-{i}" for i in range(25)]
    assert len(stored["documents"]) == len(stored["metadatas"]) == 25
    assert stored["documents"][stored["ids"].index("id-9")] == "text 9"
    assert calls == [7, 7, 7, 7]
    scoped = read_all(collection, ["metadatas"], where={"scope": "kb"})
    assert sorted(m["n"] for m in scoped["metadatas"]) == list(range(1, 25, 2))


def test_a_paragraph_inserted_above_moves_the_others_without_embedding_them(
    tmp_path: Path, chroma: Any, embedder: CountingEmbedder
) -> None:
    from assistant.knowledge.index import KnowledgeIndex

    root = tmp_path / "kb"
    shipping = _write(root, "policies/shipping.md", SHIPPING)
    collection = get_collection(chroma, "knowledge")
    ingest(collection, embedder, read_knowledge_base(root)[0], scope="kb")

    embedder.texts.clear()
    inserted = SHIPPING.replace(
        "## Delivery times", "## Where we ship\n\nWe ship to every US state.\n\n## Delivery times"
    )
    shipping.write_text(inserted, encoding="utf-8")
    report = ingest(collection, embedder, read_knowledge_base(root)[0], scope="kb")
    assert (report.added, report.updated, report.unchanged) == (1, 0, 3)
    assert len(embedder.texts) == 1 and "every US state" in embedder.texts[0]

    index = KnowledgeIndex(collection, embedder)
    index.refresh()
    sections = [metadata["section"] for _, metadata in index.document("shipping")]
    assert sections == ["", "Where we ship", "Delivery times", "Tracking"]
    assert index.document("no-such-document") == []
