"""`assistant eval nlu`: our NLU against a TF-IDF baseline on Bitext's customer-support intents.

Both systems train on `nlu_data/` in the same run and apply the same rule: a top confidence
below the threshold is `out_of_scope`. Bitext intents map to ours through
`data/bitext_intent_map.yml`; rows of an intent mapped to `null` are not covered yet, and
their right answer is `out_of_scope` (the assistant then says it cannot help and offers a
person).

Nothing is chosen on Bitext. Each system's regularisation and threshold are tuned on its own
by cross-validation over `nlu_data/` (`nlu_tuning.py`); the assistant as configured
(`nlu.threshold`, the classifier's default C) is scored beside them. Because a higher
threshold trades wrong acceptances for false rejections, the baseline is also scored at the
threshold that gives it the same out-of-scope share on Bitext as the tuned assistant (a
choice that reads no Bitext label).

Figures over all rows, with `out_of_scope` as the gold label of the uncovered ones:
accuracy; macro-F1 over the covered intents, where an uncovered row given a covered intent
is a false positive of that intent (a wrong acceptance); macro-F1 with `out_of_scope` as a
label too. The figures over the covered rows alone (what this suite used to report, blind to
wrong acceptances) are kept beside them under `covered_only`.
"""

from __future__ import annotations

import copy
import csv
import logging
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.pipeline import FeatureUnion

from assistant.engine.embeddings import CachingEmbedder, Embedder, embedder_from_settings
from assistant.engine.nlu.classifier import DEFAULT_REGULARISATION, IntentClassifier
from assistant.engine.nlu.model import OUT_OF_SCOPE, NLUModel
from assistant.engine.nlu.training_data import TrainingData, load_training_data
from assistant.errors import AisleError
from assistant.eval.nlu_tuning import (
    FOLDS,
    REGULARISATION_GRID,
    THRESHOLD_GRID,
    decide,
    threshold_for_share,
    tune,
)

if TYPE_CHECKING:
    from assistant.config import Settings

logger = logging.getLogger(__name__)

DEFAULT_DATA = "../shared/data/bitext/intents.csv"
SYSTEMS = ("aisle_config", "aisle", "baseline", "baseline_matched")


class EvalDataError(AisleError):
    """The evaluation data or the intent map is missing or malformed."""

    code = "invalid_eval_data"


@dataclass(frozen=True)
class SystemScores:
    regularisation: float
    threshold: float
    # Over every row, the uncovered ones with gold `out_of_scope`.
    accuracy: float
    macro_f1: float
    macro_f1_with_oos: float
    precision: dict[str, float]
    recall: dict[str, float]
    out_of_scope_share: float
    uncovered_out_of_scope_share: float | None
    # Uncovered rows given an intent: the assistant would start something it should not.
    wrong_acceptances: int
    # Covered rows sent to out_of_scope: the shopper is told "I can't help" wrongly.
    false_rejections: int
    # The old figures, over the covered rows only.
    covered_only: dict[str, float | None]
    # gold intent -> predicted intent -> rows, over every row.
    confusion: dict[str, dict[str, int]]


@dataclass(frozen=True)
class NLUEvalReport:
    data: str
    n_rows: int
    n_covered: int
    n_uncovered: int
    macro_f1_labels: list[str]
    # System name -> how its C and threshold were chosen on nlu_data/.
    tuning: dict[str, dict[str, Any]]
    systems: dict[str, SystemScores]
    seconds: float
    skipped_intents: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class BaselineClassifier:
    """TF-IDF word (1–2) and character (2–5) n-grams with a logistic regression, no embeddings."""

    def __init__(self, *, threshold: float, regularisation: float = DEFAULT_REGULARISATION) -> None:
        self.threshold = threshold
        self.features = FeatureUnion(
            [
                ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
                (
                    "chars",
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
                ),
            ]
        )
        self.model = LogisticRegression(C=regularisation, max_iter=2000, class_weight="balanced")

    def fit(self, data: TrainingData) -> BaselineClassifier:
        return self.fit_texts(
            [example.text for example in data.examples], [e.intent for e in data.examples]
        )

    def fit_texts(self, texts: Sequence[str], labels: Sequence[str]) -> BaselineClassifier:
        self.model.fit(self.features.fit_transform(list(texts)), list(labels))
        return self

    @property
    def classes(self) -> list[str]:
        return [str(name) for name in self.model.classes_]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.model.predict_proba(self.features.transform(list(texts))))

    def predict(self, texts: Sequence[str]) -> list[str]:
        return decide(self.classes, self.predict_proba(texts), self.threshold)


