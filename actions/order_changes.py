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
from actions.catalog import (
    choose_variant,
    described_alike,
    differences,
    mentioned_items,
    mentioned_methods,
    money,
    payment_sources,
    replacement_candidates,
    same_named_items,
)
from actions.common import (
    button,
    call,
    entity_values,
    flow_of,
    item_label,
    latest_intent,
    latest_text,
    orders,
    payload_value,
    texts_since_flow_start,
)
from actions.order_reading import heard_later_fact, reason_in, taken_and_refused
from actions.order_task import (
    MAX_BUTTONS,
    current_customer,
    current_order,
    eligible_methods,
    order_item,
    switch_order,
    task_events,
)
from actions.variant_words import typed_option, without_indifference, words_about
from assistant.backends.orders import (
    CANCEL_REASONS,
    OrderView,
    PaymentMethodView,
)
from assistant.search.words import names_product

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
        if flow_of(tracker) == "cancel_order" and "cancel_reason" not in keep:
            keep["cancel_reason"] = reason_in(latest_text(tracker))
        return task_events(keep)


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
        switched = await switch_order(dispatcher, tracker)
        if switched is not None:
            return switched
        order = await current_order(tracker)
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


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


def _which(order: OrderView, item_ids: list[str], position: int) -> str:
    """The item being asked about; "second" when the same item is chosen twice, so the two
    questions read differently (and the shopper knows the first was understood)."""
    label = item_label(order_item(order, item_ids[position]))
    same = [p for p, i in enumerate(item_ids) if item_label(order_item(order, i)) == label]
    if len(same) > 1 and same.index(position) < len(_ORDINALS):
        return f"{_ORDINALS[same.index(position)]} {label}"
    return label


class ActionAskNewItemIds(Action):
    """For each chosen item, the new option: from the shopper's words, or clicked."""

    def name(self) -> str:
        return "action_ask_new_item_ids"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        switched = await switch_order(dispatcher, tracker)
        if switched is not None:
            return switched
        order = await current_order(tracker)
        item_ids: list[str] = list(tracker.get_slot("item_ids") or [])
        working_on = f"{order.id}|{','.join(item_ids)}"
        stored = tracker.get_slot("replacements")
        if isinstance(stored, dict) and stored.get("for") != working_on:
            # Fewer items than before ("no, only the desk lamp"): the choices made stay.
            stored = _carried_over(stored, order.id, item_ids)
        if not isinstance(stored, dict):
            stored = None
        replacements: dict[str, str] = dict((stored or {}).get("picked") or {})
        # What was offered for an item last time: a follow-up ("full size, no backlight")
        # narrows those options rather than starting over.
        offered: dict[str, list[str]] = dict((stored or {}).get("offered") or {})
        # What was said before the first of these questions, for the items not asked about
        # yet; the latest message, for the item just asked about.
        opening = str((stored or {}).get("opening") or " ".join(texts_since_flow_start(tracker)))
        opening = without_indifference(opening)
        said = without_indifference(latest_text(tracker))
        picked = str(payload_value(tracker, "new_item_pick") or "")
        names = [order_item(order, i).name for i in item_ids]
        names += [p.name for p in await call(orders().list_products)]
        events: list[EventType] = []
        for position, item_id in enumerate(item_ids):
            if str(position) in replacements:
                continue
            current = order_item(order, item_id)
            product = await call(orders().get_product, current.product_id)
            variants = replacement_candidates(product, current)
            candidates = {v.item_id for v in variants}
            asked = str(position) in offered
            typed = None
            if not picked and asked:
                # The shopper typed back one of the choices shown.
                shown = [v for v in variants if v.item_id in set(offered[str(position)])]
                labels = [(differences(v.options, current.options), v.item_id) for v in shown]
                typed = typed_option(said, labels)
            if picked.startswith(f"{position}:") and picked.split(":", 1)[1] in candidates:
                typed = picked.split(":", 1)[1]
            if typed is not None:
                replacements[str(position)] = typed
                continue
            if asked and not picked and _leaves_out(said, current.name):
                # "Never mind the keyboard, just the thermostat": that item stays as it is.
                return _without_item(order.id, item_ids, position, replacements, opening)
            about = said if asked else words_about(opening, current.name, names)
            choice = choose_variant(
                "" if picked and asked else about,
                product,
                current,
                among=offered.get(str(position)),
            )
            if choice.chosen is None and choice.unmatched and str(position) in offered:
                choice = choose_variant(about, product, current)
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
            state = {
                "for": working_on,
                "picked": replacements,
                "offered": offered,
                "opening": opening,
            }
            events.append(SlotSet("replacements", state))
            return events
        new_ids = [replacements[str(p)] for p in range(len(item_ids))]
        return [
            SlotSet("replacements", {"for": working_on, "picked": replacements}),
            SlotSet("new_item_ids", new_ids),
        ]


