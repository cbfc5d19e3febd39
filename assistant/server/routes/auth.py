"""Staff sign-in for the consoles: `POST /api/auth/login`, `GET /api/auth/me`,
`POST /api/auth/logout`.

Sign-in attempts are rate-limited per client address and per account, before the password is
checked; a wrong password and an unknown address get the same answer.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, StringConstraints

from assistant.errors import Unauthorized
from assistant.server.bodies import json_body
from assistant.server.deps import ComponentsDep
from assistant.server.openapi import error_responses, request_body
from assistant.server.staff import (
    COOKIE,
    CSRF_HEADER,
    CsrfRefused,
    check_console_origin,
    clear_session_cookie,
    set_session_cookie,
    signed_in,
)
from assistant.server.wire import StorableStr
from assistant.staff.accounts import MAX_PASSWORD, authenticate, normal_email
from assistant.staff.sessions import SignedIn, close_session, open_session

router = APIRouter(prefix="/api/auth", tags=["auth"])


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[StorableStr, StringConstraints(min_length=3, max_length=254)]
    password: Annotated[StorableStr, StringConstraints(min_length=1, max_length=MAX_PASSWORD)]


# Room for the longest address and password the schema allows, written as JSON escapes (up
# to 12 bytes a character): a request within the schema is never refused for its size.
LoginBody = Annotated[LoginRequest, json_body(LoginRequest, max_bytes=16_384)]
# Password checks at once per worker: each takes argon2's memory (64 MiB) and a thread.
HASHING_AT_ONCE = 4
_hashing_limiter: anyio.CapacityLimiter | None = None


def _hashing() -> anyio.CapacityLimiter:
    global _hashing_limiter
    if _hashing_limiter is None:
        _hashing_limiter = anyio.CapacityLimiter(HASHING_AT_ONCE)
    return _hashing_limiter


def _signed_in_body(member: dict[str, Any], csrf_token: str) -> dict[str, Any]:
    return {"user": member, "csrf_token": csrf_token}


@router.post(
    "/login",
    responses=error_responses(400, 401, 403, 413, 422, 429),
    openapi_extra=request_body(LoginRequest),
)
async def login(request: Request, body: LoginBody, components: ComponentsDep) -> JSONResponse:
    """Sign in with an email address and password; sets the session cookie and answers the
    account and the CSRF token to send with every state-changing request."""
    check_console_origin(request)
    security = components.settings.security
    client = request.client.host if request.client else "unknown"
    limiter = components.rate_limiter
    await limiter.hit(security.login_rate_limit_per_client, "login-client", client)
    # Failed attempts on one account from one address: someone guessing from elsewhere
    # cannot lock its owner out.
    account = ("login-failures", normal_email(body.email), client)
    await limiter.check(security.login_rate_limit_per_account, *account)
    member = await anyio.to_thread.run_sync(
        authenticate, components.sessions, body.email, body.password, limiter=_hashing()
    )
    if member is None:
        await limiter.hit(security.login_rate_limit_per_account, *account)
        raise Unauthorized("wrong email address or password")
    lifetime = timedelta(hours=security.staff_session_hours)
    earlier = request.cookies.get(COOKIE)

    def sign_in() -> tuple[str, SignedIn]:
        close_session(components.sessions, earlier)  # a new sign-in never keeps an old cookie
        return open_session(components.sessions, member, lifetime=lifetime)

    token, session = await anyio.to_thread.run_sync(sign_in)
    response = JSONResponse(_signed_in_body(member.as_dict(), session.csrf_token))
    set_session_cookie(response, request, token, max_age=int(lifetime.total_seconds()))
    return response


@router.get("/me", responses=error_responses(401, 403))
async def me(request: Request) -> dict[str, Any]:
    """The signed-in account and its CSRF token (a console reloading its page asks here)."""
    check_console_origin(request)
    found = await signed_in(request)
    if found is None:
        raise Unauthorized("not signed in")
    return _signed_in_body(found.member.as_dict(), found.csrf_token)


@router.post("/logout", status_code=204, responses=error_responses(403))
async def logout(request: Request, components: ComponentsDep) -> Response:
    """End this browser's session (nothing to do when it has none)."""
    check_console_origin(request)
    found = await signed_in(request)
    if found is not None:
        if not found.csrf_matches(request.headers.get(CSRF_HEADER)):
            raise CsrfRefused(f"send the session's CSRF token in {CSRF_HEADER}")
        await anyio.to_thread.run_sync(
            close_session, components.sessions, request.cookies.get(COOKIE)
        )
    response = Response(status_code=204)
    clear_session_cookie(response, request)
    return response
