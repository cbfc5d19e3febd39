"""The collection read into memory, and the words of the index.

A `Snapshot` holds the chunks of a Chroma collection as the index searches them: the BM25
index over their stemmed words (title and section heading included), the metadata as integer
columns that filters compare, the embeddings as unit rows, and the corpus's own spellings for
typo tolerance. `words`, `stems` and `tokenize` are how every part of the knowledge base reads
text, so a question's terms and a passage's are cut the same way.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import bm25s
import numpy as np
import Stemmer
from rapidfuzz import fuzz, process

# Exact scoring gathers rows in blocks that stay in the CPU's cache.
EXACT_BLOCK = 512
# Masks kept per snapshot (one per distinct filter), and unknown words' closest spellings.
MASK_CACHE = 256
SPELLING_CACHE = 10_000
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = {
    "the", "and", "for", "with", "you", "your", "are", "can", "how", "what", "when", "does", "our",
    "this", "that", "from", "have", "has", "will", "not", "but", "any", "all", "was", "were",
    "which", "who", "its", "it's", "into", "about", "there", "their", "them", "they", "than",
    "then", "too", "very", "just", "also", "i'm", "my", "me", "is", "do", "to", "of", "in", "on",
    "a", "an", "or", "be", "by", "at", "as", "if", "so", "we", "us", "it", "i",
}  # fmt: skip


# PyStemmer's stemmers are not safe to share between threads (searches run on several).
_STEMMERS = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        stemmer = _STEMMERS.english = Stemmer.Stemmer("english")
    return stemmer


def words(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.lower()) if t not in _STOPWORDS]


def stems(items: Iterable[str]) -> list[str]:
    """Each word's stem, in order."""
    return list(_stemmer().stemWords(list(items)))


def tokenize(text: str) -> list[str]:
    """Words without stop words, stemmed: "returns" and "returned" both become "return"."""
    return stems(words(text))


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


@dataclass(frozen=True)
class Allowed:
    """The chunks a filter keeps: as a mask, and as their positions."""

    mask: np.ndarray
    rows: np.ndarray

    @property
    def count(self) -> int:
        return len(self.rows)