def _carried_over(
    stored: dict[str, Any], order_id: str, item_ids: list[str]
) -> dict[str, Any] | None:
    """The replacements chosen for another selection of the same order's items, moved to
    this one's positions, with what was said before."""
    before, _, ids = str(stored.get("for") or "").partition("|")
    if before != order_id:
        return None
    old_ids = ids.split(",")
    picked = dict(stored.get("picked") or {})
    by_item = {old_ids[int(p)]: new for p, new in picked.items() if int(p) < len(old_ids)}
    kept = {str(p): by_item[i] for p, i in enumerate(item_ids) if i in by_item}
    return {
        "for": f"{order_id}|{','.join(item_ids)}",
        "picked": kept,
        "opening": stored.get("opening"),
    }


def _without_item(
    order_id: str,
    item_ids: list[str],
    position: int,
    replacements: dict[str, str],
    opening: str,
) -> list[EventType]:
    """The change without one of its items, keeping the replacements chosen for the others
    and what was said before the questions began."""
    remaining = [i for p, i in enumerate(item_ids) if p != position]
    if not remaining:
        return [ActiveLoop(None)]
    kept = {
        str(new): replacements[str(old)]
        for new, old in enumerate(p for p in range(len(item_ids)) if p != position)
        if str(old) in replacements
    }
    state = {"for": f"{order_id}|{','.join(remaining)}", "picked": kept, "opening": opening}
    return [SlotSet("item_ids", remaining), SlotSet("replacements", state)]


_THIS_ONE = re.compile(
    r"\b(?:never ?mind|skip|keep|forget|leave|not)\s+(?:about\s+)?(?:that|this|it)(?: one)?\b"
)


def _leaves_out(text: str, name: str) -> bool:
    """Whether the shopper takes this item out of the change: "never mind the keyboard",
    "skip that one", "keep the lamp as it is"."""
    lowered = text.lower()
    _, refused = taken_and_refused(lowered)
    named_out = bool(refused) and names_product(refused, name)
    return named_out or bool(_THIS_ONE.search(lowered))


class ActionAskPaymentMethod(Action):
    def name(self) -> str:
        return "action_ask_payment_method"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        switched = await switch_order(dispatcher, tracker)
        if switched is not None:
            return switched
        order = await current_order(tracker)
        customer = await current_customer(tracker)
        allowed, rule = await eligible_methods(tracker, order, customer)
        if not allowed:
            dispatcher.utter_message(response="utter_no_payment_method", rule=rule)
            return [ActiveLoop(None)]
        kinds = [str(v) for v in entity_values(tracker, "payment_method")]
        named: list[PaymentMethodView] = []
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
        switched = await switch_order(dispatcher, tracker)
        if switched is not None:
            return switched
        customer = await current_customer(tracker)
        known = await call(orders().list_orders, customer.id)
        options = address_buttons(flow_of(tracker), customer, known)
        source = payload_value(tracker, "address_from")
        if source is not None and str(source) in options:
            return [SlotSet("address", asdict(options[str(source)][1]))]
        changing = tracker.get_slot("order_id")
        named = known_address_named(
            latest_text(tracker), options, changing=str(changing) if changing else None
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
