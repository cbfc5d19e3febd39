"""The shopper-facing pages: the demo store at `/` and the widget script at `/widget.js`."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from assistant.errors import NotFound
from assistant.server.deps import ComponentsDep

router = APIRouter(tags=["web"], include_in_schema=False)


def _static(components: ComponentsDep, name: str, media_type: str) -> FileResponse:
    path = components.settings.path("web_widget") / name
    if not path.is_file():
        raise NotFound(f"{name} is not built")
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "no-cache"})


@router.get("/")
async def demo_store(components: ComponentsDep) -> FileResponse:
    return _static(components, "index.html", "text/html")


@router.get("/widget.js")
async def widget(components: ComponentsDep) -> FileResponse:
    return _static(components, "widget.js", "text/javascript")
