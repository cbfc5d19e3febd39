"""Catalogs for `assistant bench search`: the demo store's own (knowledge_base/store/db.json)
as the order backend's product views, and a seeded synthetic one of any size drawn from it.

The synthetic catalog keeps the demo's product types and, for each, its option vocabulary and
price level, so the search reads the same words in it; what grows is the number of products
per type. A product is "<Brand> <Type>" (made-up brand words), with 1 to 6 distinct variants
whose option values come from the type's vocabulary, priced around the type's demo prices,
about 70% of them available. A catalog is a prefix of any bigger one with the same seed.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np

from assistant.backends.orders import ProductView, VariantView
from assistant.search.words import words

DEFAULT_SEED = 20240601
BRANDS = 300
# Products drawn per generator.
BLOCK = 1_000
AVAILABLE = 0.7
# How many variants a product draws (1 to 6, 3.15 on average); repeated draws dropped, about
# 296k variants at 100k products.
VARIANT_WEIGHTS = (0.2, 0.2, 0.2, 0.15, 0.15, 0.1)
# A product's price level against a demo price of its type, and a variant's around it.
PRODUCT_SPREAD = (0.7, 1.3)
VARIANT_SPREAD = (0.95, 1.05)

_ONSETS = (
    *("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z"),
    *("br", "dr", "fl", "gr", "kr", "pl", "tr", "vr", "zh"),
)
_VOWELS = ("a", "e", "i", "o", "u", "ai", "eo", "ou", "y")
_CODAS = ("", "n", "r", "l", "x", "m", "nd", "rk", "sk", "th", "v")


@dataclass(frozen=True)
class ProductType:
    """A demo product type: its options' values (in the catalog's order) and its prices."""

    name: str
    options: dict[str, tuple[str, ...]]
    prices: tuple[Decimal, ...]


def demo_products(path: Path) -> tuple[ProductView, ...]:
    """The demo store's products, read and checked as `assistant store seed` reads them."""
    from assistant.store.seed import load_source

    store = load_source(path)
    return tuple(
        ProductView(
            id=product.product_id,
            name=product.name,
            variants=tuple(
                VariantView(v.item_id, dict(v.options), v.price, v.available)
                for v in product.variants.values()
            ),
        )
        for product in store.products.values()
    )


def product_types(products: Sequence[ProductView]) -> list[ProductType]:
    """Each product name's options and prices, in catalog order."""
    found: dict[str, tuple[dict[str, dict[str, None]], list[Decimal]]] = {}
    for product in products:
        options, prices = found.setdefault(product.name, ({}, []))
        for variant in product.variants:
            prices.append(variant.price)
            for name, value in variant.options.items():
                options.setdefault(str(name), {})[str(value)] = None
    return [
        ProductType(name, {o: tuple(values) for o, values in options.items()}, tuple(prices))
        for name, (options, prices) in found.items()
        if options and prices
    ]


def brand_words(count: int, rng: random.Random, *, taken: set[str]) -> list[str]:
    """Made-up brand words, none of them a word of the catalog (`taken`)."""
    brands: list[str] = []
    seen = set(taken)
    while len(brands) < count:
        syllables = rng.choice((2, 2, 3))
        word = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables))
        word += rng.choice(_CODAS)
        if len(word) < 5 or word in seen:
            continue
        seen.add(word)
        brands.append(word.capitalize())
    return brands


def synthetic_catalog(
    size: int, types: Sequence[ProductType], *, seed: int = DEFAULT_SEED
) -> list[ProductView]:
    """`size` products drawn from `types`, the same for the same seed.

    Drawn with numpy in blocks of `BLOCK` products, each block from its own seeded generator
    (so a catalog is a prefix of a bigger one); only building the views is Python."""
    if size < 0:
        raise ValueError("size must not be negative")
    if not types:
        raise ValueError("no product types to draw from")
    vocabulary = {
        w
        for kind in types
        for text in (kind.name, *kind.options, *(v for vs in kind.options.values() for v in vs))
        for w in words(text)
    }
    brands = brand_words(BRANDS, random.Random(seed), taken=vocabulary)
    # Every combination of a type's option values, numbered: a variant draws a number.
    combos = [
        [
            dict(zip(kind.options, values, strict=True))
            for values in itertools.product(*kind.options.values())
        ]
        for kind in types
    ]
    combo_counts = np.array([len(c) for c in combos])
    price_counts = np.array([len(kind.prices) for kind in types])
    price_offsets = np.concatenate(([0], np.cumsum(price_counts)[:-1]))
    flat_prices = np.array([float(p) for kind in types for p in kind.prices])
    most = len(VARIANT_WEIGHTS)
    products: list[ProductView] = []
    for block in range(-(-size // BLOCK)):
        rng = np.random.default_rng([seed, block])
        kinds = rng.integers(len(types), size=BLOCK)
        brand = rng.integers(len(brands), size=BLOCK).tolist()
        counts = rng.choice(np.arange(1, most + 1), p=VARIANT_WEIGHTS, size=BLOCK).tolist()
        picked = (rng.random(BLOCK) * price_counts[kinds]).astype(np.int64)
        level = flat_prices[price_offsets[kinds] + picked] * rng.uniform(*PRODUCT_SPREAD, BLOCK)
        jitter = rng.uniform(*VARIANT_SPREAD, (BLOCK, most))
        cents = np.maximum(1, np.rint(level[:, None] * jitter * 100)).astype(np.int64).tolist()
        drawn = rng.random((BLOCK, most)) * combo_counts[kinds][:, None]
        codes = drawn.astype(np.int64).tolist()
        available = (rng.random((BLOCK, most)) < AVAILABLE).tolist()
        kind_list = kinds.tolist()
        for i in range(min(BLOCK, size - block * BLOCK)):
            number = block * BLOCK + i
            kind = kind_list[i]
            choices, prices, stock = combos[kind], cents[i], available[i]
            prefix = f"2{number:08d}"
            # Distinct combinations: a repeated draw is dropped (a product of a type with few
            # combinations may then have fewer variants).
            variants = tuple(
                VariantView(
                    prefix + str(slot),
                    choices[code].copy(),
                    Decimal(prices[slot]).scaleb(-2),
                    stock[slot],
                )
                for slot, code in enumerate(dict.fromkeys(codes[i][: counts[i]]))
            )
            products.append(
                ProductView(
                    id=f"1{number:08d}",
                    name=f"{brands[brand[i]]} {types[kind].name}",
                    variants=variants,
                )
            )
    return products
