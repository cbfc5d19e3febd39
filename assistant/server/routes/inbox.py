"""What the agent console reads besides a conversation's messages: the inbox, the team (for a
transfer), the saved replies, and the context of the conversation an agent opened — the
customer's profile and recent orders, and what the shopper was searching for."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.backends.orders import CustomerNotFound, OrderView
from assistant.conversation import inbox
from assistant.conversation import repository as repo
from assistant.conversation.offline import online_accounts
from assistant.errors import ConversationNotFound
from assistant.persistence.models import Conversation
from assistant.persistence.models.base import utcnow
from assistant.persistence.models.staff import StaffUser
from assistant.server.deps import ComponentsDep
from assistant.server.openapi import error_responses
from assistant.server.routes.agent import ConversationId
from assistant.server.staff import AgentCaller

router = APIRouter(prefix="/api/agent", tags=["agent"])

# Orders the console shows for a customer, the most recent first.
ORDERS_SHOWN = 5


@router.get("/inbox", responses=error_responses(401, 403))
async def read_inbox(caller: AgentCaller, components: ComponentsDep) -> dict[str, Any]:
    """Every open hand-off and the 50 most recently closed, with how long each shopper waited;
    whether the team works now, and how many of it are signed in."""
    support = components.settings.support
    now = utcnow()

    def read(session: Session) -> dict[str, Any]:
        return {
            "now": now.isoformat(),
            "me": caller.member.as_dict() if caller.member is not None else None,
            "agents_online": len(online_accounts(session, now=now, presence_s=support.presence_s)),
            "open_now": components.conversations.hours.open_at(now),
            "sla_first_response_s": support.sla_first_response_s,
            "handoffs": inbox.items(session, now=now, sla_s=support.sla_first_response_s),
        }

    return await components.conversations.read(read)


@router.get("/agents", responses=error_responses(401, 403))
async def list_agents(_: AgentCaller, components: ComponentsDep) -> dict[str, Any]:
    """The active accounts, and which are signed in now (whom a conversation can go to)."""
    presence_s = components.settings.support.presence_s

    def read(session: Session) -> list[dict[str, Any]]:
        online = online_accounts(session, now=utcnow(), presence_s=presence_s)
        users = session.scalars(select(StaffUser).where(StaffUser.active).order_by(StaffUser.name))
        return [
            {"id": u.id, "name": u.name, "email": u.email, "role": u.role, "online": u.id in online}
            for u in users
        ]

    return {"agents": await components.conversations.read(read)}


@router.get("/saved-replies", responses=error_responses(401, 403))
async def saved_replies(_: AgentCaller, components: ComponentsDep) -> dict[str, Any]:
    """The team's saved replies (`support.saved_replies`); the console fills their
    placeholders: {customer_name}, {agent_name}, {order_id}, {store_name}."""
    replies = components.settings.support.saved_replies
    return {
        "store_name": components.settings.assistant.name,
        "replies": [reply.model_dump() for reply in replies],
    }


def _order(order: OrderView) -> dict[str, Any]:
    return {
        "id": order.id,
        "status": order.status,
        "total": str(order.total),
        "items": [item.name for item in order.items],
    }


@router.get(
    "/conversations/{conversation_id}/context", responses=error_responses(401, 403, 404, 422)
)
async def conversation_context(
    conversation_id: ConversationId, _: AgentCaller, components: ComponentsDep
) -> dict[str, Any]:
    """Who the shopper is and what they were doing: the hand-off, the signed-in customer's
    profile and recent orders with their statuses, and the search and suggestions state."""
    support = components.settings.support

    def read(session: Session) -> tuple[dict[str, Any], str | None]:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            raise ConversationNotFound(f"no conversation {conversation_id}")
        slots = repo.slot_values(session, conversation_id=conversation_id)
        handoff = inbox.conversation_item(
            session, conversation_id, now=utcnow(), sla_s=support.sla_first_response_s
        )
        body = {
            "conversation_id": conversation_id,
            "status": conversation.status,
            "handoff": handoff,
            "search": slots.get("search"),
            "offer": slots.get("offer"),
        }
        return body, conversation.customer_id or slots.get("customer_id")

    body, customer_id = await components.conversations.read(read)
    body["customer"], body["orders"] = None, []
    if customer_id:
        orders = components.orders

        def customer() -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
            try:
                found = orders.get_customer(customer_id)
            except CustomerNotFound:
                return None
            listed = [o for o in orders.list_orders(customer_id)][::-1][:ORDERS_SHOWN]
            profile = {
                "id": found.id,
                "name": f"{found.first_name} {found.last_name}".strip(),
                "email": found.email,
                "address": found.address.one_line() if found.address is not None else None,
            }
            return profile, [_order(o) for o in listed]

        known = await anyio.to_thread.run_sync(customer)
        if known is not None:
            body["customer"], body["orders"] = known
    return body
