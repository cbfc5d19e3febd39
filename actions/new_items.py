"""The new option for each item of an exchange or an items change.

For each chosen item the shopper's words pick the new variant: the words about that item in
what was said before the questions (never another item's), then the answer to the question
about it, a choice typed back or clicked, an item number; "never mind the keyboard" takes
that item out of the change and keeps the choices made for the others.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog import ANOTHER, names_item, taken_and_refused
from actions.common import (
    button,
    call,
    flow_of,
    item_label,
    latest_text,
    orders,
    payload_value,
    texts_since_flow_start,
)
from actions.order_step import OrderStep
from actions.order_task import MAX_BUTTONS, order_item
from actions.payments import money
from actions.variant_choice import choose_variant, differences, replacement_candidates
from actions.variant_words import (
    indifferent_to,
    typed_option,
    without_indifference,
    words_about,
)
from assistant.backends.orders import OrderItemView, OrderView, ProductView
from assistant.engine.repair import OFFER_SLOT
from assistant.search.words import mentioned_values

_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


def _which(order: OrderView, item_ids: list[str], position: int) -> str:
    """The item being asked about; "second" when the same item is chosen twice, so the two
    questions read differently (and the shopper knows the first was understood)."""
    label = item_label(order_item(order, item_ids[position]))
    same = [p for p, i in enumerate(item_ids) if item_label(order_item(order, i)) == label]
    if len(same) > 1 and same.index(position) < len(_ORDINALS):
        return f"{_ORDINALS[same.index(position)]} {label}"
    return label


class ActionAskNewItemIds(OrderStep, Action):
    """For each chosen item, the new option: from the shopper's words, or clicked."""

    def name(self) -> str:
        return "action_ask_new_item_ids"

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderView | None
    ) -> list[EventType]:
        assert order is not None
        flow_texts = texts_since_flow_start(tracker)
        if flow_of(tracker) == "modify_order_items" and _REMOVES.search(
            " ".join(flow_texts).lower()
        ):
            # "Remove the jacket from my order": an order's items can be changed, not taken
            # out; the whole order can be cancelled instead.
            dispatcher.utter_message(response="utter_offer_cancel_instead", order_id=order.id)
            return [SlotSet(OFFER_SLOT, "cancel_order"), ActiveLoop(None)]
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
        heard = str((stored or {}).get("opening") or " ".join(flow_texts))
        opening = without_indifference(heard)
        latest = latest_text(tracker)
        said = without_indifference(latest)
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
                return _without_item(order.id, item_ids, position, replacements, heard)
            about = said if asked else words_about(opening, current.name, names)
            twins = [p for p, i in enumerate(item_ids) if order_item(order, i).name == current.name]
            parts = ANOTHER.split(opening)
            if not asked and len(twins) > 1 and len(parts) >= len(twins):
                # "One tea kettle to ceramic, and another to 1.5 liters": each its own words.
                about = words_about(parts[twins.index(position)], current.name, names)
            sources = [said] if asked else flow_texts
            other = next(
                (
                    found
                    for text in ([] if picked else sources)
                    if (found := _other_thing(words_about(text, current.name, names), product))
                ),
                None,
            )
            if other is not None:
                # "Change the luggage set for a coat": an item changes only within its product.
                dispatcher.utter_message(
                    response="utter_other_product", item=current.name, other=other
                )
                return [ActiveLoop(None)]
            if not picked and (like := await _like_another(tracker, order, current, about)):
                # "The same type as the one I already received": that item's variant.
                typed = like if like in candidates else None
            if typed is not None:
                like_it = next(v for v in variants if v.item_id == typed)
                replacements[str(position)] = typed
                dispatcher.utter_message(
                    response="utter_new_item_chosen",
                    item=current.name,
                    options=differences(like_it.options, current.options),
                    price=money(like_it.price),
                )
                continue
            # "Size 8, I don't care about waterproof or not": waterproof may change too.
            free = indifferent_to(f"{heard} {latest}", current.options)
            choice = choose_variant(
                "" if picked and asked else about,
                product,
                current,
                among=offered.get(str(position)),
                free=free,
            )
            if choice.chosen is None and choice.unmatched and str(position) in offered:
                choice = choose_variant(about, product, current, free=free)
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
            elif not picked and (kept := _already(about, product, current)):
                # "Change the chair to a black one" when it is black: say so.
                dispatcher.utter_message(
                    response="utter_already_has", item=current.name, values=kept
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
                "opening": heard,
            }
            events.append(SlotSet("replacements", state))
            return events
        new_ids = [replacements[str(p)] for p in range(len(item_ids))]
        return [
            SlotSet("replacements", {"for": working_on, "picked": replacements}),
            SlotSet("new_item_ids", new_ids),
        ]


