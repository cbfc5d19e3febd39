"""The built-in recommender's parameters, a value of `config.yml` (`recommendations.params`)
that `assistant/recs/engine.py` reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class RecsParams:
    """How the signals are weighed and blended. The store's are `config.yml`'s, chosen on
    Online Retail's validation split (`assistant eval recs --tune`, docs/evaluation.md)."""

    together: float = 1.0
    sequence: float = 1.0
    content: float = 0.5
    popularity: float = 0.02
    # counts / (n_i^alpha * n_j^(1 - alpha) + shrink), i the shopper's item, j the candidate.
    alpha: float = 0.5
    shrink: float = 2.0
    window: int = 3
    decay: float = 0.7
    monetary: float = 0.0
    # The weight of the similar-baskets signal (scaled so its best candidate scores 1) and
    # how many of the most similar past orders or sessions it draws on.
    similar_baskets: float = 0.0
    similar_baskets_k: int = 20
    # The weight of "buy again": a bought item of the history scores `repeat` times its
    # profile weight, on the same scale as the item-to-item signals (which sum those weights).
    repeat: float = 0.0
    # Popularity counts an interaction `half_life` days old half; None: all count the same.
    popularity_half_life_days: float | None = None
    # 0 ranks by score alone; towards 1 maximal marginal relevance prefers unlike items.
    diversity: float = 0.0
    max_per_category: int | None = None
    # How many of the best candidates diversity re-ranks.
    pool: int = 50

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