def load_intent_map(path: Path | None = None) -> dict[str, str | None]:
    """Bitext intent -> our intent, or None where we do not cover it yet."""
    if path is None:
        text = (
            resources.files("assistant.eval")
            .joinpath("data/bitext_intent_map.yml")
            .read_text(encoding="utf-8")
        )
        where = "assistant/eval/data/bitext_intent_map.yml"
    else:
        text, where = path.read_text(encoding="utf-8"), str(path)
    loaded = yaml.safe_load(text)
    if not isinstance(loaded, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in loaded.items()
    ):
        raise EvalDataError(f"{where}: must map each Bitext intent to one of ours or null")
    return dict(loaded)


def load_bitext(path: Path) -> list[tuple[str, str]]:
    """(instruction, intent) rows of a Bitext CSV."""
    if not path.is_file():
        raise EvalDataError(f"{path}: evaluation data not found")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if not {"instruction", "intent"} <= set(reader.fieldnames or ()):
            raise EvalDataError(f"{path}: needs the columns instruction and intent")
        rows = [(row["instruction"].strip(), row["intent"].strip()) for row in reader]
    rows = [(text, intent) for text, intent in rows if text]
    if not rows:
        raise EvalDataError(f"{path}: no rows")
    return rows


def evaluate_nlu(
    settings: Settings,
    *,
    data_path: Path | None = None,
    embedder: Embedder | None = None,
    intent_map: dict[str, str | None] | None = None,
    regularisations: Sequence[float] | None = None,
    thresholds: Sequence[float] | None = None,
    folds: int | None = None,
) -> NLUEvalReport:
    """The tuning's grids and folds default to `nlu_tuning`'s (smaller ones keep tests short)."""
    started = time.perf_counter()
    path = (data_path if data_path is not None else settings.path(DEFAULT_DATA)).resolve()
    rows = load_bitext(path)
    mapping = intent_map if intent_map is not None else load_intent_map()
    unlisted = sorted({intent for _, intent in rows} - set(mapping))
    if unlisted:
        raise EvalDataError(f"Bitext intents missing from the intent map: {', '.join(unlisted)}")
    training = load_training_data(settings.path(settings.nlu.training_data))
    unknown = sorted({v for v in mapping.values() if v is not None} - set(training.intents))
    if unknown:
        raise EvalDataError(f"the intent map names intents with no training data: {unknown}")

    cached = CachingEmbedder(embedder if embedder is not None else embedder_from_settings(settings))
    texts = [example.text for example in training.examples]
    labels = [example.intent for example in training.examples]
    vectors = cached.encode(texts)
    grids: dict[str, Any] = {
        "regularisations": tuple(regularisations or REGULARISATION_GRID),
        "thresholds": tuple(thresholds or THRESHOLD_GRID),
        "folds": folds or FOLDS,
    }

    def fit_aisle(train: Sequence[int], c: float) -> Any:
        classifier = IntentClassifier(regularisation=c).fit(
            [texts[i] for i in train], vectors[list(train)], [labels[i] for i in train]
        )
        return lambda test: (
            classifier.classes,
            classifier.predict_proba([texts[i] for i in test], vectors[list(test)]),
        )

    def fit_baseline(train: Sequence[int], c: float) -> Any:
        baseline = BaselineClassifier(threshold=0.0, regularisation=c).fit_texts(
            [texts[i] for i in train], [labels[i] for i in train]
        )
        return lambda test: (baseline.classes, baseline.predict_proba([texts[i] for i in test]))

    logger.info("tuning both systems on %d nlu_data examples", len(texts))
    tuned = {
        "aisle": tune(labels, fit_aisle, **grids),
        "baseline": tune(labels, fit_baseline, **grids),
    }
    configured = NLUModel.train(training, cached, threshold=settings.nlu.threshold)
    # The same model (speller, entities and all) with the tuned classifier and threshold.
    aisle = copy.copy(configured)
    aisle.classifier = IntentClassifier(regularisation=tuned["aisle"].regularisation).fit(
        texts, vectors, labels
    )
    aisle.threshold = tuned["aisle"].threshold
    baseline = BaselineClassifier(
        threshold=tuned["baseline"].threshold, regularisation=tuned["baseline"].regularisation
    ).fit(training)

    bitext = [text for text, _ in rows]
    gold = [mapping[intent] or OUT_OF_SCOPE for _, intent in rows]
    covered = [mapping[intent] is not None for _, intent in rows]
    logger.info("parsing %d Bitext rows", len(bitext))
    baseline_proba = baseline.predict_proba(bitext)
    aisle_predicted = [result.intent for result in aisle.parse_many(bitext)]
    # The baseline at the assistant's out-of-scope share, the threshold read off the
    # baseline's own confidences (no labels).
    share = sum(p == OUT_OF_SCOPE for p in aisle_predicted) / len(aisle_predicted)
    matched = threshold_for_share(baseline.classes, baseline_proba, share)
    runs = {
        "aisle_config": (
            [r.intent for r in configured.parse_many(bitext)],
            configured.classifier.regularisation,
            settings.nlu.threshold,
        ),
        "aisle": (aisle_predicted, tuned["aisle"].regularisation, tuned["aisle"].threshold),
        "baseline": (
            decide(baseline.classes, baseline_proba, baseline.threshold),
            tuned["baseline"].regularisation,
            tuned["baseline"].threshold,
        ),
        "baseline_matched": (
            decide(baseline.classes, baseline_proba, matched),
            tuned["baseline"].regularisation,
            round(matched, 4),
        ),
    }
    intents = sorted({label for label in gold if label != OUT_OF_SCOPE})
    return NLUEvalReport(
        data=str(path),
        n_rows=len(rows),
        n_covered=sum(covered),
        n_uncovered=len(rows) - sum(covered),
        macro_f1_labels=intents,
        tuning={
            "aisle": asdict(tuned["aisle"]) | grids,
            "baseline": asdict(tuned["baseline"]) | grids,
            "aisle_config": {"regularisation": configured.classifier.regularisation}
            | {"threshold": settings.nlu.threshold, "source": "config.yml and the classifier"},
            "baseline_matched": {"threshold": round(matched, 4), "out_of_scope_share": share},
        },
        systems={
            name: score(gold, predicted, covered, intents, regularisation=c, threshold=t)
            for name, (predicted, c, t) in runs.items()
        },
        seconds=round(time.perf_counter() - started, 2),
        skipped_intents=sorted({intent for _, intent in rows if mapping[intent] is None}),
    )


