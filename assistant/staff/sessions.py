"""Sign-in sessions: a random token in an HttpOnly cookie, its SHA-256 in the database.

Nothing in the cookie can be forged or read (it is 256 random bits, not data), a session can be
ended on the server at any time (sign-out, a disabled account), and each carries its own CSRF
token that the console sends back in a header on every state-changing request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.persistence.models.staff import StaffSession, StaffUser
from assistant.staff.accounts import StaffMember, member_of

# Longer than any token we issue, shorter than anything that could hurt to hash.
MAX_TOKEN = 128


@dataclass(frozen=True)
class SignedIn:
    member: StaffMember
    csrf_token: str

    def csrf_matches(self, sent: str | None) -> bool:
        return sent is not None and hmac.compare_digest(sent.encode(), self.csrf_token.encode())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    sessions: sessionmaker[Session], member: StaffMember, *, lifetime: timedelta
) -> tuple[str, SignedIn]:
    """A new session for `member`: the cookie's token, and what it signs in."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with sessions.begin() as session:
        # Expired sessions go as new ones come, so the table stays the size of the team.
        session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
        session.add(
            StaffSession(
                token_hash=_digest(token),
                user_id=member.id,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + lifetime,
            )
        )
    return token, SignedIn(member=member, csrf_token=csrf)


def find_session(sessions: sessionmaker[Session], token: str | None) -> SignedIn | None:
    """Who `token` signs in, if it is a live session of an active account."""
    if not token or len(token) > MAX_TOKEN or not token.isascii():
        return None
    with sessions() as session:
        row = session.execute(
            select(StaffSession, StaffUser)
            .join(StaffUser, StaffUser.id == StaffSession.user_id)
            .where(StaffSession.token_hash == _digest(token))
        ).first()
    if row is None:
        return None
    stored, user = row
    expires = stored.expires_at
    if expires.tzinfo is None:  # SQLite hands timestamps back naive (they were written in UTC)
        expires = expires.replace(tzinfo=UTC)
    if expires <= datetime.now(UTC) or not user.active:
        return None
    return SignedIn(member=member_of(user), csrf_token=stored.csrf_token)


def close_session(sessions: sessionmaker[Session], token: str | None) -> None:
    if not token or len(token) > MAX_TOKEN:
        return
    with sessions.begin() as session:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _digest(token)))


def mark_seen(sessions: sessionmaker[Session], token: str | None) -> SignedIn | None:
    """A live inbox's heartbeat: who `token` still signs in (None once the session ended or
    the account was disabled), with its `seen_at` set to now, which is what "signed in"
    means for hand-offs (`conversation/offline.py`)."""
    found = find_session(sessions, token)
    if found is None or token is None:
        return None
    with sessions.begin() as session:
        session.execute(
            update(StaffSession)
            .where(StaffSession.token_hash == _digest(token))
            .values(seen_at=datetime.now(UTC))
        )
    return found
