"""The admin console's catalog import: a CSV and its column mapping in, one product per row
in the knowledge base (`assistant/knowledge/catalog_import.py`), with progress while the
products are embedded and a report of the rows it rejected and why.

The file is read and checked first (a bad mapping or an unreadable file is refused at once,
nothing written); the embedding then runs in the background on the worker that took it, and
its progress lives in the database (`catalog_imports`), so whichever worker the console asks
answers it. Admins only; each import is in the audit log.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from datetime import UTC, timedelta
from pathlib import Path as FilePath
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assistant.errors import AisleError, MessageTooLarge, NotFound
from assistant.knowledge.catalog_import import ingest_catalog
from assistant.knowledge.catalog_read import CatalogImportError, CatalogRead, read_catalog
from assistant.persistence.db import transaction
from assistant.persistence.models import CatalogImport
from assistant.persistence.models.base import utcnow
from assistant.server.bodies import json_body
from assistant.server.deps import ComponentsDep
from assistant.server.openapi import error_responses, request_body
from assistant.server.staff import AdminCaller
from assistant.services import Components
from assistant.staff import audit

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api/admin", tags=["admin"])

MAX_CSV_BYTES = 20 * 1024 * 1024
# A running import that has not moved for this long lost its worker.
STALE = timedelta(minutes=10)
# Imports the console lists.
LISTED = 20
# Running imports, kept referenced until they finish.
_running: set[asyncio.Task[None]] = set()


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    # field -> CSV column: id and name required; category, price, description, brand,
    # available, url, image, options optional.
    mapping: dict[str, str] = Field(min_length=2, max_length=16)
    # The file's text, at most MAX_CSV_BYTES of UTF-8.
    csv: str = Field(min_length=1)


ImportBody = Annotated[ImportRequest, json_body(ImportRequest, max_bytes=MAX_CSV_BYTES + 65536)]
ImportId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _job(row: CatalogImport) -> dict[str, Any]:
    status = row.status
    updated = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=UTC)
    if status == "running" and utcnow() - updated > STALE:
        status = "interrupted"  # its worker stopped: import the file again
    started = row.started_at if row.started_at.tzinfo else row.started_at.replace(tzinfo=UTC)
    return {
        "id": row.id,
        "name": row.name,
        "status": status,
        "rows": row.rows,
        "total": row.total,
        "done": row.done,
        "report": row.report,
        "error": row.error,
        "started_by": row.started_by,
        "started_at": started.isoformat(),
    }


def _read(body: ImportRequest) -> CatalogRead:
    """The CSV read and checked against the mapping (`CatalogImportError`: nothing written).
    Messages name the file as the admin knows it, never the server's copy."""
    shown = f"{body.name}.csv"
    size = len(body.csv.encode("utf-8", "surrogatepass"))
    if size > MAX_CSV_BYTES:
        raise MessageTooLarge(
            f"the file is {size} bytes; the limit is {MAX_CSV_BYTES}",
            details={"limit": MAX_CSV_BYTES, "size": size},
        )
    with tempfile.TemporaryDirectory(prefix="aisle-catalog-") as directory:
        path = FilePath(directory) / shown
        path.write_text(body.csv, encoding="utf-8")
        try:
            read = read_catalog(path, body.mapping, name=body.name)
        except CatalogImportError as exc:
            exc.message = exc.message.replace(str(path), shown)
            raise
    read.path = shown
    return read


async def _run(components: Components, job_id: int, read: CatalogRead) -> None:
    index = components.knowledge.index
    sessions = components.sessions

    def progress(done: int, total: int) -> None:
        with transaction(sessions) as session:
            session.execute(
                update(CatalogImport)
                .where(CatalogImport.id == job_id)
                .values(done=done, total=total, updated_at=utcnow())
            )

    def work() -> dict[str, Any]:
        report = ingest_catalog(
            read, collection=index.collection, embedder=index.embedder, progress=progress
        )
        index.refresh()
        return report.as_dict()

    values: dict[str, Any]
    try:
        report = await anyio.to_thread.run_sync(work)
        embedded = report["embedded"]
        values = {"status": "done", "report": report, "done": embedded, "total": embedded}
    except AisleError as exc:  # e.g. no row could be imported: nothing was written
        values = {"status": "failed", "error": exc.message}
    except Exception as exc:
        logger.exception("catalog import %s failed", job_id)
        values = {"status": "failed", "error": f"the import stopped: {type(exc).__name__}"}

    def finish(session: Session) -> None:
        session.execute(
            update(CatalogImport)
            .where(CatalogImport.id == job_id)
            .values(**values, updated_at=utcnow())
        )

    await components.conversations.read(finish)


@router.post(
    "/catalog/imports",
    status_code=202,
    responses=error_responses(400, 401, 403, 413, 422),
    openapi_extra=request_body(ImportRequest),
)
async def start_import(
    caller: AdminCaller, body: ImportBody, components: ComponentsDep
) -> dict[str, Any]:
    """Check the CSV against the mapping, then embed its products in the background; the
    answer is the import to follow (`GET /api/admin/catalog/imports/{id}`)."""
    read = await anyio.to_thread.run_sync(_read, body)
    member = caller.member
    actor = member.name if member is not None else "API token"
    skipped = [s.as_dict() for s in read.skipped]

    def start(session: Session) -> dict[str, Any]:
        row = CatalogImport(
            name=read.name,
            rows=read.rows,
            total=len(read.chunks),
            started_by=actor,
            report={"skipped": len(skipped), "skipped_rows": skipped},
        )
        session.add(row)
        audit.record(
            session,
            actor_id=member.id if member is not None else None,
            actor=actor,
            action="catalog.import",
            target=read.name,
            details={"rows": read.rows, "products": len(read.chunks), "skipped": len(skipped)},
        )
        session.flush()
        return _job(row)

    job = await components.conversations.read(start)
    task = asyncio.create_task(_run(components, job["id"], read))
    _running.add(task)
    task.add_done_callback(_running.discard)
    return job


@router.get("/catalog/imports", responses=error_responses(401, 403))
async def list_imports(_: AdminCaller, components: ComponentsDep) -> dict[str, Any]:
    """The latest imports, newest first."""

    def read(session: Session) -> list[dict[str, Any]]:
        newest = select(CatalogImport).order_by(CatalogImport.id.desc()).limit(LISTED)
        rows = session.scalars(newest)
        return [_job(row) for row in rows]

    return {"imports": await components.conversations.read(read)}


@router.get("/catalog/imports/{import_id}", responses=error_responses(401, 403, 404, 422))
async def read_import(
    import_id: ImportId, _: AdminCaller, components: ComponentsDep
) -> dict[str, Any]:
    """An import's progress (`done` of `total` products embedded) and, once done, its
    report: products imported, rows skipped with their reasons, what changed."""

    def read(session: Session) -> dict[str, Any]:
        row = session.get(CatalogImport, import_id)
        if row is None:
            raise NotFound(f"no catalog import {import_id}")
        return _job(row)

    return await components.conversations.read(read)
