"""The agent API (bearer token): open hand-offs, a conversation's messages and summary, an
agent joining a hand-off and writing to the shopper, and handing a conversation back to the
bot."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, StringConstraints

from assistant.server.deps import ApiTokenDep, ComponentsDep, ConversationsDep
from assistant.server.protocol import message_frame

router = APIRouter(prefix="/api/agent", tags=["agent"])

# The name the shopper sees ("Alex joined the conversation.").
AgentName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
]


class ClaimRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agent: AgentName


class AgentMessageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Checked like a shopper's message: not blank, within channels.max_message_bytes.
    text: str
    agent: AgentName | None = None


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


@router.post("/conversations/{conversation_id}/claim")
async def claim(
    conversation_id: str, body: ClaimRequest, _: ApiTokenDep, conversations: ConversationsDep
) -> dict[str, Any]:
    """An agent joins a conversation with an open hand-off; the shopper is told."""
    records = await conversations.claim_handoff(conversation_id, agent=body.agent)
    return {
        "conversation_id": conversation_id,
        "agent": body.agent,
        "messages": [message_frame(r).model_dump(exclude_none=True) for r in records],
    }


@router.post("/conversations/{conversation_id}/messages")
async def post_message(
    conversation_id: str,
    body: AgentMessageRequest,
    _: ApiTokenDep,
    conversations: ConversationsDep,
) -> dict[str, Any]:
    """An agent's message to the shopper, while the conversation is handed off."""
    record = await conversations.agent_message(conversation_id, text=body.text, agent=body.agent)
    return {
        "conversation_id": conversation_id,
        "message": message_frame(record).model_dump(exclude_none=True),
    }
