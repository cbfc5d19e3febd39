"""Which sentences of the passages that address a question are quoted, and how many.

Each sentence is scored by its closeness to the question, its passage's similarity, and the
share of the question's key terms it addresses, each term weighted by how few of the
sentences address it — "There's no fixed return deadline" answers "is there a time limit on
returns?", where "You can return items from any order" only shares its topic. The best one is
quoted with the nearly as good sentences of its passage, the sentence one of them points back
to, and the sentence after one that says what cannot be done when that one says who can
("… ask for a person"); then another passage's best sentence for a key term still open.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from assistant.knowledge.index import Hit

MAX_SENTENCES = 4
MAX_PASSAGE_SENTENCES = 3
# Further sentences must score at least this share of the best one.
NEAR_BEST = 0.85
# A sentence's score: its similarity to the question, plus this much for the share of the
# key terms it addresses itself, each weighted by how few of the sentences address it (a
# sentence that names the thing asked about, not only the topic every sentence shares),
# minus a little for each sentence before it in its passage (a rule is usually stated
# first, its details after).
TERM_WEIGHT = 0.5
POSITION_PENALTY = 0.01
# A sentence is read in its passage: this much of the passage's similarity is added.
PASSAGE_WEIGHT = 0.25
# A key term the sentence's section heading addresses, not the sentence, counts this share.
HEADING_SHARE = 0.5
# A key term said only beside the question ("my kettle stopped heating, I want to make a
# warranty claim") counts for this share of one the question asks about.
CONTEXT_WEIGHT = 0.25
# A key term that says what is asked of the topic ("how long") counts this many times one
# that names the topic: a sentence that does not say how long does not answer.
ASKED_WEIGHT = 2.0
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“A-Z0-9(])")
BARE_YES_NO = re.compile(r"^(?:yes|no)\b[.,!]", re.IGNORECASE)
# A sentence that opens by pointing back ("It then shows …") is quoted with the one before.
POINTS_BACK = re.compile(
    r"^(?:it|its|this|that|these|those|they|then|so|also|after that|once)\b", re.IGNORECASE
)
# A sentence that says what cannot be done ("The assistant can't change the name …") is
# quoted with the next one when that says who can ("ask for a person …").
_REFUSAL = re.compile(
    r"\b(?:can't|cannot|can not|won't|isn't able|aren't able|not through the assistant)\b",
    re.IGNORECASE,
)
_A_PERSON = re.compile(
    r"\b(?:a person|our (?:support )?team|support team|someone from our|a member of our)\b",
    re.IGNORECASE,
)


def says_person_handles(text: str) -> bool:
    """Whether the text says a person handles the matter, or that the assistant cannot."""
    return bool(_A_PERSON.search(text) or re.search(r"\bassistant can(?:'|no)t\b", text))


def sentences(text: str) -> list[str]:
    return [part.strip() for part in SENTENCE_END.split(text) if part.strip()]


@dataclass(frozen=True)
class Candidate:
    hit: Hit
    position: int
    sentence: str
    score: float
    # The key terms the sentence addresses by itself.
    terms: frozenset[str]


def specificity(weights: Mapping[str, float], addressed: list[frozenset[str]]) -> dict[str, float]:
    """Each key term's weight for choosing a sentence: its `weights` entry (what the
    question asks about counts more than what it says beside), higher the fewer of the
    sentences address it (the term that sets the question apart, not the topic every
    sentence shares); terms no sentence addresses are left out."""
    count = len(addressed)
    result = {}
    for stem, weight in weights.items():
        saying = sum(1 for terms in addressed if stem in terms)
        if saying:
            result[stem] = weight * math.log((count + 1) / (saying + 0.5))
    return result


def choose(candidates: list[Candidate]) -> list[Candidate]:
    """The sentences to quote, best first: the best one with the sentences of its passage
    that are nearly as good (and those they need), then another passage's best sentence
    for each key term the quote leaves unaddressed, at most `MAX_SENTENCES`."""
    if not candidates:
        return []
    best = max(candidates, key=lambda c: c.score)
    near = [c for c in candidates if c.score >= NEAR_BEST * best.score]
    same = sorted((c for c in near if c.hit.id == best.hit.id), key=lambda c: -c.score)
    chosen = with_remedies(with_antecedents(same[:MAX_PASSAGE_SENTENCES], candidates), candidates)
    covered = frozenset().union(*(c.terms for c in chosen))
    # Another passage's best sentence, when it addresses a key term the quote does not.
    others: dict[str, Candidate] = {}
    for c in near:
        better = c.hit.id not in others or c.score > others[c.hit.id].score
        if c.hit.id != best.hit.id and c.terms - covered and better:
            others[c.hit.id] = c
    for c in sorted(others.values(), key=lambda c: -c.score):
        if len(chosen) >= MAX_SENTENCES or not c.terms - covered:
            continue
        chosen.append(c)
        covered |= c.terms
    return chosen


def with_antecedents(chosen: list[Candidate], candidates: list[Candidate]) -> list[Candidate]:
    """The chosen sentences, best first, each that points back preceded by the sentence it
    points to; a sentence whose group no longer fits in `MAX_SENTENCES` is left out."""
    by_place = {(c.hit.id, c.position): c for c in candidates}
    result: list[Candidate] = []
    for candidate in chosen:
        group = [candidate]
        previous = by_place.get((candidate.hit.id, candidate.position - 1))
        if POINTS_BACK.match(candidate.sentence) and previous is not None:
            group.insert(0, previous)
        new = [c for c in group if c not in result]
        if len(result) + len(new) <= MAX_SENTENCES:
            result += new
    return result


def with_remedies(chosen: list[Candidate], candidates: list[Candidate]) -> list[Candidate]:
    """The chosen sentences, each that says what cannot be done followed by the next
    sentence of its passage when that one says a person can help, room permitting."""
    by_place = {(c.hit.id, c.position): c for c in candidates}
    result = list(chosen)
    for candidate in chosen:
        following = by_place.get((candidate.hit.id, candidate.position + 1))
        if (
            following is not None
            and following not in result
            and _REFUSAL.search(candidate.sentence)
            and _A_PERSON.search(following.sentence)
            and len(result) < MAX_SENTENCES
        ):
            result.insert(result.index(candidate) + 1, following)
    return result
