"""Which of the shopper's orders their words describe: by the products it holds ("the
bookshelf and water bottle one"), by an option of the items named ("my small tshirt"), or by
comparing prices ("the more expensive of my two tablets"). Plain functions over the backend's
views; `order_task.py` asks for the order when the words settle nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from actions.catalog import names_item, price_pick, taken_and_refused
from assistant.backends.orders import OrderView
from assistant.search.words import mentioned_values


def order_match(text: str, choices: Sequence[OrderView]) -> OrderView | None:
    """The one order the text describes by what it holds ("the bookshelf and water bottle
    one"): the most of its products named, then one the words describe completely (it holds
    nothing else); None when nothing is named or two orders fit equally well."""
    # Items named only to be left out ("all of it except the pet bed") do not say which.
    text = taken_and_refused(text)[0]
    scored = []
    for order in choices:
        named = named_products(text, order)
        if named:
            complete = named == len({item.name for item in order.items})
            scored.append(((named, described_items(text, order), complete), order))
    if not scored:
        return None
    scored.sort(key=lambda pair: pair[0], reverse=True)
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    return scored[0][1]


def described_items(text: str, order: OrderView) -> int:
    """How many of the order's named items the text also describes by an option they have
    ("my small tshirt": the T-shirt in size S)."""
    return sum(
        1
        for item in order.items
        if names_item(text, item.name) and mentioned_values(text, [item.options])
    )


def named_products(text: str, order: OrderView) -> int:
    """How many of the order's products the text names."""
    return sum(1 for name in {item.name for item in order.items} if names_item(text, name))


def order_by_price(
    text: str, choices: Sequence[OrderView], *, named_in: str = ""
) -> OrderView | None:
    """The order holding the dearer (or cheaper) of the named product's items, when the
    words compare their prices and the items are in different orders; the product may be
    named in what was said before (`named_in`)."""
    pick = price_pick(text)
    if pick is None:
        return None
    held = [
        (item.price, order)
        for order in choices
        for item in order.items
        if names_item(text, item.name) or (named_in and names_item(named_in, item.name))
    ]
    if len({order.id for _, order in held}) < 2:
        return None
    best = pick(price for price, _ in held)
    found = [order for price, order in held if price == best]
    return found[0] if len(found) == 1 else None
