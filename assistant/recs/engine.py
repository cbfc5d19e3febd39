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
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from scipy import sparse

from assistant.config.recs import RecsParams
from assistant.recs.counts import Counts, cosine, count, popularity
from assistant.recs.interface import (
    FloatArray,
    IntArray,
    Interaction,
    ItemIndex,
    ItemSimilarity,
    Kind,
    Suggestion,
    normalised,
    top_ranked,
)

# Popularity times this breaks ties and orders the items no personal signal reaches.
FILL = 1e-9
BOUGHT: tuple[Kind, ...] = ("bought",)


# Stored entries of some rows: each one's place among those rows, its column and its value.
_Entries = tuple[IntArray, IntArray, FloatArray]


@dataclass(frozen=True)
class _Signal:
    reason: str
    weight: float
    matrix: sparse.csr_array


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
        sizes = baskets.sum(axis=1) if self._baskets is not None and baskets is not None else []
        self._basket_sizes = np.asarray(sizes, dtype=np.float64).ravel()

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
        found = count(
            interactions,
            window=params.window,
            catalog=catalog,
            baskets=params.similar_baskets > 0,
        )
        return cls.weigh(found, params, content=content, categories=categories)

    @classmethod
    def weigh(
        cls,
        counts: Counts,
        params: RecsParams,
        *,
        content: ItemSimilarity | None = None,
        categories: Mapping[str, str] | None = None,
        memo: dict[tuple[object, ...], Any] | None = None,
    ) -> CoOccurrenceRecommender:
        """The recommender `params` make of what `count` counted. `memo`, kept by a caller
        that weighs one `counts` with many params, holds the normalised matrices (they depend
        on α and shrink only), the likeness and the popularity between calls."""
        if counts.window != params.window and any(k.paths is not None for k in counts.kinds):
            raise ValueError(f"counted with window {counts.window}, not {params.window}")
        memo = {} if memo is None else memo

        def kept(key: tuple[object, ...], make: Callable[[], Any]) -> Any:
            if key not in memo:
                memo[key] = make()
            return memo[key]

        signals: list[_Signal] = []
        for found in counts.kinds:
            pairs = [("with", found.counts, params.together)]
            if found.paths is not None:
                pairs.append(("after", found.paths, params.sequence))
            for name, matrix, weight in pairs:
                make = partial(normalised, matrix, found.support, alpha=params.alpha)
                norm = kept(
                    (found.kind, name, params.alpha, params.shrink),
                    partial(make, shrink=params.shrink),
                )
                signals.append(_Signal(f"{found.kind}_{name}", weight, norm))
        # The co-occurrence cosine, the likeness of candidates for diversity without content.
        size = len(counts.index)
        diverse = params.diversity > 0 and content is None
        similarity = (
            kept(("cosine",), partial(cosine, counts))
            if diverse
            else sparse.csr_array((size, size))
        )
        return cls(
            counts.index,
            signals,
            kept(
                ("popularity", params.popularity_half_life_days),
                partial(popularity, counts, params.popularity_half_life_days),
            ),
            similarity,
            params,
            content=content,
            categories=categories,
            baskets=counts.baskets if params.similar_baskets > 0 else None,
        )

    def recommend(
        self, history: Sequence[Interaction], *, k: int = 10, exclude: Collection[str] = ()
    ) -> list[Suggestion]:
        if k <= 0:
            return []
        profile = self.profile(history)
        rows = np.array(sorted(profile), dtype=np.int64)
        weights = np.array([profile[row] for row in rows], dtype=np.float64)
        parts: list[tuple[str, FloatArray, _Entries | None]] = []
        for signal in self._signals if len(rows) else ():
            # Σ weight × row over the history's rows, added in row order: only they are read.
            owner, columns, values = _row_entries(signal.matrix, rows)
            products = values * weights[owner]
            summed = np.bincount(columns, products, minlength=len(self.index)).astype(np.float64)
            parts.append((signal.reason, signal.weight * summed, (owner, columns, products)))
        if self._content is not None and self.params.content > 0:
            parts.append(("similar", self._content_scores(history), None))
        if self._baskets is not None and len(rows):
            parts.append(("similar_baskets", self._basket_scores(rows), None))
        if self.params.repeat > 0:
            # `repeat` times each item's weight in the profile of purchases alone.
            orders = all(i.kind == "bought" for i in history)  # then it is the profile
            bought = profile if orders else self.profile(history, kinds=BOUGHT)
            again = np.zeros(len(self.index), dtype=np.float64)
            again[list(bought)] = self.params.repeat * np.array(list(bought.values()))
            parts.append(("bought_before", again, None))
        popular = self.params.popularity * self._popularity
        scores = popular + FILL * self._popularity
        for _, part, _ in parts:
            scores = scores + part
        for item in exclude:
            if item in self.index.position:
                scores[self.index.position[item]] = -math.inf
        chosen = self._choose(scores, k)
        reasons = self._reasons(chosen, parts, popular, rows, history)
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
        names = np.array(
            [self._categories.get(self.index.items[c]) for c in candidates], dtype=object
        )
        cap = self.params.max_per_category
        diversity = self.params.diversity
        chosen: list[int] = []
        per_category: dict[str, int] = {}
        # The likeness of each candidate to the closest one chosen (0 before the first).
        redundancy = np.zeros(len(candidates), dtype=np.float64)
        # Not chosen yet, and not of a category at its cap.
        allowed = np.ones(len(candidates), dtype=bool)
        while len(chosen) < k and allowed.any():
            value = (1 - diversity) * relevance - diversity * redundancy
            best = int(np.argmax(np.where(allowed, value, -math.inf)))
            redundancy = (
                likeness[:, best] if not chosen else np.maximum(redundancy, likeness[:, best])
            )
            allowed[best] = False
            chosen.append(best)
            category = names[best]
            if category is not None:
                per_category[category] = per_category.get(category, 0) + 1
                if cap is not None and per_category[category] >= cap:
                    allowed &= names != category
        return [candidates[position] for position in chosen]

    def _likeness(self, candidates: list[int]) -> FloatArray:
        """Pairwise similarity of candidates: content if plugged in, else co-occurrence cosine."""
        if self._content is not None:
            items = [self.index.items[c] for c in candidates]
            return np.array(
                [[self._content.similarity(a, b) for b in items] for a in items], dtype=np.float64
            )
        chosen = np.array(candidates, dtype=np.int64)
        return _spread(_row_entries(self._similarity, chosen), len(chosen), chosen)

    def _reasons(
        self,
        chosen: list[int],
        parts: Sequence[tuple[str, FloatArray, _Entries | None]],
        popular: FloatArray,
        rows: IntArray,
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
            reason, _, entries = parts[best]
            if entries is None and reason != "similar":
                reasons.append({"kind": reason})
                continue
            if entries is None:
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
                sources[best] = _spread(entries, len(rows), columns)
            source_row = int(rows[int(np.argmax(sources[best][:, position]))])
            reasons.append({"kind": reason, "item": self.index.items[source_row]})
        return reasons


def _row_entries(matrix: sparse.csr_array, rows: IntArray) -> _Entries:
    """The stored entries of `rows`, row after row."""
    starts = matrix.indptr[rows]
    lengths = matrix.indptr[rows + 1] - starts
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    places = offsets + np.arange(int(lengths.sum()))
    owner = np.repeat(np.arange(len(rows)), lengths)
    return owner, matrix.indices[places], np.asarray(matrix.data[places], dtype=np.float64)


def _spread(entries: _Entries, rows: int, columns: IntArray) -> FloatArray:
    """The entries in `columns` (distinct) as a dense rows × columns array, 0 elsewhere."""
    owner, found, values = entries
    where = np.full(int(max(found.max(initial=-1), columns.max(initial=-1))) + 1, -1)
    where[columns] = np.arange(len(columns))
    keep = where[found] >= 0
    block = np.zeros((rows, len(columns)), dtype=np.float64)
    block[owner[keep], where[found[keep]]] = values[keep]
    return block
