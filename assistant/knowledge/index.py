"""Hybrid retrieval: BM25 (bm25s) and vector search (Chroma), their scores fused.

Chroma holds the chunks, their embeddings and metadata; the lexical index is rebuilt from it
in memory (`refresh`), so both always describe the same chunks. Each side's scores are scaled
to 0..1 over its own candidates and mixed half and half: a query whose words match strongly
(a product name) is led by BM25, a paraphrase by the embeddings, without tuning per query.
Filters are pushed down into both: a `where` clause for Chroma, a boolean mask over the chunks
for BM25. Query words that are not in the vocabulary are matched to their closest spelling
(rapidfuzz), so "keybaord" still finds keyboards; words are stemmed (PyStemmer), so "returns"
finds "return". Repeated queries are answered from a small cache until the index changes.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Literal

import bm25s
import numpy as np
import Stemmer
from rapidfuzz import fuzz, process

from assistant.engine.embeddings import Embedder

Mode = Literal["hybrid", "lexical", "vector"]
# Each side's scores are scaled to 0..1 over its candidates, then mixed half and half.
LEXICAL_SHARE = 0.5
# How many candidates each side contributes to the fusion.
CANDIDATES = 50
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = {
    "the", "and", "for", "with", "you", "your", "are", "can", "how", "what", "when", "does", "our",
    "this", "that", "from", "have", "has", "will", "not", "but", "any", "all", "was", "were",
    "which", "who", "its", "it's", "into", "about", "there", "their", "them", "they", "than",
    "then", "too", "very", "just", "also", "i'm", "my", "me", "is", "do", "to", "of", "in", "on",
    "a", "an", "or", "be", "by", "at", "as", "if", "so", "we", "us", "it", "i",
}  # fmt: skip


_STEMMER = Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.lower()) if t not in _STOPWORDS]


def tokenize(text: str) -> list[str]:
    """Words without stop words, stemmed: "returns" and "returned" both become "return"."""
    return list(_STEMMER.stemWords(words(text)))


@dataclass(frozen=True)
class Filters:
    """Metadata constraints, applied inside both stores."""

    type: str | None = None
    # Any of these types (documents: ("policy", "faq")).
    types: tuple[str, ...] | None = None
    category: str | None = None
    min_price: float | None = None
    max_price: float | None = None
    available: bool | None = None
    # Option values by metadata key without the `opt_` prefix: {"color": "black"}.
    options: dict[str, str] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return self == Filters()

    def as_where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.type is not None:
            clauses.append({"type": self.type})
        if self.types is not None:
            clauses.append({"type": {"$in": list(self.types)}})
        if self.category is not None:
            clauses.append({"category": self.category})
        if self.min_price is not None:
            clauses.append({"price": {"$gte": self.min_price}})
        if self.max_price is not None:
            clauses.append({"price": {"$lte": self.max_price}})
        if self.available is not None:
            clauses.append({"available": self.available})
        clauses += [{f"opt_{key}": value} for key, value in sorted(self.options.items())]
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def key(self) -> tuple[Any, ...]:
        return (
            self.type,
            self.types,
            self.category,
            self.min_price,
            self.max_price,
            self.available,
            tuple(sorted(self.options.items())),
        )


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    text: str
    metadata: dict[str, Any]
    # Cosine similarity of the chunk to the query, when vector search saw it.
    similarity: float | None = None

    @property
    def title(self) -> str:
        return str(self.metadata.get("title") or "")

    @property
    def section(self) -> str:
        return str(self.metadata.get("section") or "")


class _Lexical:
    """The BM25 index over the collection's chunks, with their metadata as arrays."""

    def __init__(self, ids: list[str], texts: list[str], metadatas: list[dict[str, Any]]) -> None:
        self.ids = ids
        self.texts = texts
        self.metadatas = metadatas
        self.position = {chunk_id: i for i, chunk_id in enumerate(ids)}
        # The title and section heading count as words of the chunk, as they do for its
        # embedding ("Returns. What you can return. …").
        tokens = [
            tokenize(f"{m.get('title') or ''} {m.get('section') or ''} {text}")
            for text, m in zip(texts, metadatas, strict=True)
        ]
        # Spellings for typo tolerance: the corpus's own words, before stemming.
        self.vocabulary = sorted(
            {w for text in texts for w in words(text) if w.isalpha() and len(w) > 3}
        )
        self._known = set(self.vocabulary)
        self.bm25: bm25s.BM25 | None = None
        if ids:
            self.bm25 = bm25s.BM25()
            self.bm25.index(tokens, show_progress=False)
        self.columns: dict[str, np.ndarray] = {}
        keys = {key for metadata in metadatas for key in metadata}
        for key in keys:
            self.columns[key] = np.array([m.get(key) for m in metadatas], dtype=object)
        prices = [m.get("price") for m in metadatas]
        self.prices = np.array([p if isinstance(p, int | float) else np.nan for p in prices])

    def mask(self, filters: Filters) -> np.ndarray | None:
        if filters.is_empty():
            return None
        keep = np.ones(len(self.ids), dtype=bool)
        equal = {
            "type": filters.type,
            "category": filters.category,
            "available": filters.available,
            **{f"opt_{key}": value for key, value in filters.options.items()},
        }
        for key, value in equal.items():
            if value is None:
                continue
            column = self.columns.get(key)
            keep &= (column == value) if column is not None else False
        if filters.types is not None:
            column = self.columns.get("type")
            keep &= np.isin(column, list(filters.types)) if column is not None else False
        with np.errstate(invalid="ignore"):
            if filters.min_price is not None:
                keep &= self.prices >= filters.min_price
            if filters.max_price is not None:
                keep &= self.prices <= filters.max_price
        return keep

    def expand(self, query: str) -> list[str]:
        """The query's stemmed words, plus the closest known spelling of unknown ones."""
        found = words(query)
        expanded = list(found)
        for word in found:
            if word in self._known or len(word) < 4 or not word.isalpha():
                continue
            match = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=80)
            if match is not None:
                expanded.append(str(match[0]))
        return list(_STEMMER.stemWords(expanded))

    def search(self, query: str, k: int, filters: Filters) -> list[tuple[int, float]]:
        if self.bm25 is None:
            return []
        tokens = self.expand(query)
        if not tokens:
            return []
        mask = self.mask(filters)
        allowed = len(self.ids) if mask is None else int(mask.sum())
        if allowed == 0:
            return []
        documents, scores = self.bm25.retrieve(
            [tokens],
            k=min(k, allowed),
            show_progress=False,
            n_threads=1,
            weight_mask=None if mask is None else mask.astype(np.float32),
        )
        return [
            (int(doc), float(score))
            for doc, score in zip(documents[0], scores[0], strict=True)
            if score > 0
        ]


