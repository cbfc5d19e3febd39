"""Relative requests after a search: "cheaper", "pricier", "a bigger one", "smaller", read
against the item in focus or the cards last shown, as the terms that ask for it (or why
there is nothing to compare with).
"""

from __future__ import annotations

from decimal import Decimal

from assistant.search.followups import (
    BIGGER,
    CHEAPER,
    PRICIER,
    SIZE_FIRST,
    SMALLER,
    magnitude,
    sized,
)
from assistant.search.index import CatalogIndex, Hit
from assistant.search.state import SearchState
from assistant.search.terms import SearchTerms
from assistant.search.words import words


def relative(index: CatalogIndex, text: str, state: SearchState) -> SearchTerms | str | None:
    """ "cheaper", "pricier", "bigger", "smaller", relative to the item in focus or to
    the cards last shown; a string says why there is nothing to compare with."""
    cheaper, pricier = CHEAPER.search(text), PRICIER.search(text)
    bigger, smaller = BIGGER.search(text), SMALLER.search(text)
    if not (cheaper or pricier or bigger or smaller):
        return None
    reference = _reference(index, state)
    if not reference:
        return "nothing was shown yet to compare with"
    if cheaper or pricier:
        cent = Decimal("0.01")
        if state.focus is not None:
            price = reference[0].variant.price
        else:
            prices = [hit.variant.price for hit in reference]
            price = min(prices) if cheaper else max(prices)
        if cheaper:
            return SearchTerms(max_price=price - cent)
        return SearchTerms(min_price=price + cent)
    anchor = reference[0]
    product = anchor.product
    said = set(words(text))
    # "a bigger screen": the size the shopper names first, else the usual order.
    options = sorted(_size_options(index, anchor), key=lambda o: not (set(words(o)) & said))
    for option in options:
        current = magnitude(str(anchor.variant.options[option]))
        if current is None:
            continue
        values = {str(v.options.get(option)) for v in product.variants if option in v.options}
        sizes = {value: magnitude(value) for value in values}
        if bigger:
            wanted = {v for v, m in sizes.items() if m is not None and m > current}
        else:
            wanted = {v for v, m in sizes.items() if m is not None and m < current}
        if not wanted:
            word = "bigger" if bigger else "smaller"
            than = anchor.variant.options[option]
            return f"no {word} {option} of the {product.name} than {than}"
        return SearchTerms(products=frozenset({product.name}), options={option: frozenset(wanted)})
    return f"the {product.name} comes in one size only"


def _reference(index: CatalogIndex, state: SearchState) -> list[Hit]:
    if state.focus is not None:
        hit = index.find(state.focus)
        if hit is not None:
            return [hit]
    return index.hits(state.page)


def _size_options(index: CatalogIndex, hit: Hit) -> list[str]:
    """The item's options that have a size, in the catalog (its values there are sizes) or
    in the product itself (a catalog's odd value elsewhere does not hide a product's own
    "200 ml" and "500 ml"): the usual ones first, then in the item's own order."""
    variants = hit.product.variants
    names = [
        name
        for name in hit.variant.options
        if name.lower() in index.size_options
        or sized([str(v.options[name]) for v in variants if name in v.options])
    ]
    first = {name: rank for rank, name in enumerate(SIZE_FIRST)}
    return sorted(names, key=lambda name: first.get(name.lower(), len(first)))
