"""Reading the shopper's words against the items of their order.

Which items of an order a message names ("the keyboard and the thermostat"), how alike items
are told apart (by option values or by price), and which clauses take items and which refuse
them. Plain functions over the backend's views, so they are tested without a conversation;
names and option values are read as the catalog search reads them
(assistant/search/words.py). Which variant an option request means is `variant_choice.py`,
which payment method `payments.py`, which customer a name belongs to `names.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from assistant.backends.orders import OrderItemView
from assistant.search.words import mentioned_values, names_product

# "The backpack I received with the vacuum cleaner", "the lamp from the order with the
# kettle": the words after "with" say which order, not another item.
_ORDER_BY_ITEMS = re.compile(
    r"\b(?:(?:i )?(?:received|got|bought|ordered|came|arrived)\s+(?:together\s+)?with|"
    r"(?:in|from|of)\s+(?:the|my)\s+(?:same\s+)?order\s+(?:with|containing))"
    r"\s+(?:the|my|a|an)?\s*[a-z -]+?(?=[,.;!?]|\band\b|$)",
    re.IGNORECASE,
)


# Words that only say what kind of thing a product is ("the running shoes"): never a name
# on their own, unlike "the jigsaw" or "the espresso".
_MODIFIERS = {
    "action", "bluetooth", "cycling", "digital", "electric", "gaming", "hiking", "indoor",
    "mechanical", "office", "portable", "running", "smart", "wireless", "water",
}  # fmt: skip


def names_item(text: str, name: str) -> bool:
    """Whether the text names an item of the shopper's: by the product's name or head noun,
    or by its first word when that word is a name of its own ("the jigsaw", "the vacuum")."""
    if names_product(text, name):
        return True
    tokens = re.findall(r"[a-z]+", name.lower())
    if len(tokens) == 1 and len(tokens[0]) > MIN_NAME_WORD:
        # "The watch" for a Wristwatch, "the shelf" for a Bookshelf.
        said = re.findall(r"[a-z]+", text.lower())
        if any(len(w) >= MIN_NAME_WORD - 1 and tokens[0].endswith(w) for w in said):
            return True
    first = tokens[:1]
    if not first or len(first[0]) < MIN_NAME_WORD or first[0] in _MODIFIERS:
        return False
    return re.search(rf"\b{first[0]}s?\b", text.lower()) is not None


MIN_NAME_WORD = 5


def mentioned_items(text: str, items: Sequence[OrderItemView]) -> list[int]:
    """Positions of the order's items the text names; an item named by its product alone is
    kept only when no other item of the same product is in the order, unless the text's
    option values pick it out. Items named only to say which order are not among them."""
    text = _ORDER_BY_ITEMS.sub(" ", text)
    found: list[int] = []
    for indexes in _by_product(items):
        if not names_item(text, items[indexes[0]].name):
            continue
        if len(indexes) == 1:
            found.extend(indexes)
            continue
        picked = described_alike(text, items, indexes)
        alike = len({str(sorted(items[i].options.items())) for i in picked}) == 1
        if len(picked) > 1 and alike and _ONE_OF.search(text) and not ANOTHER.search(text):
            # "exchange one tea kettle" when the order holds two identical ones: one of them.
            picked = picked[:1]
        if picked:
            found.extend(picked)
    return sorted(found)


_ONE_OF = re.compile(r"\b(?:one|1|a single|just one|only one)\b", re.IGNORECASE)
# "One tea kettle to ceramic, and another to 1.5 liters": the second of two alike items.
ANOTHER = re.compile(
    r"\b(?:and )?(?:another|the other one|the other|the second one|the second)\b", re.IGNORECASE
)


def same_named_items(text: str, items: Sequence[OrderItemView]) -> list[int]:
    """Positions of the order's items of a product the text names when the order holds
    several of it and nothing in the text tells them apart ("the Bluetooth speaker")."""
    found: list[int] = []
    for indexes in _by_product(items):
        if len(indexes) > 1 and names_item(text, items[indexes[0]].name):
            found.extend(indexes)
    return sorted(found)


def described_alike(text: str, items: Sequence[OrderItemView], alike: Sequence[int]) -> list[int]:
    """Those of the alike items (the order's items of one product) that the text tells apart:
    by their options ("the robotic one", "the 17-inch laptop to the 13-inch one" names the
    17-inch), or by price ("the more expensive one")."""
    if not alike:
        return []
    # The words that describe the item, before those of what it should become.
    described = _BECOMES.split(text, maxsplit=1)[0]
    values = mentioned_values(described, [items[i].options for i in alike])
    if values:
        return [i for i in alike if has_values(items[i].options, values)]
    pick = price_pick(text)
    if pick is not None:
        best = pick(items[i].price for i in alike)
        return [i for i in alike if items[i].price == best][:1]
    if _ONE_OF.search(text) and ANOTHER.search(text):
        return list(alike)  # "one tea kettle to ceramic, and another to 1.5 liters"
    for counted in _EVERY_ONE.finditer(described):
        # "The two skateboards I just bought": all of them.
        if names_item(counted.group("what"), items[alike[0]].name):
            return list(alike)
    return []


_EVERY_ONE = re.compile(r"\b(?:both|two|three|all)\b(?P<what>(?:\s+[\w-]+){1,4})", re.IGNORECASE)


def price_pick(text: str) -> Callable[[Iterable[Decimal]], Decimal] | None:
    """`max` for words that ask for the dearer one ("the more expensive one"), `min` for the
    cheaper one; None when the words compare no prices."""
    lowered = text.lower()
    if _DEARER.search(lowered):
        return max
    if _CHEAPER.search(lowered):
        return min
    return None


_BECOMES = re.compile(r"\b(?:to|into|for) (?:the|a|an|one)\b", re.IGNORECASE)
_DEARER = re.compile(r"\b(?:more expensive|most expensive|pricier|priciest|dearer)\b")
_CHEAPER = re.compile(r"\b(?:less expensive|least expensive|cheaper|cheapest)\b")


def _by_product(items: Sequence[OrderItemView]) -> list[list[int]]:
    """The positions of the order's items, grouped by product."""
    groups: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        groups.setdefault(item.product_id, []).append(index)
    return list(groups.values())


def has_values(options: dict[str, Any], wanted: dict[str, set[str]]) -> bool:
    return all(str(options.get(name)) in values for name, values in wanted.items())


# Words that refuse the items of their clause: "not the helmet", "I don't want that for the
# mouse", "except the kettle", "never mind the keyboard", "keep the boots".
_REFUSING = re.compile(
    r"\b(?:not|except|without|keep|leave|remove|drop|skip|minus|never ?mind|forget)\b|n't\b"
)
_CLAUSE = re.compile(r"[,.;:!?()]|\s(?=(?:but|only|just|not|except|without)\b)")


def taken_and_refused(text: str) -> tuple[str, str]:
    """The clauses of a message that take items and those that refuse them, each joined:
    "never mind the keyboard, only the thermostat" refuses the keyboard, takes the
    thermostat."""
    taken: list[str] = []
    refused: list[str] = []
    for clause in _CLAUSE.split(text.replace("’", "'")):
        (refused if _REFUSING.search(clause) else taken).append(clause)
    return " ".join(taken), " ".join(refused)
