"""Nobody waits forever: the offline path of a hand-off.

A shopper who asks for a person when nobody can come — outside the team's hours, with every
console signed out, or after the hand-off waited `support.unclaimed_timeout_s` unclaimed — is
told so honestly and asked for an email address. The hand-off moves to the offline queue
(`status` offline, with `offline_reason`); the conversation stays with the team until the
shopper answers:

- an email address (validated with email-validator, no DNS: the server is offline by design)
  is stored on the hand-off, and the assistant takes the conversation back;
- "Keep chatting" (`/offline_decline`) gives it back to the assistant without one;
- anything else is asked again.

An agent may still join an offline hand-off (the shopper may still be there), or resolve it
once they have written back. These functions run inside the service's transactions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.conversation import repository as repo
from assistant.conversation.repository import MessageRecord
from assistant.engine.messages import BotMessage
from assistant.persistence.models import Conversation, Handoff
from assistant.persistence.models.staff import StaffSession, StaffUser
from assistant.staff.hours import BusinessHours

DECLINE = "/offline_decline"
REASONS = ("after_hours", "no_agents", "timeout")
# What in a message could be an address: a run of non-space characters around one "@".
_CANDIDATE = re.compile(r"[^\s<>()\[\],;:\"'@]+@[^\s<>()\[\],;:\"'@]+")

Render = Callable[[str, dict[str, Any]], BotMessage]
# Gives a conversation back to the assistant: its tracker resumes (the service's).
Resume = Callable[[Session, Conversation], None]


def online_accounts(session: Session, *, now: datetime, presence_s: float) -> set[int]:
    """The active staff accounts whose console was connected within `presence_s`."""
    return set(
        session.scalars(
            select(StaffSession.user_id)
            .join(StaffUser, StaffUser.id == StaffSession.user_id)
            .where(
                StaffUser.active.is_(True),
                StaffSession.expires_at > now,
                StaffSession.seen_at >= now - timedelta(seconds=presence_s),
            )
        )
    )


def _has_staff(session: Session) -> bool:
    found = session.scalar(select(StaffUser.id).where(StaffUser.active.is_(True)).limit(1))
    return found is not None


def unavailable(
    session: Session, *, hours: BusinessHours, presence_s: float, now: datetime
) -> str | None:
    """Why nobody can take a hand-off now (`after_hours`, `no_agents`), or None. A store
    without staff accounts answers hand-offs through the API token, so nobody being signed
    in says nothing there."""
    if not hours.open_at(now):
        return "after_hours"
    if _has_staff(session) and not online_accounts(session, now=now, presence_s=presence_s):
        return "no_agents"
    return None


def find_email(text: str) -> str | None:
    """The email address in a shopper's message, normalised, or None."""
    for candidate in _CANDIDATE.findall(text or ""):
        try:
            valid = validate_email(candidate.rstrip("."), check_deliverability=False)
        except EmailNotValidError:
            continue
        return valid.normalized
    return None


def _say(
    session: Session,
    conversation: Conversation,
    message: BotMessage,
    custom: dict[str, Any],
) -> MessageRecord:
    data = {k: v for k, v in message.as_data().items() if k != "text"}
    data["custom"] = custom
    stored = repo.append_message(
        session, conversation=conversation, role="bot", text=message.text, data=data
    )
    return MessageRecord.of(stored)


def promises_a_person(message: BotMessage, promises: frozenset[str]) -> bool:
    """Whether a reply of the hand-off's turn says a person is coming: its `requested` notice,
    or one of `promises` (the texts of the domain's `utter_handoff`). Left out when nobody
    can come."""
    custom = message.custom or {}
    if custom.get("type") == "handoff" and custom.get("status") == "requested":
        return True
    return message.text is not None and message.text in promises


def go_offline(
    session: Session,
    conversation: Conversation,
    handoff: Handoff,
    *,
    reason: str,
    render: Render,
    values: dict[str, Any],
) -> MessageRecord:
    """Move a waiting hand-off to the offline queue and ask the shopper for an address."""
    handoff.status = "offline"
    handoff.offline_reason = reason
    conversation.status = "handoff"
    custom = {"type": "handoff", "status": "offline", "reason": reason}
    return _say(session, conversation, render(f"utter_offline_{reason}", values), custom)


def awaiting_email(conversation: Conversation, handoff: Handoff | None) -> bool:
    """Whether the shopper's next message answers the request for an address."""
    return (
        conversation.status == "handoff"
        and handoff is not None
        and handoff.status == "offline"
        and handoff.email is None
    )


def answer(
    session: Session,
    conversation: Conversation,
    handoff: Handoff,
    *,
    text: str,
    payload: str | None,
    render: Render,
    resume: Resume,
    values: dict[str, Any],
) -> tuple[MessageRecord, str]:
    """The assistant's answer to the shopper's reply, and what it was: `email`, `declined`
    or `invalid` (asked again)."""
    if payload == DECLINE:
        resume(session, conversation)
        reply = render("utter_offline_declined", values)
        return _say(session, conversation, reply, {"type": "handoff", "status": "declined"}), (
            "declined"
        )
    email = find_email(text)
    if email is None:
        reply = render("utter_offline_email_invalid", values)
        return _say(session, conversation, reply, {"type": "handoff", "status": "offline"}), (
            "invalid"
        )
    handoff.email = email
    resume(session, conversation)
    reply = render("utter_offline_email_saved", {**values, "email": email})
    return _say(session, conversation, reply, {"type": "handoff", "status": "email"}), "email"


def is_overdue(handoff: Handoff, *, now: datetime, timeout_s: float) -> bool:
    """Whether a hand-off still waits for its first agent, longer than `timeout_s`."""
    requested = handoff.requested_at
    if requested.tzinfo is None:  # SQLite gives it back naive; it was written in UTC
        requested = requested.replace(tzinfo=UTC)
    return handoff.status == "requested" and now - requested > timedelta(seconds=timeout_s)


def overdue(session: Session, *, now: datetime, timeout_s: float) -> list[str]:
    """Conversations whose hand-off has waited unclaimed longer than `timeout_s`."""
    cutoff = now - timedelta(seconds=timeout_s)
    return list(
        session.scalars(
            select(Handoff.conversation_id)
            .where(Handoff.status == "requested", Handoff.requested_at < cutoff)
            .order_by(Handoff.requested_at)
            .limit(100)
        )
    )
