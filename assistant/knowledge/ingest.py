"""Writing chunks into the Chroma collection, incrementally.

Each chunk carries the digest of its text and metadata; a chunk whose digest is already in
the collection is not embedded again, and chunks of the same scope that are no longer
produced (a deleted document, a removed paragraph) are deleted. A scope ("kb" for
`knowledge_base/`, "catalog:<name>" for an imported catalog) keeps one source from deleting
another's chunks.

An ingestion that changed anything leaves a new version stamp in the collection's metadata:
running servers (`KnowledgeIndex.follow`) compare it with the one they read and reload.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.engine.embeddings import Embedder
from assistant.knowledge.documents import Chunk, SourceProblem

BATCH = 128
# Records per `get`: Chroma's SQLite backend refuses one read of more than 32,766 records'
# metadata ("too many SQL variables"), so large collections are read in pages.
PAGE = 10_000
COLLECTION_CONFIGURATION = {"hnsw": {"space": "cosine"}}
# The collection metadata key holding the version stamp.
STAMP_KEY = "aisle_version"


@dataclass
class IngestReport:
    scope: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    problems: list[SourceProblem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def embedded(self) -> int:
        return self.added + self.updated

    def as_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "problems": [{"path": p.path, "reason": p.reason} for p in self.problems],
            "seconds": round(self.seconds, 2),
        }


def get_collection(client: Any, name: str) -> Any:
    """The collection with our embeddings (never Chroma's default model, which downloads)."""
    return client.get_or_create_collection(
        name, embedding_function=None, configuration=COLLECTION_CONFIGURATION
    )


def read_stamp(collection: Any) -> str | None:
    """The collection's version stamp as stored now (None before the first ingestion).

    A `Collection` object keeps the metadata it was opened with, so the collection's record
    is read again from its client (Chroma offers no public re-read).
    """
    client = getattr(collection, "_client", None)
    if client is None:
        metadata = getattr(collection, "metadata", None) or {}
    else:
        model = client.get_collection(
            name=collection.name, tenant=collection.tenant, database=collection.database
        )
        metadata = model.metadata or {}
    stamp = metadata.get(STAMP_KEY)
    return None if stamp is None else str(stamp)


def bump_stamp(collection: Any) -> str:
    """A new version stamp in the collection's metadata (its other keys kept)."""
    stamp = uuid.uuid4().hex
    collection.modify(metadata={**(collection.metadata or {}), STAMP_KEY: stamp})
    return stamp


def read_all(
    collection: Any, include: Sequence[str], *, where: dict[str, Any] | None = None
) -> dict[str, list[Any]]:
    """Every record of the collection (matching `where`), read a page at a time."""
    merged: dict[str, list[Any]] = {"ids": [], **{key: [] for key in include}}
    offset = 0
    while True:
        page = collection.get(where=where, include=list(include), limit=PAGE, offset=offset)
        if not page["ids"]:
            return merged
        merged["ids"] += list(page["ids"])
        for key in include:
            values = page[key]  # a list, or an array for embeddings
            merged[key] += list(values) if values is not None else []
        if len(page["ids"]) < PAGE:
            return merged
        offset += len(page["ids"])


def chunk_metadata(chunk: Chunk, scope: str) -> dict[str, str | int | float | bool]:
    return {
        **chunk.metadata,
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "section": chunk.section,
        "link": chunk.link,
        "digest": chunk.digest,
        "position": chunk.position,
        "scope": scope,
    }


def ingest(
    collection: Any,
    embedder: Embedder,
    chunks: Sequence[Chunk],
    *,
    scope: str,
    doc_id: str | None = None,
    problems: Sequence[SourceProblem] = (),
    progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Make the scope's chunks in the collection those given: embed the new and changed,
    delete the gone. With `doc_id`, only that document of the scope is compared (one
    document saved in the admin console), and `chunks` are its own."""
    started = time.perf_counter()
    report = IngestReport(scope=scope, problems=list(problems))
    where: dict[str, Any] = {"scope": scope}
    if doc_id is not None:
        where = {"$and": [{"scope": scope}, {"doc_id": doc_id}]}
    stored = read_all(collection, ["metadatas"], where=where)
    known: dict[str, str] = {}
    positions: dict[str, object] = {}
    for chunk_id, metadata in zip(stored["ids"], stored["metadatas"], strict=True):
        known[chunk_id] = str((metadata or {}).get("digest"))
        positions[chunk_id] = (metadata or {}).get("position")
    wanted = {chunk.id for chunk in chunks}
    changed = [chunk for chunk in chunks if known.get(chunk.id) != chunk.digest]
    # Unchanged text in a new place (a paragraph was inserted above): metadata only.
    moved = [
        chunk
        for chunk in chunks
        if known.get(chunk.id) == chunk.digest and positions.get(chunk.id) != chunk.position
    ]
    for start in range(0, len(moved), 1000):
        batch = moved[start : start + 1000]
        collection.update(
            ids=[c.id for c in batch], metadatas=[chunk_metadata(c, scope) for c in batch]
        )
    report.unchanged = len(chunks) - len(changed)
    report.added = sum(1 for chunk in changed if chunk.id not in known)
    report.updated = len(changed) - report.added
    for start in range(0, len(changed), BATCH):
        batch = changed[start : start + BATCH]
        vectors = embedder.encode([f"{c.title}. {c.section}. {c.text}" for c in batch])
        collection.upsert(
            ids=[c.id for c in batch],
            embeddings=vectors.tolist(),
            documents=[c.text for c in batch],
            metadatas=[chunk_metadata(c, scope) for c in batch],
        )
        if progress is not None:
            progress(min(start + BATCH, len(changed)), len(changed))
    stale = sorted(set(known) - wanted)
    for start in range(0, len(stale), 1000):
        collection.delete(ids=stale[start : start + 1000])
    report.deleted = len(stale)
    if changed or moved or stale:
        bump_stamp(collection)
    report.seconds = time.perf_counter() - started
    return report