class Snapshot:
    """The collection read into memory: BM25 index, metadata columns and embeddings."""

    def __init__(
        self,
        ids: list[str],
        texts: list[str],
        metadatas: list[dict[str, Any]],
        vectors: np.ndarray | None = None,
    ) -> None:
        self.ids = ids
        self.texts = texts
        self.metadatas = metadatas
        self.position = {chunk_id: i for i, chunk_id in enumerate(ids)}
        # Each document's chunks, in the document's order.
        self.documents: dict[str, list[int]] = {}
        for i, metadata in enumerate(metadatas):
            self.documents.setdefault(str(metadata.get("doc_id") or ""), []).append(i)
        for chunks in self.documents.values():
            chunks.sort(key=lambda i: _position(metadatas[i]))
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
        # The words of the catalog's product names ("headphones", "kettle"): kinds of product.
        self.product_words = frozenset(
            w
            for m in metadatas
            if m.get("type") == "product"
            for w in words(str(m.get("title") or ""))
            if w.isalpha()
        )
        self._spellings: dict[str, str | None] = {}
        self.bm25: bm25s.BM25 | None = None
        # No word at all (a corpus of numbers and punctuation): BM25's average length would
        # be zero, so there is no lexical side, only the vector one.
        if any(tokens):
            self.bm25 = bm25s.BM25()
            self.bm25.index(tokens, show_progress=False)
        # Each filterable key as integer codes, one per distinct value: a filter compares ints.
        self._codes: dict[str, tuple[np.ndarray, dict[tuple[str, Any], int]]] = {}
        filterable = {key for metadata in metadatas for key in metadata if _filterable(key)}
        for key in filterable:
            values: dict[tuple[str, Any], int] = {}
            codes = np.array(
                [values.setdefault(_value_key(m.get(key)), len(values)) for m in metadatas],
                dtype=np.int32,
            )
            self._codes[key] = (codes, values)
        prices = [m.get("price") for m in metadatas]
        self.prices = np.array(
            [
                p if isinstance(p, int | float) and not isinstance(p, bool) else np.nan
                for p in prices
            ]
        )
        # Unit rows, so that a dot product is the cosine similarity Chroma's distance reports.
        self.vectors: np.ndarray | None = None
        if vectors is not None and len(vectors) == len(ids) and len(ids) > 0:
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            self.vectors = np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), np.float32)
        self._allowed: OrderedDict[tuple[Any, ...], Allowed] = OrderedDict()
        self._lock = threading.Lock()

    def allowed(self, filters: Filters) -> Allowed | None:
        """The chunks the filters keep; None when nothing is filtered."""
        if filters.is_empty():
            return None
        key = filters.key()
        with self._lock:
            cached = self._allowed.get(key)
            if cached is not None:
                self._allowed.move_to_end(key)
                return cached
        keep = np.ones(len(self.ids), dtype=bool)
        equal = {
            "type": filters.type,
            "category": filters.category,
            "available": filters.available,
            **{f"opt_{key}": value for key, value in filters.options.items()},
        }
        for name, value in equal.items():
            if value is not None:
                keep &= self._equal(name, [value])
        if filters.types is not None:
            keep &= self._equal("type", list(filters.types))
        with np.errstate(invalid="ignore"):
            if filters.min_price is not None:
                keep &= self.prices >= filters.min_price
            if filters.max_price is not None:
                keep &= self.prices <= filters.max_price
        allowed = Allowed(keep, np.flatnonzero(keep))
        with self._lock:
            self._allowed[key] = allowed
            while len(self._allowed) > MASK_CACHE:
                self._allowed.popitem(last=False)
        return allowed

    def _equal(self, name: str, values: list[Any]) -> np.ndarray:
        column = self._codes.get(name)
        if column is None:
            return np.zeros(len(self.ids), dtype=bool)
        codes, lookup = column
        wanted = [lookup[_value_key(v)] for v in values if _value_key(v) in lookup]
        if not wanted:
            return np.zeros(len(self.ids), dtype=bool)
        matches: np.ndarray = codes == wanted[0] if len(wanted) == 1 else np.isin(codes, wanted)
        return matches

    def expand(self, query: str) -> list[str]:
        """The query's stemmed words, plus the closest known spelling of unknown ones."""
        found = words(query)
        expanded = list(found)
        for word in found:
            if word in self._known or len(word) < 4 or not word.isalpha():
                continue
            if word not in self._spellings:
                match = process.extractOne(
                    word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=80
                )
                with self._lock:
                    if len(self._spellings) >= SPELLING_CACHE:
                        self._spellings.clear()
                    self._spellings[word] = None if match is None else str(match[0])
            spelling = self._spellings.get(word)
            if spelling is not None:
                expanded.append(spelling)
        return stems(expanded)

    def lexical(self, query: str, k: int, allowed: Allowed | None) -> list[tuple[int, float]]:
        """BM25's best `k` chunks among the allowed ones, as (position, score)."""
        if self.bm25 is None:
            return []
        token_ids = self.bm25.get_tokens_ids(self.expand(query))
        if not token_ids:
            return []
        scores = self.bm25.get_scores_from_ids(token_ids)
        if allowed is None:
            return best_rows(np.arange(len(scores)), scores, k, positive=True)
        return best_rows(allowed.rows, scores[allowed.rows], k, positive=True)

    def exact(self, vector: np.ndarray, k: int, rows: np.ndarray) -> list[tuple[int, float]]:
        """The `k` rows most similar to the (unit) query vector, scored one by one."""
        assert self.vectors is not None
        scores = np.empty(len(rows), dtype=np.float32)
        # Gathered in blocks that stay in the CPU's cache: a third faster than all at once.
        for start in range(0, len(rows), EXACT_BLOCK):
            block = rows[start : start + EXACT_BLOCK]
            np.dot(self.vectors[block], vector, out=scores[start : start + len(block)])
        return best_rows(rows, scores, k)


def _filterable(key: str) -> bool:
    """The metadata keys `Filters` compares by equality (prices are compared as numbers)."""
    return key in ("type", "category", "available") or key.startswith("opt_")


def _value_key(value: Any) -> tuple[str, Any]:
    # The type is part of the key: True and 1 are equal, and hash alike, in Python.
    return (type(value).__name__, value)


def best_rows(
    rows: np.ndarray, scores: np.ndarray, k: int, *, positive: bool = False
) -> list[tuple[int, float]]:
    """The `k` best (row, score) pairs, best first; with `positive`, only scores above 0."""
    k = min(k, len(scores))
    if k <= 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(rows[i]), float(scores[i])) for i in top if scores[i] > 0 or not positive]


def _position(metadata: dict[str, Any]) -> int:
    position = metadata.get("position")
    return position if isinstance(position, int) else 0
