"""Intent classification: sentence embeddings plus character n-grams, logistic regression.

The embedding carries meaning across paraphrases; the character n-grams (char_wb 2–5,
sublinear TF-IDF) carry spelling, so typos and store-specific words still count. Both blocks
are L2-normalised rows, weighted and concatenated; a multinomial logistic regression gives
probabilities that the model compares with the out-of-scope threshold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

# Chosen on Bitext (see `assistant eval nlu`): larger values accept more requests we do not
# cover yet; smaller ones push unseen phrasings of our own intents under the threshold.
DEFAULT_REGULARISATION = 3.0


class IntentClassifier:
    """Fitted once on the training examples; `predict_proba` columns follow `classes`."""

    def __init__(
        self,
        *,
        embedding_weight: float = 1.0,
        char_weight: float = 1.0,
        regularisation: float = DEFAULT_REGULARISATION,
    ) -> None:
        self.embedding_weight = embedding_weight
        self.char_weight = char_weight
        self.regularisation = regularisation
        self.vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True
        )
        self.model = LogisticRegression(C=regularisation, max_iter=2000, class_weight="balanced")
        self.classes: list[str] = []

    def fit(
        self, texts: Sequence[str], embeddings: np.ndarray, labels: Sequence[str]
    ) -> IntentClassifier:
        if len({*labels}) < 2:
            raise ValueError("intent classification needs at least two intents")
        chars = self.vectorizer.fit_transform(texts)
        self.model.fit(self._features(chars, embeddings), list(labels))
        self.classes = [str(label) for label in self.model.classes_]
        return self

    def predict_proba(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        chars = self.vectorizer.transform(texts)
        probabilities = self.model.predict_proba(self._features(chars, embeddings))
        return np.asarray(probabilities, dtype=np.float64)

    def _features(self, chars: sparse.spmatrix, embeddings: np.ndarray) -> sparse.csr_matrix:
        dense = sparse.csr_matrix(np.asarray(embeddings, dtype=np.float64) * self.embedding_weight)
        return sparse.hstack([dense, chars * self.char_weight], format="csr")
