"""The audit log: every change an admin makes (to the knowledge base, the catalog), who made
it and when, written in the same transaction as the change itself, so one never stands
without the other."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.persistence.models import AuditEntry

MAX_LISTED = 200


def record(
    session: Session,
    *,
    actor_id: int | None,
    actor: str,
    action: str,
    target: str,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            actor_id=actor_id, actor=actor, action=action, target=target, details=details or {}
        )
    )


def entries(session: Session, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """The newest entries first, a page at a time, with the total."""
    total = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    rows = session.scalars(
        select(AuditEntry)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(min(limit, MAX_LISTED))
        .offset(offset)
    )
    return {
        "total": total,
        "entries": [
            {
                "id": row.id,
                "at": (row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)).isoformat(),
                "actor": row.actor,
                "actor_id": row.actor_id,
                "action": row.action,
                "target": row.target,
                "details": row.details,
            }
            for row in rows
        ],
    }
