"""Cancel, modify, return and exchange: the steps of the order flows in `flows.yml`.

Each flow collects, in order, the customer, the order, what to change and how to pay, then
lists the exact change and asks for a yes. Each ask action first reads what the shopper
already said (so "exchange the keyboard in #W2378156 for a clicky one" needs no questions
that are already answered) and otherwise asks with buttons whose payloads set the value, so
every task can be finished by clicking. Only `action_apply_order_change` writes, after the
yes, through the backend, which checks the policy again and is idempotent on the change token.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.addresses import address_buttons, parse_address
from actions.catalog import (
    choose_variant,
    differences,
    mentioned_items,
    mentioned_methods,
    money,
    replacement_candidates,
)
from actions.common import (
    ELIGIBLE_STATUSES,
    TASK_SLOTS,
    VERBS,
    button,
    call,
    entity_values,
    flow_of,
    item_label,
    latest_intent,
    latest_text,
    order_headline,
    orders,
    payload_value,
    status_state,
    texts_since_flow_start,
    total,
)
from assistant.backends.orders import (
    CANCEL_REASONS,
    AddressView,
    ChangeResult,
    CustomerView,
    OrderItemView,
    OrderNotFound,
    OrderPolicyError,
    OrderView,
    PaymentMethodView,
)

MAX_BUTTONS = 10
_DONE = re.compile(
    r"\b(that'?s (all|it|everything)|nothing else|no more|only (that|those|these)|"
    r"just (that|those|these)|done|that is all|that will be all)\b"
)
_ALL = re.compile(
    r"\b(all|every|everything)\b.*\b(items?|things|of (it|them)|order)\b|"
    r"\b(everything|all of (it|them))\b"
)


def _task_events(keep: dict[str, Any]) -> list[EventType]:
    return [SlotSet(name, keep.get(name)) for name in TASK_SLOTS]


class ActionStartOrderTask(Action):
    """Forget the previous task's choices; keep what the triggering message named."""

    def name(self) -> str:
        return "action_start_order_task"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        keep: dict[str, Any] = {}
        for slot, entity in (("order_id", "order_id"), ("cancel_reason", "cancel_reason")):
            values = entity_values(tracker, entity)
            if values:
                keep[slot] = values[0]
        return _task_events(keep)


async def _order(tracker: Tracker) -> OrderView:
    return await call(
        orders().get_order,
        str(tracker.get_slot("order_id")),
        customer_id=str(tracker.get_slot("customer_id")),
    )


async def _customer(tracker: Tracker) -> CustomerView:
    return await call(orders().get_customer, str(tracker.get_slot("customer_id")))


_OTHER_ORDER = re.compile(
    r"\b(?:the )?other (?:order|one)\b|\bwrong order\b|\bnot (?:this|that) order\b"
)


def _order_set_this_turn(tracker: Tracker) -> bool:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == "order_id":
            return True
    return False


async def _switch_order(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType] | None:
    """ "Actually, the other order": move the task to it (the engine then collects again what
    was chosen for the first order), or ask which one when there are several. A step reached
    without an order (the flow resumed after a digression that reset it) asks for one."""
    if not tracker.get_slot("order_id") and flow_of(tracker) != "change_default_address":
        _ask_for_order(dispatcher, tracker, await _eligible_orders(tracker))
        return [SlotSet("order_id", None)]
    if not tracker.get_slot("order_id") or not _OTHER_ORDER.search(latest_text(tracker).lower()):
        return None
    if _order_set_this_turn(tracker):
        return None
    current = tracker.get_slot("order_id")
    others = [o for o in await _eligible_orders(tracker) if o.id != current]
    if len(others) == 1:
        dispatcher.utter_message(response="utter_switched_order", order_id=others[0].id)
        return [SlotSet("order_id", others[0].id)]
    _ask_for_order(dispatcher, tracker, others)
    return []


async def _eligible_orders(tracker: Tracker) -> list[OrderView]:
    """The customer's orders in a status the current flow may work on."""
    statuses = ELIGIBLE_STATUSES.get(flow_of(tracker))
    listed = await call(orders().list_orders, str(tracker.get_slot("customer_id")))
    return [o for o in listed if statuses is None or o.status in statuses]


