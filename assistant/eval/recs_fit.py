"""Fitting every system once per block of a time-ordered split, and scoring the blocks.

A block's models are the models the classes' own constructors make of the training prefix
(`TimeSplit.train[:block.size]`), suggestion for suggestion (tests/eval/test_eval_recs.py);
this module only builds them faster, because a year of orders is refitted per block (18 test
and 14 validation blocks) and, when searching, per candidate:

- `Prefix` holds the training data as arrays once, so a prefix's items, counts and matrices
  come from slices rather than loops over interactions.
- `PrefixCounts` keeps the co-occurrence counts of the prefix so far and adds each block's
  baskets to them: `count(train[:size], baskets=True)` without counting everything again.
- `aisle_models` weighs one block's counts with several `RecsParams`, sharing the normalised
  matrices between those that differ in neither α nor shrink.
- `popularity_model` and `knn_models` fill `PopularityRecommender` and `ItemKNNRecommender`
  from the arrays with the functions their constructors use; item-kNN's cosine is computed
  once per block, and each row sorted once, for every neighbour count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
from scipy import sparse

from assistant.config.recs import RecsParams
from assistant.eval.ranking import ndcg
from assistant.eval.recs_data import Case, TimeSplit
from assistant.recs.baselines import ItemKNNRecommender, PopularityRecommender
from assistant.recs.counts import Counts, KindCounts, binary_rows
from assistant.recs.engine import CoOccurrenceRecommender
from assistant.recs.interface import (
    FloatArray,
    IntArray,
    Interaction,
    ItemIndex,
    Recommender,
    co_occurrence,
    normalised,
)

K = 10
Figures = dict[str, float]
# Builds the named models of one block from its training prefix (its length given), one at a
# time: each is scored and dropped before the next is built.
Fitter = Callable[[int], Iterator[tuple[str, Recommender]]]


def ranking_scores(ranked: Sequence[str], targets: frozenset[str], k: int = K) -> dict[str, float]:
    """HR@k (any target in the top k), NDCG@k (binary gains), MRR@k (first hit's rank)."""
    hits = [rank for rank, item in enumerate(ranked[:k], 1) if item in targets]
    return {
        f"hr@{k}": 1.0 if hits else 0.0,
        f"ndcg@{k}": ndcg(ranked, targets, k),
        f"mrr@{k}": 1 / hits[0] if hits else 0.0,
    }


class Tally:
    """Ranking scores summed over cases, and the items shown in any top-k list."""

    def __init__(self, k: int = K) -> None:
        self.k = k
        self.totals: dict[str, float] = {f"hr@{k}": 0.0, f"ndcg@{k}": 0.0, f"mrr@{k}": 0.0}
        self.cases = 0
        self.shown: set[str] = set()

    def add(self, recommender: Recommender, cases: Sequence[Case]) -> None:
        for case in cases:
            suggestions = recommender.recommend(case.history, k=self.k, exclude=case.exclude)
            ranked = [s.item for s in suggestions]
            self.shown.update(ranked)
            for name, value in ranking_scores(ranked, case.targets, self.k).items():
                self.totals[name] += value
            self.cases += 1

    def figures(self, catalog: set[str]) -> dict[str, float]:
        """Means over the cases, and the share of `catalog` in any list (coverage)."""
        figures = {
            name: round(total / max(self.cases, 1), 4) for name, total in self.totals.items()
        }
        figures["coverage"] = round(len(self.shown & catalog) / max(len(catalog), 1), 4)
        return figures


def evaluate_system(
    recommender: Recommender, cases: Sequence[Case], catalog: set[str], k: int = K
) -> dict[str, float]:
    """Mean ranking scores over the cases, and the share of `catalog` in any top-k list."""
    tally = Tally(k)
    tally.add(recommender, cases)
    return tally.figures(catalog)


def evaluate_blocks(
    splits: Mapping[str, TimeSplit], fitters: Sequence[Fitter]
) -> dict[str, dict[str, dict[str, float]]]:
    """Model name → split name → figures, every block predicted by models fitted on its
    training prefix. The splits share their training data and blocks (`new_items`), so each
    block's models are fitted once for all of them. Coverage is over the last block's
    training items, the largest catalog any block saw."""
    first = next(iter(splits.values()))
    tallies: dict[str, dict[str, Tally]] = {}
    for number, block in enumerate(first.blocks):
        for fitter in fitters:
            for name, model in fitter(block.size):
                for split_name, split in splits.items():
                    tally = tallies.setdefault(name, {}).setdefault(split_name, Tally())
                    tally.add(model, split.blocks[number].cases)
    size = first.blocks[-1].size if first.blocks else 0
    catalog = {i.item for i in first.train[:size]}
    return {
        name: {split: tally.figures(catalog) for split, tally in by_split.items()}
        for name, by_split in tallies.items()
    }


class Prefix:
    """A split's training data as arrays (every interaction's column in one index of all its
    items, its time, its group's and its row's number, both by first appearance), so that a
    prefix's items, counts and matrices come from slices, not from loops over interactions.
    Whole groups must lie together (`TimeSplit.train` keeps them so). Orders only: views
    would need their paths counted."""

    def __init__(self, train: Sequence[Interaction]) -> None:
        if any(i.kind != "bought" for i in train):
            raise ValueError("Prefix handles orders only")
        self.train = train
        self.index = ItemIndex(i.item for i in train)
        position = self.index.position
        self.columns = np.fromiter((position[i.item] for i in train), np.int64, len(train))
        self.at = np.fromiter((i.at for i in train), np.float64, len(train))
        self.groups = _numbered(i.group for i in train)
        # Item-kNN's rows: the customer, or the invoice of an anonymous line.
        self.owners = _numbered(i.shopper or i.group for i in train)

    def items(self, size: int) -> tuple[ItemIndex, IntArray, IntArray]:
        """The prefix's index (its items, sorted as `ItemIndex` sorts them), their columns in
        the whole index, and the prefix's columns in its own index."""
        seen = np.flatnonzero(np.bincount(self.columns[:size], minlength=len(self.index)))
        local = np.full(len(self.index), -1, dtype=np.int64)
        local[seen] = np.arange(len(seen))
        index = ItemIndex(self.index.items[j] for j in seen)
        return index, seen, local[self.columns[:size]]


def _numbered(keys: Iterable[str]) -> IntArray:
    numbers: dict[str, int] = {}
    return np.fromiter((numbers.setdefault(key, len(numbers)) for key in keys), np.int64)


class PrefixCounts:
    """`count(train[:size], baskets=True)` for sizes asked in increasing order (a smaller
    one starts again from nothing): each call adds the new baskets' co-occurrences to the
    counts so far (whole numbers, so the sums are exact)."""

    def __init__(self, prefix: Prefix) -> None:
        self.prefix = prefix
        self._reset()

    def _reset(self) -> None:
        n = len(self.prefix.index)
        self.size = 0
        self.counts = sparse.csr_array((n, n))
        self.support = np.zeros(n, dtype=np.float64)

    def at_size(self, size: int) -> Counts:
        data = self.prefix
        if size < self.size:
            self._reset()
        if size > self.size:
            groups = data.groups[self.size : size]
            rows = groups - groups[0]
            shape = (int(rows[-1]) + 1, len(data.index))
            added = binary_rows(rows, data.columns[self.size : size], shape)
            self.counts = sparse.csr_array(self.counts + co_occurrence(added))
            self.support = self.support + np.asarray(added.sum(axis=0), dtype=np.float64).ravel()
            self.size = size
        index, seen, columns = data.items(size)
        groups = data.groups[:size]
        kinds: tuple[KindCounts, ...] = ()
        if size:
            counts = sparse.csr_array(self.counts[seen][:, seen])
            kinds = (KindCounts("bought", self.support[seen], counts),)
        n_groups = int(groups[-1]) + 1 if size else 0
        baskets = binary_rows(groups, columns, (n_groups, len(index)))
        return Counts(index, kinds, columns, data.at[:size], baskets, RecsParams().window)


def aisle_models(params: Mapping[str, RecsParams], counts: PrefixCounts) -> Fitter:
    """The built-in recommender with each of `params` (name → params) per block, weighing
    the counts of the block's training prefix."""

    def fit(size: int) -> Iterator[tuple[str, Recommender]]:
        found = counts.at_size(size)
        memo: dict[tuple[object, ...], object] = {}
        for name, chosen in params.items():
            yield name, CoOccurrenceRecommender.weigh(found, chosen, memo=memo)

    return fit


def popularity_model(prefix: Prefix) -> Fitter:
    """`PopularityRecommender(train[:size])`, its counts taken from the arrays."""

    def fit(size: int) -> Iterator[tuple[str, Recommender]]:
        index, _, columns = prefix.items(size)
        model = PopularityRecommender.__new__(PopularityRecommender)
        model.index = index
        model._counts = np.bincount(columns, minlength=len(index)).astype(np.float64)
        yield "popularity", model

    return fit


def knn_models(prefix: Prefix, neighbours: Sequence[int | None]) -> Fitter:
    """`ItemKNNRecommender(train[:size], neighbours=k)` for each k, named `item_knn@k`: the
    cosine computed once from the arrays, by the same functions, each k's top entries kept."""

    def fit(size: int) -> Iterator[tuple[str, Recommender]]:
        index, _, columns = prefix.items(size)
        owners = prefix.owners[:size]
        rows = binary_rows(owners, columns, (int(owners.max(initial=-1)) + 1, len(index)))
        support = np.asarray(rows.sum(axis=0), dtype=np.float64).ravel()
        cosine = normalised(co_occurrence(rows), support, alpha=0.5, shrink=0.0)
        kept = top_entries(cosine, [k for k in neighbours if k is not None])
        counts = np.bincount(columns, minlength=len(index)).astype(np.float64)
        for k in neighbours:
            model = ItemKNNRecommender.__new__(ItemKNNRecommender)
            model.index = index
            model.neighbours = k
            model._similarity = kept[k] if k is not None else cosine
            model._popularity = counts / counts.max() if len(counts) else counts
            yield f"item_knn@{k}", model

    return fit


def top_entries(matrix: sparse.csr_array, ks: Sequence[int]) -> dict[int, sparse.csr_array]:
    """Each row's k largest entries (ties to the lower column) for every k, each row sorted
    once: `baselines._keep_top` for many k at once."""
    if not ks or not matrix.shape[0]:
        return {k: sparse.csr_array(matrix.shape) for k in ks}
    least = min(ks)
    parts: dict[int, tuple[list[IntArray], list[IntArray], list[FloatArray]]] = {
        k: ([], [], []) for k in ks
    }
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        values, columns = matrix.data[start:end], matrix.indices[start:end]
        if end - start > least:
            order = np.lexsort((columns, -values))
            values, columns = values[order], columns[order]
        for k, (rows, cols, data) in parts.items():
            rows.append(np.full(min(k, len(values)), row, dtype=np.int64))
            cols.append(columns[:k])
            data.append(values[:k])
    return {
        k: sparse.csr_array(
            (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
            shape=matrix.shape,
        )
        for k, (rows, cols, data) in parts.items()
    }
