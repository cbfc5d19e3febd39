"""Rasa's REST channel: `POST /webhooks/rest/webhook`.

The body stays Rasa's. A sender's first message creates its conversation and returns a session
secret in the `X-Session-Secret` response header; every later message for that sender carries
it (the same request header, or `metadata.session_secret`), so knowing a sender id is not
enough to continue someone's conversation. Browsers may call it only from allowed origins, and
only with a JSON body (a cross-site form or `text/plain` post is refused).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from assistant.errors import AisleError, InvalidInput, OriginNotAllowed, UnsupportedMediaType
from assistant.server.bodies import ENVELOPE_BYTES
from assistant.server.deps import ComponentsDep
from assistant.server.errors import error_response
from assistant.server.origins import connection_allowed
from assistant.server.protocol import RestResponseItem, parse_rest_request, rest_items

router = APIRouter(tags=["channels"])

CHANNEL = "rest"
SECRET_HEADER = "X-Session-Secret"
SECRET_FIELD = "session_secret"
MAX_SECRET_CHARS = 128


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


@router.post(
    "/webhooks/rest/webhook",
    response_model=list[RestResponseItem],
    response_model_exclude_none=True,
)
async def rest_webhook(request: Request, response: Response, components: ComponentsDep) -> Any:
    settings = components.settings
    if not connection_allowed(request, settings.channels.allowed_origins):
        raise OriginNotAllowed(f"origin {request.headers.get('origin')} is not allowed")
    if not _is_json(request.headers.get("content-type")):
        raise UnsupportedMediaType("the body must be JSON, sent as Content-Type: application/json")
    limit = settings.channels.max_message_bytes + ENVELOPE_BYTES
    body = parse_rest_request(await request.body(), max_bytes=limit)
    metadata = body.metadata or {}
    secret = request.headers.get(SECRET_HEADER) or metadata.get(SECRET_FIELD)
    if not isinstance(secret, str) or not 0 < len(secret) <= MAX_SECRET_CHARS:
        secret = None
    client_id = metadata.get("message_id")
    if client_id is not None and (
        isinstance(client_id, bool) or not isinstance(client_id, str | int)
    ):
        raise InvalidInput("metadata.message_id is a string or an integer")
    conversations = components.conversations
    # A message that cannot be stored starts nothing, not even the sender's conversation.
    conversations.check_message(body.message)
    conversation, issued = await conversations.for_sender(
        channel=CHANNEL, sender=body.sender, secret=secret
    )
    payload = body.message.strip() if body.message.strip().startswith("/") else None
    client = request.client.host if request.client else "unknown"
    try:
        await components.rate_limiter.chat(settings, conversation.id, client=client)
        _, turn = await conversations.send(
            conversation.id,
            text=body.message,
            payload=payload,
            client_id=str(client_id) if client_id is not None else None,
        )
    except AisleError as exc:
        # The conversation exists now: its secret goes back even when the message failed.
        failed = error_response(exc)
        if issued is not None:
            failed.headers[SECRET_HEADER] = issued
        return failed
    if issued is not None:
        response.headers[SECRET_HEADER] = issued
    return rest_items(body.sender, turn.replies)