def _ask_for_order(
    dispatcher: CollectingDispatcher, tracker: Tracker, choices: list[OrderView]
) -> None:
    dispatcher.utter_message(
        response="utter_ask_order_id",
        verb=VERBS.get(flow_of(tracker), "look up"),
        buttons=[button(order_headline(o), order_id=o.id) for o in choices[:MAX_BUTTONS]],
    )


class ActionAskOrderId(Action):
    """Offer the customer's orders this flow can work on, or end the flow if there is none."""

    def name(self) -> str:
        return "action_ask_order_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        flow = flow_of(tracker)
        eligible = await _eligible_orders(tracker)
        if not eligible:
            dispatcher.utter_message(
                response="utter_no_eligible_orders",
                verb=VERBS.get(flow, "change"),
                statuses=" or ".join(ELIGIBLE_STATUSES.get(flow) or ()),
            )
            return [ActiveLoop(None)]
        # "the order with the tablet": one eligible order holding the named item, also when
        # it is the only one (the change is still listed and confirmed before anything).
        said = " ".join(texts_since_flow_start(tracker))
        holding = [o for o in eligible if mentioned_items(said, o.items)]
        if len(holding) == 1:
            return [SlotSet("order_id", holding[0].id)]
        _ask_for_order(dispatcher, tracker, eligible)
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
            order = await _order(tracker)
        except OrderNotFound:
            dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
            return [SlotSet("order_id", None)]
        flow = flow_of(tracker)
        statuses = ELIGIBLE_STATUSES.get(flow)
        if statuses is not None and order.status not in statuses:
            dispatcher.utter_message(
                response="utter_order_wrong_status",
                order_id=order.id,
                status=status_state(order.status),
                verb=VERBS.get(flow, "change"),
                statuses=" or ".join(statuses),
            )
            return [SlotSet("order_id", None)]
        return []


def _selection(tracker: Tracker, order_id: str) -> list[int] | None:
    """The positions picked so far in this order; None before the first question about it."""
    stored = tracker.get_slot("selection")
    if not isinstance(stored, dict) or stored.get("order_id") != order_id:
        return None
    return [int(i) for i in stored.get("positions") or []]


def _selection_event(order_id: str, positions: list[int]) -> EventType:
    return SlotSet("selection", {"order_id": order_id, "positions": sorted(positions)})


class ActionAskItemIds(Action):
    """Which of the order's items: named in text or clicked, until the shopper says that's all."""

    def name(self) -> str:
        return "action_ask_item_ids"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        switched = await _switch_order(dispatcher, tracker)
        if switched is not None:
            return switched
        order = await _order(tracker)
        stored = _selection(tracker, order.id)
        first_time = stored is None
        selection: list[int] = stored or []
        text = latest_text(tracker).lower()
        picked = payload_value(tracker, "item_pick")
        said = " ".join(texts_since_flow_start(tracker)) if first_time else text
        added: list[int] = []
        if picked is not None and str(picked).isdigit():
            added = [int(picked)] if int(picked) < len(order.items) else []
        elif picked == "all" or (picked is None and _ALL.search(said)):
            added = list(range(len(order.items)))
        elif picked is None:
            added = mentioned_items(said, order.items)
        for index in added:
            if index not in selection:
                selection.append(index)
        finished = payload_value(tracker, "items_done") is not None or (
            not added
            and not first_time
            and (_DONE.search(text) is not None or latest_intent(tracker) in ("affirm", "deny"))
        )
        if selection and (finished or len(selection) == len(order.items)):
            chosen = [order.items[i].item_id for i in sorted(selection)]
            return [_selection_event(order.id, selection), SlotSet("item_ids", chosen)]
        verb = {"return_order": "return", "exchange_order": "exchange"}.get(
            flow_of(tracker), "change"
        )
        rest = [i for i in range(len(order.items)) if i not in selection]
        buttons = [button(item_label(order.items[i]), item_pick=str(i)) for i in rest]
        if selection:
            listed = "; ".join(item_label(order.items[i]) for i in sorted(selection))
            dispatcher.utter_message(
                response="utter_ask_more_items",
                items=listed,
                verb=verb,
                order_id=order.id,
                buttons=[button("That's all", items_done=True), *buttons[:MAX_BUTTONS]],
            )
        else:
            if len(order.items) > 1:
                buttons.append(button("All items", item_pick="all"))
            dispatcher.utter_message(
                response="utter_ask_item_ids",
                verb=verb,
                order_id=order.id,
                buttons=buttons[: MAX_BUTTONS + 1],
            )
        return [_selection_event(order.id, selection)]


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


