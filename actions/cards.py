"""What the shopping actions show and record: product cards with their reasons, the line a
card reads as in text, what a search's terms say in words, suggestion lists, comparisons, and
the shopper events the chat records (like the store's own pages record theirs)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.common import button, call, part
from actions.payments import money
from actions.variant_choice import describe_options
from assistant.backends.events import Event
from assistant.search.index import Hit
from assistant.search.state import SearchState
from assistant.search.terms import SearchTerms

logger = logging.getLogger(__name__)


# -- words ---------------------------------------------------------------------------------


def card(hit: Hit, *, reason: str | None = None) -> dict[str, Any]:
    """A product card: what the widget shows, with its three buttons."""
    item = hit.item_id
    found: dict[str, Any] = {
        "item_id": item,
        "product_id": hit.product.id,
        "name": hit.product.name,
        "options": dict(hit.variant.options),
        "price": str(hit.variant.price),
        "available": hit.variant.available,
        "image": None,
        "buttons": [
            button("Details", "refine_search", item_id=item),
            button("Add to cart", "add_to_cart", item_id=item),
            button("More like this", "recommend_products", like=item),
        ],
    }
    if reason:
        found["reason"] = reason
    return found


def card_line(position: int, hit: Hit, reason: str | None = None) -> str:
    stock = "in stock" if hit.variant.available else "out of stock"
    why = f" — {reason}" if reason else ""
    return (
        f"{position}. {hit.product.name} ({describe_options(hit.variant.options)}): "
        f"{money(hit.variant.price)}, {stock}{why}"
    )


def describe_terms(terms: SearchTerms) -> str:
    """ "black or blue Backpack, under $100, in stock"."""
    values = [v for name in terms.options for v in sorted(terms.options[name])]
    names = sorted(terms.products)
    if len(names) > 3:
        # A catalog with many brands: "Acme Kettle, Bolt Kettle, Cora Kettle and 597 more".
        names = [", ".join(names[:3]) + f" and {len(names) - 3} more"]
    what = " or ".join(names) if names else "items"
    if not terms.products and not values:
        what = "anything"
    parts = [" ".join([*values[:4], what]) if values else what]
    if terms.min_price is not None and terms.max_price is not None:
        parts.append(f"between {money(terms.min_price)} and {money(terms.max_price)}")
    elif terms.max_price is not None:
        parts.append(f"up to {money(terms.max_price)}")
    elif terms.min_price is not None:
        parts.append(f"from {money(terms.min_price)}")
    if terms.in_stock:
        parts.append("in stock")
    return ", ".join(parts)


def show_suggestions(
    dispatcher: CollectingDispatcher,
    hits: list[Hit],
    state: SearchState,
    *,
    total: int,
    intro: dict[str, Any] | None = None,
) -> None:
    """A page of a suggestion: each card with its reason ("goes with your keyboard"), after
    `intro` (a part of the message: the first page's own words) or the page's numbers."""
    start = state.shown - len(hits) + 1
    head = intro or part(
        "utter_suggestions_page", first=start, last=state.shown, total=total, about=state.about
    )
    reasons = [state.reason(hit.item_id) for hit in hits]
    dispatcher.utter_message(
        response="utter_suggestions_more" if total > state.shown else "utter_suggestions",
        head=head,
        json_message={
            "type": "product_cards",
            "text_form": "\n".join(
                card_line(start + n, hit, reason)
                for n, (hit, reason) in enumerate(zip(hits, reasons, strict=True))
            ),
            "cards": [card(hit, reason=reason) for hit, reason in zip(hits, reasons, strict=True)],
            "total": total,
            "shown": state.shown,
            "suggestions": True,
        },
    )


def constraint_label(terms: SearchTerms, constraint: str) -> str:
    if constraint.startswith("option:"):
        name = constraint.removeprefix("option:")
        return f"{name} {' or '.join(sorted(terms.options.get(name, ())))}"
    return {
        "products": "the product type",
        "min_price": f"the minimum price of {money(terms.min_price or 0)}",
        "max_price": f"the price limit of {money(terms.max_price or 0)}",
        "price": "the price range",
        "in_stock": "in stock only",
    }.get(constraint, constraint)


def comparison(hits: list[Hit]) -> dict[str, Any]:
    """Side by side: price, availability, then every option any of them has; the rows
    where they differ are marked."""
    names: list[str] = []
    for hit in hits:
        names += [name for name in hit.variant.options if name not in names]
    rows: list[dict[str, Any]] = [
        {"label": "price", "values": [money(h.variant.price) for h in hits]},
        {
            "label": "availability",
            "values": ["in stock" if h.variant.available else "out of stock" for h in hits],
        },
    ]
    rows += [
        {"label": name, "values": [str(h.variant.options.get(name, "—")) for h in hits]}
        for name in names
    ]
    for row in rows:
        row["differs"] = len(set(row["values"])) > 1
    return {
        "type": "product_comparison",
        "items": [card(hit) for hit in hits],
        "rows": rows,
    }


# -- events --------------------------------------------------------------------------------


async def record(tracker: Tracker, kind: str, *, hit: Hit | None = None, query: str = "") -> None:
    """A shopper event for what happened in the chat; a failure to record never fails the
    turn."""
    store = services.current().shopping.events
    if store is None:
        return
    event = Event(
        kind=kind,
        session_id=tracker.sender_id,
        occurred_at=datetime.now(UTC),
        customer_id=tracker.get_slot("customer_id") or None,
        item_id=hit.item_id if hit is not None else None,
        query=query[:500] or None,
        quantity=1 if kind == "add_to_cart" else None,
        price=hit.variant.price if hit is not None and kind == "add_to_cart" else None,
    )
    try:
        await call(store.record, [event])
    except Exception:  # the conversation goes on; the event is only lost
        logger.warning("could not record a %s event", kind, exc_info=True)
