"""The knowledge base as the admin console edits it: documents with every revision kept.

A document lives in its Markdown file under `knowledge_base/` until the console first saves
it; the file's text then becomes revision 1 ("imported") and the database holds every later
one (who, when, the whole text). From then on the database's current revision is the
document: `assistant kb ingest` and the console read it, the file is left as it was. A
document made in the console has no file at all. Renaming changes the title, never the id
that citations link to; deleting keeps the revisions, so a deleted document can be restored.

These functions read and write the database only; indexing the new text is the caller's
(`assistant/server/routes/admin_kb.py`), one document at a time.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.errors import Conflict, InvalidInput, NotFound
from assistant.knowledge.documents import (
    TEXT_SUFFIXES,
    Chunk,
    SourceProblem,
    answerable,
    markdown_chunks,
    read_knowledge_base,
    read_markdown,
    slug,
)
from assistant.persistence.models import KnowledgeDocument, KnowledgeRevision

# A policy page is a few KB; this bounds what one save may store.
MAX_TEXT_BYTES = 200_000
MAX_TITLE_CHARS = 200
CONSOLE = "console"
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


@dataclass(frozen=True)
class Author:
    id: int | None
    name: str


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    title: str
    source: str
    revision: int
    # False while the file under knowledge_base/ is its only copy.
    edited: bool
    deleted: bool
    updated_at: str | None

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


class DocumentNotFound(NotFound):
    code = "document_not_found"


class DocumentDeleted(Conflict):
    """Saving or renaming a deleted document: restore one of its revisions first."""

    code = "document_deleted"


def doc_id_for(title: str) -> str:
    """The id a new document titled `title` gets (`InvalidInput` for an unusable title)."""
    return slug(_title(title))[:120]


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _files(root: Path) -> dict[str, tuple[Path, str]]:
    """The Markdown documents under `root` (as `read_knowledge_base` reads them): doc_id ->
    (file, title). The store's catalog and its own notices are not documents to edit."""
    found: dict[str, tuple[Path, str]] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if path.suffix not in TEXT_SUFFIXES or "store" in relative.parts:
            continue
        if path.name.startswith(".") or path.name in {"NOTICE.md", "README.md"}:
            continue
        try:
            chunks = read_markdown(path, root=root)
        except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
            continue  # `kb ingest` reports it; there is nothing here to edit
        found.setdefault(chunks[0].doc_id, (path, chunks[0].title))
    return found


def _info(row: KnowledgeDocument) -> DocumentInfo:
    return DocumentInfo(
        doc_id=row.doc_id,
        title=row.title,
        source=row.source,
        revision=row.revision,
        edited=True,
        deleted=row.deleted,
        updated_at=_iso(row.updated_at),
    )


def list_documents(session: Session, root: Path) -> list[DocumentInfo]:
    """Every document, edited or not, by title (deleted ones last)."""
    rows = {row.doc_id: row for row in session.scalars(select(KnowledgeDocument))}
    infos = [_info(row) for row in rows.values()]
    for doc_id, (path, title) in _files(root).items():
        if doc_id not in rows:
            source = str(path.relative_to(root))
            infos.append(DocumentInfo(doc_id, title, source, 0, False, False, None))
    return sorted(infos, key=lambda i: (i.deleted, i.title.lower()))


def read_document(session: Session, root: Path, doc_id: str) -> tuple[DocumentInfo, str]:
    """A document and its current text."""
    row = session.get(KnowledgeDocument, doc_id)
    if row is not None:
        return _info(row), _revision(session, doc_id, row.revision).text
    found = _files(root).get(doc_id)
    if found is None:
        raise DocumentNotFound(f"no document {doc_id!r} in the knowledge base")
    path, title = found
    info = DocumentInfo(doc_id, title, str(path.relative_to(root)), 0, False, False, None)
    return info, path.read_text(encoding="utf-8")


def _revision(session: Session, doc_id: str, number: int) -> KnowledgeRevision:
    revision = session.scalar(
        select(KnowledgeRevision).where(
            KnowledgeRevision.doc_id == doc_id, KnowledgeRevision.number == number
        )
    )
    if revision is None:
        raise NotFound(f"document {doc_id!r} has no revision {number}")
    return revision


