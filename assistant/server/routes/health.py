"""Liveness and readiness: `/healthz` says the process is up; `/readyz` checks its parts.

Anyone may ask `/readyz` whether the assistant is ready (`ready`, `degraded`, `unavailable`).
The part-by-part details need the API token, and even then name a failure in a word or two
("unreachable", "timeout", "not migrated", or the exception's class), never the exception's
text, which carries hosts, ports and sometimes credentials. The exception itself is logged
here, at WARNING, when a check starts failing or fails differently; a recovery at INFO.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from assistant import __version__
from assistant.errors import Unauthorized
from assistant.persistence.db import ping
from assistant.persistence.migrate import check_up_to_date
from assistant.server.deps import ComponentsDep, require_api_token

logger = logging.getLogger(__name__)
router = APIRouter(tags=["health"])

CHECK_TIMEOUT_S = 3.0
# Model states that leave the assistant ready: answers are quoted without a model.
_MODEL_FINE = ("ready", "none")


class NotMigrated(Exception):
    """The database schema is behind the code: run `assistant db upgrade`."""


def describe_failure(exc: BaseException) -> str:
    """A failed check in a word or two, safe to show: never the exception's own text."""
    import httpx
    import redis.exceptions
    import sqlalchemy.exc

    if isinstance(exc, NotMigrated):
        return "not migrated"
    if isinstance(exc, TimeoutError | httpx.TimeoutException | redis.exceptions.TimeoutError):
        return "timeout"
    unreachable = (
        ConnectionError,
        socket.gaierror,
        httpx.ConnectError,
        redis.exceptions.ConnectionError,
        sqlalchemy.exc.OperationalError,
        sqlalchemy.exc.InterfaceError,
    )
    if isinstance(exc, unreachable):
        return "unreachable"
    return type(exc).__name__


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


Probe = Callable[[], Awaitable[dict[str, Any]]]
Result = tuple[str, dict[str, Any], BaseException | None]


async def _check(name: str, probe: Probe) -> Result:
    try:
        with anyio.fail_after(CHECK_TIMEOUT_S):
            detail = await probe()
    except Exception as exc:  # a readiness probe reports every failure, whatever it is
        return name, {"ok": False, "error": describe_failure(exc)}, exc
    return name, {"ok": True, **detail}, None


def _log_changes(request: Request, results: Sequence[Result]) -> None:
    """Log each check whose state differs from the last `/readyz` call's (per app)."""
    last: dict[str, str] | None = getattr(request.app.state, "readiness", None)
    if last is None:
        last = {}
        request.app.state.readiness = last
    for name, result, exc in results:
        detail = result.pop("_detail", "")
        now = "ok" if result["ok"] else result["error"]
        if name == "model" and result.get("state") not in _MODEL_FINE:
            now = str(result.get("state"))
        before = last.get(name, "ok")
        last[name] = now
        if now == before:
            continue
        if exc is not None:
            logger.warning("readiness: %s failed (%s)", name, now, exc_info=exc)
        elif now != "ok":
            logger.warning("readiness: %s is %s: %s", name, now, detail)
        else:
            logger.info("readiness: %s recovered (was %s)", name, before)


def _authorised(request: Request) -> bool:
    """Whether the caller sent the API token, checked as the agent and admin APIs check it."""
    try:
        require_api_token(request, request.headers.get("authorization"))
    except Unauthorized:
        return False
    return True


@router.get("/readyz")
async def readyz(request: Request, components: ComponentsDep) -> JSONResponse:
    settings = components.settings

    async def database() -> dict[str, Any]:
        await anyio.to_thread.run_sync(ping, components.db_engine)
        current = await anyio.to_thread.run_sync(check_up_to_date, components.db_engine)
        if not current:
            raise NotMigrated("migrations are not at head: run `assistant db upgrade`")
        return {"backend": components.db_engine.dialect.name}

    async def vector_store() -> dict[str, Any]:
        await anyio.to_thread.run_sync(components.vector_store.heartbeat)
        return {"kind": settings.vector_store.kind.value}

    async def model() -> dict[str, Any]:
        # The assistant answers without a model (extractive, cited): a model that is down
        # degrades the answers, it does not make the assistant unready. Its state's detail is
        # an exception's text: logged, not shown.
        if components.language_model is None:
            return {"provider": settings.llm.provider.value, "state": "none"}
        state = await components.language_model.state()
        return {
            "provider": state.provider,
            "model": state.model,
            "state": state.state,
            "_detail": state.detail,
        }

    async def pubsub() -> dict[str, Any]:
        # Raises while the subscriber is disconnected, as well as when Redis does not answer.
        await components.broker.ping()
        return {"kind": settings.pubsub.kind}

    results = await asyncio.gather(
        _check("database", database),
        _check("vector_store", vector_store),
        _check("model", model),
        _check("pubsub", pubsub),
    )
    _log_changes(request, results)
    checks = {name: result for name, result, _ in results}
    ready = all(result["ok"] for result in checks.values())
    degraded = checks["model"].get("state") not in _MODEL_FINE
    status = "unavailable" if not ready else "degraded" if degraded else "ready"
    body: dict[str, Any] = {"status": status}
    if _authorised(request):
        body["checks"] = checks
    return JSONResponse(body, status_code=200 if ready else 503)
