"""The order task in progress: which order and customer it is about, the orders a flow may
work on, and what the later steps share (an order's item, the price difference, the payment
methods a flow allows). Asking for the order and checking it are here too; which order the
shopper's words describe is `order_choice.py`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog import names_item
from actions.common import (
    ELIGIBLE_STATUSES,
    TASK_SLOTS,
    VERBS,
    button,
    call,
    entity_values,
    flow_of,
    item_label,
    latest_text,
    order_headline,
    orders,
    part,
    status_state,
    texts_since_flow_start,
)
from actions.order_choice import named_products, order_by_price, order_match
from assistant.backends.orders import (
    CustomerView,
    OrderItemView,
    OrderNotFound,
    OrderView,
    PaymentMethodView,
)
from assistant.engine.repair import OFFER_SLOT

MAX_BUTTONS = 10


def task_events(keep: dict[str, Any]) -> list[EventType]:
    """Slot events that end one task's choices, keeping the values given."""
    return [SlotSet(name, keep.get(name)) for name in TASK_SLOTS]


async def current_order(tracker: Tracker) -> OrderView:
    return await call(
        orders().get_order,
        str(tracker.get_slot("order_id")),
        customer_id=str(tracker.get_slot("customer_id")),
    )


async def current_customer(tracker: Tracker) -> CustomerView:
    return await call(orders().get_customer, str(tracker.get_slot("customer_id")))


# Not "the other order's payment method": that speaks of a payment method.
OTHER_ORDER = re.compile(
    r"\b(?:the )?other (?:order|one)\b(?!'s|’s| payment)|"
    r"\bwrong order\b|\bnot (?:this|that) order\b"
)


# "My last order", "the order I most recently placed", "my latest purchase".
LATEST_ORDER = re.compile(
    r"\b(?:most recent(?:ly)?|latest|last)\b(?:\s+\w+){0,2}?\s+(?:order|placed|purchase)\b"
)


def _order_set_this_turn(tracker: Tracker) -> bool:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == "order_id":
            return True
    return False


async def switch_order(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType] | None:
    """ "Actually, the other order": move the task to it (the engine then collects again what
    was chosen for the first order), or ask which one when there are several. A step reached
    without an order (the flow resumed after a digression that reset it) asks for one."""
    if not tracker.get_slot("order_id") and flow_of(tracker) != "change_default_address":
        ask_for_order(dispatcher, tracker, await eligible_orders(tracker))
        return [SlotSet("order_id", None)]
    if not tracker.get_slot("order_id") or not OTHER_ORDER.search(latest_text(tracker).lower()):
        return None
    if _order_set_this_turn(tracker):
        return None
    current = tracker.get_slot("order_id")
    others = [o for o in await eligible_orders(tracker) if o.id != current]
    if len(others) == 1:
        dispatcher.utter_message(response="utter_switched_order", order_id=others[0].id)
        return [SlotSet("order_id", others[0].id)]
    ask_for_order(dispatcher, tracker, others)
    return []


def _described(said: list[str], choices: list[OrderView]) -> OrderView | None:
    """The order the shopper's words describe, the latest words first."""
    return next((found for text in reversed(said) if (found := order_match(text, choices))), None)


async def eligible_orders(tracker: Tracker) -> list[OrderView]:
    """The customer's orders in a status the current flow may work on."""
    listed = await call(orders().list_orders, str(tracker.get_slot("customer_id")))
    return eligible_among(listed, flow_of(tracker))


def eligible_among(listed: Sequence[OrderView], flow: str) -> list[OrderView]:
    """Those of the orders in a status the flow may work on."""
    statuses = ELIGIBLE_STATUSES.get(flow)
    return [o for o in listed if statuses is None or o.status in statuses]


def ask_for_order(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    choices: list[OrderView],
    said: str = "",
) -> None:
    """Which order: each one's headline, or, when the shopper named a product that several
    of them hold ("the laptop"), only those orders, each with that item and its options."""
    holding = [
        (order, item)
        for order in choices
        for item in order.items
        if said and names_item(said, item.name)
    ]
    if len({order.id for order, _ in holding}) > 1:
        buttons = [
            button(f"{order.id} ({order.status}): {item_label(item)}", order_id=order.id)
            for order, item in holding
        ]
    else:
        buttons = [button(order_headline(o), order_id=o.id) for o in choices]
    dispatcher.utter_message(
        response="utter_ask_order_id",
        verb=VERBS.get(flow_of(tracker), "look up"),
        buttons=buttons[:MAX_BUTTONS],
    )


