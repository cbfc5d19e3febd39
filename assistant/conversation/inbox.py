"""What the team's inbox shows: each hand-off with who asked, why, how long they have waited,
who holds it and the last thing said; and, for the conversation an agent opens, the shopper's
context (the customer's profile and orders come from the order backend, in the route).

Plain reads on a session; the live inbox (`server/routes/agent_ws.py`) sends an item again
whenever the service says a hand-off changed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.conversation import repository as repo
from assistant.persistence.models import Conversation, Handoff, Message
from assistant.persistence.models.conversation import OPEN_HANDOFF_STATES

# Closed hand-offs the inbox lists (the most recent first).
CLOSED_SHOWN = 50
# Characters of the last message an inbox row shows.
PREVIEW_CHARS = 160


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; they were stored in UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    aware = _aware(moment)
    return aware.isoformat() if aware is not None else None


def waited_s(handoff: Handoff, now: datetime) -> int:
    """How long the shopper waited for a person: until an agent claimed it, or until now
    while nobody has (an offline one stopped waiting when it went offline: closed or not,
    the wait is measured to the claim or the close)."""
    start = _aware(handoff.requested_at)
    assert start is not None
    end = _aware(handoff.claimed_at) or _aware(handoff.closed_at) or now
    return max(0, int((end - start).total_seconds()))


def _last_message(session: Session, conversation_id: str) -> dict[str, Any] | None:
    message = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.role != "system")
        .order_by(Message.seq.desc())
        .limit(1)
    ).first()
    if message is None:
        return None
    text = " ".join((message.text or "").split())
    return {
        "role": message.role,
        "text": text[:PREVIEW_CHARS],
        "created_at": _iso(message.created_at),
    }


def item(session: Session, handoff: Handoff, *, now: datetime, sla_s: float) -> dict[str, Any]:
    """One inbox row."""
    conversation = session.get(Conversation, handoff.conversation_id)
    slots = repo.slot_values(session, conversation_id=handoff.conversation_id)
    customer_id = conversation.customer_id if conversation is not None else None
    customer_id = customer_id or slots.get("customer_id")
    waited = waited_s(handoff, now)
    return {
        "handoff_id": handoff.id,
        "conversation_id": handoff.conversation_id,
        "status": handoff.status,
        "reason": handoff.reason,
        "agent": handoff.agent,
        "agent_id": handoff.agent_id,
        "requested_at": _iso(handoff.requested_at),
        "claimed_at": _iso(handoff.claimed_at),
        "closed_at": _iso(handoff.closed_at),
        "waited_s": waited,
        "sla_breached": waited > sla_s,
        "offline_reason": handoff.offline_reason,
        "email": handoff.email,
        "customer": (
            {"id": customer_id, "name": slots.get("customer_name")} if customer_id else None
        ),
        "last_message": _last_message(session, handoff.conversation_id),
    }


def items(session: Session, *, now: datetime, sla_s: float) -> list[dict[str, Any]]:
    """One row per conversation, its latest hand-off: every open one (oldest request first),
    then the most recently closed ones. A conversation handed off twice is listed once, as
    its live inbox events describe it (`conversation_item`)."""
    open_ = list(
        session.scalars(
            select(Handoff)
            .where(Handoff.status.in_(OPEN_HANDOFF_STATES))
            .order_by(Handoff.requested_at)
        )
    )
    listed = {h.conversation_id for h in open_}
    closed: list[Handoff] = []
    for handoff in session.scalars(
        select(Handoff)
        .where(Handoff.status.not_in(OPEN_HANDOFF_STATES))
        .order_by(Handoff.closed_at.desc(), Handoff.id.desc())
        .limit(CLOSED_SHOWN * 4)
    ):
        if handoff.conversation_id not in listed and len(closed) < CLOSED_SHOWN:
            listed.add(handoff.conversation_id)
            closed.append(handoff)
    return [item(session, h, now=now, sla_s=sla_s) for h in [*open_, *closed]]


def conversation_item(
    session: Session, conversation_id: str, *, now: datetime, sla_s: float
) -> dict[str, Any] | None:
    """The row of the conversation's latest hand-off; None if it never had one."""
    handoff = repo.latest_handoff(session, conversation_id=conversation_id)
    return item(session, handoff, now=now, sla_s=sla_s) if handoff is not None else None
