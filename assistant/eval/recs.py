"""`assistant eval recs`: HR@10, NDCG@10, MRR@10 and catalog coverage of the built-in
recommender, beside popularity and item-kNN trained on the same split in the same run.

Three sets (`../shared/data/interactions`):
- **online_retail** — UCI Online Retail invoice lines. Each customer with two or more invoices
  has the last one held out; the whole basket is predicted from the customer's earlier
  invoices, re-bought items included (a "buy again" suggestion that is bought is a hit).
  Every other invoice, anonymous ones included, is training data.
- **online_retail_new_items** — the same split, but only the items new to the customer are
  targets, and their history is never suggested; a basket of re-buys only is dropped.
- **diginetica** — DIGINETICA product views in sessions. Sessions of the last `TEST_DAYS` days
  are the test; every next view of a test session is predicted from the views before it,
  re-views dropped and the session's views never suggested.

Each case carries what may not be suggested (`Case.exclude`), the same for every system, so
the three are always measured under one protocol. Targets absent from training stay in as
misses that no system can avoid (`reachable` says how many could be hit at all).

Parameters are chosen in the run on validation folds carved from the training data, never
on the test cases: the built-in recommender's by coordinate ascent over `GRID`, item-kNN's
neighbour count over `NEIGHBOURS`, both on HR@10 (then NDCG@10). For sessions the folds are
the three `TEST_DAYS`-day periods before the test. Online Retail is too small to do the same
(13 customers have a second invoice in training), so its folds cut each training invoice in
two (`basket_halves`): most customers' next invoice comes the same day as the one before.
That proxy cannot reward "buy again" (an invoice seldom lists an item twice), so for the
whole-basket set the repeat weight is then chosen over `REPEAT` on `previous_baskets`: each
customer's last training invoice held out, whole, from the ones before it.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import AisleError
from assistant.eval.ranking import ndcg
from assistant.recs.baselines import ItemKNNRecommender, PopularityRecommender
from assistant.recs.engine import CoOccurrenceRecommender, RecsParams
from assistant.recs.interface import Interaction, Recommender

if TYPE_CHECKING:
    from assistant.config import Settings

DEFAULT_DATA_DIR = "../shared/data/interactions"
RETAIL_FILE = "online_retail_sample.csv"
SESSIONS_FILE = "diginetica_sample_views.csv"
K = 10
TEST_DAYS = 14
DAY = 86_400.0
SYSTEMS = ("aisle", "popularity", "item_knn")
GRID: dict[str, tuple[Any, ...]] = {
    "alpha": (0.5, 0.75, 1.0),
    "shrink": (0.0, 2.0, 10.0),
    "decay": (0.3, 0.5, 0.7, 1.0),
    "popularity": (0.0, 0.01, 0.05, 0.2),
    "popularity_half_life_days": (None, 3.0, 14.0),
    "monetary": (0.0, 0.5),
    "sequence": (0.0, 0.5, 1.0, 2.0),
    "window": (1, 3, 5),
    "similar_baskets": (0.0, 0.5, 1.0, 2.0),
    "similar_baskets_k": (10, 20, 50),
}
# "Buy again" weights, tried on the whole-basket validation split only.
REPEAT: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)
# Only meaningful for one kind of data (similar sessions were tried on the session folds
# and dropped: docs/evaluation.md).
BOUGHT_ONLY = frozenset({"monetary", "similar_baskets", "similar_baskets_k"})
VIEWED_ONLY = frozenset({"sequence", "window"})
NEIGHBOURS: tuple[int | None, ...] = (10, 20, 50, 100, 200, None)


class RecsDataError(AisleError):
    """The interactions file is missing or malformed."""

    code = "invalid_recs_data"


@dataclass(frozen=True)
class Case:
    history: tuple[Interaction, ...]
    targets: frozenset[str]
    # What no system may suggest here: the history when only new items count, else nothing.
    exclude: frozenset[str]


@dataclass(frozen=True)
class Split:
    train: list[Interaction]
    cases: list[Case]
    dropped: int


def _rows(path: Path, columns: set[str], delimiter: str) -> list[dict[str, str]]:
    if not path.is_file():
        raise RecsDataError(f"{path}: interactions not found")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        if not columns <= set(reader.fieldnames or ()):
            raise RecsDataError(f"{path}: needs the columns {', '.join(sorted(columns))}")
        rows = list(reader)
    if not rows:
        raise RecsDataError(f"{path}: no rows")
    return rows


def load_retail(path: Path) -> list[Interaction]:
    """Invoice lines: one `bought` interaction per line, the invoice as its basket."""
    columns = {"invoice_date", "invoice_no", "stock_code", "customer_id", "quantity", "unit_price"}
    interactions = []
    for row in _rows(path, columns, ","):
        try:
            at = datetime.fromisoformat(row["invoice_date"]).replace(tzinfo=UTC).timestamp()
            value = float(row["quantity"]) * float(row["unit_price"])
        except ValueError as exc:
            raise RecsDataError(f"{path}: bad line {row}: {exc}") from exc
        customer = row["customer_id"].strip().removesuffix(".0")
        interactions.append(
            Interaction(
                row["stock_code"].strip(), row["invoice_no"].strip(), at, "bought", value, customer
            )
        )
    return interactions


def load_sessions(path: Path) -> list[Interaction]:
    """Product views: the session as group, ordered by the day plus the time into it (ms).
    The user ids (mostly "NA") are not used: a session is the shopper."""
    columns = {"session_id", "item_id", "timeframe", "eventdate"}
    interactions = []
    for row in _rows(path, columns, ";"):
        try:
            day = datetime.combine(date.fromisoformat(row["eventdate"]), datetime.min.time(), UTC)
            at = day.timestamp() + float(row["timeframe"]) / 1000.0
        except ValueError as exc:
            raise RecsDataError(f"{path}: bad line {row}: {exc}") from exc
        interactions.append(
            Interaction(row["item_id"].strip(), row["session_id"].strip(), at, "viewed")
        )
    return interactions


def last_basket_split(
    interactions: Sequence[Interaction], *, new_items_only: bool = False
) -> Split:
    """Each customer with two or more baskets: the last one held out, the earlier ones the
    history; the targets are all its items, or with `new_items_only` those the customer had
    not bought before (the history then excluded from suggestions, a re-buy-only basket
    dropped)."""
    baskets: dict[str, dict[str, float]] = {}
    for i in interactions:
        if i.shopper:
            seen = baskets.setdefault(i.shopper, {})
            seen[i.group] = max(seen.get(i.group, -math.inf), i.at)
    held_out = {
        shopper: max(groups, key=lambda group: (groups[group], group))
        for shopper, groups in baskets.items()
        if len(groups) >= 2
    }
    held_groups = set(held_out.values())
    train = [i for i in interactions if i.group not in held_groups]
    cases, dropped = [], 0
    for shopper, group in sorted(held_out.items()):
        history = tuple(sorted((i for i in train if i.shopper == shopper), key=lambda i: i.at))
        owned = frozenset(i.item for i in history)
        basket = frozenset(i.item for i in interactions if i.group == group)
        targets = basket - owned if new_items_only else basket
        if targets:
            cases.append(Case(history, targets, owned if new_items_only else frozenset()))
        else:
            dropped += 1
    return Split(train, cases, dropped)


def session_split(interactions: Sequence[Interaction], *, days: int = TEST_DAYS) -> Split:
    """Sessions starting in the last `days` days are the test, earlier ones training; each
    next view of a test session is a case, the views before it its history."""
    sessions: dict[str, list[Interaction]] = {}
    for i in interactions:
        sessions.setdefault(i.group, []).append(i)
    if not sessions:
        return Split([], [], 0)
    start = {group: min(i.at for i in views) for group, views in sessions.items()}
    last_day = math.floor(max(start.values()) / DAY)
    cut = (last_day - days + 1) * DAY
    train = [i for i in interactions if start[i.group] < cut]
    cases, dropped = [], 0
    for group in sorted(sessions, key=lambda group: (start[group], group)):
        if start[group] < cut:
            continue
        views = sorted(sessions[group], key=lambda i: i.at)
        for position in range(1, len(views)):
            history = tuple(views[:position])
            seen = frozenset(i.item for i in history)
            if views[position].item in seen:
                dropped += 1
            else:
                cases.append(Case(history, frozenset({views[position].item}), seen))
    return Split(train, cases, dropped)


def ranking_scores(ranked: Sequence[str], targets: frozenset[str], k: int = K) -> dict[str, float]:
    """HR@k (any target in the top k), NDCG@k (binary gains), MRR@k (first hit's rank)."""
    hits = [rank for rank, item in enumerate(ranked[:k], 1) if item in targets]
    return {
        f"hr@{k}": 1.0 if hits else 0.0,
        f"ndcg@{k}": ndcg(ranked, targets, k),
        f"mrr@{k}": 1 / hits[0] if hits else 0.0,
    }


def evaluate_system(
    recommender: Recommender, cases: Sequence[Case], catalog: set[str], k: int = K
) -> dict[str, float]:
    """Mean ranking scores over the cases, and the share of `catalog` in any top-k list."""
    totals: dict[str, float] = {}
    shown: set[str] = set()
    for case in cases:
        ranked = [s.item for s in recommender.recommend(case.history, k=k, exclude=case.exclude)]
        shown.update(ranked)
        for name, value in ranking_scores(ranked, case.targets, k).items():
            totals[name] = totals.get(name, 0.0) + value
    figures = {name: round(total / max(len(cases), 1), 4) for name, total in totals.items()}
    figures["coverage"] = round(len(shown & catalog) / max(len(catalog), 1), 4)
    return figures


def basket_halves(interactions: Sequence[Interaction], *, folds: int = 5) -> list[Split]:
    """Validation for baskets: the invoices dealt into `folds` folds; each invoice of a fold is
    cut in two by line order, the first half the history, the new items of the second half the
    targets, with the model trained on the other folds. Most customers' later invoices come the
    same day as their earlier one, so a later invoice is much like the rest of one basket."""
    baskets: dict[str, list[Interaction]] = {}
    for i in interactions:
        baskets.setdefault(i.group, []).append(i)
    names = sorted(baskets)
    splits = []
    for fold in range(folds):
        held = {name for n, name in enumerate(names) if n % folds == fold}
        cases, dropped = [], 0
        for name in sorted(held):
            lines = baskets[name]
            history = tuple(lines[: len(lines) // 2])
            owned = frozenset(i.item for i in history)
            targets = frozenset(i.item for i in lines[len(lines) // 2 :]) - owned
            if history and targets:
                cases.append(Case(history, targets, owned))
            else:
                dropped += 1
        splits.append(Split([i for i in interactions if i.group not in held], cases, dropped))
    return splits


def previous_baskets(interactions: Sequence[Interaction]) -> list[Split]:
    """Validation for whole baskets: each customer's last training basket held out, whole, and
    predicted from their baskets before it (`last_basket_split` on the training data)."""
    split = last_basket_split(interactions)
    return [split] if split.cases else []


def earlier_windows(interactions: Sequence[Interaction], *, windows: int = 3) -> list[Split]:
    """Validation for sessions: the `windows` periods of `TEST_DAYS` days before the test, each
    predicted by a model trained on the sessions before it."""
    splits: list[Split] = []
    rest = list(interactions)
    for _ in range(windows):
        split = session_split(rest)
        if not split.cases or not split.train:
            break
        splits.append(split)
        rest = split.train
    return splits


def pooled(
    make: Callable[[list[Interaction]], Recommender], folds: Sequence[Split]
) -> dict[str, float]:
    """Figures over all the folds' cases together, each fold scored by its own model."""
    totals: dict[str, float] = {}
    count = 0
    for fold in folds:
        figures = evaluate_system(make(fold.train), fold.cases, {i.item for i in fold.train})
        for name, value in figures.items():
            totals[name] = totals.get(name, 0.0) + value * len(fold.cases)
        count += len(fold.cases)
    return {name: round(total / max(count, 1), 4) for name, total in totals.items()}


def _key(figures: dict[str, float]) -> tuple[float, float]:
    return figures[f"hr@{K}"], figures[f"ndcg@{K}"]


def tune_params(
    folds: Sequence[Split],
    *,
    defaults: RecsParams | None = None,
    grid: dict[str, tuple[Any, ...]] = GRID,
) -> RecsParams:
    """Coordinate ascent over `grid` on the validation folds; a change must score better."""
    kinds = {i.kind for fold in folds for i in fold.train}
    best = defaults or RecsParams()

    def score(params: RecsParams) -> tuple[float, float]:
        return _key(pooled(partial(CoOccurrenceRecommender.fit, params=params), folds))

    best_score = score(best)
    for name, values in grid.items():
        if (name in BOUGHT_ONLY and "bought" not in kinds) or (
            name in VIEWED_ONLY and "viewed" not in kinds
        ):
            continue
        for value in values:
            candidate = replace(best, **{name: value})
            if candidate == best:
                continue
            candidate_score = score(candidate)
            if candidate_score > best_score:
                best, best_score = candidate, candidate_score
    return best


def tune_neighbours(folds: Sequence[Split]) -> int | None:
    """Item-kNN's neighbour count on the same folds; ties go to the smaller count."""
    scored = [
        (_key(pooled(partial(ItemKNNRecommender, neighbours=k), folds)), -rank, k)
        for rank, k in enumerate(NEIGHBOURS)
    ]
    return max(scored)[2]


@dataclass(frozen=True)
class EvalSet:
    filename: str
    load: Callable[[Path], list[Interaction]]
    split: Callable[[Sequence[Interaction]], Split]
    validation: Callable[[Sequence[Interaction]], list[Split]]
    described: str
    validation_described: str
    # Where the "buy again" weight is chosen; None leaves it at 0 (no repeat can be a hit).
    repeat_validation: Callable[[Sequence[Interaction]], list[Split]] | None = None
    repeat_validation_described: str | None = None


SETS = {
    "online_retail": EvalSet(
        RETAIL_FILE,
        load_retail,
        last_basket_split,
        basket_halves,
        "each customer's last invoice held out (customers with 2+ invoices); whole basket",
        "training invoices cut in two by line order, 5 folds",
        previous_baskets,
        "repeat weight: each customer's last training invoice held out, whole basket",
    ),
    "online_retail_new_items": EvalSet(
        RETAIL_FILE,
        load_retail,
        partial(last_basket_split, new_items_only=True),
        basket_halves,
        "each customer's last invoice held out (customers with 2+ invoices); new items only",
        "training invoices cut in two by line order, 5 folds",
    ),
    "diginetica": EvalSet(
        SESSIONS_FILE,
        load_sessions,
        session_split,
        earlier_windows,
        f"sessions of the last {TEST_DAYS} days as test, every next view predicted; new items only",
        f"the three {TEST_DAYS}-day periods before the test, each on the sessions before it",
    ),
}


@dataclass(frozen=True)
class _Tuned:
    params: RecsParams
    neighbours: int | None
    cases: int
    figures: dict[str, dict[str, float]]


def _tune_on(
    spec: EvalSet, train: list[Interaction], progress: Callable[[str], None] | None, name: str
) -> _Tuned:
    folds = spec.validation(train)
    cases = sum(len(fold.cases) for fold in folds)
    if progress:
        progress(f"{name}: tuning on {cases} validation cases")
    if not cases:
        return _Tuned(RecsParams(), NEIGHBOURS[2], 0, {})
    params, neighbours = tune_params(folds), tune_neighbours(folds)
    return _Tuned(params, neighbours, cases, _every_system(folds, params, neighbours))


def evaluate_set(
    name: str,
    interactions: Sequence[Interaction],
    *,
    tune: bool = True,
    progress: Callable[[str], None] | None = None,
    tuned: dict[tuple[object, ...], _Tuned] | None = None,
) -> dict[str, Any]:
    """Tune on the validation folds (unless `tune` is off), then score the three systems on the
    test cases, each trained on the same training split. `tuned` keeps what a run has tuned,
    so two sets with one training split (whole basket, new items) tune on it once."""
    started = time.perf_counter()
    spec = SETS[name]
    split = spec.split(interactions)
    if not split.cases:
        raise RecsDataError(f"{name}: no test cases")
    params, neighbours = RecsParams(), NEIGHBOURS[2]
    validation_cases = repeat_cases = 0
    validation_figures: dict[str, dict[str, float]] = {}
    repeat_figures: dict[str, dict[str, float]] = {}
    if tune:
        key = (spec.filename, spec.validation, frozenset(i.group for i in split.train))
        tuned = {} if tuned is None else tuned
        if key not in tuned:
            tuned[key] = _tune_on(spec, split.train, progress, name)
        params, neighbours = tuned[key].params, tuned[key].neighbours
        validation_cases, validation_figures = tuned[key].cases, tuned[key].figures
        repeat_folds = spec.repeat_validation(split.train) if spec.repeat_validation else []
        repeat_cases = sum(len(fold.cases) for fold in repeat_folds)
        if repeat_cases:
            if progress:
                progress(f"{name}: choosing the repeat weight on {repeat_cases} cases")
            params = tune_params(repeat_folds, defaults=params, grid={"repeat": REPEAT})
            repeat_figures = _every_system(repeat_folds, params, neighbours)
    if progress:
        progress(f"{name}: scoring {len(split.cases)} test cases")
    catalog = {i.item for i in split.train}
    systems: dict[str, Recommender] = {
        "aisle": CoOccurrenceRecommender.fit(split.train, params),
        "popularity": PopularityRecommender(split.train),
        "item_knn": ItemKNNRecommender(split.train, neighbours=neighbours),
    }
    figures = {
        system: evaluate_system(model, split.cases, catalog) for system, model in systems.items()
    }
    reachable = sum(bool(case.targets & catalog) for case in split.cases)
    rebought = sum(bool(case.targets & {i.item for i in case.history}) for case in split.cases)
    ours = figures["aisle"][f"hr@{K}"]
    ratios = {
        f"hr@{K}_vs_{system}": round(ours / figures[system][f"hr@{K}"], 2)
        if figures[system][f"hr@{K}"]
        else None
        for system in SYSTEMS[1:]
    }
    return {
        "set": name,
        "split": spec.described,
        "validation": spec.validation_described if tune else None,
        "interactions": len(interactions),
        "train_interactions": len(split.train),
        "catalog": len(catalog),
        "cases": len(split.cases),
        "dropped": split.dropped,
        "reachable": round(reachable / len(split.cases), 4),
        # Cases whose targets include an item from the shopper's own history.
        "cases_with_rebuys": rebought,
        "validation_cases": validation_cases,
        # What tuning saw: every system on the validation folds, with the chosen parameters.
        "validation_systems": validation_figures,
        "repeat_validation": spec.repeat_validation_described if repeat_cases else None,
        "repeat_validation_cases": repeat_cases,
        "repeat_validation_systems": repeat_figures,
        "params": {"aisle": params.as_dict(), "item_knn": {"neighbours": neighbours}},
        "systems": figures,
        "ratios": ratios,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _every_system(
    folds: Sequence[Split], params: RecsParams, neighbours: int | None
) -> dict[str, dict[str, float]]:
    makers: dict[str, Callable[[list[Interaction]], Recommender]] = {
        "aisle": partial(CoOccurrenceRecommender.fit, params=params),
        "popularity": PopularityRecommender,
        "item_knn": partial(ItemKNNRecommender, neighbours=neighbours),
    }
    return {system: pooled(make, folds) for system, make in makers.items()}


def evaluate_recs(
    settings: Settings,
    *,
    data_dir: Path | None = None,
    sets: Sequence[str] = tuple(SETS),
    tune: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    started = time.perf_counter()
    unknown = sorted(set(sets) - set(SETS))
    if unknown:
        raise RecsDataError(f"unknown evaluation sets: {', '.join(unknown)}")
    directory = (data_dir if data_dir is not None else settings.path(DEFAULT_DATA_DIR)).resolve()
    loaded: dict[str, list[Interaction]] = {}
    tuned: dict[tuple[object, ...], _Tuned] = {}
    results = []
    for name in sets:
        spec = SETS[name]
        if spec.filename not in loaded:
            loaded[spec.filename] = spec.load(directory / spec.filename)
        results.append(
            evaluate_set(name, loaded[spec.filename], tune=tune, progress=progress, tuned=tuned)
        )
    return {
        "data_dir": str(directory),
        "k": K,
        "systems": list(SYSTEMS),
        "sets": results,
        "seconds": round(time.perf_counter() - started, 1),
    }
