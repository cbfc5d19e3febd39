"""`assistant eval nlu`: our NLU against a TF-IDF baseline on Bitext's customer-support intents.

Both systems train on `nlu_data/` in the same run and apply the same rule: a top confidence
below `nlu.threshold` is `out_of_scope`. Bitext intents map to ours through
`data/bitext_intent_map.yml`; rows of an intent mapped to `null` are not covered yet, and for
them the figure is the share predicted `out_of_scope` (the assistant then offers a person).

Macro-F1 is averaged over the covered gold intents only (sklearn's `labels=`): a prediction
of any other intent, `out_of_scope` included, counts as a miss for the gold intent, but
`out_of_scope` is not a class of its own there, since no covered row has it as gold and it would
only add a constant zero. Wrong acceptances of uncovered rows show in the uncovered figure.
"""

from __future__ import annotations

import csv
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, recall_score
from sklearn.pipeline import FeatureUnion

from assistant.engine.embeddings import CachingEmbedder, Embedder, embedder_from_settings
from assistant.engine.nlu.classifier import DEFAULT_REGULARISATION
from assistant.engine.nlu.model import OUT_OF_SCOPE, NLUModel
from assistant.engine.nlu.training_data import TrainingData, load_training_data
from assistant.errors import AisleError

if TYPE_CHECKING:
    from assistant.config import Settings

logger = logging.getLogger(__name__)

DEFAULT_DATA = "../shared/data/bitext/intents.csv"
SYSTEMS = ("aisle", "baseline")


class EvalDataError(AisleError):
    """The evaluation data or the intent map is missing or malformed."""

    code = "invalid_eval_data"


@dataclass(frozen=True)
class SystemScores:
    accuracy: float | None
    macro_f1: float | None
    recall: dict[str, float]
    uncovered_out_of_scope_share: float | None
    # gold intent -> predicted intent -> rows, over the covered rows.
    confusion: dict[str, dict[str, int]]


@dataclass(frozen=True)
class NLUEvalReport:
    data: str
    threshold: float
    n_rows: int
    n_covered: int
    n_uncovered: int
    macro_f1_labels: list[str]
    aisle: SystemScores
    baseline: SystemScores
    seconds: float
    skipped_intents: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class BaselineClassifier:
    """TF-IDF word (1–2) and character (2–5) n-grams with a logistic regression, no embeddings."""

    def __init__(self, *, threshold: float) -> None:
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
        # Same regularisation as ours, so the comparison is about the features.
        self.model = LogisticRegression(
            C=DEFAULT_REGULARISATION, max_iter=2000, class_weight="balanced"
        )

    def fit(self, data: TrainingData) -> BaselineClassifier:
        texts = [example.text for example in data.examples]
        self.model.fit(self.features.fit_transform(texts), [e.intent for e in data.examples])
        return self

    def predict(self, texts: Sequence[str]) -> list[str]:
        probabilities = self.model.predict_proba(self.features.transform(list(texts)))
        classes = [str(name) for name in self.model.classes_]
        return [
            classes[int(np.argmax(row))] if float(np.max(row)) >= self.threshold else OUT_OF_SCOPE
            for row in probabilities
        ]


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
) -> NLUEvalReport:
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

    threshold = settings.nlu.threshold
    cached = CachingEmbedder(embedder if embedder is not None else embedder_from_settings(settings))
    logger.info("training the NLU model and the baseline on %d examples", len(training.examples))
    model = NLUModel.train(training, cached, threshold=threshold)
    baseline = BaselineClassifier(threshold=threshold).fit(training)

    texts = [text for text, _ in rows]
    gold = [mapping[intent] for _, intent in rows]
    logger.info("parsing %d Bitext rows", len(texts))
    predictions = {
        "aisle": [result.intent for result in model.parse_many(texts)],
        "baseline": baseline.predict(texts),
    }
    covered = [i for i, label in enumerate(gold) if label is not None]
    uncovered = [i for i, label in enumerate(gold) if label is None]
    labels = sorted({label for label in gold if label is not None})
    scores = {
        system: _score(gold, predicted, covered, uncovered, labels)
        for system, predicted in predictions.items()
    }
    return NLUEvalReport(
        data=str(path),
        threshold=threshold,
        n_rows=len(rows),
        n_covered=len(covered),
        n_uncovered=len(uncovered),
        macro_f1_labels=labels,
        aisle=scores["aisle"],
        baseline=scores["baseline"],
        seconds=round(time.perf_counter() - started, 2),
        skipped_intents=sorted({intent for _, intent in rows if mapping[intent] is None}),
    )


def _score(
    gold: list[str | None],
    predicted: list[str],
    covered: list[int],
    uncovered: list[int],
    labels: list[str],
) -> SystemScores:
    y_true = [str(gold[i]) for i in covered]
    y_pred = [predicted[i] for i in covered]
    confusion: dict[str, dict[str, int]] = {}
    for label, counts in sorted(
        (label, Counter(p for t, p in zip(y_true, y_pred, strict=True) if t == label))
        for label in labels
    ):
        confusion[label] = dict(counts.most_common())
    accuracy = macro_f1 = None
    recall: dict[str, float] = {}
    if covered:
        accuracy = round(sum(t == p for t, p in zip(y_true, y_pred, strict=True)) / len(covered), 4)
        macro_f1 = round(
            float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)), 4
        )
        per_label = recall_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
        recall = {label: round(float(r), 4) for label, r in zip(labels, per_label, strict=True)}
    share = None
    if uncovered:
        share = round(sum(predicted[i] == OUT_OF_SCOPE for i in uncovered) / len(uncovered), 4)
    return SystemScores(
        accuracy=accuracy,
        macro_f1=macro_f1,
        recall=recall,
        uncovered_out_of_scope_share=share,
        confusion=confusion,
    )
