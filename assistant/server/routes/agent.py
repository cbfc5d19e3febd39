"""The agent API, for a signed-in agent or admin or the API token (`server.staff`): open
hand-offs, a conversation's messages and summary, an agent joining a hand-off and writing to
the shopper, and handing a conversation back to the bot."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Path, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, StringConstraints

from assistant.conversation.events import NoteEvent
from assistant.conversation.notes import add_note, list_notes
from assistant.conversation.repository import MessageRecord
from assistant.errors import NotFound
from assistant.logs import conversation_context
from assistant.server.bodies import json_body
from assistant.server.deps import ComponentsDep, ConversationsDep
from assistant.server.openapi import error_responses, request_body
from assistant.server.protocol import message_frame
from assistant.server.staff import AgentCaller, Caller
from assistant.server.wire import MAX_INT32, StorableStr
from assistant.staff.accounts import member_by_email

logger = logging.getLogger(__name__)
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


class ClaimRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The API token's caller names the agent; a signed-in one is always its account's name.
    agent: AgentName | None = None


class AgentMessageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Checked like a shopper's message: not blank, within channels.max_message_bytes.
    text: StorableStr
    agent: AgentName | None = None


ClaimBody = Annotated[ClaimRequest, json_body(ClaimRequest)]
AgentMessageBody = Annotated[AgentMessageRequest, json_body(AgentMessageRequest)]


def _agent_name(caller: Caller, named: str | None, *, required: bool) -> str | None:
    """Who the shopper is told they talk to: a signed-in caller's own account name (whatever
    the body says), else the name the API token's caller gives."""
    if caller.member is not None:
        return caller.member.name
    if named is None and required:
        missing = {"type": "missing", "loc": ("body", "agent"), "msg": "Field required"}
        raise RequestValidationError([{**missing, "input": None}])
    return named


def _log(what: str, conversation_id: str, caller: Caller) -> None:
    """One INFO line for each change of hands: what, which conversation, and who did it."""
    member = caller.member
    who = f"{member.name} (account {member.id})" if member is not None else "the API token"
    with conversation_context(conversation_id):
        logger.info("hand-off %s by %s", what, who)


def _joined(conversation_id: str, agent: str, records: list[MessageRecord]) -> dict[str, Any]:
    """A claim's or a transfer's answer: who holds it now, and what the shopper was told."""
    return {
        "conversation_id": conversation_id,
        "agent": agent,
        "messages": [message_frame(r).model_dump(exclude_none=True) for r in records],
    }


@router.get("/handoffs", responses=error_responses(401, 403))
async def list_handoffs(_: AgentCaller, conversations: ConversationsDep) -> dict[str, Any]:
    return {"handoffs": await conversations.open_handoffs()}


