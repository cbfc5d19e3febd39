"""The knowledge base on a Chroma server (`vector_store.kind: http`), started for real."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from assistant.config import Settings
from assistant.knowledge.index import Filters, KnowledgeIndex
from assistant.knowledge.ingest import get_collection, ingest
from assistant.knowledge.service import Knowledge
from tests.knowledge.conftest import CountingEmbedder
from tests.knowledge.test_index import _chunks
from tests.servers import chroma_server


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as port:
        yield port


@pytest.fixture
def settings(chroma_port: int, make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(**{"vector_store.kind": "http", "vector_store.port": chroma_port})


@pytest.fixture
def client(settings: Settings) -> Iterator[Any]:
    from assistant.knowledge.vector_store import close_vector_store, vector_store_from_settings

    client = vector_store_from_settings(settings)
    yield client
    close_vector_store(client)


def test_ingestion_and_search_work_the_same_on_a_chroma_server(
    settings: Settings, client: Any, embedder: CountingEmbedder
) -> None:
    assert client.heartbeat() > 0
    assert not settings.vector_store_path.exists()  # nothing embedded locally
    collection = get_collection(client, settings.vector_store.collection)
    first = ingest(collection, embedder, _chunks(), scope="kb")
    assert first.added == len(_chunks()) and collection.count() == len(_chunks())
    again = ingest(collection, embedder, _chunks(), scope="kb")
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(_chunks()))

    index = KnowledgeIndex(collection, embedder, stamp_interval_s=0)
    index.refresh()
    assert index.search("clicky keyboard with RGB", k=1)[0].id == "product-k1"
    cheap = {
        hit.id
        for hit in index.search("keyboard", k=5, filters=Filters(available=True, max_price=100))
    }
    assert "product-k2" in cheap and cheap <= {"product-k2", "product-b1", "product-b2"}
    answer = Knowledge(index, embedder).answer("how long does standard delivery take?")
    assert answer is not None and "3 to 5 days" in answer.sources[0].quote

    # Chunks of a removed document disappear from the server too.
    remaining = [chunk for chunk in _chunks() if not chunk.id.startswith("shipping")]
    assert ingest(collection, embedder, remaining, scope="kb").deleted == 1
    assert collection.count() == len(remaining)
    # And from the running index, which follows the server's version stamp.
    assert Knowledge(index, embedder).answer("how long does standard delivery take?") is None
    assert index.size == len(remaining)
