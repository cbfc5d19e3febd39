"""The end of an order flow: the exact change listed for a yes, the one write after it, or
nothing after a no."""

from __future__ import annotations

import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    call,
    flow_of,
    item_label,
    orders,
    part,
    total,
)
from actions.order_step import OrderStep
from actions.order_task import (
    current_customer,
    order_item,
    price_difference,
    task_events,
)
from actions.payments import money
from actions.variant_choice import differences
from assistant.backends.changes import CHANGES, OrderChange, apply, parse_change
from assistant.backends.orders import (
    AddressView,
    ChangeResult,
    CustomerView,
    OrderPolicyError,
    OrderView,
)

# The backend operation each order flow ends in.
KINDS = {
    "cancel_order": "cancel_order",
    "modify_order_address": "modify_order_address",
    "modify_order_payment": "modify_order_payment",
    "modify_order_items": "modify_order_items",
    "return_order": "return_order_items",
    "exchange_order": "exchange_order_items",
    "change_default_address": "modify_customer_address",
}


def _address(tracker: Tracker) -> AddressView:
    return AddressView(**dict(tracker.get_slot("address") or {}))


def change_of(flow: str | None, tracker: Tracker) -> OrderChange:
    """The change a confirmed flow makes, from the slots it collected."""
    kind = KINDS.get(flow or "")
    if kind is None:
        raise OrderPolicyError(f"there is no change to make in {flow!r}")
    data: dict[str, Any] = {
        "kind": kind,
        "order_id": str(tracker.get_slot("order_id") or ""),
        "reason": str(tracker.get_slot("cancel_reason")),
        "payment_method_id": str(tracker.get_slot("payment_method_id") or ""),
        "item_ids": list(tracker.get_slot("item_ids") or []),
        "new_item_ids": list(tracker.get_slot("new_item_ids") or []),
        "address": _address(tracker) if "address" in kind else None,
    }
    fields = CHANGES[kind].model_fields
    return parse_change({name: value for name, value in data.items() if name in fields})


class ActionAskConfirmation(OrderStep, Action):
    """List the exact change and ask for an explicit yes."""

    def name(self) -> str:
        return "action_ask_confirmation"

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderView | None
    ) -> list[EventType]:
        flow = flow_of(tracker)
        customer = await current_customer(tracker)
        if flow in ("modify_order_address", "change_default_address"):
            # The address it already has: nothing to change, nothing to confirm.
            current = order.address if order is not None else customer.address
            if current is not None and _address(tracker) == current:
                dispatcher.utter_message(
                    response="utter_address_unchanged"
                    if order is None
                    else "utter_order_address_unchanged",
                    order_id=order.id if order is not None else None,
                    address=current.one_line(),
                )
                return [ActiveLoop(None)]
        lines = await _describe_change(tracker, flow, order, customer)
        dispatcher.utter_message(
            response="utter_ask_confirmation",
            details="\n".join(lines),
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
        items = [order_item(order, i) for i in item_ids]
        return [
            f"Return from order {order.id}: " + "; ".join(item_label(i) for i in items),
            f"Refund: {total([i.price for i in items])} to your {method.label if method else ''}",
            "You'll get an email with how to send the items back.",
        ]
    lines = [f"{'Exchange' if flow == 'exchange_order' else 'Change'} in order {order.id}:"]
    new_ids = list(tracker.get_slot("new_item_ids") or [])
    for item_id, new_id in zip(item_ids, new_ids, strict=False):
        current = order_item(order, item_id)
        product = await call(orders().get_product, current.product_id)
        variant = product.variant(new_id)
        if variant is None:
            continue
        lines.append(
            f"• {current.name}: {differences(current.options, variant.options)} → "
            f"{differences(variant.options, current.options)} ({money(current.price)} → {money(variant.price)})"  # noqa: E501
        )
    difference = await price_difference(tracker, order)
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
        order_id = str(tracker.get_slot("order_id") or "")
        try:
            change = change_of(flow, tracker)
            result = await call(apply, orders(), change, customer_id=customer_id, key=key)
        except OrderPolicyError as exc:
            dispatcher.utter_message(response="utter_change_refused", reason=exc.message)
            return task_events({})
        dispatcher.utter_message(response="utter_change_done", outcome=_outcome(flow, result))
        if result.order is not None:
            from actions.common import order_card

            dispatcher.utter_message(json_message=order_card(result.order))
        return task_events({"order_id": order_id or None})


def _outcome(flow: str, result: ChangeResult) -> dict[str, Any]:
    """The sentence that says what the change did, as a part of `utter_change_done`."""
    order = result.order
    amount = result.amount_due
    if order is not None and flow == "cancel_order":
        if result.details.get("refund_timing") == "immediately":
            return part("utter_cancelled_refund_now", order_id=order.id, amount=money(-amount))
        return part("utter_cancelled_refund_later", order_id=order.id, amount=money(-amount))
    if order is not None and flow == "return_order":
        return part("utter_return_requested", order_id=order.id, amount=money(-amount))
    if order is not None and flow in ("exchange_order", "modify_order_items"):
        exchange = flow == "exchange_order"
        if amount > 0:
            name = "utter_exchange_requested_pay" if exchange else "utter_items_changed_pay"
        elif amount < 0:
            name = "utter_exchange_requested_back" if exchange else "utter_items_changed_back"
        else:
            name = "utter_exchange_requested_even" if exchange else "utter_items_changed_even"
        return part(name, order_id=order.id, amount=money(abs(amount)))
    if order is not None and flow == "modify_order_payment":
        return part("utter_payment_changed", order_id=order.id)
    if order is not None and flow == "modify_order_address":
        return part(
            "utter_order_address_changed", order_id=order.id, address=order.address.one_line()
        )
    if result.customer is not None and result.customer.address is not None:
        return part("utter_default_address_changed", address=result.customer.address.one_line())
    return part("utter_change_made")


class ActionDropOrderChange(Action):
    """The shopper said no: nothing changes."""

    def name(self) -> str:
        return "action_drop_order_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_change_dropped")
        return task_events({"order_id": tracker.get_slot("order_id")})
