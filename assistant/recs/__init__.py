"""Recommendations: the `Recommender` contract, the built-in co-occurrence service and the
baselines it is measured against."""

from assistant.config.recs import RecsParams
from assistant.recs.engine import CoOccurrenceRecommender
from assistant.recs.interface import (
    Interaction,
    ItemSimilarity,
    Recommender,
    Suggestion,
    VectorSimilarity,
)

__all__ = [
    "CoOccurrenceRecommender",
    "Interaction",
    "ItemSimilarity",
    "Recommender",
    "RecsParams",
    "Suggestion",
    "VectorSimilarity",
]
