"""Behaviour events from the store page: `POST /api/events`.

The store's own page (and the widget, for clicks on products it showed) reports what shoppers
do. Each request is checked — origin, rate per session and per client address, every event
valid, every item in the catalog — and its events are stored together or not at all.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from assistant.backends.events import Event
from assistant.errors import OriginNotAllowed
from assistant.persistence.models.base import utcnow
from assistant.server.deps import ComponentsDep
from assistant.server.protocol import parse_events
from assistant.server.routes.ws import origin_allowed

router = APIRouter(tags=["events"])

# A batch of events is small; this bounds the body before it is parsed.
MAX_BODY_BYTES = 256 * 1024


@router.post("/api/events", status_code=202)
async def record_events(request: Request, components: ComponentsDep) -> JSONResponse:
    settings = components.settings
    origin = request.headers.get("origin")
    if not origin_allowed(origin, settings.channels.allowed_origins):
        raise OriginNotAllowed(f"origin {origin} is not allowed")
    client = request.client.host if request.client else "unknown"
    await components.rate_limiter.hit(
        settings.events.rate_limit_per_client, "events-client", client
    )
    events = parse_events(
        await request.body(), max_bytes=MAX_BODY_BYTES, max_batch=settings.events.max_batch
    )
    per_session = Counter(e.session_id for e in events)
    for session_id, count in sorted(per_session.items()):
        await components.rate_limiter.hit(
            settings.events.rate_limit_per_session, "events-session", session_id, cost=count
        )
    received = utcnow()
    records = [
        Event(
            kind=e.type,
            session_id=e.session_id,
            occurred_at=e.at.astimezone(UTC) if e.at else received,
            customer_id=e.customer_id,
            item_id=e.item_id,
            query=e.query.strip() if e.query else None,
            quantity=e.quantity,
            price=e.price,
        )
        for e in events
    ]
    stored = await anyio.to_thread.run_sync(components.events.record, records)
    body: dict[str, Any] = {"accepted": stored}
    return JSONResponse(body, status_code=202)
