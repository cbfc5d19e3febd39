"""What the order actions share: calling the backend, reading the tracker, showing orders."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from rasa_sdk import Tracker

from actions import services
from actions.payments import money
from actions.variant_choice import describe_options
from assistant.backends.orders import OrderBackend, OrderItemView, OrderView
from assistant.engine.readings import asks_about
from assistant.engine.repair import OFFER_SLOT

T = TypeVar("T")

# The slots one order task fills; a new task starts from none of them.
TASK_SLOTS = (
    "order_id",
    "item_ids",
    "selection",
    "new_item_ids",
    "replacements",
    "payment_method_id",
    "cancel_reason",
    "address",
    "heard",
    "confirmed",
    "change_token",
)

# What each flow may do with which orders.
ELIGIBLE_STATUSES: dict[str, tuple[str, ...]] = {
    "cancel_order": ("pending",),
    "modify_order_items": ("pending",),
    "modify_order_address": ("pending",),
    "modify_order_payment": ("pending",),
    "return_order": ("delivered",),
    "exchange_order": ("delivered",),
}
VERBS: dict[str, str] = {
    "cancel_order": "cancel",
    "modify_order_items": "change items in",
    "modify_order_address": "change the shipping address of",
    "modify_order_payment": "change the payment method of",
    "return_order": "return items from",
    "exchange_order": "exchange items from",
    "order_status": "look up",
}


# The sentence that says an order's status ("Order #W1 has an exchange requested."), for the
# statuses that do not read as "Order #W1 is {status}.".
_STATUS_LINES = {
    "pending (items modified)": "utter_order_status_items_modified",
    "return requested": "utter_order_status_return_requested",
    "exchange requested": "utter_order_status_exchange_requested",
}
# Those statuses as a state an order "is" in.
_STATUS_STATES = {
    "pending (items modified)": "pending, with its items changed",
    "return requested": "awaiting a return",
    "exchange requested": "awaiting an exchange",
}


def status_line(order_id: str, status: str) -> dict[str, Any]:
    """The sentence that says an order's status, as a part of a message."""
    name = _STATUS_LINES.get(status, "utter_order_status_is")
    return part(name, order_id=order_id, status=status)


def status_state(status: str) -> str:
    """The status as a state an order "is" in: "delivered", "awaiting an exchange"."""
    return _STATUS_STATES.get(status, status)


async def call(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a (blocking) backend call off the event loop."""
    return await asyncio.to_thread(functools.partial(function, *args, **kwargs))


def orders() -> OrderBackend:
    return services.current().orders


def flow_of(tracker: Tracker) -> str:
    return str((tracker.active_loop or {}).get("name") or "")


def latest_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def spelled_text(tracker: Tracker) -> str | None:
    """The latest message as the NLU's speller read it ("wat is ur retrun polcy" → "what is
    your return policy"), when it read any word otherwise."""
    spelled = (tracker.latest_message or {}).get("spelled_text")
    return str(spelled) if spelled else None


def latest_intent(tracker: Tracker) -> str:
    intent = (tracker.latest_message or {}).get("intent") or {}
    return str(intent.get("name") or "")


def offered_order(tracker: Tracker) -> str | None:
    """The one order number in the offer the shopper just took ("... but I can cancel the
    whole order #W8367380 instead. Shall I?"), when the flow started on a yes to it."""
    if latest_intent(tracker) != "affirm":
        return None
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif event.get("event") == "bot" and seen_user:
            ids = services.current().orders.order_ids
            found = set(ids.find_all(str(event.get("text") or "")))
            return found.pop() if len(found) == 1 else None
    return None


def entity_values(tracker: Tracker, entity: str) -> list[Any]:
    found = (tracker.latest_message or {}).get("entities") or []
    return [e.get("value") for e in found if e.get("entity") == entity]


def payload_value(tracker: Tracker, entity: str) -> Any:
    """A value a clicked button carried (`/inform{"entity": value}`), if any."""
    for found in (tracker.latest_message or {}).get("entities") or []:
        if found.get("entity") == entity and found.get("extractor") == "payload":
            return found.get("value")
    return None


def texts_since_flow_start(tracker: Tracker) -> list[str]:
    """What the shopper said since the current flow started, the triggering message included;
    and, when the flow started on taking an offer ("Would you like me to start that?", "I
    can change the item in the order instead. Shall I?"), what led to the offer: the
    question, or the request of the flow that made it. Questions asked on the way are left
    out."""
    flow = flow_of(tracker)
    texts: list[str] = []
    # 0: after the start; 1: the starting message is next; 2: looking for the offer it took;
    # 3: what led to the offer, back to the start of the flow that made it; 4: that flow's
    # starting message is next.
    phase = 0
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if phase == 2:
                break
            text = str(event.get("text") or "")
            # A question asked on the way ("can the refund go to my gift card?") says no fact.
            entities = (event.get("parse_data") or {}).get("entities") or []
            numbered = any(e.get("entity") == "order_id" for e in entities)
            if phase != 0 or not asks_about(text, names_order=numbered):
                texts.append(text)
            if phase == 4:
                break
            phase = 2 if phase == 1 else phase
        elif kind == "active_loop" and event.get("name") and not event.get("resumed"):
            if phase == 0 and event.get("name") == flow:
                phase = 1
            elif phase == 3:
                phase = 4
        elif phase == 2 and kind == "slot" and event.get("name") == OFFER_SLOT:
            phase = 3 if event.get("value") else phase
    return list(reversed(texts))


def part(response: str, **values: Any) -> dict[str, Any]:
    """The response `response`, filled with `values`, given as the value of another response's
    placeholder (or as one of a list of lines): a sentence of a message made of several, each
    in the domain (see assistant/engine/domain.py)."""
    return {"response": response, **values}


def button(title: str, intent: str = "inform", **values: Any) -> dict[str, str]:
    import json

    payload = f"/{intent}" + (json.dumps(values, separators=(",", ":")) if values else "")
    return {"title": title, "payload": payload}


def item_label(item: OrderItemView) -> str:
    return f"{item.name} ({describe_options(item.options)})"


def order_headline(order: OrderView) -> str:
    names = ", ".join(item.name for item in order.items[:4])
    more = f" and {len(order.items) - 4} more" if len(order.items) > 4 else ""
    return f"{order.id} ({order.status}): {names}{more}"


def order_card(order: OrderView) -> dict[str, Any]:
    """The order summary the widget shows as a card (`custom.type == "order_summary"`)."""
    return {
        "type": "order_summary",
        "order_id": order.id,
        "status": order.status,
        "items": [
            {
                "item_id": item.item_id,
                "name": item.name,
                "options": item.options,
                "price": str(item.price),
            }
            for item in order.items
        ],
        "total": str(order.total),
        "address": order.address.one_line(),
        "tracking_ids": [t for f in order.fulfilments for t in f.tracking_ids],
    }


def total(prices: list[Decimal]) -> str:
    return money(sum(prices, Decimal("0")))
