"""A real Chroma client in a temporary directory and the real embedding model, counted."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.engine.embeddings import SentenceEmbedder
from assistant.knowledge.documents import read_knowledge_base
from assistant.knowledge.index import KnowledgeIndex
from assistant.knowledge.ingest import get_collection, ingest
from assistant.knowledge.service import Knowledge

ROOT = Path(__file__).resolve().parents[2]


class CountingEmbedder:
    """The real embedder, remembering what it was asked to embed."""

    def __init__(self, inner: SentenceEmbedder) -> None:
        self.inner = inner
        self.dimension = inner.dimension
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.encode(texts)


@pytest.fixture(scope="session")
def sentence_embedder() -> SentenceEmbedder:
    return SentenceEmbedder()


@pytest.fixture
def embedder(sentence_embedder: SentenceEmbedder) -> CountingEmbedder:
    return CountingEmbedder(sentence_embedder)


@pytest.fixture
def chroma(tmp_path: Path) -> Any:
    import chromadb
    from chromadb.config import Settings

    return chromadb.PersistentClient(
        path=str(tmp_path / "chroma"), settings=Settings(anonymized_telemetry=False)
    )


def policy_knowledge(directory: Path, embedder: Any) -> Knowledge:
    """The store's policies and FAQ (knowledge_base/, without the catalog) in a real index."""
    import chromadb
    from chromadb.config import Settings

    chunks, problems = read_knowledge_base(ROOT / "knowledge_base")
    assert problems == []
    documents = [chunk for chunk in chunks if chunk.metadata["type"] != "product"]
    client = chromadb.PersistentClient(
        path=str(directory), settings=Settings(anonymized_telemetry=False)
    )
    collection = get_collection(client, "policies")
    ingest(collection, embedder, documents, scope="kb")
    index = KnowledgeIndex(collection, embedder)
    index.refresh()
    return Knowledge(index, embedder)


@pytest.fixture(scope="module")
def store_knowledge(
    tmp_path_factory: pytest.TempPathFactory, sentence_embedder: SentenceEmbedder
) -> Knowledge:
    """The store's documents, indexed once for a test module."""
    return policy_knowledge(tmp_path_factory.mktemp("chroma"), sentence_embedder)