def _which(order: OrderView, item_ids: list[str], position: int) -> str:
    """The item being asked about; "second" when the same item is chosen twice, so the two
    questions read differently (and the shopper knows the first was understood)."""
    label = item_label(_order_item(order, item_ids[position]))
    same = [p for p, i in enumerate(item_ids) if item_label(_order_item(order, i)) == label]
    if len(same) > 1 and same.index(position) < len(_ORDINALS):
        return f"{_ORDINALS[same.index(position)]} {label}"
    return label


def _order_item(order: OrderView, item_id: str) -> OrderItemView:
    return next(item for item in order.items if item.item_id == item_id)


class ActionAskNewItemIds(Action):
    """For each chosen item, the new option: from the shopper's words, or clicked."""

    def name(self) -> str:
        return "action_ask_new_item_ids"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        switched = await _switch_order(dispatcher, tracker)
        if switched is not None:
            return switched
        order = await _order(tracker)
        item_ids: list[str] = list(tracker.get_slot("item_ids") or [])
        working_on = f"{order.id}|{','.join(item_ids)}"
        stored = tracker.get_slot("replacements")
        if not isinstance(stored, dict) or stored.get("for") != working_on:
            stored = None
        first_time = stored is None
        replacements: dict[str, str] = dict((stored or {}).get("picked") or {})
        # What was offered for an item last time: a follow-up ("full size, no backlight")
        # narrows those options rather than starting over.
        offered: dict[str, list[str]] = dict((stored or {}).get("offered") or {})
        said = " ".join(texts_since_flow_start(tracker)) if first_time else latest_text(tracker)
        picked = str(payload_value(tracker, "new_item_pick") or "")
        events: list[EventType] = []
        for position, item_id in enumerate(item_ids):
            if str(position) in replacements:
                continue
            current = _order_item(order, item_id)
            product = await call(orders().get_product, current.product_id)
            candidates = {v.item_id for v in replacement_candidates(product, current)}
            if picked.startswith(f"{position}:") and picked.split(":", 1)[1] in candidates:
                replacements[str(position)] = picked.split(":", 1)[1]
                continue
            choice = choose_variant(
                "" if picked else said, product, current, among=offered.get(str(position))
            )
            if choice.chosen is None and choice.unmatched and str(position) in offered:
                choice = choose_variant(said, product, current)
            if choice.chosen is not None:
                replacements[str(position)] = choice.chosen.item_id
                dispatcher.utter_message(
                    response="utter_new_item_chosen",
                    item=current.name,
                    options=differences(choice.chosen.options, current.options),
                    price=money(choice.chosen.price),
                )
                continue
            if not choice.candidates and not choice.unmatched:
                dispatcher.utter_message(
                    response="utter_no_other_options", item=item_label(current)
                )
                remaining = [i for p, i in enumerate(item_ids) if p != position]
                if not remaining:
                    return [ActiveLoop(None)]
                # Drop it and start the replacements again for the items that are left.
                return [SlotSet("item_ids", remaining)]
            if choice.unmatched:
                wanted = ", ".join(sorted(v for vs in choice.unmatched.values() for v in vs))
                dispatcher.utter_message(
                    response="utter_no_matching_option", item=current.name, wanted=wanted
                )
            buttons = [
                button(
                    f"{differences(v.options, current.options)} · {money(v.price)}",
                    new_item_pick=f"{position}:{v.item_id}",
                )
                for v in choice.candidates[:MAX_BUTTONS]
            ]
            dispatcher.utter_message(
                response="utter_ask_new_item",
                item=_which(order, item_ids, position),
                price=money(current.price),
                count=len(choice.candidates),
                buttons=buttons,
            )
            offered[str(position)] = [v.item_id for v in choice.candidates]
            state = {"for": working_on, "picked": replacements, "offered": offered}
            events.append(SlotSet("replacements", state))
            return events
        new_ids = [replacements[str(p)] for p in range(len(item_ids))]
        return [
            SlotSet("replacements", {"for": working_on, "picked": replacements}),
            SlotSet("new_item_ids", new_ids),
        ]


