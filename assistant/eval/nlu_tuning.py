"""Choosing a classifier's regularisation and out-of-scope threshold on `nlu_data/` alone.

`assistant eval nlu` scores two systems on Bitext; neither may learn anything from Bitext.
Each system's C and threshold are chosen here by k-fold cross-validation over the
assistant's own training examples: every example is predicted once by a model fitted on the
other folds, and the (C, threshold) pair with the best macro-F1 over all intents —
`out_of_scope` included, since `nlu_data/` has examples of it — wins. A wrong acceptance of
an out-of-scope example therefore costs the accepted intent's precision and the
out-of-scope recall, as it does on Bitext.

The folds are assigned per intent, round robin after a seeded shuffle, so every intent with
at least two examples is in every fold's training part.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from sklearn.metrics import f1_score

from assistant.engine.nlu.model import OUT_OF_SCOPE

# Wide enough that neither system's choice has so far landed on an edge it could pass.
REGULARISATION_GRID = (1.0, 3.0, 10.0, 30.0, 100.0)
THRESHOLD_GRID = tuple(round(0.05 * step, 2) for step in range(1, 17))  # 0.05 … 0.80
FOLDS = 3
SEED = 0

# fit(train indices, C) -> predict(test indices) -> (classes, probabilities); the tuner
# never sees the features, so both systems are tuned by the same code.
Predictor = Callable[[Sequence[int]], tuple[list[str], np.ndarray]]
Fitter = Callable[[Sequence[int], float], Predictor]


@dataclass(frozen=True)
class Tuned:
    regularisation: float
    threshold: float
    # Macro-F1 of the out-of-fold predictions at the chosen pair.
    validation_macro_f1: float
    folds: int
    examples: int
    # (C, threshold, macro-F1) for every pair tried, in grid order.
    grid: tuple[tuple[float, float, float], ...] = ()


def folds_of(labels: Sequence[str], folds: int = FOLDS, seed: int = SEED) -> list[int]:
    """A fold number for every example, dealt per intent so each fold sees each intent."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        by_label[label].append(index)
    rng = random.Random(seed)
    assigned = [0] * len(labels)
    for label in sorted(by_label):
        members = by_label[label]
        rng.shuffle(members)
        for position, index in enumerate(members):
            assigned[index] = position % folds
    return assigned


def decide(classes: Sequence[str], probabilities: np.ndarray, threshold: float) -> list[str]:
    """The top intent, or `out_of_scope` when its probability is under the threshold."""
    best = np.argmax(probabilities, axis=1)
    top = probabilities[np.arange(len(best)), best]
    return [
        classes[int(b)] if p >= threshold else OUT_OF_SCOPE for b, p in zip(best, top, strict=True)
    ]


def tune(
    labels: Sequence[str],
    fit: Fitter,
    *,
    regularisations: Sequence[float] = REGULARISATION_GRID,
    thresholds: Sequence[float] = THRESHOLD_GRID,
    folds: int = FOLDS,
) -> Tuned:
    """The (C, threshold) with the best out-of-fold macro-F1; ties go to the first in grid
    order (smaller C, lower threshold)."""
    assignment = folds_of(labels, folds)
    names = sorted(set(labels) | {OUT_OF_SCOPE})
    column = {name: n for n, name in enumerate(names)}
    best: Tuned | None = None
    tried: list[tuple[float, float, float]] = []
    for regularisation in regularisations:
        # Out-of-fold probabilities over every intent, in one shared column order.
        pooled = np.zeros((len(labels), len(names)))
        for fold in range(folds):
            train = [i for i, f in enumerate(assignment) if f != fold]
            test = [i for i, f in enumerate(assignment) if f == fold]
            if not test:
                continue
            classes, probabilities = fit(train, regularisation)(test)
            for position, name in enumerate(classes):
                pooled[test, column[name]] = probabilities[:, position]
        for threshold in thresholds:
            predicted = decide(names, pooled, threshold)
            score = round(
                float(f1_score(labels, predicted, labels=names, average="macro", zero_division=0)),
                4,
            )
            tried.append((regularisation, threshold, score))
            if best is None or score > best.validation_macro_f1:
                best = Tuned(regularisation, threshold, score, folds, len(labels))
    if best is None:
        raise ValueError("nothing to tune: empty grids")
    return replace(best, grid=tuple(tried))


def threshold_for_share(classes: Sequence[str], probabilities: np.ndarray, share: float) -> float:
    """The threshold at which `decide` sends `share` of the rows to `out_of_scope`, for
    comparing two systems at the same out-of-scope share. Rows whose best intent is
    `out_of_scope` itself go there at any threshold; the rest are taken lowest confidence
    first. Uses no labels."""
    best = np.argmax(probabilities, axis=1)
    top = probabilities[np.arange(len(best)), best]
    always = np.array([classes[int(b)] == OUT_OF_SCOPE for b in best], dtype=bool)
    ordered = sorted(float(p) for p in top[~always])
    below = round(share * len(top)) - int(always.sum())
    if below <= 0 or not ordered:
        return 0.0
    if below >= len(ordered):
        return float(np.nextafter(ordered[-1], np.inf))
    return ordered[below]