# A change asked of an order in the other state: an item of an order not yet delivered is
# changed in the order, one of a delivered order is exchanged.
_SAME_CHANGE = {
    ("exchange_order", "pending"): "modify_order_items",
    ("modify_order_items", "delivered"): "exchange_order",
    # "Cancel the mouse" once it has arrived: sending it back is how that is done.
    ("cancel_order", "delivered"): "return_order",
}


# A change the shopper named beside the one asked ("cancel or return"): offered when none of
# their orders allows the first.
_OTHER_CHANGE = {
    "cancel_order": ("return_order", re.compile(r"\b(?:return|send (?:it |them )?back)\w*")),
    "return_order": ("cancel_order", re.compile(r"\bcancel\w*")),
}


def refuse_status(
    dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderView
) -> list[EventType]:
    """Say why this flow cannot work on the order; where the same change is done another
    way in the order's state, offer that instead (a yes starts it, reading the request)."""
    flow = flow_of(tracker)
    other = _SAME_CHANGE.get((flow, order.status))
    if other is not None:
        dispatcher.utter_message(
            response="utter_offer_same_change",
            order_id=order.id,
            status=status_state(order.status),
            verb=VERBS.get(flow, "change"),
            other=VERBS.get(other, "change"),
        )
        return [SlotSet(OFFER_SLOT, other)]
    dispatcher.utter_message(
        response="utter_order_wrong_status",
        order_id=order.id,
        status=status_state(order.status),
        verb=VERBS.get(flow, "change"),
        statuses=" or ".join(ELIGIBLE_STATUSES.get(flow) or ()),
    )
    return []


# "In it", "from that order": the order the conversation was just about.
_THAT_ORDER = re.compile(
    r"\b(?:in|from|on|of) (?:it|that one|that order|this order)\b", re.IGNORECASE
)


def _order_referred_to(
    tracker: Tracker, text: str, listed: Sequence[OrderView]
) -> OrderView | None:
    """The order a message points back to ("all items in it"): the last one the
    conversation settled on, when the words point back and name no order themselves."""
    if not _THAT_ORDER.search(text) or entity_values(tracker, "order_id"):
        return None
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == "order_id" and event.get("value"):
            return next((o for o in listed if o.id == event["value"]), None)
    return None


