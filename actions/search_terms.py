"""What a product search asks for, read against the catalog's own words: the product type,
option values ("black", "size L", "1000ml"), price bounds ("under $50", "between 20 and 40",
"cheapest") and availability ("in stock").

Plain functions over the backend's product views, like `catalog.py`, whose readers of names
and option values they use; the language model's structured filters
(`assistant/llm/filters.py`) add to this reading, never replace it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from actions.catalog import CHEAPEST, PRICIEST, mentioned_values, names_product
from assistant.backends.orders import ProductView

Sort = Literal["cheapest", "priciest"]

# A number followed by a unit is a size, a capacity or a weight, not a price ("up to 1000ml").
_UNIT = (
    r"(?!\s?(?:ml|l|liters?|litres?|gb|tb|mb|mm|cm|m|inch(?:es)?|\"|w|watts?|mah|kg|g|lbs?|oz"
    r"|hours?|hrs?|h|days?|pieces?|pcs|%|x|mp|k)\b)"
)
_AMOUNT = rf"\$?\s?(\d+(?:[.,]\d{{1,2}})?)(?!\d|[.,]\d){_UNIT}\s?(?:dollars?|usd|bucks)?"
_BETWEEN = re.compile(
    rf"\b(?:between|from)\s+{_AMOUNT}\s+(?:and|to|-)\s+{_AMOUNT}|{_AMOUNT}\s?(?:-|to)\s?{_AMOUNT}"
)
_AT_MOST = re.compile(
    rf"\b(?:under|below|less than|cheaper than|at most|no more than|max(?:imum)?|up to|within)"
    rf"\s+{_AMOUNT}"
)
_AT_LEAST = re.compile(
    rf"\b(?:over|above|more than|at least|min(?:imum)?|starting at|from)\s+{_AMOUNT}"
)
_IN_STOCK = re.compile(
    r"\b(?:in stock|available(?: now| today)?|ships? (?:now|today)|can (?:i|you) (?:get|buy) now)\b"
)


@dataclass(frozen=True)
class SearchTerms:
    product_type: str | None = None
    # Option values asked for: {"color": {"black"}}; several values of one option mean any.
    options: dict[str, frozenset[str]] = field(default_factory=dict)
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool | None = None
    sort: Sort | None = None

    @property
    def empty(self) -> bool:
        return self == SearchTerms()


def read_terms(text: str, products: Sequence[ProductView]) -> SearchTerms:
    """The constraints `text` states, in the catalog's spelling."""
    lowered = " ".join(text.lower().split())
    named = [p for p in products if names_product(lowered, p.name)]
    # The most specific name wins: "smart watch" over "watch" when both match.
    named.sort(key=lambda p: -len(p.name))
    product = named[0] if named else None
    scope = [product] if product is not None else list(products)
    values = mentioned_values(lowered, [v.options for p in scope for v in p.variants])
    low, high = price_bounds(lowered)
    sort: Sort | None = None
    if CHEAPEST.search(lowered):
        sort = "cheapest"
    elif PRICIEST.search(lowered):
        sort = "priciest"
    return SearchTerms(
        product_type=product.name if product is not None else None,
        options={name: frozenset(found) for name, found in sorted(values.items())},
        min_price=low,
        max_price=high,
        in_stock=True if _IN_STOCK.search(lowered) else None,
        sort=sort,
    )


def price_bounds(text: str) -> tuple[Decimal | None, Decimal | None]:
    """(at least, at most) from "between 20 and 40", "under $50", "over 100"."""
    lowered = text.lower()
    between = _BETWEEN.search(lowered)
    if between is not None:
        amounts = [_decimal(g) for g in between.groups() if g is not None]
        low, high = sorted(amounts)
        return low, high
    at_most = _AT_MOST.search(lowered)
    at_least = _AT_LEAST.search(lowered)
    return (
        _decimal(at_least.group(1)) if at_least else None,
        _decimal(at_most.group(1)) if at_most else None,
    )


def _decimal(amount: str) -> Decimal:
    return Decimal(amount.replace(",", "."))
