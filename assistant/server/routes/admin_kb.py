"""The admin console's knowledge base: list, read, create, edit, rename, delete and restore
documents (`assistant/knowledge/library.py` keeps every revision), and the audit log.

Every change is a revision and an audit entry, written in one transaction; then only the
changed document is indexed again (its changed chunks embedded, its removed ones deleted),
this worker's index reads the collection at once and every other worker follows the
collection's new version stamp within about a second — no restart. Admins only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from assistant.errors import AisleError, Conflict
from assistant.knowledge import library
from assistant.knowledge.documents import Chunk, answerable
from assistant.knowledge.ingest import ingest
from assistant.persistence.db import transaction
from assistant.server.bodies import json_body
from assistant.server.deps import ComponentsDep
from assistant.server.openapi import error_responses, request_body
from assistant.server.staff import AdminCaller, Caller
from assistant.services import Components
from assistant.staff import audit

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api/admin", tags=["admin"])
T = TypeVar("T")

KNOWLEDGE_DIR = "knowledge_base"
DocId = Annotated[str, Path(min_length=1, max_length=120, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Number = Annotated[int, Path(ge=1, le=1_000_000)]


class IndexFailed(AisleError):
    """Saved, but the vector store could not be updated."""

    status_code = 503
    code = "index_failed"


class SaveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # At most library.MAX_TEXT_BYTES of UTF-8 (checked there: a limit in bytes, which a
    # schema's length in characters cannot say).
    text: str = Field(min_length=1)
    # The revision the editor opened: a save over someone else's newer one is refused.
    base_revision: int | None = Field(None, ge=0)


class CreateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=library.MAX_TITLE_CHARS)
    text: str = Field(min_length=1)


class RenameRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=library.MAX_TITLE_CHARS)


BODY_BYTES = library.MAX_TEXT_BYTES + 4096
SaveBody = Annotated[SaveRequest, json_body(SaveRequest, max_bytes=BODY_BYTES)]
CreateBody = Annotated[CreateRequest, json_body(CreateRequest, max_bytes=BODY_BYTES)]
RenameBody = Annotated[RenameRequest, json_body(RenameRequest)]


def _author(caller: Caller) -> library.Author:
    member = caller.member
    return (
        library.Author(member.id, member.name)
        if member is not None
        else library.Author(None, "API token")
    )


async def _write(
    components: Components,
    caller: Caller,
    work: Callable[[Session, library.Author], T],
    *,
    action: str,
    target: str,
    details: dict[str, Any] | None = None,
) -> T:
    """`work` and its audit entry in one transaction."""
    author = _author(caller)

    def run() -> T:
        with transaction(components.sessions) as session:
            result = work(session, author)
            audit.record(
                session,
                actor_id=author.id,
                actor=author.name,
                action=action,
                target=target,
                details=details,
            )
            return result

    return await anyio.to_thread.run_sync(run)


async def _reindex(components: Components, doc_id: str, chunks: list[Chunk]) -> dict[str, Any]:
    """Index one document's chunks (none: it is deleted) and read the collection again here;
    other workers follow its version stamp."""
    index = components.knowledge.index

    def run() -> dict[str, Any]:
        found = answerable(chunks)
        report = ingest(index.collection, index.embedder, found, scope="kb", doc_id=doc_id)
        index.refresh()
        recommender = components.shopping.recommender
        if (
            recommender is not None
            and doc_id == components.settings.recommendations.complements_doc
        ):
            # The table of what goes with what changed: suggestions read it again here at
            # once (other workers at their next refit, `search.recs_max_age_s`).
            recommender.invalidate()
        return report.as_dict()

    try:
        return await anyio.to_thread.run_sync(run)
    except Exception as exc:
        logger.exception("could not index document %s", doc_id)
        raise IndexFailed(
            "saved, but the search index could not be updated; run `assistant kb ingest`",
            details={"doc_id": doc_id},
        ) from exc


def _root(components: Components) -> Any:
    return components.settings.path(KNOWLEDGE_DIR)


@router.get("/kb/documents", responses=error_responses(401, 403))
async def list_documents(_: AdminCaller, components: ComponentsDep) -> dict[str, Any]:
    """Every document: title, id, where it came from, its revision, whether it was edited
    here and whether it is deleted."""
    root = _root(components)
    infos = await components.conversations.read(lambda s: library.list_documents(s, root))
    return {"documents": [info.as_dict() for info in infos]}


@router.get("/kb/documents/{doc_id}", responses=error_responses(401, 403, 404, 422))
async def read_document(doc_id: DocId, _: AdminCaller, components: ComponentsDep) -> dict[str, Any]:
    root = _root(components)
    info, text = await components.conversations.read(
        lambda s: library.read_document(s, root, doc_id)
    )
    return {"document": info.as_dict(), "text": text}


@router.post(
    "/kb/documents",
    status_code=201,
    responses=error_responses(400, 401, 403, 409, 413, 422, 503),
    openapi_extra=request_body(CreateRequest),
)
async def create_document(
    caller: AdminCaller, body: CreateBody, components: ComponentsDep
) -> dict[str, Any]:
    """A new document; its id is its title's slug."""
    root = _root(components)
    info, chunks = await _write(
        components,
        caller,
        lambda s, by: library.create(s, root, body.title, body.text, by=by),
        action="kb.create",
        target=library.doc_id_for(body.title),
        details={"title": body.title},
    )
    report = await _reindex(components, info.doc_id, chunks)
    return {"document": info.as_dict(), "index": report}


