"""The built-in recommendation service: item-to-item signals learned from orders and browsing
sessions, blended with (recent) popularity, scored against a shopper's weighted history.

Signals, each an item × item matrix normalised by `normalised()`:
- **together** — items in the same order ("bought with") or the same session ("viewed with");
- **sequence** — items viewed within `window` views after another, nearer ones weighing more
  ("viewed after"); in a session the next view is mostly a step along such a path;
- **content** — an optional `ItemSimilarity` (embeddings, shared options), which also reaches
  items nobody has bought yet;
- **similar baskets** — the items of the `similar_baskets_k` past orders most like the
  shopper's history (cosine of the item sets), each weighted by its likeness ("bought in
  baskets like yours"); off unless `similar_baskets` is above 0.

Beside them, **buy again** (`repeat`): the items the shopper bought before, each scored by its
weight in the profile, so a staple bought often and lately comes back ("bought before"). Much
of a next basket is re-purchases; a caller who wants only new items passes the history in
`exclude`. Off unless `repeat` is above 0.

The shopper's profile weighs each past item by recency (`decay` per order or per view back),
frequency (its weights add up) and money spent (`monetary`), the RFM idea; a session is simply
the history of a shopper with no account. Popularity is blended in and fills the list for a
shopper with no usable history.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import sparse

from assistant.recs.interface import (
    FloatArray,
    IntArray,
    Interaction,
    ItemIndex,
    ItemSimilarity,
    Kind,
    Suggestion,
    co_occurrence,
    normalised,
    top_ranked,
)

# Popularity times this breaks ties and orders the items no personal signal reaches.
FILL = 1e-9
DAY = 86_400.0


@dataclass(frozen=True)
class RecsParams:
    """How the signals are weighed and blended; `assistant eval recs` tunes these per data set
    on a validation split (docs/evaluation.md gives the values it chose)."""

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


@dataclass(frozen=True)
class _Signal:
    reason: str
    weight: float
    matrix: sparse.csr_array
    # The transpose, kept for a fast matrix-vector product over the whole history.
    transposed: sparse.csr_array


def _signal(reason: str, weight: float, matrix: sparse.csr_array) -> _Signal:
    return _Signal(reason, weight, matrix, sparse.csr_array(matrix.T))


class CoOccurrenceRecommender:
    """The built-in `Recommender`. Build it with `fit`; it keeps no reference to the data."""

    def __init__(
        self,
        index: ItemIndex,
        signals: Sequence[_Signal],
        popularity: FloatArray,
        similarity: sparse.csr_array,
        params: RecsParams,
        *,
        content: ItemSimilarity | None = None,
        categories: Mapping[str, str] | None = None,
        baskets: sparse.csr_array | None = None,
    ) -> None:
        self.index = index
        self.params = params
        self._signals = [signal for signal in signals if signal.weight > 0]
        top = float(popularity.max()) if len(popularity) else 0.0
        self._popularity = popularity / top if top > 0 else popularity
        self._similarity = similarity
        self._content = content if params.content > 0 or params.diversity > 0 else None
        self._categories = dict(categories or {})
        # Past groups × items (binary) and each group's size, for the similar-baskets signal.
        self._baskets = baskets if params.similar_baskets > 0 else None
        self._basket_sizes = (
            np.asarray(baskets.sum(axis=1), dtype=np.float64).ravel()
            if self._baskets is not None and baskets is not None
            else np.zeros(0)
        )

    @classmethod
    def fit(
        cls,
        interactions: Iterable[Interaction],
        params: RecsParams | None = None,
        *,
        content: ItemSimilarity | None = None,
        categories: Mapping[str, str] | None = None,
        catalog: Iterable[str] = (),
    ) -> CoOccurrenceRecommender:
        """Learn from past interactions; `catalog` adds items with none yet (content reaches
        them)."""
        params = params or RecsParams()
        data = list(interactions)
        index = ItemIndex([*(i.item for i in data), *catalog])
        signals: list[_Signal] = []
        similarity = sparse.csr_array((len(index), len(index)))
        all_groups: dict[str, list[str]] = {}
        for interaction in data:
            all_groups.setdefault(interaction.group, []).append(interaction.item)
        for kind, reason in (("bought", "bought_with"), ("viewed", "viewed_with")):
            of_kind = [i for i in data if i.kind == kind]
            if not of_kind:
                continue
            groups: dict[str, list[str]] = {}
            for interaction in of_kind:
                groups.setdefault(interaction.group, []).append(interaction.item)
            matrix = index.rows(groups)
            support = np.asarray(matrix.sum(axis=0), dtype=np.float64).ravel()
            counts = co_occurrence(matrix)
            norm = normalised(counts, support, alpha=params.alpha, shrink=params.shrink)
            signals.append(_signal(reason, params.together, norm))
            similarity = similarity + normalised(counts, support, alpha=0.5, shrink=0.0)
            if kind == "viewed":
                paths = _transitions(of_kind, index, params.window)
                norm = normalised(paths, support, alpha=params.alpha, shrink=params.shrink)
                signals.append(_signal("viewed_after", params.sequence, norm))
        return cls(
            index,
            signals,
            _popularity(data, index, params.popularity_half_life_days),
            sparse.csr_array(similarity),
            params,
            content=content,
            categories=categories,
            baskets=index.rows(all_groups) if params.similar_baskets > 0 else None,
        )

    def recommend(
        self, history: Sequence[Interaction], *, k: int = 10, exclude: Collection[str] = ()
    ) -> list[Suggestion]:
        if k <= 0:
            return []
        profile = self.profile(history)
        rows = np.array(sorted(profile), dtype=np.int64)
        weights = np.array([profile[row] for row in rows], dtype=np.float64)
        dense = np.zeros(len(self.index), dtype=np.float64)
        dense[rows] = weights
        parts: list[tuple[str, FloatArray, sparse.csr_array | None]] = []
        for signal in self._signals if len(rows) else ():
            parts.append(
                (signal.reason, signal.weight * (signal.transposed @ dense), signal.matrix)
            )
        if self._content is not None and self.params.content > 0:
            parts.append(("similar", self._content_scores(history), None))
        if self._baskets is not None and len(rows):
            parts.append(("similar_baskets", self._basket_scores(rows), None))
        if self.params.repeat > 0:
            parts.append(("bought_before", self._repeat_scores(history), None))
        popular = self.params.popularity * self._popularity
        scores = popular + FILL * self._popularity
        for _, part, _ in parts:
            scores = scores + part
        for item in exclude:
            if item in self.index.position:
                scores[self.index.position[item]] = -math.inf
        chosen = self._choose(scores, k)
        reasons = self._reasons(chosen, parts, popular, rows, weights, history)
        return [
            Suggestion(self.index.items[j], round(float(scores[j]), 6), reason)
            for j, reason in zip(chosen, reasons, strict=True)
        ]

    def profile(
        self, history: Sequence[Interaction], *, kinds: Collection[Kind] = ("bought", "viewed")
    ) -> dict[int, float]:
        """Column -> weight of each known item in a history: recency, frequency, monetary.
        Only interactions of `kinds` add weight; every order and view still counts as a step
        back in time, so a purchase before a long browse has aged by it."""
        # An order is one step back in time; in a session every view is.
        keys: list[object] = [
            i.group if i.kind == "bought" else ("view", position)
            for position, i in enumerate(history)
        ]
        latest: dict[object, tuple[float, int]] = {}
        for position, (key, interaction) in enumerate(zip(keys, history, strict=True)):
            latest[key] = max(latest.get(key, (-math.inf, -1)), (interaction.at, position))
        back = {key: rank for rank, key in enumerate(sorted(latest, key=latest.__getitem__)[::-1])}
        profile: dict[int, float] = {}
        for key, interaction in zip(keys, history, strict=True):
            column = self.index.position.get(interaction.item)
            if column is None or interaction.kind not in kinds:
                continue
            weight = self.params.decay ** back[key]
            weight *= 1.0 + self.params.monetary * math.log1p(max(interaction.value, 0.0))
            profile[column] = profile.get(column, 0.0) + weight
        return profile

    def _repeat_scores(self, history: Sequence[Interaction]) -> FloatArray:
        """`repeat` times each bought item's profile weight; views are not purchases."""
        scores = np.zeros(len(self.index), dtype=np.float64)
        bought: tuple[Kind, ...] = ("bought",)
        for column, weight in self.profile(history, kinds=bought).items():
            scores[column] = self.params.repeat * weight
        return scores

    def _basket_scores(self, rows: IntArray) -> FloatArray:
        """The items of the past groups most like the history's item set (cosine), summed by
        likeness and scaled so the best scores `similar_baskets`."""
        assert self._baskets is not None
        present = np.zeros(len(self.index), dtype=np.float64)
        present[rows] = 1.0
        overlap = np.asarray(self._baskets @ present, dtype=np.float64)
        likeness = overlap / (np.sqrt(self._basket_sizes * len(rows)) + 1e-12)
        nearest = np.zeros_like(likeness)
        chosen = top_ranked(likeness, self.params.similar_baskets_k)
        nearest[chosen] = likeness[chosen]
        scores = np.asarray(self._baskets.T @ nearest, dtype=np.float64)
        top = float(scores.max()) if len(scores) else 0.0
        return self.params.similar_baskets * scores / top if top > 0 else scores

    def _content_scores(self, history: Sequence[Interaction]) -> FloatArray:
        assert self._content is not None
        scores = np.zeros(len(self.index), dtype=np.float64)
        for item in dict.fromkeys(i.item for i in reversed(history)):
            for other, similarity in self._content.similar(item, k=self.params.pool):
                if other in self.index.position:
                    column = self.index.position[other]
                    scores[column] = max(scores[column], self.params.content * similarity)
        return scores

    def _choose(self, scores: FloatArray, k: int) -> list[int]:
        plain = self.params.diversity <= 0 and self.params.max_per_category is None
        candidates = top_ranked(scores, k if plain else max(k, self.params.pool))
        if plain:
            return candidates
        relevance = scores[candidates]
        span = float(relevance.max() - relevance.min()) if len(candidates) else 0.0
        relevance = (relevance - relevance.min()) / span if span > 0 else np.ones(len(candidates))
        likeness = self._likeness(candidates)
        chosen: list[int] = []
        per_category: dict[str, int] = {}
        cap = self.params.max_per_category
        left = list(range(len(candidates)))
        while left and len(chosen) < k:
            best, best_value = -1, -math.inf
            for position in left:
                category = self._categories.get(self.index.items[candidates[position]])
                if (
                    cap is not None
                    and category is not None
                    and per_category.get(category, 0) >= cap
                ):
                    continue
                redundancy = max((likeness[position, c] for c in chosen), default=0.0)
                value = (1 - self.params.diversity) * relevance[position]
                value -= self.params.diversity * redundancy
                if value > best_value:
                    best, best_value = position, value
            if best < 0:
                break
            left.remove(best)
            chosen.append(best)
            category = self._categories.get(self.index.items[candidates[best]])
            if category is not None:
                per_category[category] = per_category.get(category, 0) + 1
        return [candidates[position] for position in chosen]

    def _likeness(self, candidates: list[int]) -> FloatArray:
        """Pairwise similarity of candidates: content if plugged in, else co-occurrence cosine."""
        if self._content is not None:
            items = [self.index.items[c] for c in candidates]
            return np.array(
                [[self._content.similarity(a, b) for b in items] for a in items], dtype=np.float64
            )
        block = self._similarity[np.array(candidates, dtype=np.int64)][:, candidates]
        return np.asarray(block.toarray(), dtype=np.float64)

    def _reasons(
        self,
        chosen: list[int],
        parts: Sequence[tuple[str, FloatArray, sparse.csr_array | None]],
        popular: FloatArray,
        rows: IntArray,
        weights: FloatArray,
        history: Sequence[Interaction],
    ) -> list[dict[str, str]]:
        """Each suggestion's reason: the signal that gave it most of its score, and the
        shopper's item that gave that signal most of it; "popular" when nothing personal did."""
        columns = np.array(chosen, dtype=np.int64)
        # history item × suggestion contributions, computed once per signal that needs them.
        sources: dict[int, FloatArray] = {}
        reasons: list[dict[str, str]] = []
        for position, column in enumerate(chosen):
            best, best_value = -1, float(popular[column])
            for number, (_, part, _) in enumerate(parts):
                if float(part[column]) > best_value:
                    best, best_value = number, float(part[column])
            if best < 0 or best_value <= 0:
                reasons.append({"kind": "popular"})
                continue
            reason, _, block = parts[best]
            if block is None and reason != "similar":
                reasons.append({"kind": reason})
                continue
            if block is None:
                target = self.index.items[column]
                content = self._content
                assert content is not None
                source = max(
                    dict.fromkeys(i.item for i in reversed(history)),
                    key=lambda item: content.similarity(item, target),
                )
                reasons.append({"kind": reason, "item": source})
                continue
            if best not in sources:
                found = np.asarray(block[rows][:, columns].toarray(), dtype=np.float64)
                sources[best] = found * weights[:, None]
            source_row = int(rows[int(np.argmax(sources[best][:, position]))])
            reasons.append({"kind": reason, "item": self.index.items[source_row]})
        return reasons


def _transitions(views: Sequence[Interaction], index: ItemIndex, window: int) -> sparse.csr_array:
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


def _popularity(
    interactions: Sequence[Interaction], index: ItemIndex, half_life_days: float | None
) -> FloatArray:
    if half_life_days is None or not interactions:
        return index.counts(interactions)
    latest = max(i.at for i in interactions)
    scores = np.zeros(len(index), dtype=np.float64)
    for interaction in interactions:
        age_days = (latest - interaction.at) / DAY
        scores[index.position[interaction.item]] += 0.5 ** (age_days / half_life_days)
    return scores
