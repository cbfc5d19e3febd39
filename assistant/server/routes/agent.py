"""The agent API (bearer token): open hand-offs, a conversation's messages and summary, an
agent joining a hand-off and writing to the shopper, and handing a conversation back to the
bot."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from assistant.server.deps import ApiTokenDep, ComponentsDep, ConversationsDep, get_components
from assistant.server.openapi import error_responses, request_body
from assistant.server.protocol import message_frame
from assistant.server.wire import MAX_INT32, StorableStr, decode_json

router = APIRouter(prefix="/api/agent", tags=["agent"])

# The name the shopper sees ("Alex joined the conversation.").
AgentName = Annotated[
    StorableStr,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
]
# Conversation ids are 32 hex digits; anything printable up to twice that is looked up.
ConversationId = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$", description="its id")
]
# The JSON around an agent's text may add this much to the message's own limit.
ENVELOPE_BYTES = 8192


class ClaimRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agent: AgentName


class AgentMessageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Checked like a shopper's message: not blank, within channels.max_message_bytes.
    text: StorableStr
    agent: AgentName | None = None


def _body(model: type[BaseModel]) -> Any:
    """A dependency that reads `model` from the JSON body, bounded like every other body (size,
    depth, numbers, storable text) before it is parsed; a body that is not the model's is a
    validation error (422), as FastAPI's own bodies are."""

    async def parse(request: Request) -> BaseModel:
        limit = get_components(request).settings.channels.max_message_bytes + ENVELOPE_BYTES
        data = decode_json(await request.body(), max_bytes=limit)
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
            raise RequestValidationError(errors) from exc

    return Depends(parse)


ClaimBody = Annotated[ClaimRequest, _body(ClaimRequest)]
AgentMessageBody = Annotated[AgentMessageRequest, _body(AgentMessageRequest)]


@router.get("/handoffs", responses=error_responses(401))
async def list_handoffs(_: ApiTokenDep, conversations: ConversationsDep) -> dict[str, Any]:
    return {"handoffs": await conversations.open_handoffs()}


@router.get("/conversations/{conversation_id}/messages", responses=error_responses(401, 404, 422))
async def conversation_messages(
    conversation_id: ConversationId,
    _: ApiTokenDep,
    conversations: ConversationsDep,
    after_seq: Annotated[int, Query(ge=0, le=MAX_INT32)] = 0,
) -> dict[str, Any]:
    info = await conversations.get(conversation_id)
    records = await conversations.history(info.id, after_seq=after_seq)
    return {
        "conversation_id": info.id,
        "status": info.status,
        "messages": [message_frame(r).model_dump(exclude_none=True) for r in records],
    }


@router.get("/conversations/{conversation_id}/summary", responses=error_responses(401, 404, 422))
async def conversation_summary(
    conversation_id: ConversationId, _: ApiTokenDep, components: ComponentsDep
) -> dict[str, Any]:
    """What the agent reads first: the facts, and a checked summary in the model's words when
    one is configured (`generated`)."""
    summary = await components.summaries.summary(conversation_id)
    return {"conversation_id": conversation_id, "summary": summary.as_dict()}


@router.post(
    "/conversations/{conversation_id}/handback", responses=error_responses(401, 404, 409, 422)
)
async def hand_back(
    conversation_id: ConversationId,
    _: ApiTokenDep,
    conversations: ConversationsDep,
    resolved: bool = False,
) -> dict[str, Any]:
    records = await conversations.release_handoff(conversation_id, resolved=resolved)
    return {
        "conversation_id": conversation_id,
        "status": "bot",
        "messages": [message_frame(r).model_dump(exclude_none=True) for r in records],
    }


@router.post(
    "/conversations/{conversation_id}/claim",
    responses=error_responses(400, 401, 404, 409, 413, 422),
    openapi_extra=request_body(ClaimRequest),
)
async def claim(
    conversation_id: ConversationId,
    _: ApiTokenDep,
    body: ClaimBody,
    conversations: ConversationsDep,
) -> dict[str, Any]:
    """An agent joins a conversation with an open hand-off; the shopper is told."""
    records = await conversations.claim_handoff(conversation_id, agent=body.agent)
    return {
        "conversation_id": conversation_id,
        "agent": body.agent,
        "messages": [message_frame(r).model_dump(exclude_none=True) for r in records],
    }


@router.post(
    "/conversations/{conversation_id}/messages",
    responses=error_responses(400, 401, 404, 409, 413, 422),
    openapi_extra=request_body(AgentMessageRequest),
)
async def post_message(
    conversation_id: ConversationId,
    _: ApiTokenDep,
    body: AgentMessageBody,
    conversations: ConversationsDep,
) -> dict[str, Any]:
    """An agent's message to the shopper, while the conversation is handed off."""
    record = await conversations.agent_message(conversation_id, text=body.text, agent=body.agent)
    return {
        "conversation_id": conversation_id,
        "message": message_frame(record).model_dump(exclude_none=True),
    }
