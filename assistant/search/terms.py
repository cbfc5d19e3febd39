"""What a product search asks for: the products (by the catalog's names), option values
("black", "size L", "1000ml"), price bounds ("under $50", "between 20 and 40"), availability
("in stock") and an order ("cheapest"). `read_terms` reads them from a message against a
`CatalogIndex`; the language model's structured filters (`assistant/search/filters.py`) add to
this reading, never replace it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal

from assistant.search.words import pattern_words

if TYPE_CHECKING:
    from assistant.search.index import CatalogIndex

Sort = Literal["cheapest", "priciest"]
SORTS: tuple[Sort, ...] = ("cheapest", "priciest")

SORT_CHEAPEST = re.compile(r"\b(cheapest|least expensive|lowest[- ]priced?|lowest price)\b")
SORT_PRICIEST = re.compile(r"\b(most expensive|priciest|highest[- ]priced?|top of the line)\b")

# A number followed by a unit is a size, a capacity or a weight, not a price ("up to 1000ml").
_UNIT = (
    r"(?!\s?(?:ml|l|liters?|litres?|gb|tb|mb|mm|cm|m|inch(?:es)?|\"|ft|feet|w|watts?|mah|kg|g"
    r"|lbs?|oz|hours?|hrs?|h|days?|pieces?|pcs|%|x|mp|k|bar|cups?)\b)"
)
_AMOUNT = rf"\$?\s?(\d+(?:[.,]\d{{1,2}})?)(?!\d|[.,]\d){_UNIT}\s?(?:dollars?|usd|bucks)?"
_BETWEEN = re.compile(
    rf"\b(?:between|from)\s+{_AMOUNT}\s+(?:and|to|-)\s+{_AMOUNT}|{_AMOUNT}\s?(?:-|to)\s?{_AMOUNT}"
)
_AT_MOST = re.compile(
    rf"\b(?:under|below|less than|cheaper than|at most|no more than|max(?:imum)?|up to|within"
    rf"|not more than|budget(?: is| of)?)\s+{_AMOUNT}"
)
_AT_LEAST = re.compile(
    # "no more than $280" is a limit, not a floor.
    rf"(?<!no )(?<!not )\b(?:over|above|more than|at least|min(?:imum)?|starting at|from)"
    rf"\s+{_AMOUNT}"
)
_IN_STOCK = re.compile(
    r"\b(?:in stock|available(?: now| today)?|ships? (?:now|today)|can (?:i|you) (?:get|buy) now"
    r"|not sold out|(?:i|we) can get (?:it |them |one )?(?:now|today|right away))\b"
)


# Every word the patterns above spell out ("under", "cheapest").
WORDS_OF_TERMS = pattern_words(
    SORT_CHEAPEST, SORT_PRICIEST, _BETWEEN, _AT_MOST, _AT_LEAST, _IN_STOCK
)


@dataclass(frozen=True)
class SearchTerms:
    # Catalog product names; empty: any product.
    products: frozenset[str] = frozenset()
    # Option values asked for: {"color": {"black"}}. Several values of one option mean any of
    # them; options that share a value ("frame color" and "lens color" for "black") form one
    # choice too, since the shopper named the value once.
    options: Mapping[str, frozenset[str]] = field(default_factory=dict)
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool | None = None
    sort: Sort | None = None

    @property
    def empty(self) -> bool:
        return self.filters_nothing and self.sort is None

    @property
    def filters_nothing(self) -> bool:
        return not (
            self.products
            or self.options
            or self.min_price is not None
            or self.max_price is not None
            or self.in_stock
        )

    def option_groups(self) -> list[frozenset[tuple[str, str]]]:
        """The options as choices that must all hold, each satisfied by any of its pairs."""
        groups: list[set[tuple[str, str]]] = []
        for name in sorted(self.options):
            pairs = {(name, value) for value in self.options[name]}
            spellings = {value.casefold() for value in self.options[name]}
            joined = [g for g in groups if spellings & {v.casefold() for _, v in g}]
            for group in joined:
                groups.remove(group)
                pairs |= group
            groups.append(pairs)
        return [frozenset(g) for g in groups]

    def merged(self, newer: SearchTerms) -> SearchTerms:
        """A refinement: what `newer` states replaces what it contradicts, the rest stays."""
        options = dict(self.options)
        for name, values in newer.options.items():
            options[name] = values
        low = newer.min_price if newer.min_price is not None else self.min_price
        high = newer.max_price if newer.max_price is not None else self.max_price
        if low is not None and high is not None and low > high:
            # "under 50" after "over 80": the newer bound wins, the older one goes.
            if newer.max_price is not None:
                low = newer.min_price
            else:
                high = newer.max_price
        return SearchTerms(
            products=newer.products or self.products,
            options=dict(sorted(options.items())),
            min_price=low,
            max_price=high,
            in_stock=newer.in_stock if newer.in_stock is not None else self.in_stock,
            sort=newer.sort or self.sort,
        )

    def without(self, constraint: str) -> SearchTerms:
        """These terms with one constraint dropped: "products", "min_price", "max_price",
        "price", "in_stock", "sort" or "option:<name>"."""
        if constraint.startswith("option:"):
            name = constraint.removeprefix("option:")
            return replace(self, options={k: v for k, v in self.options.items() if k != name})
        if constraint == "price":
            return replace(self, min_price=None, max_price=None)
        if constraint == "products":
            return replace(self, products=frozenset())
        if constraint == "min_price":
            return replace(self, min_price=None)
        if constraint == "max_price":
            return replace(self, max_price=None)
        if constraint == "in_stock":
            return replace(self, in_stock=None)
        if constraint == "sort":
            return replace(self, sort=None)
        raise ValueError(f"no constraint {constraint!r}")

    def constraints(self) -> list[str]:
        """The constraints these terms hold, as `without` names them, latest-added last."""
        found = ["products"] if self.products else []
        found += [f"option:{name}" for name in self.options]
        found += [name for name in ("min_price", "max_price") if getattr(self, name) is not None]
        return found + (["in_stock"] if self.in_stock else [])

    def as_dict(self) -> dict[str, Any]:
        return {
            "products": sorted(self.products),
            "options": {name: sorted(values) for name, values in self.options.items()},
            "min_price": None if self.min_price is None else str(self.min_price),
            "max_price": None if self.max_price is None else str(self.max_price),
            "in_stock": self.in_stock,
            "sort": self.sort,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SearchTerms:
        """The terms a conversation kept (`as_dict`); anything malformed is dropped."""
        options = data.get("options") if isinstance(data.get("options"), dict) else {}
        products = data.get("products") if isinstance(data.get("products"), list) else []
        sort = data.get("sort")
        return cls(
            products=frozenset(p for p in products or () if isinstance(p, str)),
            options={
                str(name): frozenset(str(v) for v in values)
                for name, values in sorted((options or {}).items())
                if isinstance(values, list) and values
            },
            min_price=_price(data.get("min_price")),
            max_price=_price(data.get("max_price")),
            in_stock=data.get("in_stock") if isinstance(data.get("in_stock"), bool) else None,
            sort=sort if sort in SORTS else None,
        )


def _price(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        return None
    return price if price.is_finite() and price >= 0 else None


def read_terms(text: str, index: CatalogIndex) -> SearchTerms:
    """The constraints `text` states, in the catalog's spelling."""
    lowered = " ".join(text.lower().split())
    products = index.named_products(lowered)
    values = index.mentioned_values(lowered, within=products)
    low, high = price_bounds(lowered)
    sort: Sort | None = None
    if SORT_CHEAPEST.search(lowered):
        sort = "cheapest"
    elif SORT_PRICIEST.search(lowered):
        sort = "priciest"
    return SearchTerms(
        products=products,
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
