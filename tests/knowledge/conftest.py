"""A real Chroma client in a temporary directory and the real embedding model, counted."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.engine.embeddings import SentenceEmbedder


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
