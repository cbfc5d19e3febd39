"""Staff accounts and sign-in sessions, on the test database."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.errors import InvalidInput
from assistant.persistence.models.staff import StaffSession, StaffUser
from assistant.staff.accounts import (
    AccountExists,
    StaffMember,
    add_account,
    authenticate,
    list_accounts,
)
from assistant.staff.sessions import close_session, find_session, open_session
from tests.cli_runner import command_runner

PASSWORD = "correct horse battery"


def _add(sessions: sessionmaker[Session], email: str = "Dana@Shop.example") -> StaffMember:
    return add_account(sessions, email=email, name=" Dana ", role="agent", password=PASSWORD)


def test_an_account_keeps_an_argon2id_hash_and_a_normal_address(
    session_factory: sessionmaker[Session],
) -> None:
    member = _add(session_factory)
    assert (member.email, member.name, member.role) == ("dana@shop.example", "Dana", "agent")
    with session_factory() as session:
        stored = session.scalars(select(StaffUser)).one()
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
    assert list_accounts(session_factory) == [member]


def test_the_same_address_twice_is_refused_however_it_is_typed(
    session_factory: sessionmaker[Session],
) -> None:
    _add(session_factory)
    with pytest.raises(AccountExists):
        _add(session_factory, email="  dana@SHOP.example ")


@pytest.mark.parametrize(
    ("email", "role", "password", "named"),
    [
        ("not-an-address", "agent", PASSWORD, "email"),
        ("a@b.example", "owner", PASSWORD, "role"),
        ("a@b.example", "agent", "short", "password"),
        ("a@b.example", "agent", "aaaaaaaaaaaaaaaa", "repeats"),
    ],
)
def test_a_bad_new_account_is_a_typed_error_naming_the_field(
    session_factory: sessionmaker[Session], email: str, role: str, password: str, named: str
) -> None:
    with pytest.raises(InvalidInput, match=named):
        add_account(session_factory, email=email, name="Dana", role=role, password=password)
    assert list_accounts(session_factory) == []


def test_sign_in_needs_the_right_password_of_an_active_account(
    session_factory: sessionmaker[Session],
) -> None:
    member = _add(session_factory)
    assert authenticate(session_factory, "DANA@shop.example", PASSWORD) == member
    assert authenticate(session_factory, "dana@shop.example", PASSWORD + "!") is None
    assert authenticate(session_factory, "nobody@shop.example", PASSWORD) is None
    with session_factory.begin() as session:
        session.execute(update(StaffUser).values(active=False))
    assert authenticate(session_factory, "dana@shop.example", PASSWORD) is None


def test_a_session_is_stored_as_a_hash_and_ends_on_sign_out_expiry_or_disabling(
    session_factory: sessionmaker[Session],
) -> None:
    member = _add(session_factory)
    token, opened = open_session(session_factory, member, lifetime=timedelta(hours=1))
    found = find_session(session_factory, token)
    assert found is not None and found.member == member
    assert found.csrf_matches(opened.csrf_token) and not found.csrf_matches("forged")
    with session_factory() as session:
        assert token not in {row.token_hash for row in session.scalars(select(StaffSession))}
    assert find_session(session_factory, token + "x") is None
    assert find_session(session_factory, "é" * 10) is None

    close_session(session_factory, token)
    assert find_session(session_factory, token) is None

    expired, _ = open_session(session_factory, member, lifetime=timedelta(seconds=-1))
    assert find_session(session_factory, expired) is None

    live, _ = open_session(session_factory, member, lifetime=timedelta(hours=1))
    with session_factory.begin() as session:
        session.execute(update(StaffUser).values(active=False))
    assert find_session(session_factory, live) is None


def test_users_add_reads_the_password_from_stdin_and_refuses_a_duplicate(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    from assistant.cli import users

    run = command_runner(users.app, "users", settings)
    command = ["add", "--email", "Ari@Shop.example", "--name", "Ari", "--role", "admin"]
    added = run(*command, "--password-stdin", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert "added admin Ari <ari@shop.example>" in added.output
    assert authenticate(session_factory, "ari@shop.example", PASSWORD) is not None
    listed = run("list", "--json")
    assert json.loads(listed.output)["users"] == [
        {"id": 1, "email": "ari@shop.example", "name": "Ari", "role": "admin"}
    ]
    again = run(*command, "--password-stdin", input=PASSWORD + "\n")
    assert again.exit_code != 0 and isinstance(again.exception, AccountExists)
    weak = run("add", "--email", "b@shop.example", "--name", "B", "--password-stdin", input="x\n")
    assert weak.exit_code != 0 and isinstance(weak.exception, InvalidInput)
    assert len(list_accounts(session_factory)) == 1

    member = list_accounts(session_factory)[0]
    token, _ = open_session(session_factory, member, lifetime=timedelta(hours=1))
    assert run("disable", "--email", "ARI@shop.example").exit_code == 0
    assert find_session(session_factory, token) is None
    assert authenticate(session_factory, "ari@shop.example", PASSWORD) is None
    assert list_accounts(session_factory) == []
    assert run("disable", "--email", "ari@shop.example").exit_code == 1
