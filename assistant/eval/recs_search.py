"""The parameter search of `assistant eval recs`: coordinate ascent over a grid, scored on
validation data only. On Online Retail it starts from the configured params (config.yml)
and reports what it would choose beside them (`retail_search`, `assistant eval recs
--tune`); on DIGINETICA it chooses the params of the run (`SESSION_GRID`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from assistant.config.recs import RecsParams
from assistant.eval.recs_data import TimeSplit
from assistant.eval.recs_fit import Figures, K, Prefix, PrefixCounts, aisle_models, evaluate_blocks

Progress = Callable[[str], None] | None

# The search on Online Retail's validation split, one parameter at a time in this order.
RETAIL_GRID: dict[str, tuple[Any, ...]] = {
    "repeat": (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0),
    "alpha": (0.5, 0.75, 1.0),
    "shrink": (0.0, 2.0, 10.0),
    "decay": (0.3, 0.5, 0.7, 0.9, 1.0),
    "popularity": (0.0, 0.02, 0.05, 0.2),
    "popularity_half_life_days": (None, 7.0, 30.0),
    "monetary": (0.0, 0.5),
    "similar_baskets": (0.0, 0.5, 1.0, 2.0),
    "similar_baskets_k": (10, 20, 50),
    "diversity": (0.0, 0.3),
}
# A change must hit this many more of the validation baskets (HR@10; 5 of 2,000): smaller
# gains are within the noise of one split, and chasing them only moves the params about.
RETAIL_MIN_GAIN = 0.0025
RETAIL_SWEEPS = 4
# The search on DIGINETICA's validation periods.
SESSION_GRID: dict[str, tuple[Any, ...]] = {
    "alpha": (0.5, 0.75, 1.0),
    "shrink": (0.0, 2.0, 10.0),
    "decay": (0.3, 0.5, 0.7, 1.0),
    "popularity": (0.0, 0.01, 0.05, 0.2),
    "popularity_half_life_days": (None, 3.0, 14.0),
    "sequence": (0.0, 0.5, 1.0, 2.0),
    "window": (1, 3, 5),
}


def ranking_key(figures: Figures) -> tuple[float, float]:
    """What a choice maximises: HR@10, then NDCG@10."""
    return figures[f"hr@{K}"], figures[f"ndcg@{K}"]


@dataclass(frozen=True)
class Ascent:
    """Where a coordinate ascent ended, every value's figures in its last sweep (parameter by
    parameter), each change it made, and how many sweeps it took."""

    chosen: RecsParams
    tried: dict[str, dict[str, Figures]]
    changes: list[dict[str, Any]]
    sweeps: int


def _better(new: Figures, old: Figures, min_gain: float) -> bool:
    if min_gain > 0:
        # HR@10 is a multiple of 1 / cases: no rounding can make up a gain.
        return new[f"hr@{K}"] - old[f"hr@{K}"] >= min_gain - 1e-9
    return ranking_key(new) > ranking_key(old)


def coordinate_ascent(
    start: RecsParams,
    grid: Mapping[str, tuple[Any, ...]],
    score: Callable[[dict[str, RecsParams]], dict[str, Figures]],
    *,
    min_gain: float = 0.0,
    sweeps: int = 1,
) -> Ascent:
    """One parameter at a time, in `grid`'s order, each value tried with the others as chosen
    so far; a change is kept only if it scores better: by `min_gain` on HR@10 or, with none,
    on HR@10 then NDCG@10. Sweeps the grid again while a sweep changed something, at most
    `sweeps` times. `score` takes named candidates and returns their figures."""
    best = start
    best_figures = score({"start": start})["start"]
    tried: dict[str, dict[str, Figures]] = {}
    changes: list[dict[str, Any]] = []
    for sweep in range(1, sweeps + 1):
        changed = False
        for name, values in grid.items():
            candidates = {str(v): replace(best, **{name: v}) for v in values}
            candidates = {label: params for label, params in candidates.items() if params != best}
            figures = score(candidates) if candidates else {}
            tried[name] = {str(getattr(best, name)): best_figures, **figures}
            for label, params in candidates.items():
                if _better(figures[label], best_figures, min_gain):
                    change = {"sweep": sweep, "param": name, "from": getattr(best, name)}
                    best, best_figures = params, figures[label]
                    changes.append(change | {"to": getattr(best, name), **best_figures})
                    changed = True
        if not changed:
            break
    return Ascent(best, tried, changes, sweep)


def _block_scorer(
    split: TimeSplit, counts: PrefixCounts
) -> Callable[[dict[str, RecsParams]], dict[str, Figures]]:
    def score(candidates: dict[str, RecsParams]) -> dict[str, Figures]:
        figures = evaluate_blocks({"split": split}, [aisle_models(candidates, counts)])
        return {name: by_split["split"] for name, by_split in figures.items()}

    return score


def retail_search(
    validation: TimeSplit, configured: RecsParams, progress: Progress = None
) -> dict[str, Any]:
    """The parameter search on the whole-basket validation split, from the configured params:
    what it would choose, next to what is configured."""
    if progress:
        progress(f"online_retail: searching {len(RETAIL_GRID)} parameters on validation")
    score = _block_scorer(validation, PrefixCounts(Prefix(validation.train)))
    ascent = coordinate_ascent(
        configured, RETAIL_GRID, score, min_gain=RETAIL_MIN_GAIN, sweeps=RETAIL_SWEEPS
    )
    configured_values, chosen_values = configured.as_dict(), ascent.chosen.as_dict()
    return {
        "rule": f"coordinate ascent from the configured params over the grid, a change kept "
        f"only if it raises aisle's validation HR@{K} by {RETAIL_MIN_GAIN:g} or more, "
        f"sweeping again while a sweep changes something (at most {RETAIL_SWEEPS})",
        "sweeps": ascent.sweeps,
        "changes": ascent.changes,
        "configured": configured_values,
        "chosen": chosen_values,
        "changed": {
            name: {"configured": configured_values[name], "chosen": value}
            for name, value in chosen_values.items()
            if value != configured_values[name]
        },
        # HR@10 etc. of aisle on validation for every value tried in the last sweep.
        "tried": ascent.tried,
    }
