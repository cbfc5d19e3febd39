"""Rasa's REST channel: `POST /webhooks/rest/webhook`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from assistant.server.deps import ComponentsDep
from assistant.server.protocol import parse_rest_request, rest_items

router = APIRouter(tags=["channels"])

CHANNEL = "rest"
# The JSON envelope around a message may add this much to the message's own limit.
ENVELOPE_BYTES = 8192


@router.post("/webhooks/rest/webhook")
async def rest_webhook(request: Request, components: ComponentsDep) -> list[dict[str, Any]]:
    limit = components.settings.channels.max_message_bytes + ENVELOPE_BYTES
    body = parse_rest_request(await request.body(), max_bytes=limit)
    conversations = components.conversations
    conversation = await conversations.for_sender(channel=CHANNEL, sender=body.sender)
    payload = body.message.strip() if body.message.strip().startswith("/") else None
    client_id = (body.metadata or {}).get("message_id")
    _, turn = await conversations.send(
        conversation.id,
        text=body.message,
        payload=payload,
        client_id=str(client_id) if client_id is not None else None,
    )
    return rest_items(body.sender, turn.replies)
