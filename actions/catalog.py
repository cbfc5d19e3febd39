"""Reading the shopper's words against the store's own vocabulary.

Which items of an order a message names ("the keyboard and the thermostat"), which variant an
option request means ("clicky", "Google Home", "size L"), which payment method ("the credit
card", "my amex"), and which customer a name belongs to. Plain functions over the backend's
views, so they are tested without a conversation; names and option values are read as the
catalog search reads them (assistant/search/words.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from actions.comparisons import compared_values, counted_values
from assistant.backends.orders import (
    OrderItemView,
    PaymentMethodView,
    ProductView,
    VariantView,
)
from assistant.search.words import CHEAPEST, PRICIEST, mentioned_values, names_product

# Words that carry no identity in a product or person name.
_STOP = {
    "a",
    "an",
    "the",
    "my",
    "me",
    "i",
    "im",
    "i'm",
    "is",
    "am",
    "are",
    "and",
    "or",
    "of",
    "in",
    "on",
    "for",
    "to",
    "with",
    "it",
    "its",
    "this",
    "that",
    "one",
    "ones",
    "both",
    "all",
    "also",
    "name",
    "names",
    "zip",
    "zipcode",
    "code",
    "postal",
    "live",
    "living",
    "lives",
    "from",
    "hi",
    "hello",
    "hey",
    "yes",
    "no",
    "please",
    "thanks",
    "thank",
    "you",
    "here",
    "there",
    "it's",
    "called",
    "email",
    "mail",
    "order",
    "orders",
    "would",
    "like",
    "want",
    "just",
    "at",
    "by",
    "sure",
    "ok",
    "okay",
    "so",
    "be",
    "we",
    "our",
    "your",
    "first",
    "last",
    "city",
    "state",
    "was",
    "were",
    "do",
    "did",
    "not",
    "dont",
    "don't",
    "know",
    "remember",
    "can",
    "could",
    "you're",
    "youre",
    "customer",
    "user",
    "id",
    "account",
    "usa",
    "us",
    "new",
    "old",
}


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
        return [i for i in alike if _has_values(items[i].options, values)]
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


def _has_values(options: dict[str, Any], wanted: dict[str, set[str]]) -> bool:
    return all(str(options.get(name)) in values for name, values in wanted.items())


@dataclass(frozen=True)
class VariantChoice:
    """The outcome of reading a variant request: one pick, or the candidates to offer."""

    chosen: VariantView | None
    candidates: tuple[VariantView, ...]
    # Option values asked for that no available variant has.
    unmatched: dict[str, set[str]]


def replacement_candidates(product: ProductView, current: OrderItemView) -> list[VariantView]:
    """Available variants other than the current one, closest to it first."""
    others = [v for v in product.variants if v.available and v.item_id != current.item_id]
    return sorted(others, key=lambda v: (-_closeness(v.options, current.options), v.price))


def _closeness(options: dict[str, Any], current: dict[str, Any]) -> int:
    return sum(1 for name, value in options.items() if current.get(name) == value)


def choose_variant(
    text: str,
    product: ProductView,
    current: OrderItemView,
    *,
    among: Sequence[str] | None = None,
    free: Iterable[str] = (),
) -> VariantChoice:
    """The variant the text asks for, keeping everything it does not mention as it is;
    `among` limits the choice to the variants offered before."""
    candidates = replacement_candidates(product, current)
    if among is not None:
        candidates = [v for v in candidates if v.item_id in set(among)]
    # "Change it to item 9844888101": the variant by its number.
    numbered = [v for v in candidates if re.search(rf"\b{re.escape(v.item_id)}\b", text)]
    if len(numbered) == 1:
        return VariantChoice(numbered[0], tuple(candidates), {})
    # What a stated preference names is weighed below, not asked for ("prefer art over the
    # animal theme" asks for neither).
    wanted = mentioned_values(_PREFERENCE.sub(" ", text), [v.options for v in product.variants])
    # "1000 more pieces": the current number moved by that much.
    for option, values in counted_values(text, candidates, current.options).items():
        wanted[option] = values
    # "A bigger one": the nearest value past the current one, among those to be had.
    for option, values in compared_values(
        text, [v.options for v in candidates], current.options
    ).items():
        wanted.setdefault(option, values)
    lowered = text.lower()
    for option, value in current.options.items():
        # "Make sure it is still the same size", "keeping the leather strap" (the value).
        if _KEEPS(option).search(lowered):
            wanted.setdefault(option, {str(value)})
    for option, values in wanted.items():
        # "Google Home instead of Apple HomeKit": naming the current value too means change.
        current_value = str(current.options.get(option))
        if len(values) > 1 and current_value in values:
            values.discard(current_value)
        elif values == {current_value} and _AWAY_FROM(current_value).search(lowered):
            # "One for Google Home instead of Apple HomeKit", the new value in other words:
            # any value but the current one.
            values.clear()
            values.update(
                str(v.options[option]) for v in candidates if option in v.options
            )  # fmt: skip
            values.discard(current_value)
    cheapest = CHEAPEST.search(lowered) is not None
    priciest = PRICIEST.search(lowered) is not None
    if not wanted and not cheapest and not priciest:
        return VariantChoice(None, tuple(candidates), {})
    matching = [v for v in candidates if _has_values(v.options, wanted)]
    if not matching:
        return VariantChoice(None, tuple(candidates), wanted)
    for option, value in _preferred(text, product).items():
        # "I prefer animal than art theme if both are available": that one where it can be.
        liked = [v for v in matching if str(v.options.get(option)) == value]
        if liked and option not in wanted:
            matching, wanted = liked, {**wanted, option: {value}}
    if cheapest or priciest:
        price = min if cheapest else max
        best_price = price(v.price for v in matching)
        matching = [v for v in matching if v.price == best_price]
    elif all(values == {str(current.options.get(o))} for o, values in wanted.items()):
        # Only what stays as it is ("the same type", "my red helmet"): no change is asked
        # for yet, so none is chosen.
        return VariantChoice(None, tuple(matching), {})
    else:
        # Only a variant that changes nothing but what was asked is chosen for the shopper;
        # when every match changes something else too, they choose among the matches.
        exact = [
            v
            for v in matching
            if all(
                v.options.get(o) == value or o in wanted or o in free
                for o, value in current.options.items()
            )
        ]
        if not exact and among is None and len(matching) > 1:
            # Several ways to have it, each changing something else too: the shopper picks.
            # (The only way is taken; its summary shows what else changes.)
            return VariantChoice(None, tuple(matching), {})
        # Among the choices offered, what they change was asked for before.
        matching = exact or matching
    best = max(_closeness(v.options, current.options) for v in matching)
    top = [v for v in matching if _closeness(v.options, current.options) == best]
    if len(top) == 1:
        return VariantChoice(top[0], tuple(matching), {})
    return VariantChoice(None, tuple(matching), {})


# "I prefer animal than art theme": the value liked first, and the clause that says it.
_PREFERENCE = re.compile(
    r"\bprefer(?:s|red)?\s+(?:the\s+|an?\s+)?(?P<liked>[\w-]+(?:\s[\w-]+)?)\s+"
    r"(?:than|over|to|rather than|instead of)\s+(?:the\s+|an?\s+)?[\w-]+(?:\s+[\w-]+)?",
    re.IGNORECASE,
)


def _preferred(text: str, product: ProductView) -> dict[str, str]:
    """The option values a stated preference names first ("prefer animal over art")."""
    found: dict[str, str] = {}
    for match in _PREFERENCE.finditer(text.lower()):
        named = mentioned_values(match.group("liked"), [v.options for v in product.variants])
        for option, values in named.items():
            if len(values) == 1:
                found.setdefault(option, next(iter(values)))
    return found


def _KEEPS(option: str) -> re.Pattern[str]:
    """ "the same size", "keep the size", "size unchanged"."""
    name = re.escape(option.lower())
    return re.compile(
        rf"\b(?:same|keep(?:ing)? (?:the |its |my )?|unchanged) {name}\b|\b{name} "
        rf"(?:the same|unchanged|as it is)\b"
    )


def _AWAY_FROM(value: str) -> re.Pattern[str]:
    """ "instead of X", "not X", "other than X", "rather than X", "no more X"."""
    return re.compile(
        rf"\b(?:instead of|not|other than|rather than|no more|away from)\s+(?:the\s+|an?\s+)?"
        rf"{re.escape(value.lower())}\b"
    )


def describe_options(options: dict[str, Any], *, only: Iterable[str] | None = None) -> str:
    keys = list(only) if only is not None else list(options)
    return ", ".join(f"{name}: {options[name]}" for name in keys if name in options)


def differences(options: dict[str, Any], current: dict[str, Any]) -> str:
    """The options that differ from the current item, or all of them when none does."""
    changed = [name for name, value in options.items() if current.get(name) != value]
    return describe_options(options, only=changed or None)


# -- payment methods ------------------------------------------------------------------------

_SOURCE_WORDS = {
    "credit_card": (
        "credit card",
        "card",
        "visa",
        "mastercard",
        "amex",
        "american express",
        "discover",
        "debit card",
        "credit",
    ),
    "paypal": ("paypal", "pay pal"),
    "gift_card": ("gift card", "giftcard", "gift voucher", "gift", "gc"),
}


def mentioned_methods(
    text: str, methods: Sequence[PaymentMethodView], kinds: Iterable[str] = ()
) -> list[PaymentMethodView]:
    """The customer's methods the text (or the NLU's payment_method entities) names."""
    lowered = text.lower()
    digits = set(re.findall(r"\b\d{4}\b", lowered))
    by_digits = [m for m in methods if m.last_four and m.last_four in digits]
    if by_digits:
        return by_digits
    brands = [
        m for m in methods if m.brand and re.search(rf"\b{re.escape(m.brand.lower())}\b", lowered)
    ]
    if brands:
        return brands
    named = payment_sources(text, kinds)
    return [m for m in methods if m.source in named]


def payment_sources(text: str, kinds: Iterable[str] = ()) -> set[str]:
    """The kinds of payment method a text names ("credit_card", "paypal", "gift_card"), and
    "original" for the one the order was paid with."""
    lowered = text.lower()
    named = set(kinds)
    gift_card_named = any(
        re.search(rf"\b{re.escape(word)}\b", lowered) for word in _SOURCE_WORDS["gift_card"]
    )
    for source, spellings in _SOURCE_WORDS.items():
        if source == "credit_card" and gift_card_named and "credit" not in lowered:
            continue  # "gift card" is not a "card" payment in this sense
        if any(re.search(rf"\b{re.escape(word)}\b", lowered) for word in spellings):
            named.add(source)
    if re.search(
        r"\b(original|same)\b.*\b(payment|method|card|way)\b|\b(i )?paid (it |for it )?with\b",
        lowered,
    ):
        named.add("original")
    return named


def money(amount: Decimal | float | int) -> str:
    value = Decimal(amount).quantize(Decimal("0.01"))
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


# -- names -------------------------------------------------------------------------------


def name_pairs(text: str) -> list[tuple[str, str]]:
    """Candidate (first, last) name pairs in a message, most likely first."""
    cleaned = re.sub(r"\S+@\S+|#?\bW\d{7}\b|\d+", " ", text)
    tokens = re.findall(r"[A-Za-z][A-Za-z'\-]*", cleaned)
    kept = [t for t in tokens if t.lower() not in _STOP]
    pairs = [(kept[i], kept[i + 1]) for i in range(len(kept) - 1)]
    # Capitalised pairs first: "Yusuf Rossi" before "rossi zip".
    return sorted(pairs, key=lambda p: not (p[0][:1].isupper() and p[1][:1].isupper()))


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
