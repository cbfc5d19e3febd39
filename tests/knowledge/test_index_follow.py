"""A knowledge-base change written elsewhere (`assistant kb ingest` in another process,
another worker) reaches every running index without a restart: ingestion leaves a new
version stamp in the collection's metadata, and searches read the collection again when
the stamp changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import chromadb
from chromadb.config import Settings

from assistant.knowledge.documents import Chunk
from assistant.knowledge.index import Filters, KnowledgeIndex
from assistant.knowledge.ingest import get_collection, ingest, read_stamp
from tests.knowledge.conftest import CountingEmbedder

POLICY = {"type": "policy"}
SHIPPING = Chunk(
    "shipping#times-0",
    "shipping",
    "Shipping",
    "Delivery times",
    "Standard delivery takes 3 to 5 business days.",
    dict(POLICY),
)
GIFT_WRAP = Chunk(
    "gifts#wrapping-0",
    "gifts",
    "Gifts",
    "Gift wrapping",
    "Any order can be gift wrapped for free; choose gift wrapping at checkout.",
    dict(POLICY),
)


def _client(path: Path) -> Any:
    return chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))


def _ids(index: KnowledgeIndex, query: str) -> list[str]:
    return [hit.id for hit in index.search(query, k=5, filters=Filters(type="policy"))]


def test_an_ingestion_elsewhere_reaches_every_index_without_a_restart(
    tmp_path: Path, embedder: CountingEmbedder
) -> None:
    store = tmp_path / "chroma"
    writer = get_collection(_client(store), "knowledge")
    ingest(writer, embedder, [SHIPPING], scope="knowledge")
    # Two workers, each with its own index over the same store.
    workers = [
        KnowledgeIndex(get_collection(_client(store), "knowledge"), embedder, stamp_interval_s=0)
        for _ in range(2)
    ]
    for index in workers:
        index.refresh()
        assert _ids(index, "can my order be gift wrapped?") == ["shipping#times-0"]

    ingest(writer, embedder, [SHIPPING, GIFT_WRAP], scope="knowledge")
    for index in workers:
        # Searched, not refreshed by hand: the cached result and the BM25 index are renewed.
        assert _ids(index, "can my order be gift wrapped?")[0] == "gifts#wrapping-0"
        assert index.size == 2

    ingest(writer, embedder, [GIFT_WRAP], scope="knowledge")
    for index in workers:
        assert _ids(index, "how long does delivery take?") == ["gifts#wrapping-0"]


def test_only_a_change_moves_the_stamp_and_an_unchanged_store_is_not_read_again(
    tmp_path: Path, embedder: CountingEmbedder
) -> None:
    collection = get_collection(_client(tmp_path / "chroma"), "knowledge")
    assert read_stamp(collection) is None
    ingest(collection, embedder, [SHIPPING], scope="knowledge")
    first = read_stamp(collection)
    assert first is not None
    index = KnowledgeIndex(collection, embedder, stamp_interval_s=0)
    index.refresh()
    ingest(collection, embedder, [SHIPPING], scope="knowledge")
    assert read_stamp(collection) == first
    assert index.follow() is False
    ingest(collection, embedder, [SHIPPING, GIFT_WRAP], scope="knowledge")
    assert read_stamp(collection) != first
    assert index.follow() is True
    # The stamp sits beside the collection's settings: cosine distances still.
    assert collection.configuration_json["hnsw"]["space"] == "cosine"


def test_the_stamp_is_read_at_most_once_per_interval(
    tmp_path: Path, embedder: CountingEmbedder
) -> None:
    collection = get_collection(_client(tmp_path / "chroma"), "knowledge")
    ingest(collection, embedder, [SHIPPING], scope="knowledge")
    index = KnowledgeIndex(collection, embedder, stamp_interval_s=3600)
    index.refresh()
    ingest(collection, embedder, [SHIPPING, GIFT_WRAP], scope="knowledge")
    # Within the interval the snapshot stands; `refresh` still reads the change at once.
    assert index.follow() is False and index.size == 1
    index.refresh()
    assert index.size == 2
