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
from dataclasses import asdict
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.addresses import address_buttons, known_address_named, parse_address
from actions.catalog import described_alike, mentioned_items, same_named_items
from actions.common import (
    button,
    call,
    entity_values,
    flow_of,
    item_label,
    latest_intent,
    latest_text,
    offered_order,
    orders,
    payload_value,
    texts_since_flow_start,
)
from actions.order_reading import heard_later_fact, reason_in
from actions.order_step import OrderStep
from actions.order_task import (
    MAX_BUTTONS,
    current_customer,
    current_order,
    eligible_methods,
    task_events,
)
from actions.payments import mentioned_methods, payment_sources
from assistant.backends.orders import (
    OrderView,
    PaymentMethodView,
)
from assistant.engine.repair import OFFER_SLOT

_DONE = re.compile(
    r"\b(that'?s (all|it|everything)|nothing else|no more|only (that|those|these)|"
    r"just (that|those|these)|done|that is all|that will be all)\b"
)
_ALL = re.compile(
    r"\b(all|every|everything)\b.*\b(items?|things|of (it|them)|order)\b|"
    r"\b(everything|all of (it|them))\b"
)


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
        if (offered := offered_order(tracker)) is not None:
            # A yes to "I can cancel the whole order #W8367380 instead": that order.
            keep.setdefault("order_id", offered)
        if flow_of(tracker) == "cancel_order" and UNDOES_CANCEL.search(latest_text(tracker)):
            # "Undo the cancellation of my order": a cancelled order stays cancelled here;
            # a person is offered.
            dispatcher.utter_message(response="utter_cannot_undo_cancel")
            return [SlotSet(OFFER_SLOT, "human_handoff"), ActiveLoop(None)]
        if flow_of(tracker) == "cancel_order" and "cancel_reason" not in keep:
            keep["cancel_reason"] = reason_in(latest_text(tracker))
        return task_events(keep)


UNDOES_CANCEL = re.compile(
    r"\b(?:undo|reverse|revert|take back)\b[\w' ]{0,30}?\bcancel\w*|\buncancel\w*|"
    r"\b(?:reinstate|restore|reactivate|reopen)\b[\w' ]{0,20}?\b(?:cancel\w* )?order\b",
    re.IGNORECASE,
)


def _selection(tracker: Tracker, order_id: str) -> list[int] | None:
    """The positions picked so far in this order; None before the first question about it."""
    stored = tracker.get_slot("selection")
    if not isinstance(stored, dict) or stored.get("order_id") != order_id:
        return None
    return [int(i) for i in stored.get("positions") or []]


def _selection_event(order_id: str, positions: list[int]) -> EventType:
    return SlotSet("selection", {"order_id": order_id, "positions": sorted(positions)})


class ActionAskItemIds(OrderStep, Action):
    """Which of the order's items: named in text or clicked, until the shopper says that's all."""

    def name(self) -> str:
        return "action_ask_item_ids"

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderView | None
    ) -> list[EventType]:
        assert order is not None
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
            if not added and first_time and len(order.items) == 1:
                added = [0]  # the order's only item: nothing to choose
            if not added and not first_time:
                # "The robotic one", after "which of the two vacuum cleaners?".
                earlier = " ".join(texts_since_flow_start(tracker))
                added = described_alike(text, order.items, same_named_items(earlier, order.items))
        for index in added:
            if index not in selection:
                selection.append(index)
        chosen_products = {order.items[i].product_id for i in selection}
        # "The vacuum cleaner" when the order holds two and none of them is chosen yet.
        alike = [
            i
            for i in same_named_items(said, order.items)
            if order.items[i].product_id not in chosen_products
        ]
        answered_alike = (
            picked is not None
            and str(picked).isdigit()
            and int(picked)
            in same_named_items(" ".join(texts_since_flow_start(tracker)), order.items)
        )
        finished = (
            payload_value(tracker, "items_done") is not None
            # The answer to "which of the two?": the rest was named in the shopper's words.
            or (answered_alike and not alike)
            # Named in the shopper's own words: the summary lists them before anything changes.
            or (bool(added) and picked is None and not alike)
            or (
                not added
                and not first_time
                and (
                    _DONE.search(text) is not None
                    or latest_intent(tracker) in ("affirm", "deny")
                    or heard_later_fact(tracker)
                )
            )
        )
        if selection and (finished or len(selection) == len(order.items)):
            chosen = [order.items[i].item_id for i in sorted(selection)]
            return [_selection_event(order.id, selection), SlotSet("item_ids", chosen)]
        verb = {"return_order": "return", "exchange_order": "exchange"}.get(
            flow_of(tracker), "change"
        )
        rest = [i for i in range(len(order.items)) if i not in selection]
        buttons = [button(item_label(order.items[i]), item_pick=str(i)) for i in rest]
        if picked is None and alike:
            # "The Bluetooth speaker" when the order holds two: which one, not "didn't catch".
            dispatcher.utter_message(
                response="utter_ask_which_alike",
                count=len(alike),
                name=order.items[alike[0]].name,
                order_id=order.id,
                buttons=[button(item_label(order.items[i]), item_pick=str(i)) for i in alike],
            )
            return [_selection_event(order.id, selection)]
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


