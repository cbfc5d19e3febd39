"""Staff accounts: created from the command line, checked at sign-in with argon2id.

Passwords are hashed with argon2-cffi's defaults (RFC 9106's low-memory profile) and re-hashed
at sign-in when those defaults grow. An unknown address costs the same as a wrong password, so
timing does not tell which addresses have accounts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import Conflict, InvalidInput
from assistant.persistence.models.staff import ROLES, StaffSession, StaffUser

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
# Enough to catch typos; the address is never mailed from here.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHasher()
# Verified against when the address has no account, so both cases take as long.
_DUMMY_HASH = _hasher.hash("no account has this password")


class AccountExists(Conflict):
    code = "account_exists"


@dataclass(frozen=True)
class StaffMember:
    """An account as the consoles see it (never its hash)."""

    id: int
    email: str
    name: str
    role: str

    def can(self, role: str) -> bool:
        """Admins may do what agents do; agents never reach admin routes."""
        return self.role == "admin" or self.role == role

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "email": self.email, "name": self.name, "role": self.role}


def member_of(user: StaffUser) -> StaffMember:
    """The account as the consoles see it."""
    return StaffMember(id=user.id, email=user.email, name=user.name, role=user.role)


def normal_email(email: str) -> str:
    return email.strip().lower()


def check_new_account(email: str, name: str, role: str, password: str) -> None:
    """`InvalidInput` naming the first thing wrong with a new account's fields."""
    if not EMAIL.match(normal_email(email)) or len(email) > 254:
        raise InvalidInput(f"not an email address: {email!r}")
    if not name.strip() or len(name.strip()) > 64 or not name.isprintable():
        raise InvalidInput("the name must be 1 to 64 printable characters")
    if role not in ROLES:
        raise InvalidInput(f"the role must be one of {', '.join(ROLES)}, not {role!r}")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(f"the password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    if len(set(password)) < 5:
        raise InvalidInput("the password repeats too few characters")


def add_account(
    sessions: sessionmaker[Session], *, email: str, name: str, role: str, password: str
) -> StaffMember:
    check_new_account(email, name, role, password)
    user = StaffUser(
        email=normal_email(email),
        name=name.strip(),
        role=role,
        password_hash=_hasher.hash(password),
    )
    try:
        with sessions.begin() as session:
            session.add(user)
            session.flush()
            return member_of(user)
    except IntegrityError as exc:
        raise AccountExists(f"an account for {normal_email(email)} exists already") from exc


def list_accounts(sessions: sessionmaker[Session]) -> list[StaffMember]:
    with sessions() as session:
        users = session.scalars(select(StaffUser).where(StaffUser.active).order_by(StaffUser.id))
        return [member_of(user) for user in users]


def disable_account(sessions: sessionmaker[Session], email: str) -> bool:
    """Take an account's access away at once: it cannot sign in, and its sessions end.
    False when there is no active account with this address."""
    with sessions.begin() as session:
        user_id = session.scalar(
            update(StaffUser)
            .where(StaffUser.email == normal_email(email), StaffUser.active)
            .values(active=False)
            .returning(StaffUser.id)
        )
        if user_id is None:
            return False
        session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
        return True


def authenticate(sessions: sessionmaker[Session], email: str, password: str) -> StaffMember | None:
    """The active account with this address and password, else None."""
    if len(password) > MAX_PASSWORD:
        return None
    with sessions.begin() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.email == normal_email(email)))
        if user is None or not user.active:
            _verify(_DUMMY_HASH, password)
            return None
        if not _verify(user.password_hash, password):
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        return member_of(user)


def member_by_email(sessions: sessionmaker[Session], email: str) -> StaffMember | None:
    """The active account with this address."""
    with sessions() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.email == normal_email(email)))
        return member_of(user) if user is not None and user.active else None


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