def chunks_of(doc_id: str, text: str, *, source: str, title: str | None = None) -> list[Chunk]:
    """What a document's text indexes as; `InvalidInput` says why a text cannot be one."""
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise InvalidInput(f"a document is at most {MAX_TEXT_BYTES // 1000} KB")
    try:
        chunks = markdown_chunks(
            text, source=source, default_id=doc_id, default_title=title or doc_id
        )
    except yaml.YAMLError as exc:
        raise InvalidInput(f"the front matter is not valid YAML: {exc}") from exc
    except ValueError as exc:
        raise InvalidInput(f"the document has no text ({exc})") from exc
    if chunks[0].doc_id != doc_id:
        raise InvalidInput(f"the front matter's id must stay {doc_id!r}")
    return chunks


def _stored(session: Session, root: Path, doc_id: str) -> KnowledgeDocument:
    """The document's row, its file imported as revision 1 first if it has none yet."""
    row = session.get(KnowledgeDocument, doc_id, with_for_update=True)
    if row is not None:
        return row
    found = _files(root).get(doc_id)
    if found is None:
        raise DocumentNotFound(f"no document {doc_id!r} in the knowledge base")
    path, title = found
    row = KnowledgeDocument(doc_id=doc_id, source=str(path.relative_to(root)), title=title)
    row.revision = 1
    session.add(row)
    session.add(
        KnowledgeRevision(
            doc_id=doc_id,
            number=1,
            action="imported",
            title=title,
            text=path.read_text(encoding="utf-8"),
            author="knowledge_base/",
        )
    )
    session.flush()
    return row


def _append(
    session: Session, row: KnowledgeDocument, *, action: str, text: str, title: str, by: Author
) -> DocumentInfo:
    row.revision += 1
    row.title = title
    row.updated_at = datetime.now(UTC)
    session.add(
        KnowledgeRevision(
            doc_id=row.doc_id,
            number=row.revision,
            action=action,
            title=title,
            text=text,
            author_id=by.id,
            author=by.name,
        )
    )
    session.flush()
    return _info(row)


def save(
    session: Session, root: Path, doc_id: str, text: str, *, by: Author
) -> tuple[DocumentInfo, list[Chunk]]:
    """A new revision of the document with `text`; what it now indexes as."""
    row = _stored(session, root, doc_id)
    if row.deleted:
        raise DocumentDeleted(f"document {doc_id!r} is deleted; restore a revision first")
    chunks = chunks_of(doc_id, text, source=row.source, title=row.title)
    if text == _revision(session, doc_id, row.revision).text:
        return _info(row), chunks  # nothing changed: no revision
    return _append(session, row, action="edited", text=text, title=chunks[0].title, by=by), chunks


def create(
    session: Session, root: Path, title: str, body: str, *, by: Author
) -> tuple[DocumentInfo, list[Chunk]]:
    """A new document titled `title`, its id the title's slug (refused if taken)."""
    title = _title(title)
    doc_id = doc_id_for(title)
    if session.get(KnowledgeDocument, doc_id) is not None or doc_id in _files(root):
        raise Conflict(f"a document with the id {doc_id!r} exists; choose another title")
    text = _with_front_matter(body, id=doc_id, title=title)
    chunks = chunks_of(doc_id, text, source=CONSOLE, title=title)
    row = KnowledgeDocument(doc_id=doc_id, source=CONSOLE, title=title)
    row.revision = 0
    session.add(row)
    return _append(session, row, action="created", text=text, title=title, by=by), chunks


def rename(
    session: Session, root: Path, doc_id: str, title: str, *, by: Author
) -> tuple[DocumentInfo, list[Chunk]]:
    """A new title (in the front matter); the id, and so every citation's link, stays."""
    title = _title(title)
    row = _stored(session, root, doc_id)
    if row.deleted:
        raise DocumentDeleted(f"document {doc_id!r} is deleted; restore a revision first")
    text = _with_front_matter(_revision(session, doc_id, row.revision).text, title=title)
    chunks = chunks_of(doc_id, text, source=row.source, title=title)
    return _append(session, row, action="renamed", text=text, title=title, by=by), chunks


