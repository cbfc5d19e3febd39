"""`assistant users ...`: the staff accounts that sign in to the agent and admin consoles."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from assistant.cli.context import state
from assistant.persistence.db import make_engine, make_session_factory
from assistant.staff.accounts import add_account, disable_account, list_accounts

app = typer.Typer(help="Staff accounts (agents and admins).", no_args_is_help=True)


@app.command()
def add(
    ctx: typer.Context,
    email: Annotated[str, typer.Option("--email", help="The address they sign in with.")],
    name: Annotated[str, typer.Option("--name", help="The name shoppers see.")],
    role: Annotated[str, typer.Option("--role", help="agent or admin.")] = "agent",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create an account; the password is asked for (twice) unless --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    settings = state(ctx).settings
    engine = make_engine(settings.database_url)
    try:
        member = add_account(
            make_session_factory(engine), email=email, name=name, role=role, password=password
        )
    finally:
        engine.dispose()
    typer.echo(f"added {member.role} {member.name} <{member.email}>")


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """The active accounts."""
    settings = state(ctx).settings
    engine = make_engine(settings.database_url)
    try:
        members = list_accounts(make_session_factory(engine))
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps({"users": [m.as_dict() for m in members]}))
        return
    for member in members:
        typer.echo(f"{member.id}\t{member.role}\t{member.name}\t{member.email}")


@app.command()
def disable(
    ctx: typer.Context,
    email: Annotated[str, typer.Option("--email", help="The account's address.")],
) -> None:
    """Take an account's access away: it cannot sign in, and its open sessions end now."""
    settings = state(ctx).settings
    engine = make_engine(settings.database_url)
    try:
        done = disable_account(make_session_factory(engine), email)
    finally:
        engine.dispose()
    if not done:
        typer.echo(f"error: no active account for {email.strip().lower()}", err=True)
        raise typer.Exit(1)
    typer.echo(f"disabled {email.strip().lower()}; its sessions are ended")
