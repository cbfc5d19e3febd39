"""Letting go of a search's constraints: what a message lets go of ("any colour", "forget
the price"), and when nothing matches, which constraints' removal would give results and
the nearest matches to show instead (`session.py` says when).
"""

from __future__ import annotations

import re

import numpy as np

from assistant.search.followups import (
    PRICE_WORDS,
    RELAX_ANY,
    RELAX_WORDS,
    STOCK_WORDS,
    names_option,
)
from assistant.search.index import CatalogIndex, Hit
from assistant.search.state import Relaxation, SearchState
from assistant.search.terms import SearchTerms
from assistant.search.words import words

# Nearest matches shown when nothing matches.
NEAREST = 3


def relaxed(text: str, state: SearchState) -> list[str]:
    """The constraints a message lets go of: "any colour", "forget the price"."""
    if RELAX_ANY.search(text):
        return ["*"]
    if not RELAX_WORDS.search(text):
        return []
    dropped: list[str] = []
    said = set(words(text))
    for name in state.terms.options:
        if names_option(name, said):
            dropped.append(f"option:{name}")
    if PRICE_WORDS.search(text) and (
        state.terms.min_price is not None or state.terms.max_price is not None
    ):
        dropped.append("price")
    if STOCK_WORDS.search(text) and state.terms.in_stock:
        dropped.append("in_stock")
    if re.search(
        r"\b(?:any|whatever|don'?t care|doesn'?t matter)\b.*\b(?:product|kind|type)\b", text
    ):
        dropped.append("products")
    return dropped


def relaxations(index: CatalogIndex, terms: SearchTerms) -> list[Relaxation]:
    """Each constraint (but the product) whose removal alone gives results, the one
    giving most first."""
    found = []
    for constraint in terms.constraints():
        if constraint == "products" and len(terms.constraints()) > 1:
            continue
        count = int(index.matches(terms.without(constraint)).sum())
        if count:
            found.append(Relaxation(constraint, count))
    return sorted(found, key=lambda r: -r.count)


def nearest(index: CatalogIndex, terms: SearchTerms, k: int = NEAREST) -> list[Hit]:
    """The items that meet most of the constraints (the product always), nearest in price
    to the asked range among equals."""
    scope = SearchTerms(products=terms.products)
    candidates = index.matches(scope)
    if not candidates.any():
        return []
    met = np.zeros(len(index), dtype=np.float64)
    for constraint in terms.constraints():
        if constraint == "products":
            continue
        single = _only(terms, constraint)
        met += index.matches(single)
    distance = np.zeros(len(index), dtype=np.float64)
    if terms.max_price is not None:
        distance += np.maximum(index.price - float(terms.max_price), 0.0)
    if terms.min_price is not None:
        distance += np.maximum(float(terms.min_price) - index.price, 0.0)
    rows = np.flatnonzero(candidates)
    picked: list[int] = []
    for level in np.unique(met[rows])[::-1]:
        tier = rows[met[rows] == level]
        need = k - len(picked)
        if len(tier) > need:
            # Only the nearest `need` (and any tied with the last) are sorted.
            cutoff = np.partition(distance[tier], need - 1)[need - 1]
            tier = tier[distance[tier] <= cutoff]
        order = np.lexsort((index.item_ids_array[tier], distance[tier]))
        picked += [int(row) for row in tier[order][:need]]
        if len(picked) >= k:
            break
    return [index.hit(row) for row in picked]


def _only(terms: SearchTerms, constraint: str) -> SearchTerms:
    """The one constraint of `terms` that `constraint` names."""
    if constraint.startswith("option:"):
        name = constraint.removeprefix("option:")
        return SearchTerms(options={name: terms.options[name]})
    if constraint == "min_price":
        return SearchTerms(min_price=terms.min_price)
    if constraint == "max_price":
        return SearchTerms(max_price=terms.max_price)
    if constraint == "in_stock":
        return SearchTerms(in_stock=True)
    return SearchTerms(products=terms.products)