class ActionAskPaymentMethod(OrderStep, Action):
    def name(self) -> str:
        return "action_ask_payment_method"

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderView | None
    ) -> list[EventType]:
        assert order is not None
        customer = await current_customer(tracker)
        allowed, rule = await eligible_methods(tracker, order, customer)
        if not allowed:
            dispatcher.utter_message(response="utter_no_payment_method", rule=rule)
            return [ActiveLoop(None)]
        kinds = [str(v) for v in entity_values(tracker, "payment_method")]
        named: list[PaymentMethodView] = []
        latest = latest_text(tracker).lower()
        others = [m for m in customer.payment_methods if m not in allowed]
        if (
            OTHER_METHOD.search(latest)
            and others
            and not set(mentioned_methods(latest, customer.payment_methods, kinds)) & set(allowed)
        ):
            # "Refund it to the other order's payment method": one the rule does not allow.
            dispatcher.utter_message(response="utter_payment_method_not_allowed", rule=rule)
            return _ask_method(dispatcher, tracker, allowed)
        # The latest words first; then what was said since the task began ("refund to my
        # gift card" before the order was chosen).
        for position, said in enumerate(reversed(texts_since_flow_start(tracker))):
            named = mentioned_methods(said, customer.payment_methods, kinds if not position else ())
            if "original" in payment_sources(said):
                original = order.original_payment_method_id
                named = [m for m in customer.payment_methods if m.id == original]
            fitting = [m for m in named if m in allowed]
            if len(fitting) == 1:
                return [SlotSet("payment_method_id", fitting[0].id)]
            if named:
                break
        if named and not fitting:
            dispatcher.utter_message(response="utter_payment_method_not_allowed", rule=rule)
        return _ask_method(dispatcher, tracker, allowed)


# "The other card", "a different payment method", "another account".
OTHER_METHOD = re.compile(
    r"\b(?:other|another|different)\b[\w'’ ]{0,20}?\b(?:payment method|card|account)\b"
)


def _ask_method(
    dispatcher: CollectingDispatcher, tracker: Tracker, allowed: list[PaymentMethodView]
) -> list[EventType]:
    flow = flow_of(tracker)
    if flow == "return_order":
        question = "utter_ask_refund_method"
    elif flow == "modify_order_payment":
        question = "utter_ask_new_payment_method"
    else:
        question = "utter_ask_payment_method"
    dispatcher.utter_message(
        response=question,
        buttons=[button(m.label, payment_method_id=m.id) for m in allowed],
    )
    return []


class ActionValidatePaymentMethod(Action):
    def name(self) -> str:
        return "action_validate_payment_method"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        order = await current_order(tracker)
        customer = await current_customer(tracker)
        allowed, rule = await eligible_methods(tracker, order, customer)
        if str(tracker.get_slot("payment_method_id")) in {m.id for m in allowed}:
            return []
        dispatcher.utter_message(response="utter_payment_method_not_allowed", rule=rule)
        return [SlotSet("payment_method_id", None)]


class ActionAskCancelReason(Action):
    """The reason, from anything said since the task began ("I don't need it anymore"), or
    asked with the accepted reasons as buttons."""

    def name(self) -> str:
        return "action_ask_cancel_reason"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        for text in reversed(texts_since_flow_start(tracker)):
            reason = reason_in(text)
            if reason is not None:
                return [SlotSet("cancel_reason", reason)]
        dispatcher.utter_message(response="utter_ask_cancel_reason")
        return []


class ActionValidateCancelReason(Action):
    def name(self) -> str:
        return "action_validate_cancel_reason"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        accepted = [reason.reason for reason in orders().cancel_reasons]
        if tracker.get_slot("cancel_reason") in accepted:
            return []
        dispatcher.utter_message(response="utter_invalid_cancel_reason")
        return [SlotSet("cancel_reason", None)]


class ActionAskAddress(OrderStep, Action):
    """A full address from the shopper's words, or one of their known addresses, clicked."""

    needs_order = False

    def name(self) -> str:
        return "action_ask_address"

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderView | None
    ) -> list[EventType]:
        customer = await current_customer(tracker)
        known = await call(orders().list_orders, customer.id)
        options = address_buttons(flow_of(tracker), customer, known)
        source = payload_value(tracker, "address_from")
        if source is not None and str(source) in options:
            return [SlotSet("address", asdict(options[str(source)][1]))]
        changing = tracker.get_slot("order_id")
        named = known_address_named(
            latest_text(tracker),
            options,
            changing=str(changing) if changing else None,
            orders=known,
            order_ids=orders().order_ids,
        )
        if named is not None and parse_address(latest_text(tracker)) is None:
            return [SlotSet("address", asdict(options[named][1]))]
        for said in reversed(texts_since_flow_start(tracker)):
            parsed = parse_address(said)
            if parsed is not None:
                return [SlotSet("address", asdict(parsed))]
        dispatcher.utter_message(
            response="utter_ask_address",
            buttons=[button(title, address_from=key) for key, (title, _) in options.items()],
        )
        return []
