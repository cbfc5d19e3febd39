"""What every recommender shares: the interactions it learns from, the suggestions it returns
(each with a machine-readable reason the assistant can render), the `Recommender` contract the
assistant calls, and the content-similarity hook a store may plug in."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt
from scipy import sparse

Kind = Literal["bought", "viewed"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Interaction:
    """One line of an order, or one product view.

    `group` is what the item was bought or viewed together with: the order (basket) or the
    browsing session. `at` orders a history and ages it (seconds; any origin). `value` is the
    money spent on the line, the "monetary" of a shopper's RFM profile; 0 for views.
    """

    item: str
    group: str
    at: float = 0.0
    kind: Kind = "bought"
    value: float = 0.0
    shopper: str = ""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An item to suggest. `reason` says why, e.g. `{"kind": "bought_with", "item": "X"}`
    ("often bought with X"), `{"kind": "viewed_after", "item": "X"}`, `{"kind": "similar",
    "item": "X"}`, `{"kind": "similar_baskets"}` ("bought in baskets like yours"),
    `{"kind": "bought_before"}` ("buy it again": the shopper has bought it before) or
    `{"kind": "popular"}`."""

    item: str
    score: float
    reason: dict[str, str] = field(default_factory=dict)


class Recommender(Protocol):
    """Suggestions for a shopper, from what they bought or viewed (oldest first or not: the
    implementation orders by `at`). Items in `exclude` are never suggested; anything else may
    be, the history's own items included (a "buy again" suggestion), so a caller who wants only
    new items excludes the history."""

    def recommend(
        self, history: Sequence[Interaction], *, k: int = 10, exclude: Collection[str] = ()
    ) -> list[Suggestion]: ...


class ItemSimilarity(Protocol):
    """Content similarity between items (from embeddings of names and descriptions, or shared
    options); lets new items with no interactions yet be suggested, and diversity be judged."""

    def similar(self, item: str, *, k: int) -> list[tuple[str, float]]: ...

    def similarity(self, a: str, b: str) -> float: ...


class VectorSimilarity:
    """Cosine similarity between given item vectors (for example sentence embeddings)."""

    def __init__(self, vectors: Mapping[str, Sequence[float]]) -> None:
        self.items = sorted(vectors)
        self._position = {item: i for i, item in enumerate(self.items)}
        matrix = np.array([vectors[item] for item in self.items], dtype=np.float64)
        if matrix.ndim != 2:
            matrix = matrix.reshape(len(self.items), 0)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        self._unit = matrix / np.where(norms > 0, norms, 1.0)

    def similar(self, item: str, *, k: int) -> list[tuple[str, float]]:
        row = self._position.get(item)
        if row is None:
            return []
        scores = self._unit @ self._unit[row]
        scores[row] = -math.inf
        order = np.argsort(-scores, kind="stable")[:k]
        return [(self.items[j], float(scores[j])) for j in order if scores[j] > 0]

    def similarity(self, a: str, b: str) -> float:
        i, j = self._position.get(a), self._position.get(b)
        if i is None or j is None:
            return 0.0
        return float(self._unit[i] @ self._unit[j])


class ItemIndex:
    """Item ids <-> matrix columns, in a fixed (sorted) order so results are deterministic."""

    def __init__(self, items: Iterable[str]) -> None:
        self.items = sorted(set(items))
        self.position = {item: i for i, item in enumerate(self.items)}

    def __len__(self) -> int:
        return len(self.items)

    def rows(self, groups: Mapping[str, Collection[str]]) -> sparse.csr_array:
        """A binary group × item matrix (a group per basket, session or shopper)."""
        rows, cols = [], []
        for row, members in enumerate(groups.values()):
            for item in set(members):
                if item in self.position:
                    rows.append(row)
                    cols.append(self.position[item])
        data = np.ones(len(rows), dtype=np.float64)
        return sparse.csr_array((data, (rows, cols)), shape=(len(groups), len(self)))

    def counts(self, interactions: Iterable[Interaction]) -> FloatArray:
        counts = np.zeros(len(self), dtype=np.float64)
        for interaction in interactions:
            if interaction.item in self.position:
                counts[self.position[interaction.item]] += 1.0
        return counts


def top_ranked(scores: FloatArray, k: int) -> list[int]:
    """Indices of the k highest finite scores, best first; ties go to the lower index."""
    finite = np.flatnonzero(np.isfinite(scores))
    if k <= 0 or not len(finite):
        return []
    if len(finite) > k:
        # Keep everything tied with the k-th score, then sort stably.
        cutoff = np.partition(scores[finite], len(finite) - k)[len(finite) - k]
        finite = finite[scores[finite] >= cutoff]
    order = finite[np.argsort(-scores[finite], kind="stable")]
    return [int(i) for i in order[:k]]


def normalised(
    counts: sparse.csr_array, support: FloatArray, *, alpha: float, shrink: float
) -> sparse.csr_array:
    """counts[i, j] / (support[i]^alpha * support[j]^(1 - alpha) + shrink): alpha 0.5 is the
    cosine, alpha 1 the conditional probability P(j | i); shrink damps pairs seen rarely."""
    coo = sparse.coo_array(counts)
    left = np.power(support[coo.row], alpha)
    right = np.power(support[coo.col], 1.0 - alpha)
    data = coo.data / (left * right + shrink)
    return sparse.csr_array((data, (coo.row, coo.col)), shape=counts.shape)


def co_occurrence(groups: sparse.csr_array) -> sparse.csr_array:
    """How many groups hold both items, for every pair of distinct items."""
    counts = sparse.csr_array(groups.T @ groups)
    counts.setdiag(0)
    counts.eliminate_zeros()
    return counts
