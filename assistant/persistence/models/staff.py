"""The store's staff: support agents and admins who sign in to the consoles, and their
sign-in sessions. Shoppers are customers of the store (`store.Customer`), never staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from assistant.persistence.models.base import Base, utcnow

ROLES = ("agent", "admin")


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Stored lower-cased and stripped: one account per address, however it is typed.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # The name shoppers see when this person joins a conversation.
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    # An argon2id hash in its PHC string form (parameters included).
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a
    copy of the database opens no console."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    # Sent back by the console in X-CSRF-Token on every state-changing request.
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    # When its console was last connected to the live inbox: who is "signed in" for hand-offs.
    seen_at: Mapped[datetime | None] = mapped_column(default=None)
