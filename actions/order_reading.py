"""Reading an order task's facts from whatever the shopper says, at any step.

Shoppers do not answer one question at a time: "refund to my gift card" comes while the
assistant asks which items, "no, I meant the order with the keyboard" comes at the
confirmation, "I don't need it anymore" comes with the request itself. Like a form's
`extract_<slot>` methods in Rasa, `action_read_order_facts` runs after every message while an
order flow is active (the flow's `listen:` in flows.yml) and fills any slot of the task the
message settles: the order (by the items it holds), the cancellation reason, the payment
method, the address, and, after a correction, the items. A value that differs from one
already collected is a correction: the engine takes the flow back to that step and asks
again only what depends on it. A fact the task cannot place yet (how to pay, before the order
is known) is kept in `heard`, so the step does not answer "Sorry, I didn't catch that"; the
later step reads it from what was said since the flow began.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.addresses import parse_address
from actions.catalog import mentioned_items, taken_and_refused
from actions.common import (
    call,
    entity_values,
    flow_of,
    latest_text,
    orders,
    texts_since_flow_start,
)
from actions.order_choice import named_products, order_by_price, order_match
from actions.order_task import (
    current_customer,
    current_order,
    eligible_methods,
    eligible_orders,
    order_item,
)
from actions.payments import mentioned_methods, payment_sources
from actions.variant_choice import choose_variant
from assistant.backends.orders import AddressView, OrderPolicyError, OrderView
from assistant.config.store import CancelReason
from assistant.config.store import reason_in as store_reason_in
from assistant.engine.slots import set_by_latest_message

# What each order flow collects that a message may settle at any step.
FLOW_FACTS: dict[str, frozenset[str]] = {
    "order_status": frozenset({"order"}),
    "cancel_order": frozenset({"order", "reason"}),
    "modify_order_address": frozenset({"order", "address"}),
    "modify_order_payment": frozenset({"order", "payment"}),
    "modify_order_items": frozenset({"order", "items", "payment"}),
    "return_order": frozenset({"order", "items", "payment"}),
    "exchange_order": frozenset({"order", "items", "payment"}),
    "change_default_address": frozenset({"address"}),
}
# Why an order is cancelled, in the shopper's words; the first that matches wins.
# A message that takes back something said before: "no, I meant ...", "actually ...".
CORRECTION = re.compile(
    r"\b(no|nope|wait|actually|sorry|meant|mean|instead|wrong|rather|not that|mixed (them|it) up|"
    r"only|never ?mind|don'?t want|do not want|"
    r"change (it|that) to|make (it|that))\b"
)
_ZIP = re.compile(r"\b(\d{5})\b")
_OTHER = re.compile(r"\b(?:other|another|different|second)\b")
# Words that give a reason rather than refuse a proposal, once a reason is held.
_GIVES_REASON = re.compile(
    r"\b(reason|because|since|anymore|any more|mistake\w*|accident\w*|no longer|changed my mind)\b"
)


# Slots that hold a fact for a step after the choice of items.
_LATER_FACTS = ("payment_method_id", "heard", "cancel_reason", "address")


def heard_later_fact(tracker: Tracker) -> bool:
    """Whether the latest message gave a fact for a later step ("refund to my gift card"
    while asked whether there are more items): the shopper has moved on."""
    return any(name in _LATER_FACTS for name in set_by_latest_message(tracker.events))


def reason_in(text: str, reasons: tuple[CancelReason, ...] | None = None) -> str | None:
    """The cancellation reason a message gives, if it gives one of the store's (`reasons`,
    else those the order backend accepts)."""
    return store_reason_in(text, orders().cancel_reasons if reasons is None else reasons)


def _corrected_zip(text: str, address: dict[str, Any] | None) -> dict[str, Any] | None:
    """ "The zip is wrong, it should be 10019": the address heard, with the new zip code."""
    if not address or not re.search(r"\b(zip|postal|postcode)\b", text.lower()):
        return None
    found = _ZIP.findall(text)
    if len(found) != 1 or found[0] == address.get("zip"):
        return None
    return asdict(replace(AddressView(**address), zip=found[0]))


class ActionReadOrderFacts(Action):
    """Fill whatever slots of the order task the latest message settles (see the module)."""

    def name(self) -> str:
        return "action_read_order_facts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        facts = FLOW_FACTS.get(flow_of(tracker), frozenset())
        text = latest_text(tracker)
        latest = tracker.latest_message or {}
        if not facts or not text or str(latest.get("text", "")).startswith("/"):
            return []  # a button sets its own value
        events: list[EventType] = []
        correcting = CORRECTION.search(text.lower()) is not None
        reason = reason_in(text) if "reason" in facts else None
        held_reason = tracker.get_slot("cancel_reason")
        if held_reason is not None and not _GIVES_REASON.search(text.lower()):
            reason = None  # "no, I don't want that for the lamp" refuses; it gives no reason
        if reason is not None and reason != held_reason:
            events.append(SlotSet("cancel_reason", reason))
        if "address" in facts:
            address = parse_address(text)
            fixed = _corrected_zip(text, tracker.get_slot("address"))
            chosen = asdict(address) if address is not None else fixed
            if chosen is not None and chosen != tracker.get_slot("address"):
                events.append(SlotSet("address", chosen))
        if not tracker.get_slot("customer_id"):
            return events
        order_id = tracker.get_slot("order_id")
        if (
            "order" in facts
            and not entity_values(tracker, "order_id")
            and (order_id is None or correcting)
        ):
            earlier = " ".join(texts_since_flow_start(tracker))
            switched = _order_meant(text, await eligible_orders(tracker), order_id, earlier)
            if switched is not None:
                return [*events, SlotSet("order_id", switched)]
        names_payment = "payment" in facts and bool(payment_sources(text, _kinds(tracker)))
        if order_id is None:
            return [*events, *([SlotSet("heard", text)] if names_payment else [])]
        try:
            order = await current_order(tracker)
        except OrderPolicyError:
            return events  # not the shopper's order: the order step says so
        if "items" in facts and correcting:
            events += _items_corrected(tracker, text, order)
            if not events:
                events += await _options_corrected(tracker, text, order)
        if names_payment:
            events += await _payment(tracker, text, order)
        return events


def _kinds(tracker: Tracker) -> list[str]:
    return [str(v) for v in entity_values(tracker, "payment_method")]


def _order_meant(
    text: str, eligible: Sequence[OrderView], current: str | None, earlier: str = ""
) -> str | None:
    """Another order the text describes, when it fits the text better than the current one
    ("no, the order with the keyboard", not "no, the helmet too" while the current order
    holds a helmet), or the one holding the dearer or cheaper of the items it compares
    ("no, return the more expensive one")."""
    priced = order_by_price(text, eligible, named_in=earlier)
    if priced is not None and current is not None:
        return priced.id if priced.id != current else None
    match = order_match(text, eligible)
    if match is None or match.id == current:
        return None
    held = next((o for o in eligible if o.id == current), None)
    if held is not None and named_products(text, held) >= named_products(text, match):
        return None
    return match.id


def _items_corrected(tracker: Tracker, text: str, order: OrderView) -> list[EventType]:
    """ "It's the tea kettle I want to return, not the helmet", "no, I don't want that for
    the espresso machine", "only the desk lamp": the items named, less the ones it refuses,
    when they differ from the ones chosen. An item named only to refuse it is taken out of
    the ones chosen, never made the only one."""
    chosen = list(tracker.get_slot("item_ids") or [])
    if not chosen:
        return []
    taken, refused_text = taken_and_refused(text.lower())
    named = mentioned_items(taken, order.items)
    refused = {order.items[i].item_id for i in mentioned_items(refused_text, order.items)}
    if named and _ADDS.search(taken) and not _ONLY.search(taken):
        # "No, I also want to return the smart watch": those too, beside the ones chosen.
        added = [order.items[i].item_id for i in named if order.items[i].item_id not in chosen]
        wanted = [item for item in chosen if item not in refused] + added
    elif named:
        wanted = [order.items[i].item_id for i in named if order.items[i].item_id not in refused]
    else:
        wanted = [item for item in chosen if item not in refused]
    if not wanted or sorted(wanted) == sorted(chosen):
        return []
    positions = sorted(
        i for i, item in enumerate(order.items) if item.item_id in wanted
    )  # fmt: skip
    return [
        SlotSet("selection", {"order_id": order.id, "positions": positions}),
        SlotSet("item_ids", wanted),
    ]


_ADDS = re.compile(r"\b(?:also|too|as well|in addition|plus)\b", re.IGNORECASE)
_ONLY = re.compile(r"\b(?:only|just)\b", re.IGNORECASE)


# "I didn't ask for silver", "not the silver one": options refused, not asked for.
_REFUSED = re.compile(
    r"\b(?:didn'?t|did not|don'?t|do not|never) (?:ask(?:ed)? for|want(?:ed)?|need|say|said)"
    r"\s+[^,.;!?]+|\bnot (?:the |a |an )?[a-z0-9 -]+? (?:one|ones)\b",
    re.IGNORECASE,
)


async def _options_corrected(tracker: Tracker, text: str, order: OrderView) -> list[EventType]:
    """ "No, make it the size 10 waterproof ones instead": other new options for the items
    already chosen, when the words pick exactly one variant."""
    item_ids = list(tracker.get_slot("item_ids") or [])
    new_ids = list(tracker.get_slot("new_item_ids") or [])
    if not item_ids or len(new_ids) != len(item_ids):
        return []
    picked = dict(enumerate(new_ids))
    text = _REFUSED.sub(" ", text)
    for position, item_id in enumerate(item_ids):
        current = order_item(order, item_id)
        product = await call(orders().get_product, current.product_id)
        choice = choose_variant(text, product, current)
        if choice.chosen is not None:
            picked[position] = choice.chosen.item_id
    if list(picked.values()) == new_ids:
        return []
    state = {
        "for": f"{order.id}|{','.join(item_ids)}",
        "picked": {str(p): item for p, item in picked.items()},
    }
    return [SlotSet("replacements", state), SlotSet("new_item_ids", list(picked.values()))]


async def _payment(tracker: Tracker, text: str, order: OrderView) -> list[EventType]:
    """The payment method the message names, when exactly one allowed method fits it;
    otherwise the words are kept for the payment step."""
    customer = await current_customer(tracker)
    sources = payment_sources(text, _kinds(tracker))
    named = [
        m
        for m in customer.payment_methods
        if m.source in sources
        or ("original" in sources and m.id == order.original_payment_method_id)
    ]
    allowed, _ = await eligible_methods(tracker, order, customer)
    fitting = [m for m in mentioned_methods(text, named) or named if m in allowed]
    held = tracker.get_slot("payment_method_id")
    if len(fitting) == 2 and held in {m.id for m in fitting} and _OTHER.search(text.lower()):
        # "The other card": the one of the two that is not chosen now.
        fitting = [m for m in fitting if m.id != held]
    if len(fitting) != 1:
        return [SlotSet("heard", text)]
    if fitting[0].id == tracker.get_slot("payment_method_id"):
        return []
    return [SlotSet("payment_method_id", fitting[0].id)]
