"""Who may use the agent and admin APIs: a signed-in member of staff with the route's role (the
consoles), or a machine with the API token.

A console request carries the session cookie. It must come from the server's own pages (or no
page at all: not a browser), and a state-changing one must also send the session's CSRF token
in `X-CSRF-Token`; the cookie itself is HttpOnly and SameSite=Strict. The API token (a bearer
header) stands for the store's own systems and may do what an admin may.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

import anyio
from fastapi import Depends, Request
from starlette.requests import HTTPConnection
from starlette.responses import Response

from assistant.errors import Forbidden, OriginNotAllowed, Unauthorized
from assistant.server.deps import get_components
from assistant.server.origins import normalise, origin_allowed, own_origin
from assistant.staff.accounts import StaffMember
from assistant.staff.sessions import SignedIn, find_session

COOKIE = "aisle_staff"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRefused(Forbidden):
    code = "csrf_refused"


class RoleRequired(Forbidden):
    code = "role_required"


@dataclass(frozen=True)
class Caller:
    """Who is calling: a member of staff, or (member None) a machine with the API token."""

    member: StaffMember | None

    @property
    def name(self) -> str | None:
        return self.member.name if self.member is not None else None


def _bearer(request: HTTPConnection) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" else None


def bearer_caller(request: HTTPConnection) -> Caller | None:
    """The store's own systems, when the request sends the API token as a bearer token; None
    without one; `Unauthorized` for a wrong one (or any, when no token is configured)."""
    token = _bearer(request)
    if token is None:
        return None
    expected = get_components(request).settings.security.api_token
    if expected is None or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Unauthorized("a valid bearer token is required")
    return Caller(member=None)


def check_console_origin(request: HTTPConnection) -> None:
    """Console requests come from the server's own pages (or from no page). Behind a proxy
    that ends TLS the server is reached over http while the page is https on the same host
    (perhaps another port): that is its own page too."""
    origin = request.headers.get("origin")
    own = own_origin(request)
    if origin_allowed(origin, [], own=own) or _secured_own(origin, own):
        return
    raise OriginNotAllowed("the consoles are used from the server's own pages")


def _secured_own(origin: str | None, own: str) -> bool:
    page = urlsplit(normalise(origin or "") or "")
    server = urlsplit(own)
    return (
        page.scheme == "https"
        and server.scheme == "http"
        and page.hostname is not None
        and page.hostname == server.hostname
    )


async def signed_in(request: HTTPConnection) -> SignedIn | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    sessions = get_components(request).sessions
    return await anyio.to_thread.run_sync(find_session, sessions, token)


def set_session_cookie(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )


def require(role: str) -> Callable[[Request], Awaitable[Caller]]:
    """A dependency: the caller, when it may act as `role` (`agent` or `admin`)."""

    async def check(request: Request) -> Caller:
        machine = bearer_caller(request)
        if machine is not None:
            return machine
        check_console_origin(request)
        found = await signed_in(request)
        if found is None:
            raise Unauthorized("sign in first (or send the API token as a bearer token)")
        if request.method not in SAFE_METHODS and not found.csrf_matches(
            request.headers.get(CSRF_HEADER)
        ):
            raise CsrfRefused(f"send the session's CSRF token in {CSRF_HEADER}")
        if not found.member.can(role):
            raise RoleRequired(f"this needs the {role} role")
        return Caller(member=found.member)

    return check


AgentCaller = Annotated[Caller, Depends(require("agent"))]
AdminCaller = Annotated[Caller, Depends(require("admin"))]
