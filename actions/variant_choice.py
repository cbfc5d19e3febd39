"""Which variant an option request means: "clicky", "Google Home", "size L", "a bigger one",
"1000 more pieces", "the cheapest", read against the product's variants and the item the
shopper has, keeping what the request does not mention as it is; and how a variant's options
are described.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from actions.catalog import has_values
from actions.comparisons import compared_values, counted_values
from assistant.backends.orders import OrderItemView, ProductView, VariantView
from assistant.search.words import CHEAPEST, PRICIEST, mentioned_values


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
    matching = [v for v in candidates if has_values(v.options, wanted)]
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
