"""The reference of `assistant bench retrieval`: every vector scored against the query in
numpy (`matrix @ q`, top-k with `np.argpartition`); a filter is a boolean mask, and a narrow
one scores only its rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.bench.retrieval_catalog import Product
from assistant.knowledge.index import Filters


@dataclass
class Scan:
    """The reference: every vector scored against the query, in numpy."""

    matrix: np.ndarray
    type: np.ndarray
    category: np.ndarray
    price: np.ndarray
    available: np.ndarray
    options: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def of(cls, products: Sequence[Product], matrix: np.ndarray) -> Scan:
        metadata = [p.chunk.metadata for p in products]
        keys = sorted({k[4:] for m in metadata for k in m if k.startswith("opt_")})
        return cls(
            matrix=matrix,
            type=np.array([str(m["type"]) for m in metadata]),
            category=np.array([str(m["category"]) for m in metadata]),
            price=np.array([float(m["price"]) for m in metadata], dtype=np.float64),
            available=np.array([bool(m["available"]) for m in metadata]),
            options={k: np.array([str(m.get(f"opt_{k}", "")) for m in metadata]) for k in keys},
        )

    def mask(self, filters: Filters) -> np.ndarray:
        keep = np.ones(len(self.matrix), dtype=bool)
        if filters.type is not None:
            keep &= self.type == filters.type
        if filters.category is not None:
            keep &= self.category == filters.category
        if filters.max_price is not None:
            keep &= self.price <= filters.max_price
        if filters.min_price is not None:
            keep &= self.price >= filters.min_price
        if filters.available is not None:
            keep &= self.available == filters.available
        for key, value in filters.options.items():
            column = self.options.get(key)
            keep &= (column == value) if column is not None else False
        return keep

    def top(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> np.ndarray:
        """Positions of the `k` best rows (allowed by `mask`), best first. A narrow filter
        scores only its rows; a broad one scores all and masks the rest out."""
        if mask is not None and mask.mean() < 0.5:
            rows = np.flatnonzero(mask)
            if len(rows) == 0:
                return rows
            scores = self.matrix[rows] @ query
            picked: np.ndarray = rows[_best(scores, k)]
            return picked
        scores = self.matrix @ query
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        best = _best(scores, k)
        return best if mask is None else best[mask[best]]


def _best(scores: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(scores))
    best = np.argpartition(-scores, k - 1)[:k]
    return best[np.argsort(-scores[best])]
