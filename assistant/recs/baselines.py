"""The two standard baselines the built-in recommender is measured against (`assistant eval
recs`): popularity, and classic item-kNN (cosine between items' shopper/session columns).
Both follow the `Recommender` contract and honour `exclude` the same way; neither leaves out the
history by itself: popularity may suggest an item the shopper has, item-kNN reaches one only as
a neighbour of another history item (an item is not its own neighbour)."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence

import numpy as np
from scipy import sparse

from assistant.recs.interface import (
    FloatArray,
    Interaction,
    ItemIndex,
    Suggestion,
    co_occurrence,
    normalised,
    top_ranked,
)

# Popularity times this orders the items no neighbour reaches, as in the built-in service.
FILL = 1e-9


class PopularityRecommender:
    """The items with the most interactions in training, the same for everyone."""

    def __init__(self, interactions: Iterable[Interaction]) -> None:
        data = list(interactions)
        self.index = ItemIndex(i.item for i in data)
        self._counts = self.index.counts(data)

    def recommend(
        self, history: Sequence[Interaction], *, k: int = 10, exclude: Collection[str] = ()
    ) -> list[Suggestion]:
        scores = self._counts.copy()
        _exclude(scores, self.index, exclude)
        return [
            Suggestion(self.index.items[j], float(scores[j]), {"kind": "popular"})
            for j in top_ranked(scores, k)
        ]


class ItemKNNRecommender:
    """Item-based kNN (Sarwar et al. 2001; Deshpande & Karypis 2004): cosine similarity between
    items' binary columns of the shopper × item matrix (a session is a shopper), each item's
    `neighbours` most similar items kept, a candidate scored by the sum of its similarities to
    the history's items. Empty places are filled by popularity, so the list is always full."""

    def __init__(self, interactions: Iterable[Interaction], *, neighbours: int | None = 50) -> None:
        data = list(interactions)
        self.index = ItemIndex(i.item for i in data)
        self.neighbours = neighbours
        rows: dict[str, list[str]] = {}
        for interaction in data:
            rows.setdefault(interaction.shopper or interaction.group, []).append(interaction.item)
        matrix = self.index.rows(rows)
        support = np.asarray(matrix.sum(axis=0), dtype=np.float64).ravel()
        cosine = normalised(co_occurrence(matrix), support, alpha=0.5, shrink=0.0)
        self._similarity = _keep_top(cosine, neighbours) if neighbours is not None else cosine
        counts = self.index.counts(data)
        self._popularity = counts / counts.max() if len(counts) else counts

    def recommend(
        self, history: Sequence[Interaction], *, k: int = 10, exclude: Collection[str] = ()
    ) -> list[Suggestion]:
        known = sorted(
            {self.index.position[i.item] for i in history if i.item in self.index.position}
        )
        scores = FILL * self._popularity
        if known:
            block = self._similarity[np.array(known, dtype=np.int64)]
            scores = scores + np.asarray(block.sum(axis=0), dtype=np.float64).ravel()
        _exclude(scores, self.index, exclude)
        return [
            Suggestion(self.index.items[j], float(scores[j]), {"kind": "item_knn"})
            for j in top_ranked(scores, k)
        ]


def _keep_top(matrix: sparse.csr_array, k: int) -> sparse.csr_array:
    """Each row's k largest entries (ties to the lower column), the rest dropped."""
    rows, cols, data = [], [], []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        values, columns = matrix.data[start:end], matrix.indices[start:end]
        if len(values) > k:
            order = np.lexsort((columns, -values))[:k]
            values, columns = values[order], columns[order]
        rows.extend([row] * len(values))
        cols.extend(columns.tolist())
        data.extend(values.tolist())
    return sparse.csr_array((data, (rows, cols)), shape=matrix.shape)


def _exclude(scores: FloatArray, index: ItemIndex, exclude: Collection[str]) -> None:
    for item in exclude:
        if item in index.position:
            scores[index.position[item]] = -math.inf
