"""Ranking measures shared by the evaluations."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence


def ndcg(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """NDCG@k with binary gains; the ideal ranks min(|relevant|, k) relevant items first."""
    dcg = sum(1 / math.log2(rank + 1) for rank, key in enumerate(ranked[:k], 1) if key in relevant)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal else 0.0