def score(
    gold: Sequence[str],
    predicted: Sequence[str],
    covered: Sequence[bool],
    intents: Sequence[str],
    *,
    regularisation: float,
    threshold: float,
) -> SystemScores:
    """Every figure of one system; `gold` is `out_of_scope` where the row is not covered."""
    labels = list(intents)
    pairs = list(zip(gold, predicted, strict=True))
    confusion = {
        label: dict(Counter(p for t, p in pairs if t == label).most_common())
        for label in sorted(set(gold))
    }
    inside = [(t, p) for (t, p), c in zip(pairs, covered, strict=True) if c]
    outside = [p for (_, p), c in zip(pairs, covered, strict=True) if not c]

    def f1(y_true: Sequence[str], y_pred: Sequence[str], names: Sequence[str]) -> float:
        value = f1_score(y_true, y_pred, labels=list(names), average="macro", zero_division=0)
        return round(float(value), 4)

    covered_only: dict[str, float | None] = {"accuracy": None, "macro_f1": None}
    if inside and labels:
        covered_true, covered_pred = zip(*inside, strict=True)
        covered_only = {
            "accuracy": _share(t == p for t, p in inside),
            "macro_f1": f1(covered_true, covered_pred, labels),
        }
    precision = precision_score(gold, predicted, labels=labels, average=None, zero_division=0)
    recall = recall_score(gold, predicted, labels=labels, average=None, zero_division=0)
    return SystemScores(
        regularisation=regularisation,
        threshold=threshold,
        accuracy=_share(t == p for t, p in pairs),
        macro_f1=f1(gold, predicted, labels) if labels else 0.0,
        macro_f1_with_oos=f1(gold, predicted, [*labels, OUT_OF_SCOPE]),
        precision={n: round(float(v), 4) for n, v in zip(labels, precision, strict=True)},
        recall={n: round(float(v), 4) for n, v in zip(labels, recall, strict=True)},
        out_of_scope_share=_share(p == OUT_OF_SCOPE for p in predicted),
        uncovered_out_of_scope_share=_share(p == OUT_OF_SCOPE for p in outside)
        if outside
        else None,
        wrong_acceptances=sum(p != OUT_OF_SCOPE for p in outside),
        false_rejections=sum(p == OUT_OF_SCOPE for _, p in inside),
        covered_only=covered_only,
        confusion=confusion,
    )


def _share(flags: Iterable[bool]) -> float:
    values = list(flags)
    return round(sum(values) / len(values), 4) if values else 0.0
