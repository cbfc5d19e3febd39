"""What the admin console keeps: the knowledge base's documents as edited there, every
revision of each (who, when, the whole text), and the audit log of every admin change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assistant.persistence.models.base import Base, utcnow


class KnowledgeDocument(Base):
    """A document of the knowledge base once the console has touched it; until then the
    Markdown file under `knowledge_base/` is its only copy."""

    __tablename__ = "kb_documents"

    # The id citations link to (`/kb/<doc_id>`): kept when the document is renamed.
    doc_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    # Where it came from: its path under knowledge_base/, or "console" for one made there.
    source: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(200))
    # The current revision's number; a deleted document keeps its revisions.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    deleted: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class KnowledgeRevision(Base):
    """One saved state of a document: the whole Markdown text, and who saved it why."""

    __tablename__ = "kb_revisions"
    __table_args__ = (UniqueConstraint("doc_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doc_id: Mapped[str] = mapped_column(String(120), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # imported (the file's text, before the first edit), created, edited, renamed, deleted,
    # restored
    action: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(Integer, default=None)
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One admin change: who did what to what, and when."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # The account; None for the API token (the store's own systems) or the command line.
    actor_id: Mapped[int | None] = mapped_column(Integer, default=None)
    actor: Mapped[str] = mapped_column(String(64))
    # e.g. kb.edit, kb.create, kb.rename, kb.delete, kb.restore, catalog.import
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(255))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CatalogImport(Base):
    """A catalog CSV imported from the admin console: its progress while it runs (any worker
    can report it) and its report after."""

    __tablename__ = "catalog_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    # running, done, failed
    status: Mapped[str] = mapped_column(String(16), default="running")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    # Products to embed (every product until embedding starts, then the new and changed
    # ones: unchanged rows are not embedded again), and how many are embedded so far.
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    # The import's report (imported, skipped rows with their reasons, what changed), or
    # the error that stopped it.
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
