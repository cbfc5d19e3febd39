"""The app factory. Clients are built once, in the lifespan, and kept on `app.state`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from assistant import __version__
from assistant.config import Settings
from assistant.server.errors import install_error_handlers
from assistant.server.openapi import install_openapi
from assistant.server.routes import (
    admin_analytics,
    admin_catalog,
    admin_kb,
    admin_tools,
    agent,
    agent_ws,
    auth,
    catalog,
    events,
    health,
    inbox,
    rest,
    web,
    ws,
)
from assistant.services import Components, build_components


def create_app(settings: Settings, *, components: Components | None = None) -> FastAPI:
    """Build the app; `components` lets a test hand in prebuilt ones (it then owns them)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if components is not None:
            app.state.components = components
            yield
            return
        built = await build_components(settings)
        # Models and indexes loaded before the first request is taken: ready means fast.
        if settings.server.warm:
            await anyio.to_thread.run_sync(built.warm)
        built.start_timers()
        app.state.components = built
        try:
            yield
        finally:
            await built.aclose()

    # The docs pages' scripts and styles are served from the package, not a CDN: a
    # self-hosted store's docs work without the internet.
    app = FastAPIOffline(
        title="Aisle",
        version=__version__,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url="/redoc",
        openapi_url="/openapi.json",
        static_url="/static/api-docs",
    )
    app.state.settings = settings
    install_error_handlers(app)
    install_openapi(app)
    # Where the documents were first served.
    for old, new in (("/api/docs", "/docs"), ("/api/openapi.json", "/openapi.json")):
        app.add_api_route(old, _redirect(new), methods=["GET"], include_in_schema=False)
    app.include_router(health.router)
    if settings.channels.rest.enabled:
        app.include_router(rest.router)
    if settings.channels.websocket.enabled:
        app.include_router(ws.router)
    app.include_router(auth.router)
    app.include_router(agent.router)
    app.include_router(inbox.router)
    app.include_router(agent_ws.router)
    app.include_router(admin_kb.router)
    app.include_router(admin_tools.router)
    app.include_router(admin_analytics.router)
    app.include_router(admin_catalog.router)
    app.include_router(events.router)
    app.include_router(catalog.router)
    app.include_router(web.router)
    static = settings.path("web_widget")
    if Path(static).is_dir():
        app.mount("/static", StaticFiles(directory=static), name="static")
    return app


def _redirect(to: str) -> Any:
    async def redirect() -> RedirectResponse:
        return RedirectResponse(to, status_code=308)

    return redirect
