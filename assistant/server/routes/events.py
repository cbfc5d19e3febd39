"""Behaviour events from the store page: `POST /api/events`.

The store's own page (and the widget, for clicks on products it showed) reports what shoppers
do. Each request is checked — origin, rate per client address and per session, every event
valid, every item in the catalog — and its events are stored together or not at all.

An event speaks for a customer only with the store's signed customer token (the widget's
`identify` token, in the `X-Customer-Token` header): its `customer_id` is the token's. Without
one, an event belongs to its browser session alone, whatever `customer_id` it names.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from assistant.backends.events import Event
from assistant.errors import Forbidden, OriginNotAllowed
from assistant.persistence.models.base import utcnow
from assistant.server.behaviour_events import parse_events
from assistant.server.deps import ComponentsDep
from assistant.server.identity import identify_customer
from assistant.server.origins import connection_allowed
from assistant.services import Components

router = APIRouter(tags=["events"])

# A batch of events is small; this bounds the body before it is parsed.
MAX_BODY_BYTES = 256 * 1024
TOKEN_HEADER = "X-Customer-Token"


async def _vouched_customer(request: Request, components: Components) -> str | None:
    """The customer a valid token in the request names; None without a token."""
    token = request.headers.get(TOKEN_HEADER)
    if not token:
        return None
    customer = await identify_customer(
        token, secret=components.settings.channels.identity_secret, orders=components.orders
    )
    return customer.id


@router.post("/api/events", status_code=202)
async def record_events(request: Request, components: ComponentsDep) -> JSONResponse:
    settings = components.settings
    if not connection_allowed(request, settings.channels.allowed_origins):
        raise OriginNotAllowed(f"origin {request.headers.get('origin')} is not allowed")
    client = request.client.host if request.client else "unknown"
    limiter, limits = components.rate_limiter, settings.events
    # Requests first (a bad body costs one too), then events: per session, and per client
    # address, so that new session ids do not buy more.
    await limiter.hit(limits.rate_limit_per_client, "events-client-requests", client)
    events = parse_events(
        await request.body(), max_bytes=MAX_BODY_BYTES, max_batch=limits.max_batch
    )
    per_session = Counter(e.session_id for e in events)
    for session_id, count in sorted(per_session.items()):
        await limiter.hit(limits.rate_limit_per_session, "events-session", session_id, cost=count)
    await limiter.hit(limits.rate_limit_per_client, "events-client", client, cost=len(events))
    customer_id = await _vouched_customer(request, components)
    for event in events:
        if customer_id is not None and event.customer_id not in (None, customer_id):
            raise Forbidden("an event names another customer than the customer token")
    received = utcnow()
    records = [
        Event(
            kind=e.type,
            session_id=e.session_id,
            occurred_at=e.at.astimezone(UTC) if e.at else received,
            customer_id=customer_id,
            item_id=e.item_id,
            query=e.query.strip() if e.query else None,
            quantity=e.quantity,
            price=e.price,
        )
        for e in events
    ]
    stored = await anyio.to_thread.run_sync(components.events.record, records)
    body: dict[str, Any] = {"accepted": stored, "customer_id": customer_id}
    return JSONResponse(body, status_code=202)
