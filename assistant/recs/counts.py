"""What the built-in recommender counts in past interactions before any weight is applied.

`CoOccurrenceRecommender.fit` is `count` followed by `CoOccurrenceRecommender.weigh`. The
counts (how many groups hold each item and each pair, the view paths, every group's items,
each interaction's column and time) depend on the data alone, apart from the path `window`;
the weights (α, shrink, popularity, half-life, …) only on `RecsParams`. Keeping the two apart
lets an evaluation that refits often and tries many weights (`assistant eval recs`) count once
per training set and weigh many times, with exactly the code the store runs.

The loops over interactions are done once, into integer arrays; the matrices are then built by
NumPy and SciPy, so counting a year of orders takes about a second.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from assistant.recs.interface import (
    FloatArray,
    IntArray,
    Interaction,
    ItemIndex,
    Kind,
    co_occurrence,
    normalised,
)

DAY = 86_400.0
KINDS: tuple[Kind, ...] = ("bought", "viewed")


@dataclass(frozen=True)
class KindCounts:
    """One kind of interaction (orders or sessions): each item's support (the groups holding
    it), the co-occurrence counts of every pair and, for views, the path weights."""

    kind: Kind
    support: FloatArray
    counts: sparse.csr_array
    # "j viewed within `window` views after i", 1/distance each; None for orders.
    paths: sparse.csr_array | None = None


@dataclass(frozen=True)
class Counts:
    """Everything `CoOccurrenceRecommender.weigh` needs from the data."""

    index: ItemIndex
    kinds: tuple[KindCounts, ...]
    # Each interaction's column and time, in data order (popularity, optionally aged).
    columns: IntArray
    at: FloatArray
    # Every group × item (binary), groups in order of first appearance; None unless asked for
    # (the similar-baskets signal).
    baskets: sparse.csr_array | None
    window: int


def binary_rows(group_ids: IntArray, columns: IntArray, shape: tuple[int, int]) -> sparse.csr_array:
    """A binary group × item matrix from parallel arrays (`ItemIndex.rows`, vectorised)."""
    ones = np.ones(len(group_ids), dtype=np.float64)
    matrix = sparse.csr_array((ones, (group_ids, columns)), shape=shape)
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def count(
    interactions: Iterable[Interaction],
    *,
    window: int = 3,
    catalog: Iterable[str] = (),
    baskets: bool = False,
) -> Counts:
    """Count `interactions` (in their order: it decides group rows and ties); `catalog` adds
    items with none yet, `baskets` keeps every group's items."""
    data = list(interactions)
    index = ItemIndex([*(i.item for i in data), *catalog])
    position = index.position
    columns = np.fromiter((position[i.item] for i in data), dtype=np.int64, count=len(data))
    at = np.fromiter((i.at for i in data), dtype=np.float64, count=len(data))
    numbers: dict[str, int] = {}
    groups = np.fromiter(
        (numbers.setdefault(i.group, len(numbers)) for i in data), dtype=np.int64, count=len(data)
    )
    kinds = np.array([i.kind == "viewed" for i in data], dtype=bool)
    counted: list[KindCounts] = []
    for kind in KINDS:
        mask = kinds if kind == "viewed" else ~kinds
        if not mask.any():
            continue
        # The kind's groups renumbered in order of first appearance, as `ItemIndex.rows` does.
        _, first, inverse = np.unique(groups[mask], return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        matrix = binary_rows(rank[inverse], columns[mask], (len(order), len(index)))
        support = np.asarray(matrix.sum(axis=0), dtype=np.float64).ravel()
        paths = None
        if kind == "viewed":
            views = [i for i, viewed in zip(data, kinds, strict=True) if viewed]
            paths = transitions(views, index, window)
        counted.append(KindCounts(kind, support, co_occurrence(matrix), paths))
    everything = binary_rows(groups, columns, (len(numbers), len(index))) if baskets else None
    return Counts(index, tuple(counted), columns, at, everything, window)


def transitions(views: Sequence[Interaction], index: ItemIndex, window: int) -> sparse.csr_array:
    """Weight of "j viewed within `window` views after i" over all sessions, 1/distance each."""
    sessions: dict[str, list[Interaction]] = {}
    for view in views:
        sessions.setdefault(view.group, []).append(view)
    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    for session in sessions.values():
        path = [index.position[v.item] for v in sorted(session, key=lambda v: v.at)]
        for start, source in enumerate(path):
            for distance in range(1, window + 1):
                if start + distance >= len(path):
                    break
                target = path[start + distance]
                if target != source:
                    rows.append(source)
                    cols.append(target)
                    data.append(1.0 / distance)
    shape = (len(index), len(index))
    return sparse.csr_array(sparse.coo_array((data, (rows, cols)), shape=shape))


def popularity(counts: Counts, half_life_days: float | None) -> FloatArray:
    """Interactions per item; with a half-life each counts 0.5^(age / half-life), the age
    taken from the latest interaction."""
    size = len(counts.index)
    if half_life_days is None or not len(counts.at):
        return np.bincount(counts.columns, minlength=size).astype(np.float64)
    latest = float(counts.at.max())
    # Python's power, element by element, so the weights do not depend on NumPy's SIMD paths.
    ages = ((latest - counts.at) / DAY).tolist()
    weights = np.array([0.5 ** (age / half_life_days) for age in ages], dtype=np.float64)
    return np.asarray(
        np.bincount(counts.columns, weights=weights, minlength=size), dtype=np.float64
    )


def cosine(counts: Counts) -> sparse.csr_array:
    """The co-occurrence cosine of every pair, summed over the kinds (how alike two items are,
    for diversity without content)."""
    size = len(counts.index)
    similarity = sparse.csr_array((size, size))
    for found in counts.kinds:
        similarity = similarity + normalised(found.counts, found.support, alpha=0.5, shrink=0.0)
    return sparse.csr_array(similarity)