async def _price_difference(tracker: Tracker, order: OrderView) -> Decimal:
    item_ids = list(tracker.get_slot("item_ids") or [])
    new_ids = list(tracker.get_slot("new_item_ids") or [])
    difference = Decimal("0")
    for item_id, new_id in zip(item_ids, new_ids, strict=False):
        current = _order_item(order, item_id)
        product = await call(orders().get_product, current.product_id)
        variant = product.variant(new_id)
        if variant is not None:
            difference += variant.price - current.price
    return difference


async def _eligible_methods(
    tracker: Tracker, order: OrderView, customer: CustomerView
) -> tuple[list[PaymentMethodView], str]:
    """The methods this flow allows, and why others are not offered."""
    flow = flow_of(tracker)
    methods = list(customer.payment_methods)
    original = order.original_payment_method_id
    if flow == "return_order":
        allowed = [m for m in methods if m.id == original or m.source == "gift_card"]
        return allowed, "refunds go to the original payment method or a gift card"
    if flow == "modify_order_payment":
        amount = order.payments[0].amount if order.payments else order.total
        allowed = [
            m
            for m in methods
            if m.id != original and (m.source != "gift_card" or (m.balance or 0) >= amount)
        ]
        return (
            allowed,
            "the new method must differ from the current one, and a gift card must cover the total",
        )
    difference = await _price_difference(tracker, order)
    allowed = [m for m in methods if m.source != "gift_card" or (m.balance or 0) >= difference]
    return allowed, "a gift card must cover the price difference"


class ActionAskPaymentMethod(Action):
    def name(self) -> str:
        return "action_ask_payment_method"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        switched = await _switch_order(dispatcher, tracker)
        if switched is not None:
            return switched
        order = await _order(tracker)
        customer = await _customer(tracker)
        allowed, rule = await _eligible_methods(tracker, order, customer)
        if not allowed:
            dispatcher.utter_message(response="utter_no_payment_method", rule=rule)
            return [ActiveLoop(None)]
        latest = latest_text(tracker)
        kinds = [str(v) for v in entity_values(tracker, "payment_method")]
        named = mentioned_methods(latest, customer.payment_methods, kinds)
        if "original" in latest.lower() or "same" in latest.lower():
            original = order.original_payment_method_id
            named = [m for m in customer.payment_methods if m.id == original]
        fitting = [m for m in named if m in allowed]
        if len(fitting) == 1:
            return [SlotSet("payment_method_id", fitting[0].id)]
        if named and not fitting:
            dispatcher.utter_message(response="utter_payment_method_not_allowed", rule=rule)
        purpose = {
            "return_order": "Where should the refund go?",
            "modify_order_payment": "Which payment method should the order use instead?",
        }.get(flow_of(tracker), "Which payment method should pay or receive the price difference?")
        dispatcher.utter_message(
            response="utter_ask_payment_method",
            purpose=purpose,
            buttons=[button(m.label, payment_method_id=m.id) for m in allowed],
        )
        return []


class ActionValidatePaymentMethod(Action):
    def name(self) -> str:
        return "action_validate_payment_method"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        order = await _order(tracker)
        customer = await _customer(tracker)
        allowed, rule = await _eligible_methods(tracker, order, customer)
        if str(tracker.get_slot("payment_method_id")) in {m.id for m in allowed}:
            return []
        dispatcher.utter_message(response="utter_payment_method_not_allowed", rule=rule)
        return [SlotSet("payment_method_id", None)]


class ActionValidateCancelReason(Action):
    def name(self) -> str:
        return "action_validate_cancel_reason"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("cancel_reason") in CANCEL_REASONS:
            return []
        dispatcher.utter_message(response="utter_invalid_cancel_reason")
        return [SlotSet("cancel_reason", None)]