@router.put(
    "/kb/documents/{doc_id}",
    responses=error_responses(400, 401, 403, 404, 409, 413, 422, 503),
    openapi_extra=request_body(SaveRequest),
)
async def save_document(
    doc_id: DocId, caller: AdminCaller, body: SaveBody, components: ComponentsDep
) -> dict[str, Any]:
    """Save the document's new text as a revision and index what changed."""
    root = _root(components)

    def save(session: Session, by: library.Author) -> tuple[library.DocumentInfo, list[Chunk]]:
        if body.base_revision is not None:
            current, _ = library.read_document(session, root, doc_id)
            if current.revision != body.base_revision:
                raise Conflict(
                    f"the document changed since you opened it (revision {current.revision}); "
                    "reload it and save again",
                    details={"revision": current.revision},
                )
        return library.save(session, root, doc_id, body.text, by=by)

    info, chunks = await _write(components, caller, save, action="kb.edit", target=doc_id)
    report = await _reindex(components, doc_id, chunks)
    return {"document": info.as_dict(), "index": report}


@router.post(
    "/kb/documents/{doc_id}/rename",
    responses=error_responses(400, 401, 403, 404, 409, 413, 422, 503),
    openapi_extra=request_body(RenameRequest),
)
async def rename_document(
    doc_id: DocId, caller: AdminCaller, body: RenameBody, components: ComponentsDep
) -> dict[str, Any]:
    """A new title; the id, and every citation's link, stay."""
    root = _root(components)
    info, chunks = await _write(
        components,
        caller,
        lambda s, by: library.rename(s, root, doc_id, body.title, by=by),
        action="kb.rename",
        target=doc_id,
        details={"title": body.title},
    )
    report = await _reindex(components, doc_id, chunks)
    return {"document": info.as_dict(), "index": report}


@router.delete("/kb/documents/{doc_id}", responses=error_responses(401, 403, 404, 422, 503))
async def delete_document(
    doc_id: DocId, caller: AdminCaller, components: ComponentsDep
) -> dict[str, Any]:
    """Out of the knowledge base (and its answers) at once; its revisions stay."""
    root = _root(components)
    info = await _write(
        components,
        caller,
        lambda s, by: library.delete(s, root, doc_id, by=by),
        action="kb.delete",
        target=doc_id,
    )
    report = await _reindex(components, doc_id, [])
    return {"document": info.as_dict(), "index": report}


@router.get("/kb/documents/{doc_id}/revisions", responses=error_responses(401, 403, 422))
async def list_revisions(
    doc_id: DocId, _: AdminCaller, components: ComponentsDep
) -> dict[str, Any]:
    """Who saved what and when, newest first, each with its diff from the one before."""
    found = await components.conversations.read(lambda s: library.revisions(s, doc_id))
    return {"doc_id": doc_id, "revisions": found}


@router.get(
    "/kb/documents/{doc_id}/revisions/{number}", responses=error_responses(401, 403, 404, 422)
)
async def read_revision(
    doc_id: DocId, number: Number, _: AdminCaller, components: ComponentsDep
) -> dict[str, Any]:
    text = await components.conversations.read(lambda s: library.revision_text(s, doc_id, number))
    return {"doc_id": doc_id, "number": number, "text": text}


@router.post(
    "/kb/documents/{doc_id}/revisions/{number}/restore",
    responses=error_responses(401, 403, 404, 422, 503),
)
async def restore_revision(
    doc_id: DocId, number: Number, caller: AdminCaller, components: ComponentsDep
) -> dict[str, Any]:
    """Make revision `number`'s text the current one again (a new revision)."""
    root = _root(components)
    info, chunks = await _write(
        components,
        caller,
        lambda s, by: library.restore(s, root, doc_id, number, by=by),
        action="kb.restore",
        target=doc_id,
        details={"revision": number},
    )
    report = await _reindex(components, doc_id, chunks)
    return {"document": info.as_dict(), "index": report}


@router.get("/audit", responses=error_responses(401, 403, 422))
async def audit_log(
    _: AdminCaller,
    components: ComponentsDep,
    limit: Annotated[int, Query(ge=1, le=audit.MAX_LISTED)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Every admin change, newest first: who, what, when."""
    return await components.conversations.read(
        lambda s: audit.entries(s, limit=limit, offset=offset)
    )