@router.get(
    "/conversations/{conversation_id}/messages", responses=error_responses(401, 403, 404, 422)
)
async def conversation_messages(
    conversation_id: ConversationId,
    _: AgentCaller,
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


@router.get(
    "/conversations/{conversation_id}/summary", responses=error_responses(401, 403, 404, 422)
)
async def conversation_summary(
    conversation_id: ConversationId, _: AgentCaller, components: ComponentsDep
) -> dict[str, Any]:
    """What the agent reads first: the facts, and a checked summary in the model's words when
    one is configured (`generated`)."""
    summary = await components.summaries.summary(conversation_id)
    return {"conversation_id": conversation_id, "summary": summary.as_dict()}


@router.post(
    "/conversations/{conversation_id}/handback", responses=error_responses(401, 403, 404, 409, 422)
)
async def hand_back(
    conversation_id: ConversationId,
    caller: AgentCaller,
    conversations: ConversationsDep,
    resolved: bool = False,
) -> dict[str, Any]:
    member = caller.member
    # The holder gives it back; an admin (or the API token) may for anyone.
    holder = member.id if member is not None and member.role != "admin" else None
    records = await conversations.release_handoff(
        conversation_id, resolved=resolved, agent_id=holder
    )
    _log("resolved" if resolved else "handed back to the assistant", conversation_id, caller)
    return {
        "conversation_id": conversation_id,
        "status": "bot",
        "messages": [message_frame(r).model_dump(exclude_none=True) for r in records],
    }


@router.post(
    "/conversations/{conversation_id}/claim",
    responses=error_responses(400, 401, 403, 404, 409, 413, 422),
    openapi_extra=request_body(ClaimRequest),
)
async def claim(
    conversation_id: ConversationId,
    caller: AgentCaller,
    body: ClaimBody,
    conversations: ConversationsDep,
) -> dict[str, Any]:
    """An agent joins a conversation with an open hand-off; the shopper is told."""
    agent = _agent_name(caller, body.agent, required=True)
    assert agent is not None
    member = caller.member
    records = await conversations.claim_handoff(
        conversation_id,
        agent=agent,
        agent_id=member.id if member is not None else None,
        override=member is None,
    )
    if records:
        _log(f"claimed as {agent}", conversation_id, caller)
    return _joined(conversation_id, agent, records)


@router.post(
    "/conversations/{conversation_id}/messages",
    responses=error_responses(400, 401, 403, 404, 409, 413, 422),
    openapi_extra=request_body(AgentMessageRequest),
)
async def post_message(
    conversation_id: ConversationId,
    caller: AgentCaller,
    body: AgentMessageBody,
    conversations: ConversationsDep,
) -> dict[str, Any]:
    """An agent's message to the shopper, while the conversation is handed off."""
    agent = _agent_name(caller, body.agent, required=False)
    agent_id = caller.member.id if caller.member is not None else None
    record = await conversations.agent_message(
        conversation_id, text=body.text, agent=agent, agent_id=agent_id
    )
    return {
        "conversation_id": conversation_id,
        "message": message_frame(record).model_dump(exclude_none=True),
    }


class TransferRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The account of the agent who takes the conversation over.
    to: Annotated[StorableStr, StringConstraints(min_length=3, max_length=254)]


TransferBody = Annotated[TransferRequest, json_body(TransferRequest)]


@router.post(
    "/conversations/{conversation_id}/transfer",
    responses=error_responses(400, 401, 403, 404, 409, 413, 422),
    openapi_extra=request_body(TransferRequest),
)
async def transfer(
    conversation_id: ConversationId,
    caller: AgentCaller,
    body: TransferBody,
    components: ComponentsDep,
) -> dict[str, Any]:
    """Hand a conversation to another agent: by the agent who holds it, or by an admin; the
    shopper is told who joined."""
    target = await anyio.to_thread.run_sync(member_by_email, components.sessions, body.to)
    if target is None:
        raise NotFound(f"no active account for {body.to.strip().lower()}")
    member = caller.member
    records = await components.conversations.claim_handoff(
        conversation_id,
        agent=target.name,
        agent_id=target.id,
        transfer_by=member.id if member is not None else None,
        override=member is None or member.role == "admin",
    )
    _log(f"transferred to {target.name} (account {target.id})", conversation_id, caller)
    return _joined(conversation_id, target.name, records)


class NoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Checked like a shopper's message: not blank, within channels.max_message_bytes.
    text: StorableStr
    # The writer's name, from the API token's caller; a signed-in one's is their account's.
    agent: AgentName | None = None


NoteBody = Annotated[NoteRequest, json_body(NoteRequest)]


@router.get("/conversations/{conversation_id}/notes", responses=error_responses(401, 403, 404, 422))
async def conversation_notes(
    conversation_id: ConversationId, _: AgentCaller, components: ComponentsDep
) -> dict[str, Any]:
    """The team's notes on a conversation, oldest first; the shopper never sees them."""
    notes = await anyio.to_thread.run_sync(list_notes, components.sessions, conversation_id)
    return {"conversation_id": conversation_id, "notes": [n.as_dict() for n in notes]}


@router.post(
    "/conversations/{conversation_id}/notes",
    responses=error_responses(400, 401, 403, 404, 413, 422),
    openapi_extra=request_body(NoteRequest),
)
async def post_note(
    conversation_id: ConversationId,
    caller: AgentCaller,
    body: NoteBody,
    components: ComponentsDep,
) -> dict[str, Any]:
    """An internal note, from any agent (holding the conversation or not)."""
    author = _agent_name(caller, body.agent, required=True)
    assert author is not None
    note = await anyio.to_thread.run_sync(
        lambda: add_note(
            components.sessions,
            conversation_id,
            text=body.text,
            author=author,
            author_id=caller.member.id if caller.member is not None else None,
            max_bytes=components.settings.channels.max_message_bytes,
        )
    )
    # Heard by the team's consoles watching the conversation; a shopper's socket drops it.
    await components.broker.publish(conversation_id, NoteEvent(note=note.as_dict()))
    return {"conversation_id": conversation_id, "note": note.as_dict()}
