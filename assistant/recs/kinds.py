"""Kinds of suggestion, kept apart, each with the reason that fits it.

- **To go with X** (`to_go_with`): complements — products used together with X. They come
  from the store's table of what goes with what and from co-purchases, but only pairs with
  real support (`table.py`: bought together at least `min_count` times and `min_lift` times
  as often as chance). Only such a pair is ever called "often bought with".
- **Like X** (`alike`): the same kind of product — the table's alike products; the
  conversation adds X's own other versions (`actions/suggestion_plans.py`).
- **For someone who likes Y** (`for_interest`): products whose interests in the table, name or
  option values carry Y's words ("coffee" → the Coffee Maker).
- **For me** (`for_shopper`): complements of what the shopper bought or looked at and
  look-alikes of what they looked at, ordered by the store's recommender and the
  complements' own order together (reciprocal rank fusion).

Everything here is pure: product ids in, ranked `Pick`s out.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from assistant.backends.orders import ProductView
from assistant.engine.embeddings import Embedder
from assistant.recs.interface import Suggestion
from assistant.recs.table import Pair, StoreTable

_WORD = re.compile(r"[a-z0-9]+")
# How close (cosine) a request's words must come to an interest of the table to be read as
# it: "bookworm" → books 0.51, "puppy" → dogs 0.68, "marathons" → running 0.64 are taken;
# "friend" (home 0.32) and "frequent flyer" (travel 0.47) are not.
MEANING = 0.5
# Reciprocal rank fusion's constant (Cormack et al. 2009): a pick's share from one ranking.
FUSE = 60
_ENCODE = threading.Lock()
# Words that are no interest, whatever they mean.
_FILLER = {
    "new",
    "good",
    "nice",
    "great",
    "idea",
    "ideas",
    "something",
    "anything",
    "looking",
    "budget",
    "under",
    "dollars",
    "max",
    "less",
    "than",
    "more",
    "what",
    "should",
    "get",
    "buy",
    "give",
    "friend",
    "friends",
    "dad",
    "mom",
    "mum",
    "wife",
    "husband",
    "son",
    "daughter",
    "sister",
    "brother",
    "boss",
    "colleague",
    "partner",
    "her",
    "him",
    "them",
    "she",
    "he",
    "they",
    "is",
    "a",
    "an",
    "and",
    "with",
    "to",
    "of",
    "in",
    "birthday",
    "christmas",
    "present",
    "gift",
    "gifts",
    "someone",
    "who",
    "for",
    "my",
    "our",
    "lot",
    "really",
    "just",
    "started",
    "bought",
    "their",
    "first",
}
_SUFFIXES = ("ings", "ing", "ers", "er", "ists", "ist", "ies", "es", "s")


def stem(word: str) -> str:
    """A rough stem, the same on both sides of a match: "hiking", "hikers" and "hike" are
    "hik"; "runner" and "running" are "run"; "coffee" is "coffe"."""
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]
    return word


def stems(text: str) -> tuple[str, ...]:
    return tuple(stem(word) for word in _WORD.findall(text.lower()))


# Words of product names that say little about an interest ("a gift set", "a smart idea").
_GENERIC = {
    stem(w)
    for w in (
        "set",
        "kit",
        "maker",
        "machine",
        "smart",
        "electric",
        "portable",
        "indoor",
        "wireless",
        "digital",
        "mechanical",
        "led",
        "light",
        "bulb",
        "action",
    )
}
# Words of a request that are never its interest.
_NOT_INTERESTS = {
    stem(w)
    for w in (
        "gift",
        "present",
        "likes",
        "loves",
        "enjoys",
        "someone",
        "who",
        "for",
        "my",
        "the",
        "really",
        "very",
        "much",
        "things",
        "stuff",
    )
}


@dataclass(frozen=True)
class Pick:
    """A product to suggest, its score within its kind, and why: `{"kind": "goes_with",
    "item": X}`, `{"kind": "bought_with", "item": X, "count": n}` (real co-purchase
    support), `{"kind": "alike", "item": X}` or `{"kind": "interest", "interest": "coffee"}`."""

    product: str
    score: float
    reason: dict[str, str]


class Kinds:
    """The kinds of suggestion over one catalog, its table and its co-purchase pairs."""

    def __init__(
        self,
        products: Sequence[ProductView],
        table: StoreTable,
        pairs: Mapping[str, Mapping[str, Pair]],
        *,
        embedder: Embedder | None = None,
    ) -> None:
        self.products = {p.id: p for p in products}
        self.table = table
        self.pairs = pairs
        self.embedder = embedder
        self._phrases = sorted({p for phrases in table.interests.values() for p in phrases})
        self._phrase_vectors: Any = None
        # Product -> the stems of its name, option values and interests, for gift matching.
        self._words: dict[str, tuple[set[str], set[str], list[tuple[str, tuple[str, ...]]]]] = {}
        for product in products:
            values = {
                s
                for variant in product.variants
                for value in variant.options.values()
                for s in stems(str(value))
            }
            phrases = [(phrase, stems(phrase)) for phrase in table.interests.get(product.id, ())]
            self._words[product.id] = (set(stems(product.name)), values, phrases)

    def to_go_with(self, anchors: Sequence[str]) -> list[Pick]:
        """Complements of the anchors (most important first), taking turns between anchors;
        a product the table lists and customers buy together is "often bought with"."""
        per_anchor: list[list[Pick]] = []
        for anchor in anchors:
            listed = self.table.goes_with.get(anchor, ())
            bought = self.pairs.get(anchor, {})
            scores: dict[str, float] = {}
            for rank, product in enumerate(listed):
                scores[product] = 1.0 - 0.05 * rank
            for product, pair in bought.items():
                scores[product] = scores.get(product, 0.5) + min(pair.lift, 10.0) / 20.0
            picks = []
            for product, score in scores.items():
                reason = {"kind": "goes_with", "item": anchor}
                if product in bought:
                    count = str(bought[product].count)
                    reason = {"kind": "bought_with", "item": anchor, "count": count}
                picks.append(Pick(product, round(score, 4), reason))
            per_anchor.append(sorted(picks, key=lambda p: (-p.score, p.product)))
        return _interleave(per_anchor, exclude=set(anchors))

    def alike(self, anchor: str) -> list[Pick]:
        """The products the table calls alike, in its order."""
        listed = self.table.alike.get(anchor, ())
        return [
            Pick(product, round(1.0 - 0.05 * rank, 4), {"kind": "alike", "item": anchor})
            for rank, product in enumerate(listed)
            if product != anchor
        ]

    def for_interest(self, text: str) -> tuple[list[Pick], str | None]:
        """Products for someone whose interest the text states, and the interest as the
        table or the catalog words it ("coffee"); nothing when no word of it is known.
        An interest phrase of the table counts most, a word of the product's name next, an
        option value only when nothing else matched."""
        said = set(stems(text)) - _NOT_INTERESTS
        scored: list[tuple[float, str, str]] = []
        for product, (name, values, phrases) in self._words.items():
            matches = [
                (1.0 + 0.1 * len(phrase_stems), phrase)
                for phrase, phrase_stems in phrases
                if phrase_stems and set(phrase_stems) <= said
            ]
            named = (name - _GENERIC) & said
            if named:
                matches.append(
                    (0.9, " ".join(w for w in _WORD.findall(text.lower()) if stem(w) in named))
                )
            valued = {w for w in values & said if len(w) >= 4}
            if not matches and valued:
                matches.append((0.3, " ".join(sorted(valued))))
            if matches:
                score, phrase = max(matches)
                scored.append((score, product, phrase))
        if any(score >= 0.9 for score, _, _ in scored):
            scored = [entry for entry in scored if entry[0] >= 0.9]
        labels = [phrase for _, _, phrase in scored if phrase]
        label = max(labels, key=lambda phrase: (labels.count(phrase), len(phrase)), default=None)
        picks = [
            Pick(product, score, {"kind": "interest", "interest": phrase or label or ""})
            for score, product, phrase in sorted(scored, key=lambda e: (-e[0], e[1]))
        ]
        if not picks:
            return self._by_meaning(text)
        return picks, label

    def _by_meaning(self, text: str) -> tuple[list[Pick], str | None]:
        """No word matched: the words' meaning against the table's interests ("a bookworm" is
        close to "books", "a new puppy" to "dogs"). A span must come within `MEANING` of an
        interest; the products of every interest about as close are the picks."""
        if self.embedder is None or not self._phrases:
            return [], None
        content = [w for w in _WORD.findall(text.lower()) if stem(w) not in _NOT_INTERESTS]
        content = [w for w in content if w not in _FILLER and not w.isdigit()]
        spans = list(dict.fromkeys([*content, *(" ".join(p) for p in pairwise(content))]))
        if not spans:
            return [], None
        with _ENCODE:
            if self._phrase_vectors is None:
                self._phrase_vectors = np.asarray(self.embedder.encode(self._phrases))
        vectors = np.asarray(self.embedder.encode(spans))
        scores = vectors @ self._phrase_vectors.T
        best = float(scores.max())
        if best < MEANING:
            return [], None
        close = {self._phrases[j] for j in np.flatnonzero(scores.max(axis=0) >= best - 0.05)}
        label = self._phrases[int(np.argmax(scores.max(axis=0)))]
        picks = [
            Pick(product, 0.8, {"kind": "interest", "interest": label})
            for product, phrases in sorted(self.table.interests.items())
            if close & set(phrases)
        ]
        return picks, label

    def for_shopper(
        self,
        recent: Sequence[str],
        ranked: Sequence[Suggestion],
        *,
        viewed: Collection[str] = (),
        exclude: Collection[str] = (),
    ) -> list[Pick]:
        """For a shopper: complements of what they bought or looked at (`recent`, latest
        first) and products like the ones they only looked at, in one order that fuses two
        rankings by reciprocal rank (each list a pick is in adds 1 / (FUSE + its rank)): the
        complements' own and `ranked`, the store's recommender for this shopper. A pick the
        recommender ranks but cannot give a reason for here (a weak co-purchase, popularity,
        a loose likeness) is left out: only complements, and the table's look-alikes of a
        product they only looked at, are shown."""
        recent = list(dict.fromkeys(recent))
        out = set(exclude) | set(recent)
        position = {s.item: rank for rank, s in enumerate(ranked)}
        scored: dict[str, tuple[float, Pick]] = {}
        for rank, pick in enumerate(self.to_go_with(recent)):
            if pick.product in out:
                continue
            score = 1.0 / (FUSE + rank)
            if pick.product in position:
                score += 1.0 / (FUSE + position[pick.product])
            scored[pick.product] = (score, pick)
        # Look-alikes only as the store's table has them: the recommender's content
        # similarity is too loose to be called "like the X" (a notebook like a keyboard).
        looked = set(viewed)
        for like in [product for product in recent if product in looked]:
            for pick in self.alike(like):
                if pick.product in out or pick.product in scored:
                    continue
                score = 1.0 / (FUSE + len(scored))
                if pick.product in position:
                    score += 1.0 / (FUSE + position[pick.product])
                scored[pick.product] = (score, pick)
        order = sorted(scored.values(), key=lambda entry: (-entry[0], entry[1].product))
        return [pick for _, pick in order]


def _interleave(lists: Sequence[Sequence[Pick]], *, exclude: set[str]) -> list[Pick]:
    """The first of each list, then the second of each, …; each product once."""
    seen = set(exclude)
    merged: list[Pick] = []
    for rank in range(max((len(items) for items in lists), default=0)):
        for items in lists:
            if rank < len(items) and items[rank].product not in seen:
                seen.add(items[rank].product)
                merged.append(items[rank])
    return merged
