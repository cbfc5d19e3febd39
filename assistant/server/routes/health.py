"""Liveness and readiness: `/healthz` says the process is up; `/readyz` checks its parts."""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from assistant import __version__
from assistant.persistence.db import ping
from assistant.persistence.migrate import check_up_to_date
from assistant.server.deps import ComponentsDep

router = APIRouter(tags=["health"])

CHECK_TIMEOUT_S = 3.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


async def _check(name: str, probe: Any) -> tuple[str, dict[str, Any]]:
    try:
        with anyio.fail_after(CHECK_TIMEOUT_S):
            detail = await probe()
    except TimeoutError:
        return name, {"ok": False, "error": f"no answer within {CHECK_TIMEOUT_S:.0f} s"}
    except Exception as exc:  # a readiness probe reports every failure, whatever it is
        return name, {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return name, {"ok": True, **(detail or {})}


@router.get("/readyz")
async def readyz(components: ComponentsDep) -> JSONResponse:
    settings = components.settings

    async def database() -> dict[str, Any]:
        await anyio.to_thread.run_sync(ping, components.db_engine)
        current = await anyio.to_thread.run_sync(check_up_to_date, components.db_engine)
        if not current:
            raise RuntimeError("migrations are not at head: run `assistant db upgrade`")
        return {"backend": components.db_engine.dialect.name}

    async def vector_store() -> dict[str, Any]:
        await anyio.to_thread.run_sync(components.vector_store.heartbeat)
        return {"kind": settings.vector_store.kind.value}

    async def model() -> dict[str, Any]:
        # The assistant answers without a model (extractive, cited): a model that is down
        # degrades the answers, it does not make the assistant unready.
        if components.language_model is None:
            return {"provider": settings.llm.provider.value, "state": "none"}
        state = await components.language_model.state()
        found = {"provider": state.provider, "model": state.model, "state": state.state}
        return found | ({"detail": state.detail} if state.detail else {})

    async def pubsub() -> dict[str, Any]:
        await components.broker.ping()
        return {"kind": settings.pubsub.kind}

    results = dict(
        await asyncio.gather(
            _check("database", database),
            _check("vector_store", vector_store),
            _check("model", model),
            _check("pubsub", pubsub),
        )
    )
    ready = all(result["ok"] for result in results.values())
    degraded = results["model"].get("state") not in ("ready", "none")
    status = "unavailable" if not ready else "degraded" if degraded else "ready"
    body = {"status": status, "checks": results}
    return JSONResponse(body, status_code=200 if ready else 503)
