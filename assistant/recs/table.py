"""Where complements come from: the store's table of what goes with what (a knowledge-base
document the admin console edits) and co-purchases with real support."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.backends.orders import ProductView
from assistant.recs.interface import Interaction, ItemIndex, co_occurrence

_CELL_SPLIT = re.compile(r"\s*,\s*")


@dataclass(frozen=True)
class StoreTable:
    """The store's table of what goes with what, by product id, in the table's order."""

    goes_with: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    alike: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    interests: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Names in the table the catalog does not have (reported, otherwise ignored).
    unknown: tuple[str, ...] = ()


def read_table(text: str, products: Sequence[ProductView]) -> StoreTable:
    """The rows of a Markdown table `| Product | Goes with | Alike | For people who like |`
    (header and separator rows skipped; a missing column is empty). Product names are matched
    to the catalog case-insensitively."""
    by_name = {" ".join(p.name.lower().split()): p.id for p in products}
    goes_with: dict[str, tuple[str, ...]] = {}
    alike: dict[str, tuple[str, ...]] = {}
    interests: dict[str, tuple[str, ...]] = {}
    unknown: list[str] = []

    def ids(cell: str) -> tuple[str, ...]:
        found = []
        for name in _CELL_SPLIT.split(cell.strip()):
            if not name:
                continue
            product = by_name.get(" ".join(name.lower().split()))
            if product is None:
                unknown.append(name)
            elif product not in found:
                found.append(product)
        return tuple(found)

    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        name = cells[0]
        if not name or set(name) <= set("-: ") or name.lower() == "product":
            continue
        product = by_name.get(" ".join(name.lower().split()))
        if product is None:
            unknown.append(name)
            continue
        cells += [""] * (4 - len(cells))
        goes_with[product] = tuple(p for p in ids(cells[1]) if p != product)
        alike[product] = tuple(p for p in ids(cells[2]) if p != product)
        interests[product] = tuple(
            phrase.lower() for phrase in _CELL_SPLIT.split(cells[3].strip()) if phrase
        )
    return StoreTable(goes_with, alike, interests, tuple(dict.fromkeys(unknown)))


@dataclass(frozen=True)
class Pair:
    count: int
    lift: float


def co_purchases(
    interactions: Iterable[Interaction], *, min_count: int, min_lift: float
) -> dict[str, dict[str, Pair]]:
    """Product -> the products bought with it in at least `min_count` baskets and `min_lift`
    times as often as if baskets were filled at random (lift = together · N / (n_a · n_b))."""
    baskets: dict[str, set[str]] = {}
    for interaction in interactions:
        if interaction.kind == "bought":
            baskets.setdefault(interaction.group, set()).add(interaction.item)
    if not baskets:
        return {}
    index = ItemIndex(item for items in baskets.values() for item in items)
    matrix = index.rows(baskets)
    support = np.asarray(matrix.sum(axis=0), dtype=np.float64).ravel()
    together = co_occurrence(matrix).tocoo()
    found: dict[str, dict[str, Pair]] = {}
    for row, col, count in zip(together.row, together.col, together.data, strict=True):
        lift = float(count) * len(baskets) / (support[row] * support[col])
        if count >= min_count and lift >= min_lift:
            pair = Pair(int(count), round(lift, 2))
            found.setdefault(index.items[int(row)], {})[index.items[int(col)]] = pair
    return found