# "For a coat", "into a tablet": what an item is to become, by its name.
_FOR_A = re.compile(r"\b(?:for|into) (?:a|an) ((?:[a-z-]+ )?[a-z-]+)\s*(?:[.,;!?(]|$)")
# Words that speak of a variant or of something else than a product ("a bigger one", "for a
# refund", "for a while").
_NOT_A_PRODUCT = re.compile(
    r"(?:one|ones|type|kind|version|model|variant|options?|size|colou?r|pair|set|new|different|"
    r"same|similar|other|refund|discount|gift|card|credit|store|friend|kid|while|week|day|month|"
    r"year|bit|moment|second|change|replacement|exchange|return|reason)"
)


def _other_thing(text: str, product: ProductView) -> str | None:
    """What the words ask the item to become when it is not a variant of its product ("for a
    coat" for a luggage set); None when they name options, a comparison or nothing."""
    values = {
        word
        for variant in product.variants
        for name, value in variant.options.items()
        for word in f"{name} {value}".lower().split()
    }
    for found in _FOR_A.finditer(text.lower()):
        said = found.group(1).split()
        if names_item(found.group(1), product.name) or _NOT_A_PRODUCT.fullmatch(said[-1]):
            continue
        if any(
            w in values or _NOT_A_PRODUCT.fullmatch(w) or w.endswith("er") or w[0].isdigit()
            for w in said
        ):
            continue
        return found.group(1)
    return None


_REMOVES = re.compile(r"\b(?:remove|delete|drop)\b|\btake\b[\w' -]{0,40}?\bout\b")

# "The same type as the one I already received", "like the one in my pending order".
_LIKE_ANOTHER = re.compile(
    r"\b(?:same|the) (?:type|kind|one|model|version|variant)s? (?:as|that is|that's|like)\b[^.]*"
    r"\b(?:i (?:already )?(?:received|got|have|bought|ordered)|in my (?:\w+ )?orders?|"
    r"in (?:the|my) other order|in another order)\b",
    re.IGNORECASE,
)


async def _like_another(
    tracker: Tracker, order: OrderView, current: OrderItemView, text: str
) -> str | None:
    """The variant of the same product in another of the shopper's orders, when the words
    ask for the one like it there and exactly one other variant is there."""
    if not _LIKE_ANOTHER.search(text):
        return None
    listed = await call(orders().list_orders, str(tracker.get_slot("customer_id")))
    others = {
        item.item_id
        for other in listed
        if other.id != order.id
        for item in other.items
        if item.product_id == current.product_id and item.item_id != current.item_id
    }
    return next(iter(others)) if len(others) == 1 else None


def _already(text: str, product: ProductView, current: OrderItemView) -> str:
    """The values the words ask for that the item already has, when they ask for nothing
    else ("a black one" for a black chair)."""
    target = re.split(r"\b(?:to|into|for) (?:the|a|an|one)\b", text, maxsplit=1)
    if len(target) < 2:
        return ""  # "my black chair" describes it; "to a black one" asks for black
    wanted = mentioned_values(target[1], [v.options for v in product.variants])
    if not wanted or any(
        values != {str(current.options.get(option))} for option, values in wanted.items()
    ):
        return ""
    return ", ".join(f"{option}: {current.options[option]}" for option in wanted)


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
    named_out = bool(refused) and names_item(refused, name)
    return named_out or bool(_THIS_ONE.search(lowered))
