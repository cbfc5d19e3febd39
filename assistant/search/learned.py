"""Product types the catalog's words miss, read by meaning: "a road bike" is a Bicycle,
"a cellphone" a Smartphone, "a headset" Headphones.

The words of a message that neither the catalog nor a search explains are cut into short
spans; each is embedded (the same sentence model as the NLU and the knowledge base) and
compared with the embedded product names. A span close enough to one name, and clearly closer
to it than to any other, names that product. The catalog's own words always come first: this
reader is asked only when they name no product.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.engine.embeddings import Embedder
from assistant.search.words import singular, words

# Chosen on the demo catalog: "road bike" → Bicycle 0.66, "cellphone" → Smartphone 0.77,
# "headset" → Headphones 0.71 are taken; "hoodie" (0.56, Backpack) and "laptop bag" (Laptop
# 0.68, Backpack 0.65: too close to call) are not.
THRESHOLD = 0.6
MARGIN = 0.05
# A catalog with more distinct names is matched by its names' last one or two words.
MAX_LABELS = 1000
MAX_SPANS = 6


@dataclass(frozen=True)
class LearnedType:
    products: frozenset[str]
    # The message's words that named them.
    span: str
    similarity: float


class ProductTypeReader:
    def __init__(
        self,
        embedder: Embedder,
        names: Iterable[str],
        *,
        threshold: float = THRESHOLD,
        margin: float = MARGIN,
    ) -> None:
        distinct = sorted(set(names))
        labels: dict[str, set[str]] = {}
        if len(distinct) <= MAX_LABELS:
            labels = {name: {name} for name in distinct}
        else:
            for name in distinct:
                tokens = name.split()
                for size in (1, 2):
                    if len(tokens) >= size:
                        labels.setdefault(" ".join(tokens[-size:]), set()).add(name)
            kept = sorted(labels, key=lambda label: -len(labels[label]))[:MAX_LABELS]
            labels = {label: labels[label] for label in sorted(kept)}
        self.labels = list(labels)
        self._products = [frozenset(labels[label]) for label in self.labels]
        self.embedder = embedder
        self.threshold = threshold
        self.margin = margin
        self._vectors = embedder.encode(self.labels) if self.labels else np.zeros((0, 1))

    def read(self, text: str, *, known: Iterable[str] = ()) -> LearnedType | None:
        """The product type the message's unexplained words name, if one clearly does.
        `known`: words already explained (the catalog's, a search's)."""
        spans = _spans(text, set(known))
        if not spans or not self.labels:
            return None
        vectors = self.embedder.encode(spans)
        scores = vectors @ self._vectors.T
        best: LearnedType | None = None
        for span, row in zip(spans, scores, strict=True):
            order = np.argsort(-row)
            top = int(order[0])
            runner = next(
                (int(j) for j in order[1:] if self._products[int(j)] != self._products[top]),
                None,
            )
            gap = row[top] - (row[runner] if runner is not None else -1.0)
            clear = row[top] >= self.threshold and gap >= self.margin
            if clear and (best is None or row[top] > best.similarity):
                best = LearnedType(self._products[top], span, float(row[top]))
        return best


# Words after these name what the shopper already has ("find my lost phone", "my bike
# broke"), not what they want from the catalog.
_POSSESSIVES = {"my", "our", "his", "her", "their"}


def _spans(text: str, known: set[str]) -> list[str]:
    """Runs of unexplained words (singular: "cellphones" is embedded as "cellphone"), as
    their one- and two-word spans; a run that follows a possessive is left out."""
    runs: list[list[str]] = [[]]
    owned = False
    for word in words(text):
        if word in _POSSESSIVES:
            owned = True
            runs.append([])
        elif word in known or singular(word) in known or any(c.isdigit() for c in word):
            owned = False
            runs.append([])
        elif not owned:
            runs[-1].append(singular(word))
    spans: list[str] = []
    for run in runs:
        spans += [" ".join(run[i : i + 2]) for i in range(len(run) - 1)]
        spans += run
    return _unique(spans)[:MAX_SPANS]


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))