class ActionAskAddress(Action):
    """A full address from the shopper's words, or one of their known addresses, clicked."""

    def name(self) -> str:
        return "action_ask_address"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        switched = await _switch_order(dispatcher, tracker)
        if switched is not None:
            return switched
        customer = await _customer(tracker)
        known = await call(orders().list_orders, customer.id)
        options = address_buttons(flow_of(tracker), customer, known)
        source = payload_value(tracker, "address_from")
        if source is not None and str(source) in options:
            return [SlotSet("address", asdict(options[str(source)][1]))]
        parsed = parse_address(latest_text(tracker))
        if parsed is not None:
            return [SlotSet("address", asdict(parsed))]
        dispatcher.utter_message(
            response="utter_ask_address",
            buttons=[button(title, address_from=key) for key, (title, _) in options.items()],
        )
        return []


def _address(tracker: Tracker) -> AddressView:
    return AddressView(**dict(tracker.get_slot("address") or {}))


class ActionAskConfirmation(Action):
    """List the exact change and ask for an explicit yes."""

    def name(self) -> str:
        return "action_ask_confirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        switched = await _switch_order(dispatcher, tracker)
        if switched is not None:
            return switched
        flow = flow_of(tracker)
        customer = await _customer(tracker)
        order = None if flow == "change_default_address" else await _order(tracker)
        lines = await _describe_change(tracker, flow, order, customer)
        dispatcher.utter_message(
            response="utter_ask_confirmation",
            details="\n".join(lines),
            buttons=[button("Yes, go ahead", intent="affirm"), button("No", intent="deny")],
            json_message={"type": "change_summary", "flow": flow, "lines": lines},
        )
        return [SlotSet("change_token", uuid.uuid4().hex)]


async def _describe_change(
    tracker: Tracker, flow: str, order: OrderView | None, customer: CustomerView
) -> list[str]:
    method = customer.payment_method(str(tracker.get_slot("payment_method_id") or ""))
    if flow == "change_default_address":
        return [f"Change your default address to: {_address(tracker).one_line()}"]
    assert order is not None
    if flow == "cancel_order":
        paid = order.payments[0].payment_method_id if order.payments else ""
        refund_to = customer.payment_method(paid)
        by_gift_card = refund_to is not None and refund_to.source == "gift_card"
        timing = "immediately" if by_gift_card else "within 5 to 7 business days"
        return [
            f"Cancel order {order.id} ({', '.join(i.name for i in order.items)})",
            f"Reason: {tracker.get_slot('cancel_reason')}",
            f"Refund: {money(order.total)} to your {refund_to.label if refund_to else 'original payment method'}, {timing}",  # noqa: E501
        ]
    if flow == "modify_order_address":
        return [f"Ship order {order.id} to: {_address(tracker).one_line()}"]
    if flow == "modify_order_payment":
        label = method.label if method else "new payment method"
        return [f"Pay order {order.id} ({money(order.total)}) with your {label}"]
    item_ids = list(tracker.get_slot("item_ids") or [])
    if flow == "return_order":
        items = [_order_item(order, i) for i in item_ids]
        return [
            f"Return from order {order.id}: " + "; ".join(item_label(i) for i in items),
            f"Refund: {total([i.price for i in items])} to your {method.label if method else ''}",
            "You'll get an email with how to send the items back.",
        ]
    lines = [f"{'Exchange' if flow == 'exchange_order' else 'Change'} in order {order.id}:"]
    new_ids = list(tracker.get_slot("new_item_ids") or [])
    for item_id, new_id in zip(item_ids, new_ids, strict=False):
        current = _order_item(order, item_id)
        product = await call(orders().get_product, current.product_id)
        variant = product.variant(new_id)
        if variant is None:
            continue
        lines.append(
            f"• {current.name}: {differences(current.options, variant.options)} → "
            f"{differences(variant.options, current.options)} ({money(current.price)} → {money(variant.price)})"  # noqa: E501
        )
    difference = await _price_difference(tracker, order)
    label = method.label if method else ""
    if difference > 0:
        lines.append(f"You pay the difference of {money(difference)} with your {label}.")
    elif difference < 0:
        lines.append(f"You get {money(-difference)} back to your {label}.")
    else:
        lines.append("There is no price difference.")
    if flow == "modify_order_items":
        lines.append(
            "Items in an order can be changed only once, and the order can't be cancelled or "
            "changed again afterwards: is this every item you want to change?"
        )
    else:
        lines.append(
            "Is this every item you want to exchange? You'll get an email with how to "
            "send the old items back."
        )
    return lines