def delete(session: Session, root: Path, doc_id: str, *, by: Author) -> DocumentInfo:
    """Take the document out of the knowledge base; its revisions stay, to restore."""
    row = _stored(session, root, doc_id)
    if row.deleted:
        return _info(row)
    text = _revision(session, doc_id, row.revision).text
    info = _append(session, row, action="deleted", text=text, title=row.title, by=by)
    row.deleted = True
    return DocumentInfo(**{**info.__dict__, "deleted": True})


def restore(
    session: Session, root: Path, doc_id: str, number: int, *, by: Author
) -> tuple[DocumentInfo, list[Chunk]]:
    """A new revision with revision `number`'s text (a deleted document comes back)."""
    row = _stored(session, root, doc_id)
    old = _revision(session, doc_id, number)
    chunks = chunks_of(doc_id, old.text, source=row.source, title=old.title)
    row.deleted = False
    info = _append(session, row, action="restored", text=old.text, title=old.title, by=by)
    return info, chunks


def revisions(session: Session, doc_id: str) -> list[dict[str, Any]]:
    """The document's revisions, newest first, each with what it changed (a unified diff
    against the one before)."""
    rows = list(
        session.scalars(
            select(KnowledgeRevision)
            .where(KnowledgeRevision.doc_id == doc_id)
            .order_by(KnowledgeRevision.number)
        )
    )
    answer = []
    previous = ""
    for row in rows:
        diff = "".join(
            difflib.unified_diff(
                previous.splitlines(keepends=True),
                row.text.splitlines(keepends=True),
                fromfile=f"revision {row.number - 1}",
                tofile=f"revision {row.number}",
            )
        )
        answer.append(
            {
                "number": row.number,
                "action": row.action,
                "title": row.title,
                "author": row.author,
                "author_id": row.author_id,
                "created_at": _iso(row.created_at),
                "diff": diff,
            }
        )
        previous = row.text
    return answer[::-1]


def revision_text(session: Session, doc_id: str, number: int) -> str:
    return _revision(session, doc_id, number).text


def edited_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(KnowledgeDocument)) or 0


def library_chunks(session: Session, root: Path) -> tuple[list[Chunk], list[SourceProblem]]:
    """What `assistant kb ingest` indexes: the files under `root` (the catalog included),
    with each document the console has saved read from its current revision instead, and
    deleted ones left out."""
    chunks, problems = read_knowledge_base(root)
    rows = list(session.scalars(select(KnowledgeDocument)))
    edited = {row.doc_id for row in rows}
    kept = [chunk for chunk in chunks if chunk.doc_id not in edited]
    for row in rows:
        if row.deleted:
            continue
        text = _revision(session, row.doc_id, row.revision).text
        try:
            found = chunks_of(row.doc_id, text, source=row.source, title=row.title)
            kept.extend(answerable(found))
        except InvalidInput as exc:
            problems.append(SourceProblem(f"console:{row.doc_id}", exc.message))
    return kept, problems


def _title(title: str) -> str:
    clean = " ".join(title.split())
    if not clean or len(clean) > MAX_TITLE_CHARS or not slug(clean).strip("-"):
        raise InvalidInput(f"a title is 1 to {MAX_TITLE_CHARS} characters, with a letter or digit")
    return clean


def _with_front_matter(text: str, **fields: str) -> str:
    """`text` with these front-matter fields set (front matter added if it has none)."""
    meta: dict[str, Any] = {}
    body = text
    match = _FRONT_MATTER.match(text)
    if match:
        loaded = yaml.safe_load(match.group(1))
        meta = loaded if isinstance(loaded, dict) else {}
        body = text[match.end() :]
    meta.update(fields)
    head = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True).strip()
    return f"---\n{head}\n---\n\n{body.lstrip()}"
