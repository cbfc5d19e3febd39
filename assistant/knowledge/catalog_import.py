"""A store's own catalog from a CSV file into the knowledge base: one product per row.

The file is read and checked first (`catalog_read.py`: the column mapping, the rows that
cannot become a product; `catalog_values.py`: their values); nothing is written when the
mapping is wrong or the file unreadable.

Chunks are ingested with scope `catalog:<name>`, so a re-import embeds only changed rows,
deletes rows no longer in the file, and never touches the knowledge base ("kb") or another
catalog. Chunk ids are `<name>:<row id>`; a catalog name cannot contain ":", so two catalogs
never share an id.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.engine.embeddings import Embedder
from assistant.knowledge.catalog_read import (
    CatalogRead,
    SkippedRow,
    UnreadableCatalog,
    read_catalog,
)
from assistant.knowledge.documents import Chunk
from assistant.knowledge.ingest import IngestReport, ingest

# How many skipped rows a report lists (all are counted).
REPORTED_SKIPS = 20


@dataclass
class CatalogImportReport:
    name: str
    rows: int
    imported: int
    skipped: list[SkippedRow]
    ingest: IngestReport
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        kinds = Counter(skip.kind for skip in self.skipped)
        return {
            "catalog": self.name,
            "scope": self.ingest.scope,
            "rows": self.rows,
            "imported": self.imported,
            "skipped": len(self.skipped),
            "skipped_by_reason": dict(sorted(kinds.items())),
            "skipped_rows": [skip.as_dict() for skip in self.skipped[:REPORTED_SKIPS]],
            "added": self.ingest.added,
            "updated": self.ingest.updated,
            "unchanged": self.ingest.unchanged,
            "deleted": self.ingest.deleted,
            "embedded": self.ingest.embedded,
            "seconds": round(self.seconds, 2),
            "rows_per_s": round(self.rows_per_second, 1),
        }


def import_catalog(
    path: Path,
    mapping: Mapping[str, str],
    *,
    collection: Any,
    embedder: Embedder,
    name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CatalogImportReport:
    """Read the CSV and ingest its products into `collection` under scope `catalog:<name>`."""
    read = read_catalog(path, mapping, name=name)
    return ingest_catalog(read, collection=collection, embedder=embedder, progress=progress)


def ingest_catalog(
    read: CatalogRead,
    *,
    collection: Any,
    embedder: Embedder,
    progress: Callable[[int, int], None] | None = None,
) -> CatalogImportReport:
    """Embed what changed in a read catalog; delete its rows that are no longer there.

    Refuses (`UnreadableCatalog`, nothing written) when no row could be imported: an empty
    catalog would otherwise delete the whole catalog from the index.
    """
    started = time.perf_counter()
    if not read.chunks:
        reasons = "; ".join(f"row {s.row}: {s.reason}" for s in read.skipped[:3])
        raise UnreadableCatalog(
            f"{read.path}: no product could be imported from {read.rows} rows"
            + (f" ({reasons})" if reasons else ""),
            details={"path": read.path, "rows": read.rows},
        )
    chunks = _without_foreign_ids(collection, read)
    report = ingest(collection, embedder, chunks, scope=read.scope, progress=progress)
    return CatalogImportReport(
        name=read.name,
        rows=read.rows,
        imported=len(chunks),
        skipped=sorted(read.skipped, key=lambda s: s.row),
        ingest=report,
        seconds=read.seconds + time.perf_counter() - started,
    )


# -- the index ---------------------------------------------------------------------------------


def _without_foreign_ids(collection: Any, read: CatalogRead) -> list[Chunk]:
    """Drop (and report) chunks whose id another scope already holds: never overwrite it."""
    foreign: set[str] = set()
    ids = [chunk.id for chunk in read.chunks]
    for start in range(0, len(ids), 1000):
        stored = collection.get(ids=ids[start : start + 1000], include=["metadatas"])
        for chunk_id, metadata in zip(stored["ids"], stored["metadatas"] or [], strict=True):
            if (metadata or {}).get("scope") != read.scope:
                foreign.add(chunk_id)
    if not foreign:
        return read.chunks
    for chunk in read.chunks:
        if chunk.id in foreign:
            read.skipped.append(
                SkippedRow(
                    read.row_of[chunk.id],
                    "id in use",
                    f"chunk id {chunk.id!r} already belongs to another source in the index",
                    str(chunk.metadata["product_id"]),
                )
            )
    return [chunk for chunk in read.chunks if chunk.id not in foreign]
