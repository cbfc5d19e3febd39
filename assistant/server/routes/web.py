"""The pages: the demo store at `/`, the widget script at `/widget.js`, the knowledge base's
documents at `/kb/<doc_id>` (where citations link), and the two consoles, `/agent` and
`/admin`, with their scripts."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

from assistant.errors import NotFound
from assistant.knowledge.pages import document_page, render_html
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
    return _static(components, "dist/widget.js", "text/javascript")


# The console runs only the server's own script, talks only to its own origin, and is
# never framed by another page.
_CONSOLE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: https:; "
        "style-src 'self' 'unsafe-inline'; media-src 'self' data:; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


@router.get("/agent")
async def agent_console(components: ComponentsDep) -> FileResponse:
    """The support agents' console (docs/agents.md)."""
    page = _static(components, "agent.html", "text/html")
    page.headers.update(_CONSOLE_HEADERS)
    return page


@router.get("/agent.js")
async def agent_script(components: ComponentsDep) -> FileResponse:
    return _static(components, "dist/agent.js", "text/javascript")


@router.get("/admin")
async def admin_console(components: ComponentsDep) -> FileResponse:
    """The admins' console: the knowledge base, its tests and gaps, analytics, the audit log
    (docs/analytics.md)."""
    page = _static(components, "admin.html", "text/html")
    page.headers.update(_CONSOLE_HEADERS)
    return page


@router.get("/admin.js")
async def admin_script(components: ComponentsDep) -> FileResponse:
    return _static(components, "dist/admin.js", "text/javascript")


# Documents are rendered as escaped text; the page needs no script and no outside resource.
_DOCUMENT_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


@router.get("/kb/{doc_id}")
async def knowledge_document(doc_id: str, components: ComponentsDep) -> HTMLResponse:
    """The document a citation links to, its sections anchored as the links expect."""
    page = document_page(components.knowledge.index, doc_id)
    if page is None:
        raise NotFound(f"no document {doc_id!r} in the knowledge base")
    html = render_html(page, store_name=components.settings.assistant.name)
    return HTMLResponse(html, headers=_DOCUMENT_HEADERS)
