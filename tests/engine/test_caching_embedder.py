"""The caching embedder: each distinct text encoded once, the least recently used forgotten."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.engine.embeddings import CachingEmbedder


class _Recording:
    """A stand-in model: a text's vector is derived from its length; calls are recorded."""

    dimension = 3

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)


def test_each_distinct_text_is_encoded_once_and_rows_keep_their_order() -> None:
    inner = _Recording()
    cached = CachingEmbedder(inner)
    first = cached.encode(["ab", "abc", "ab"])
    assert inner.calls == [["ab", "abc"]]
    assert first[:, 0].tolist() == [2.0, 3.0, 2.0] and first.dtype == np.float32
    second = cached.encode(["abc", "abcd"])
    assert inner.calls[-1] == ["abcd"] and second[:, 0].tolist() == [3.0, 4.0]
    assert cached.encode([]).shape == (0, 3)


def test_the_least_recently_used_text_is_forgotten_first() -> None:
    inner = _Recording()
    cached = CachingEmbedder(inner, max_entries=2)
    cached.encode(["a"])
    cached.encode(["bb"])
    cached.encode(["a"])  # "a" is used again: "bb" is now the oldest
    cached.encode(["ccc"])
    inner.calls.clear()
    cached.encode(["a", "ccc"])
    assert inner.calls == []
    cached.encode(["bb"])
    assert inner.calls == [["bb"]]


def test_embedders_of_one_model_share_it_once_loaded() -> None:
    """Each assistant a process builds (tests, evals) gets the model already loaded: loading
    it again costs seconds and memory that is not all given back."""
    from assistant.engine.embeddings import SentenceEmbedder

    first, second = SentenceEmbedder(), SentenceEmbedder()
    assert first.encode(["returns"]).shape == (1, 384)
    assert second._load() is first._load()
    assert second.encode(["returns"]).tolist() == first.encode(["returns"]).tolist()
