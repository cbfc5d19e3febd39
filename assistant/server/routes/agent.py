"""The agent API (bearer token): open hand-offs, a conversation's messages and summary, and
handing a conversation back to the bot."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from assistant.server.deps import ApiTokenDep, ComponentsDep, ConversationsDep
from assistant.server.protocol import message_frame

router = APIRouter(prefix="/api/agent", tags=["agent"])


@router.get("/handoffs")
async def list_handoffs(_: ApiTokenDep, conversations: ConversationsDep) -> dict[str, Any]:
    return {"handoffs": await conversations.open_handoffs()}


@router.get("/conversations/{conversation_id}/messages")
async def conversation_messages(
    conversation_id: str, _: ApiTokenDep, conversations: ConversationsDep, after_seq: int = 0
) -> dict[str, Any]:
    info = await conversations.get(conversation_id)
    records = await conversations.history(info.id, after_seq=after_seq)
    return {
        "conversation_id": info.id,
        "status": info.status,
        "messages": [message_frame(r).model_dump(exclude_none=True) for r in records],
    }


@router.get("/conversations/{conversation_id}/summary")
async def conversation_summary(
    conversation_id: str, _: ApiTokenDep, components: ComponentsDep
) -> dict[str, Any]:
    """What the agent reads first: the facts, and a checked summary in the model's words when
    one is configured (`generated`)."""
    summary = await components.summaries.summary(conversation_id)
    return {"conversation_id": conversation_id, "summary": summary.as_dict()}


@router.post("/conversations/{conversation_id}/handback")
async def hand_back(
    conversation_id: str, _: ApiTokenDep, conversations: ConversationsDep, resolved: bool = False
) -> dict[str, Any]:
    records = await conversations.release_handoff(conversation_id, resolved=resolved)
    return {
        "conversation_id": conversation_id,
        "status": "bot",
        "messages": [message_frame(r).model_dump(exclude_none=True) for r in records],
    }
