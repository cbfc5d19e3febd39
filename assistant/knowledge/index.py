"""Hybrid retrieval: BM25 (bm25s) and vector search (Chroma's HNSW index), their scores fused.

Chroma holds the chunks, their embeddings and metadata. `refresh` reads them into a snapshot
in memory (`snapshot.py`): the BM25 index, the metadata as columns, and the embeddings, so
both sides always describe the same chunks. Each side's scores are scaled to 0..1 over its
own candidates and mixed half and half: a query whose words match strongly (a product name)
is led by BM25, a paraphrase by the embeddings, without tuning per query.

Filters are applied inside both searches, never by dropping results after ranking: a mask over
the chunks (from the metadata columns, cached per filter) weights BM25's scores, and the vector
side plans like a database. A filter that leaves few chunks scores exactly those chunks' vectors;
a broad one asks the HNSW index for enough neighbours that the wanted number pass the mask, and
scores exactly if too few do. (Chroma's own `where` reads its SQLite metadata tables on every
query: about 60 ms for one condition at 100k chunks, against 2 ms for the index alone.)

Query words that are not in the vocabulary are matched to their closest spelling (rapidfuzz),
so "keybaord" still finds keyboards; words are stemmed (PyStemmer), so "returns" finds
"return". The words a query needs are looked up while its embedding is computed. Repeated
queries are answered from a small cache until the index changes.

The collection may change under a running server (`assistant kb ingest` in another process,
or another worker). Ingestion leaves a new version stamp in the collection's metadata; a
search reads the stamp (at most once per `stamp_interval_s`, a few milliseconds) and reads
the collection again when it changed, so every worker answers from the new documents without
a restart.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Literal

import numpy as np

from assistant.engine.embeddings import Embedder
from assistant.knowledge.ingest import read_all, read_stamp
from assistant.knowledge.snapshot import (
    Allowed,
    Filters,
    Hit,
    Snapshot,
    stems,
    tokenize,
    words,
)

# Where the rest of the package and its users have always found them.
__all__ = ["Filters", "Hit", "KnowledgeIndex", "Mode", "stems", "tokenize", "words"]

Mode = Literal["hybrid", "lexical", "vector"]
# Each side's scores are scaled to 0..1 over its candidates, then mixed half and half.
LEXICAL_SHARE = 0.5
# How many candidates each side contributes to the fusion.
CANDIDATES = 50
# A filter that keeps at most this many chunks is scored exactly, chunk by chunk (about
# 0.4 µs each on one core); a broader one goes through the HNSW index, asking for this many
# times the neighbours it needs divided by the share of chunks the filter keeps.
EXACT_ROWS = 20_000
OVERFETCH = 1.5
# How often a search looks whether the collection changed (reading its version stamp).
STAMP_INTERVAL_S = 1.0
# The lexical side of searches; sized for the machine (2 cores).
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="bm25")


class KnowledgeIndex:
    """Search over one Chroma collection; `refresh()` after the collection changes."""

    def __init__(
        self,
        collection: Any,
        embedder: Embedder,
        *,
        cache_size: int = 512,
        stamp_interval_s: float = STAMP_INTERVAL_S,
    ) -> None:
        self.collection = collection
        self.embedder = embedder
        self._snapshot = Snapshot([], [], [])
        self._cache: OrderedDict[tuple[Any, ...], list[Hit]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        # The version stamp the snapshot was read at, and when it was last compared.
        self._stamp: str | None = None
        self._stamp_interval_s = stamp_interval_s
        self._stamp_checked = -math.inf
        self._refreshing = threading.Lock()

    def refresh(self) -> None:
        """Read the collection again (chunks, metadata, embeddings); forget cached answers."""
        # The stamp is read first: a change written while the chunks are read leaves a newer
        # stamp, and the next check reads the collection once more.
        stamp = read_stamp(self.collection)
        stored = read_all(self.collection, ["documents", "metadatas", "embeddings"])
        vectors = (
            np.asarray(np.vstack(stored["embeddings"]), dtype=np.float32)
            if stored["embeddings"]
            else None
        )
        snapshot = Snapshot(
            stored["ids"],
            [str(text or "") for text in stored["documents"]],
            [m or {} for m in stored["metadatas"]],
            vectors,
        )
        with self._lock:
            self._snapshot = snapshot
            self._stamp = stamp
            self._stamp_checked = time.monotonic()
            self._cache.clear()

    def follow(self) -> bool:
        """Read the collection again if its version stamp changed since the snapshot was read
        (looked at most once per `stamp_interval_s`); True when it was read again. While one
        thread reads, the others keep searching the previous snapshot."""
        if self.collection is None:
            return False
        now = time.monotonic()
        if now - self._stamp_checked < self._stamp_interval_s:
            return False
        if not self._refreshing.acquire(blocking=False):
            return False
        try:
            self._stamp_checked = now
            if read_stamp(self.collection) == self._stamp:
                return False
            self.refresh()
            return True
        finally:
            self._refreshing.release()

    @property
    def product_words(self) -> frozenset[str]:
        """The words of the catalog's product names, as indexed now."""
        return self._snapshot.product_words

    @property
    def size(self) -> int:
        return len(self._snapshot.ids)

    def document(self, doc_id: str) -> list[tuple[str, dict[str, Any]]]:
        """A document's chunks (text, metadata) in its order; empty when it is unknown."""
        snapshot = self._snapshot
        return [
            (snapshot.texts[i], snapshot.metadatas[i]) for i in snapshot.documents.get(doc_id, [])
        ]

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
    ) -> list[Hit]:
        self.follow()
        filters = filters or Filters()
        key = (query.strip().lower(), k, filters.key(), mode)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
            snapshot = self._snapshot
        hits = self._search(snapshot, query, k, filters, mode)
        with self._lock:
            self._cache[key] = hits
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return hits

    def _search(
        self, snapshot: Snapshot, query: str, k: int, filters: Filters, mode: Mode
    ) -> list[Hit]:
        if not query.strip() or not snapshot.ids:
            return []
        allowed = snapshot.allowed(filters)
        if allowed is not None and allowed.count == 0:
            return []
        depth = max(k, CANDIDATES)
        lexical: Future[list[tuple[int, float]]] | None = None
        if mode in ("hybrid", "lexical"):
            # BM25 runs on another thread while the query is embedded (torch releases the GIL).
            lexical = _POOL.submit(snapshot.lexical, query, depth, allowed)
        similarity: dict[int, float] = {}
        if mode in ("hybrid", "vector"):
            similarity = dict(self._vector(snapshot, query, depth, allowed))
        bm25 = dict(lexical.result()) if lexical is not None else {}
        scores = _combine(similarity, bm25) if mode == "hybrid" else similarity or bm25
        best = sorted(scores, key=lambda row: (-scores[row], row))[:k]
        return [
            Hit(
                snapshot.ids[row],
                scores[row],
                snapshot.texts[row],
                snapshot.metadatas[row],
                similarity.get(row),
            )
            for row in best
        ]

    def _vector(
        self, snapshot: Snapshot, query: str, depth: int, allowed: Allowed | None
    ) -> list[tuple[int, float]]:
        """(position, cosine similarity) of the nearest allowed chunks, best first."""
        vector = np.asarray(self.embedder.encode([query])[0], dtype=np.float32)
        vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
        if allowed is not None and snapshot.vectors is not None:
            if allowed.count <= EXACT_ROWS:
                return snapshot.exact(vector, depth, allowed.rows)
            wanted = min(depth, allowed.count)
            share = allowed.count / len(snapshot.ids)
            asked = min(len(snapshot.ids), math.ceil(wanted * OVERFETCH / share))
            found = [
                (row, score)
                for row, score in self._nearest(snapshot, vector, asked)
                if allowed.mask[row]
            ]
            if len(found) >= wanted or asked >= len(snapshot.ids):
                return found[:depth]
            return snapshot.exact(vector, depth, allowed.rows)
        found = self._nearest(snapshot, vector, depth if allowed is None else len(snapshot.ids))
        if allowed is not None:
            found = [(row, score) for row, score in found if allowed.mask[row]]
        return found[:depth]

    def _nearest(
        self, snapshot: Snapshot, vector: np.ndarray, count: int
    ) -> list[tuple[int, float]]:
        """The HNSW index's nearest chunks that the snapshot knows, as (position, similarity)."""
        result = self.collection.query(
            query_embeddings=[vector],
            n_results=max(1, min(count, len(snapshot.ids))),
            include=["distances"],
        )
        found = []
        for chunk_id, distance in zip(result["ids"][0], result["distances"][0], strict=True):
            row = snapshot.position.get(chunk_id)
            if row is not None:
                found.append((row, 1.0 - float(distance)))
        return found


def _normalised(scores: dict[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    return {k: (v - low) / span if span > 0 else 1.0 for k, v in scores.items()}


def _combine(similarity: dict[int, float], bm25: dict[int, float]) -> dict[int, float]:
    """Each side's scores scaled to 0..1 over its candidates, then mixed."""
    vector, lexical = _normalised(similarity), _normalised(bm25)
    return {
        row: (1 - LEXICAL_SHARE) * vector.get(row, 0.0) + LEXICAL_SHARE * lexical.get(row, 0.0)
        for row in set(vector) | set(lexical)
    }