class ActionAskOrderId(Action):
    """Offer the customer's orders this flow can work on, or end the flow if there is none."""

    def name(self) -> str:
        return "action_ask_order_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        flow = flow_of(tracker)
        listed = await call(orders().list_orders, str(tracker.get_slot("customer_id")))
        eligible = eligible_among(listed, flow)
        said = texts_since_flow_start(tracker)
        referred = _order_referred_to(tracker, " ".join(said), listed)
        if referred is not None:
            # "Return all the items in it": the order just talked about.
            if referred in eligible:
                return [SlotSet("order_id", referred.id)]
            return [*refuse_status(dispatcher, tracker, referred), ActiveLoop(None)]
        described = _described(said, eligible)
        elsewhere = _described(said, listed) if described is None else None
        if elsewhere is not None and elsewhere not in eligible:
            # "Return the running shoes" while that order is still pending: say so, rather
            # than offer the orders that hold something else.
            return [*refuse_status(dispatcher, tracker, elsewhere), ActiveLoop(None)]
        other = _OTHER_CHANGE.get(flow)
        if not eligible and other is not None and other[1].search(" ".join(said).lower()):
            # "Cancel or return everything" with nothing pending: offer the return.
            others = eligible_among(listed, other[0])
            if others:
                dispatcher.utter_message(
                    response="utter_offer_other_change",
                    verb=VERBS.get(flow, "change"),
                    statuses=" or ".join(ELIGIBLE_STATUSES.get(flow) or ()),
                    other=VERBS.get(other[0], "change"),
                    other_statuses=" or ".join(ELIGIBLE_STATUSES.get(other[0]) or ()),
                )
                return [SlotSet(OFFER_SLOT, other[0]), ActiveLoop(None)]
        if not eligible:
            dispatcher.utter_message(
                response="utter_no_eligible_orders",
                verb=VERBS.get(flow, "change"),
                statuses=" or ".join(ELIGIBLE_STATUSES.get(flow) or ()),
            )
            return [ActiveLoop(None)]
        # The only order this flow can work on, or the one the shopper's words describe
        # ("the bookshelf and water bottle one"), the latest words first: the change is
        # still listed and confirmed before anything happens.
        if len(eligible) == 1 and described is None and elsewhere is None:
            # "Cancel the watch" when the one order this could work on holds no watch: say so.
            products = await call(orders().list_products)
            named = [p.name for p in products if names_item(" ".join(said), p.name)]
            if named and not any(named_products(n, eligible[0]) for n in named):
                dispatcher.utter_message(
                    response="utter_no_order_holds",
                    name=named[0],
                    verb=VERBS.get(flow, "change"),
                    order_id=eligible[0].id,
                )
                return [ActiveLoop(None)]
        if len(eligible) == 1:
            return [SlotSet("order_id", eligible[0].id)]
        if described is not None:
            return [SlotSet("order_id", described.id)]
        priced = order_by_price(" ".join(said), eligible)
        if priced is not None:
            # "Return the more expensive of my two tablets": the order that holds it.
            return [SlotSet("order_id", priced.id)]
        if LATEST_ORDER.search(" ".join(said).lower()):
            # "The order I most recently placed": the account lists orders as placed.
            placed = (await current_customer(tracker)).order_ids
            latest = [oid for oid in placed if oid in {o.id for o in eligible}]
            if latest:
                return [SlotSet("order_id", latest[-1])]
        ask_for_order(dispatcher, tracker, eligible, " ".join(said))
        return []


class ActionValidateOrderId(Action):
    """The order must be the customer's own, in a status this flow may change."""

    def name(self) -> str:
        return "action_validate_order_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        order_id = str(tracker.get_slot("order_id"))
        try:
            order = await current_order(tracker)
        except OrderNotFound:
            dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
            return [SlotSet("order_id", None)]
        flow = flow_of(tracker)
        statuses = ELIGIBLE_STATUSES.get(flow)
        if statuses is not None and order.status not in statuses:
            refused = refuse_status(dispatcher, tracker, order)
            if refused:
                return [*refused, ActiveLoop(None)]
            return [SlotSet("order_id", None)]
        return []


def order_item(order: OrderView, item_id: str) -> OrderItemView:
    return next(item for item in order.items if item.item_id == item_id)


async def price_difference(tracker: Tracker, order: OrderView) -> Decimal:
    item_ids = list(tracker.get_slot("item_ids") or [])
    new_ids = list(tracker.get_slot("new_item_ids") or [])
    difference = Decimal("0")
    for item_id, new_id in zip(item_ids, new_ids, strict=False):
        current = order_item(order, item_id)
        product = await call(orders().get_product, current.product_id)
        variant = product.variant(new_id)
        if variant is not None:
            difference += variant.price - current.price
    return difference


async def eligible_methods(
    tracker: Tracker, order: OrderView, customer: CustomerView
) -> tuple[list[PaymentMethodView], dict[str, Any]]:
    """The methods this flow allows, and why others are not offered (the rule, as a part of
    a message)."""
    flow = flow_of(tracker)
    methods = list(customer.payment_methods)
    original = order.original_payment_method_id
    if flow == "return_order":
        allowed = [m for m in methods if m.id == original or m.source == "gift_card"]
        return allowed, part("utter_rule_refund_methods")
    if flow == "modify_order_payment":
        amount = order.payments[0].amount if order.payments else order.total
        allowed = [
            m
            for m in methods
            if m.id != original and (m.source != "gift_card" or (m.balance or 0) >= amount)
        ]
        return allowed, part("utter_rule_new_payment_method")
    difference = await price_difference(tracker, order)
    allowed = [m for m in methods if m.source != "gift_card" or (m.balance or 0) >= difference]
    return allowed, part("utter_rule_price_difference")
