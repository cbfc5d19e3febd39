"""The trained NLU model: training, parsing a message, and its file on disk.

`NLUModel.parse` answers a button payload directly; otherwise it reads the message's unknown
words against the intents' own vocabulary (`spelling.py`: "shwo me blak backpaks" is ranked
as "show me black backpacks"), ranks the intents with the classifier, turns a top confidence
below the threshold into `out_of_scope` (keeping the ranking, so the dialogue can still offer
the runner-up), and adds the rule-based entities. The saved file carries a format version and
the training data's fingerprint, so `assistant train --if-stale` knows when to retrain and an
incompatible file is refused.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import sklearn

from assistant.config.store import OrderIds
from assistant.engine.embeddings import Embedder
from assistant.engine.nlu.classifier import IntentClassifier
from assistant.engine.nlu.entities import EntityExtractor
from assistant.engine.nlu.payload import parse_payload
from assistant.engine.nlu.result import OUT_OF_SCOPE, Entity, ParseResult
from assistant.engine.nlu.spelling import Speller
from assistant.engine.nlu.training_data import (
    TrainingData,
    TrainingDataError,
    load_training_data,
)
from assistant.errors import ModelNotTrained

if TYPE_CHECKING:
    from assistant.config import Settings

# Training examples embedded at a time when training reports its progress.
PROGRESS_BATCH = 256

__all__ = ["OUT_OF_SCOPE", "Entity", "NLUModel", "ParseResult", "train_from_settings"]

# 2: the file carries the intents' vocabulary, which the speller reads messages against.
# 3: the entity extractor keeps its own normalisers (order numbers in the store's format).
FORMAT_VERSION = 3
# Rasa shows at most this many intents in `intent_ranking`.
RANKING_LENGTH = 10


class NLUModel:
    def __init__(
        self,
        *,
        classifier: IntentClassifier,
        extractor: EntityExtractor,
        embedder: Embedder,
        fingerprint: str,
        threshold: float,
        vocabulary: dict[str, int] | None = None,
        order_ids: OrderIds | None = None,
    ) -> None:
        ids = order_ids or OrderIds()
        self.classifier = classifier
        # Order numbers as the store writes them, whatever the training data's examples.
        self.extractor = extractor.with_regex("order_id", ids.entity_regex(), ids.normalise)
        self.embedder = embedder
        self.fingerprint = fingerprint
        self.threshold = threshold
        self.vocabulary = dict(vocabulary or {})
        self.speller = Speller(self.vocabulary) if self.vocabulary else None
        self.intents: list[str] = list(classifier.classes)

    @classmethod
    def train(
        cls,
        data: TrainingData,
        embedder: Embedder,
        *,
        threshold: float,
        progress: Callable[[int, int], None] | None = None,
        order_ids: OrderIds | None = None,
    ) -> NLUModel:
        """Embed the examples (reporting `progress(done, total)` batch by batch when asked),
        then fit the classifier."""
        if len(data.intents) < 2:
            raise TrainingDataError(
                f"training data has {len(data.intents)} intent(s); at least two are needed"
            )
        texts = [example.text for example in data.examples]
        labels = [example.intent for example in data.examples]
        classifier = IntentClassifier().fit(texts, _embed(embedder, texts, progress), labels)
        return cls(
            classifier=classifier,
            extractor=EntityExtractor.from_training_data(data),
            embedder=embedder,
            fingerprint=data.fingerprint(),
            threshold=threshold,
            vocabulary=data.vocabulary(),
            order_ids=order_ids,
        )

    def parse(self, text: str) -> ParseResult:
        return self.parse_many([text])[0]

    def parse_many(self, texts: Sequence[str]) -> list[ParseResult]:
        """Parse several messages with one embedding batch (evaluation, bulk import)."""
        results: list[ParseResult | None] = [parse_payload(text) for text in texts]
        pending = [i for i, result in enumerate(results) if result is None and texts[i].strip()]
        if pending:
            # The classifier ranks the message as the speller reads it; entities come from the
            # words as typed (an e-mail or a name is never "corrected").
            batch = [self.spelled(texts[i]) for i in pending]
            probabilities = self.classifier.predict_proba(batch, self.embedder.encode(batch))
            for i, spelled, row in zip(pending, batch, probabilities, strict=True):
                results[i] = self._result(texts[i], row, spelled=spelled)
        return [
            result
            if result is not None
            else ParseResult(
                text=text, intent=OUT_OF_SCOPE, confidence=0.0, entities=(), ranking=()
            )
            for text, result in zip(texts, results, strict=True)
        ]

    def spelled(self, text: str) -> str:
        """The message with its unknown words read against the intents' vocabulary."""
        return self.speller.read(text).text if self.speller is not None else text

    def _result(self, text: str, probabilities: Any, *, spelled: str) -> ParseResult:
        ranking = sorted(
            (
                (name, float(p))
                for name, p in zip(self.classifier.classes, probabilities, strict=True)
            ),
            key=lambda item: item[1],
            reverse=True,
        )[:RANKING_LENGTH]
        intent, confidence = ranking[0]
        if confidence < self.threshold:
            # The confidence stays the classifier's best score: how sure it was of anything.
            intent = OUT_OF_SCOPE
        return ParseResult(
            text=text,
            intent=intent,
            confidence=confidence,
            entities=tuple(self.extractor.extract(text)),
            ranking=tuple(ranking),
            spelled=spelled if spelled != text else None,
        )

    def save(self, path: Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {
            "format_version": FORMAT_VERSION,
            "sklearn_version": sklearn.__version__,
            "fingerprint": self.fingerprint,
            "threshold": self.threshold,
            "embedding_dimension": self.embedder.dimension,
            "classifier": self.classifier,
            "extractor": self.extractor,
            "vocabulary": self.vocabulary,
        }
        partial = path.with_name(path.name + ".partial")
        joblib.dump(state, partial)
        # Readers never see a half-written model.
        os.replace(partial, path)

    @classmethod
    def load(cls, path: Path, embedder: Embedder, *, order_ids: OrderIds | None = None) -> NLUModel:
        path = Path(path)
        if not path.is_file():
            raise ModelNotTrained(f"no NLU model at {path}: run `assistant train`")
        try:
            with warnings.catch_warnings():
                # A model pickled by another scikit-learn version is refused, not trusted.
                warnings.simplefilter("error")
                state = joblib.load(path)
        except Exception as exc:
            raise ModelNotTrained(
                f"the NLU model at {path} cannot be read ({exc}): run `assistant train`"
            ) from exc
        if not isinstance(state, dict) or state.get("format_version") != FORMAT_VERSION:
            raise ModelNotTrained(
                f"the NLU model at {path} has an incompatible format: run `assistant train`"
            )
        if state.get("sklearn_version") != sklearn.__version__:
            raise ModelNotTrained(
                f"the NLU model at {path} was trained with scikit-learn "
                f"{state.get('sklearn_version')}: run `assistant train`"
            )
        if state["embedding_dimension"] != embedder.dimension:
            raise ModelNotTrained(
                f"the NLU model at {path} was trained on {state['embedding_dimension']}-d "
                f"embeddings, not {embedder.dimension}-d: run `assistant train`"
            )
        return cls(
            classifier=state["classifier"],
            extractor=state["extractor"],
            embedder=embedder,
            fingerprint=str(state["fingerprint"]),
            threshold=float(state["threshold"]),
            vocabulary=dict(state.get("vocabulary") or {}),
            order_ids=order_ids,
        )


def _embed(
    embedder: Embedder, texts: list[str], progress: Callable[[int, int], None] | None
) -> Any:
    if progress is None:
        return embedder.encode(texts)
    import numpy as np

    progress(0, len(texts))
    vectors = []
    for start in range(0, len(texts), PROGRESS_BATCH):
        vectors.append(embedder.encode(texts[start : start + PROGRESS_BATCH]))
        progress(min(start + PROGRESS_BATCH, len(texts)), len(texts))
    return np.concatenate(vectors) if vectors else embedder.encode(texts)


def train_from_settings(
    settings: Settings,
    embedder: Embedder,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> NLUModel:
    """Train on the configured `nlu_data/` with the configured threshold (`assistant train`)."""
    data = load_training_data(settings.path(settings.nlu.training_data))
    return NLUModel.train(
        data,
        embedder,
        threshold=settings.nlu.threshold,
        progress=progress,
        order_ids=settings.store.order_ids,
    )


def ensure_trained(
    settings: Settings,
    *,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[bool, float]:
    """Train unless a model trained on exactly this data exists; returns (trained, seconds).
    `progress(done, total)` hears of the training examples as they are embedded."""
    from assistant.engine.embeddings import embedder_from_settings

    embedder = embedder_from_settings(settings)
    path = settings.nlu_model_path
    if not force and path.exists():
        wanted = load_training_data(settings.path(settings.nlu.training_data)).fingerprint()
        try:
            if NLUModel.load(path, embedder).fingerprint == wanted:
                return False, 0.0
        except ModelNotTrained:
            pass
    started = time.perf_counter()
    model = train_from_settings(settings, embedder, progress=progress)
    model.save(path)
    return True, time.perf_counter() - started