class KnowledgeIndex:
    """Search over one Chroma collection; `refresh()` after the collection changes."""

    def __init__(self, collection: Any, embedder: Embedder, *, cache_size: int = 512) -> None:
        self.collection = collection
        self.embedder = embedder
        self._lexical = _Lexical([], [], [])
        self._cache: OrderedDict[tuple[Any, ...], list[Hit]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Rebuild the lexical side from the collection, and forget cached answers."""
        stored = self.collection.get(include=["documents", "metadatas"])
        lexical = _Lexical(
            list(stored["ids"]),
            [str(text or "") for text in stored["documents"] or []],
            [dict(m or {}) for m in stored["metadatas"] or []],
        )
        with self._lock:
            self._lexical = lexical
            self._cache.clear()

    @property
    def size(self) -> int:
        return len(self._lexical.ids)

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
    ) -> list[Hit]:
        filters = filters or Filters()
        key = (query.strip().lower(), k, filters.key(), mode)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
            lexical = self._lexical
        hits = self._search(lexical, query, k, filters, mode)
        with self._lock:
            self._cache[key] = hits
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return hits

    def _search(
        self, lexical: _Lexical, query: str, k: int, filters: Filters, mode: Mode
    ) -> list[Hit]:
        if not query.strip() or not lexical.ids:
            return []
        depth = max(k, CANDIDATES)
        ranked: list[list[str]] = []
        similarity: dict[str, float] = {}
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        if mode in ("hybrid", "vector"):
            vector_ids = self._vector(query, depth, filters, similarity, found)
            ranked.append(vector_ids)
        bm25: dict[str, float] = {}
        if mode in ("hybrid", "lexical"):
            found_lexical = lexical.search(query, depth, filters)
            ranked.append([lexical.ids[i] for i, _ in found_lexical])
            bm25 = {lexical.ids[i]: score for i, score in found_lexical}
        if mode == "hybrid":
            scores = _combine(similarity, bm25)
        else:
            scores = {chunk_id: 1.0 / rank for rank, chunk_id in enumerate(ranked[0], start=1)}
        best = sorted(scores, key=lambda chunk_id: -scores[chunk_id])[:k]
        hits = []
        for chunk_id in best:
            if chunk_id in found:
                text, metadata = found[chunk_id]
            else:
                position = lexical.position[chunk_id]
                text, metadata = lexical.texts[position], lexical.metadatas[position]
            hits.append(Hit(chunk_id, scores[chunk_id], text, metadata, similarity.get(chunk_id)))
        return hits

    def _vector(
        self,
        query: str,
        depth: int,
        filters: Filters,
        similarity: dict[str, float],
        found: dict[str, tuple[str, dict[str, Any]]],
    ) -> list[str]:
        vector = self.embedder.encode([query])[0]
        result = self.collection.query(
            query_embeddings=[vector.tolist()],
            n_results=min(depth, max(self.size, 1)),
            where=filters.as_where(),
            include=["documents", "metadatas", "distances"],
        )
        ids = list(result["ids"][0])
        for chunk_id, text, metadata, distance in zip(
            ids,
            result["documents"][0],
            result["metadatas"][0],
            result["distances"][0],
            strict=True,
        ):
            similarity[chunk_id] = 1.0 - float(distance)
            found[chunk_id] = (str(text or ""), dict(metadata or {}))
        return ids


def _normalised(scores: dict[str, float]) -> dict[str, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    return {k: (v - low) / span if span > 0 else 1.0 for k, v in scores.items()}


def _combine(similarity: dict[str, float], bm25: dict[str, float]) -> dict[str, float]:
    """Each side's scores scaled to 0..1 over its candidates, then mixed."""
    vector, lexical = _normalised(similarity), _normalised(bm25)
    return {
        chunk_id: (1 - LEXICAL_SHARE) * vector.get(chunk_id, 0.0)
        + LEXICAL_SHARE * lexical.get(chunk_id, 0.0)
        for chunk_id in set(vector) | set(lexical)
    }