class ActionApplyOrderChange(Action):
    """The one write of an order flow, after the shopper's yes."""

    def name(self) -> str:
        return "action_apply_order_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        flow = flow_of(tracker)
        customer_id = str(tracker.get_slot("customer_id"))
        key = f"{tracker.sender_id}:{tracker.get_slot('change_token')}"
        backend = orders()
        order_id = str(tracker.get_slot("order_id") or "")
        item_ids = list(tracker.get_slot("item_ids") or [])
        new_ids = list(tracker.get_slot("new_item_ids") or [])
        method = str(tracker.get_slot("payment_method_id") or "")
        try:
            result: ChangeResult
            if flow == "cancel_order":
                reason = str(tracker.get_slot("cancel_reason"))
                result = await call(
                    backend.cancel_order, order_id, reason, customer_id=customer_id, key=key
                )
            elif flow == "modify_order_address":
                result = await call(
                    backend.modify_order_address,
                    order_id,
                    _address(tracker),
                    customer_id=customer_id,
                    key=key,
                )
            elif flow == "modify_order_payment":
                result = await call(
                    backend.modify_order_payment, order_id, method, customer_id=customer_id, key=key
                )
            elif flow == "modify_order_items":
                result = await call(
                    backend.modify_order_items,
                    order_id,
                    item_ids,
                    new_ids,
                    method,
                    customer_id=customer_id,
                    key=key,
                )
            elif flow == "return_order":
                result = await call(
                    backend.return_order_items,
                    order_id,
                    item_ids,
                    method,
                    customer_id=customer_id,
                    key=key,
                )
            elif flow == "exchange_order":
                result = await call(
                    backend.exchange_order_items,
                    order_id,
                    item_ids,
                    new_ids,
                    method,
                    customer_id=customer_id,
                    key=key,
                )
            elif flow == "change_default_address":
                result = await call(
                    backend.modify_customer_address,
                    _address(tracker),
                    customer_id=customer_id,
                    key=key,
                )
            else:
                raise OrderPolicyError(f"there is no change to make in {flow!r}")
        except OrderPolicyError as exc:
            dispatcher.utter_message(response="utter_change_refused", reason=exc.message)
            return _task_events({})
        dispatcher.utter_message(response="utter_change_done", outcome=_outcome(flow, result))
        if result.order is not None:
            from actions.common import order_card

            dispatcher.utter_message(json_message=order_card(result.order))
        return _task_events({"order_id": order_id or None})


def _outcome(flow: str, result: ChangeResult) -> str:
    order = result.order
    amount = result.amount_due
    if flow == "cancel_order" and order is not None:
        timing = result.details.get("refund_timing")
        when = "immediately" if timing == "immediately" else "within 5 to 7 business days"
        return f"Order {order.id} is cancelled; {money(-amount)} will be refunded {when}."
    if flow == "return_order" and order is not None:
        return (
            f"The return for order {order.id} is requested; {money(-amount)} will be refunded "
            "once the items are back. You'll get an email with instructions."
        )
    if flow == "exchange_order" and order is not None:
        return f"The exchange for order {order.id} is requested ({_difference(amount)})."
    if flow == "modify_order_items" and order is not None:
        return f"Order {order.id} is updated ({_difference(amount)})."
    if flow == "modify_order_payment" and order is not None:
        return f"Order {order.id} is now paid with the new method."
    if flow == "modify_order_address" and order is not None:
        return f"Order {order.id} will ship to {order.address.one_line()}."
    if result.customer is not None and result.customer.address is not None:
        return f"Your default address is now {result.customer.address.one_line()}."
    return "Done."


def _difference(amount: Decimal) -> str:
    if amount > 0:
        return f"you pay {money(amount)} more"
    if amount < 0:
        return f"you get {money(-amount)} back"
    return "no price difference"


class ActionDropOrderChange(Action):
    """The shopper said no: nothing changes."""

    def name(self) -> str:
        return "action_drop_order_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_change_dropped")
        return _task_events({"order_id": tracker.get_slot("order_id")})
