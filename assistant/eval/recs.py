"""`assistant eval recs`: HR@10, NDCG@10, MRR@10 and catalog coverage of the built-in
recommender, beside popularity and item-kNN fitted on the same data in the same run.

Sets (`../shared/data/interactions`; the splits are in `recs_data`):
- **online_retail** — the year of UCI Online Retail invoices (`online_retail.csv.gz`; the
  10,000-line sample with `retail_file`). Each customer's last invoice is held out, whole, and
  predicted from their earlier ones by models fitted strictly before it, block by block.
- **online_retail_new_items** — the same cases and models, but only the items new to the
  customer are targets and their history is never suggested.
- **diginetica** — DIGINETICA sessions: every next view of the last `TEST_DAYS` days' sessions.

**The store's configuration is what is measured on Online Retail**: aisle runs with
`settings.recommendations.recs_params()`, the params `config.yml` gives the store's
recommender. They are chosen on the validation split only (each customer's second-to-last
invoice, the test invoices removed from everything); `tune=True` runs that search again
(`retail_search`) and reports its choice beside the configured values, and the test is
scored with the configured values either way. Item-kNN's neighbour count is chosen on the
same validation split in every run. DIGINETICA keeps its own protocol: the recommender's
params are tuned in the run on the three periods before the test.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config.recs import RecsParams
from assistant.eval.recs_data import (
    BLOCK_CASES,
    BLOCK_DAYS,
    RETAIL_FILE,
    SESSIONS_FILE,
    TEST_DAYS,
    RecsDataError,
    Split,
    TimeSplit,
    earlier_windows,
    load_retail,
    load_sessions,
    new_items,
    session_split,
    time_ordered_split,
    validation_split,
)
from assistant.eval.recs_fit import (
    Figures,
    K,
    Prefix,
    PrefixCounts,
    aisle_models,
    evaluate_blocks,
    evaluate_system,
    knn_models,
    popularity_model,
)
from assistant.eval.recs_search import (
    SESSION_GRID,
    Progress,
    coordinate_ascent,
    ranking_key,
    retail_search,
)
from assistant.recs.baselines import ItemKNNRecommender, PopularityRecommender
from assistant.recs.engine import CoOccurrenceRecommender
from assistant.recs.interface import Interaction, Recommender

if TYPE_CHECKING:
    from assistant.config import Settings

DEFAULT_DATA_DIR = "../shared/data/interactions"
SYSTEMS = ("aisle", "popularity", "item_knn")
RETAIL_SETS = ("online_retail", "online_retail_new_items")
SETS = (*RETAIL_SETS, "diginetica")
# Item-kNN's neighbour counts, chosen on validation (None: all). On Online Retail the
# validation split favours the fewest, so the grid reaches down to one.
NEIGHBOURS: tuple[int | None, ...] = (10, 20, 50, 100, 200, None)
RETAIL_NEIGHBOURS: tuple[int | None, ...] = (1, 2, 5, *NEIGHBOURS)


def _retail_facts(split: TimeSplit) -> dict[str, Any]:
    """Counts that say what the figures rest on."""
    reachable = rebought = 0
    for block in split.blocks:
        seen = {i.item for i in split.train[: block.size]}
        for case in block.cases:
            reachable += bool(case.targets & seen)
            rebought += bool(case.targets & {i.item for i in case.history})
    cases = max(len(split.cases), 1)
    return {
        "cases": len(split.cases),
        "dropped": split.dropped,
        "reachable": round(reachable / cases, 4),
        # Cases whose targets include an item from the customer's own history.
        "cases_with_rebuys": rebought,
        "blocks": len(split.blocks),
        "block_starts": [_day(split.blocks[0].start), _day(split.blocks[-1].start)]
        if split.blocks
        else [],
    }


def _day(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).date().isoformat()


def evaluate_retail(
    interactions: Sequence[Interaction],
    configured: RecsParams,
    *,
    sets: Sequence[str] = RETAIL_SETS,
    validate: bool = True,
    search: bool = False,
    progress: Progress = None,
    block_cases: int = BLOCK_CASES,
    block_days: float = BLOCK_DAYS,
) -> list[dict[str, Any]]:
    """The Online Retail sets: validation (unless `validate` is off: item-kNN then keeps 50
    neighbours), optionally the search, then the test, every system fitted once per block."""
    started = time.perf_counter()
    whole = time_ordered_split(interactions, block_cases=block_cases, block_days=block_days)
    if not whole.cases:
        raise RecsDataError("online_retail: no customer has two invoices")
    variants = {"online_retail": whole, "online_retail_new_items": new_items(whole)}
    tests = {name: variants[name] for name in sets}
    whole_validation = validation_split(whole, block_cases=block_cases, block_days=block_days)
    validations = {
        "online_retail": whole_validation,
        "online_retail_new_items": new_items(whole_validation),
    }
    neighbours: int | None = NEIGHBOURS[2]
    tried: dict[str, float] = {}
    validation: dict[str, dict[str, Figures]] = {name: {} for name in sets}
    if validate and whole_validation.cases:
        if progress:
            progress(f"online_retail: validation, {len(whole_validation.cases)} baskets")
        prefix = Prefix(whole_validation.train)
        figures = evaluate_blocks(
            {name: validations[name] for name in sets},
            [
                aisle_models({"aisle": configured}, PrefixCounts(prefix)),
                popularity_model(prefix),
                knn_models(prefix, RETAIL_NEIGHBOURS),
            ],
        )
        # Item-kNN's neighbours: the best on the first set's validation (ties to the fewer),
        # for both sets.
        first = sets[0]
        scored = [
            (ranking_key(figures[f"item_knn@{k}"][first]), -n, k)
            for n, k in enumerate(RETAIL_NEIGHBOURS)
        ]
        neighbours = max(scored)[2]
        tried = {str(k): figures[f"item_knn@{k}"][first][f"hr@{K}"] for k in RETAIL_NEIGHBOURS}
        for name in sets:
            validation[name] = {
                "aisle": figures["aisle"][name],
                "popularity": figures["popularity"][name],
                "item_knn": figures[f"item_knn@{neighbours}"][name],
            }
    phases = {"validation": round(time.perf_counter() - started, 1)}
    searched = None
    if search and "online_retail" in sets and whole_validation.cases:
        searched = retail_search(whole_validation, configured, progress)
        phases["search"] = round(time.perf_counter() - started - sum(phases.values()), 1)
    if progress:
        progress(f"online_retail: test, {len(whole.cases)} baskets in {len(whole.blocks)} blocks")
    prefix = Prefix(whole.train)
    figures = evaluate_blocks(
        tests,
        [
            aisle_models({"aisle": configured}, PrefixCounts(prefix)),
            popularity_model(prefix),
            knn_models(prefix, [neighbours]),
        ],
    )
    seconds = round(time.perf_counter() - started, 1)
    phases["test"] = round(seconds - sum(phases.values()), 1)
    results = []
    for name in sets:
        systems = {
            "aisle": figures["aisle"][name],
            "popularity": figures["popularity"][name],
            "item_knn": figures[f"item_knn@{neighbours}"][name],
        }
        results.append(
            {
                "set": name,
                "split": "each customer's last invoice (customers with 2+ invoices), "
                + ("whole basket" if name == "online_retail" else "new items only"),
                "protocol": {
                    "blocks": f"held-out baskets in time order, a block closing at {block_cases} "
                    f"baskets or {block_days:g} days; every "
                    "system refitted per block on the invoices that ended strictly before "
                    "the block's first held-out basket began, never on a held-out one; the "
                    "profile is all of the customer's lines before their basket",
                    "block_cases": block_cases,
                    "block_days": block_days,
                    "validation": "the same on the data without the test invoices: each "
                    "customer's second-to-last invoice",
                },
                "interactions": len(interactions),
                "train_interactions": len(whole.train),
                "catalog": len({i.item for i in whole.train[: whole.blocks[-1].size]}),
                **_retail_facts(tests[name]),
                "validation": _retail_facts(validations[name]) if validate else None,
                "validation_systems": validation[name],
                "params": {
                    "aisle": configured.as_dict(),
                    "aisle_source": "config.yml recommendations.params (the store's)",
                    # With the validation HR@10 of every count tried, on the first set.
                    "item_knn": {"neighbours": neighbours, f"validation_hr@{K}": tried},
                },
                "search": searched if name == "online_retail" else None,
                "systems": systems,
                "ratios": _ratios(systems),
                # Both sets share one run: its time, loading the file aside (the splits are
                # counted in the validation's).
                "seconds": seconds,
                "phase_seconds": phases,
            }
        )
    return results


def _ratios(systems: Mapping[str, Figures]) -> dict[str, float | None]:
    ours = systems["aisle"][f"hr@{K}"]
    return {
        f"hr@{K}_vs_{system}": round(ours / systems[system][f"hr@{K}"], 2)
        if systems[system][f"hr@{K}"]
        else None
        for system in SYSTEMS[1:]
    }


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


def _session_systems(
    folds: Sequence[Split], params: RecsParams, neighbours: int | None
) -> dict[str, Figures]:
    makers: dict[str, Callable[[list[Interaction]], Recommender]] = {
        "aisle": partial(CoOccurrenceRecommender.fit, params=params),
        "popularity": PopularityRecommender,
        "item_knn": partial(ItemKNNRecommender, neighbours=neighbours),
    }
    return {system: pooled(make, folds) for system, make in makers.items()}


def evaluate_sessions(
    interactions: Sequence[Interaction], *, tune: bool = True, progress: Progress = None
) -> dict[str, Any]:
    """DIGINETICA as before: tune aisle (coordinate ascent over `SESSION_GRID`) and item-kNN's
    neighbours on the three periods before the test, then score the test."""
    started = time.perf_counter()
    split = session_split(interactions)
    if not split.cases:
        raise RecsDataError("diginetica: no test cases")
    params, neighbours = RecsParams(), NEIGHBOURS[2]
    folds = earlier_windows(split.train) if tune else []
    validation_cases = sum(len(fold.cases) for fold in folds)
    validation: dict[str, Figures] = {}
    if validation_cases:
        if progress:
            progress(f"diginetica: tuning on {validation_cases} validation cases")

        def score(candidates: dict[str, RecsParams]) -> dict[str, Figures]:
            return {
                name: pooled(partial(CoOccurrenceRecommender.fit, params=chosen), folds)
                for name, chosen in candidates.items()
            }

        params = coordinate_ascent(RecsParams(), SESSION_GRID, score).chosen
        scored = [
            (ranking_key(pooled(partial(ItemKNNRecommender, neighbours=k), folds)), -n, k)
            for n, k in enumerate(NEIGHBOURS)
        ]
        neighbours = max(scored)[2]
        validation = _session_systems(folds, params, neighbours)
    if progress:
        progress(f"diginetica: scoring {len(split.cases)} test cases")
    catalog = {i.item for i in split.train}
    systems = _session_systems([split], params, neighbours)
    return {
        "set": "diginetica",
        "split": f"sessions of the last {TEST_DAYS} days as test, every next view predicted; "
        "new items only",
        "protocol": {
            "validation": f"the three {TEST_DAYS}-day periods before the test, each on the "
            "sessions before it"
        },
        "interactions": len(interactions),
        "train_interactions": len(split.train),
        "catalog": len(catalog),
        "cases": len(split.cases),
        "dropped": split.dropped,
        "reachable": round(
            sum(bool(c.targets & catalog) for c in split.cases) / len(split.cases), 4
        ),
        "validation": {"cases": validation_cases} if tune else None,
        "validation_systems": validation,
        "params": {
            "aisle": params.as_dict(),
            "aisle_source": "tuned in the run on the validation periods" if tune else "defaults",
            "item_knn": {"neighbours": neighbours},
        },
        "search": None,
        "systems": systems,
        "ratios": _ratios(systems),
        "seconds": round(time.perf_counter() - started, 1),
    }


def evaluate_recs(
    settings: Settings,
    *,
    data_dir: Path | None = None,
    retail_file: str = RETAIL_FILE,
    sets: Sequence[str] = SETS,
    tune: bool | None = None,
    progress: Progress = None,
) -> dict[str, Any]:
    """Every requested set. `tune` None (the default): validation figures, item-kNN's
    neighbours and DIGINETICA's params chosen on validation, the store's params measured;
    True: also the search on Online Retail's validation split; False: no validation at all."""
    started = time.perf_counter()
    unknown = sorted(set(sets) - set(SETS))
    if unknown:
        raise RecsDataError(f"unknown evaluation sets: {', '.join(unknown)}")
    directory = (data_dir if data_dir is not None else settings.path(DEFAULT_DATA_DIR)).resolve()
    configured = settings.recommendations.recs_params()
    results: dict[str, dict[str, Any]] = {}
    retail = [name for name in RETAIL_SETS if name in sets]
    if retail:
        if progress:
            progress(f"loading {retail_file}")
        interactions = load_retail(directory / retail_file)
        for result in evaluate_retail(
            interactions,
            configured,
            sets=retail,
            validate=tune is not False,
            search=tune is True,
            progress=progress,
        ):
            results[result["set"]] = result | {"file": retail_file}
    if "diginetica" in sets:
        views = load_sessions(directory / SESSIONS_FILE)
        result = evaluate_sessions(views, tune=tune is not False, progress=progress)
        results["diginetica"] = result | {"file": SESSIONS_FILE}
    return {
        "data_dir": str(directory),
        "k": K,
        "systems": list(SYSTEMS),
        "sets": [results[name] for name in sets if name in results],
        "seconds": round(time.perf_counter() - started, 1),
    }
