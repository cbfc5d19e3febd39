"""The grounding guard: a generated answer becomes final only if its sources support it.

Each sentence of the answer is checked against the passages it was written from:
- **words**: most of its content words (stemmed, without stop words) occur in the passages;
- **meaning**: it is close (cosine of sentence embeddings) to at least one passage sentence;
- **facts**: every number, price, percentage and duration, and every policy term (refund,
  store credit, free, non-refundable …), appears in the passages as well; and it names no
  order number (the documents never speak for a shopper's order);
- **citations**: every `[n]` names a passage that exists.

One unsupported sentence rejects the whole answer: the caller then shows the extractive
answer, quoted word for word from the same passages. The guard never edits an answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.config.store import OrderIds
from assistant.engine.embeddings import Embedder
from assistant.engine.numbers import facts_in
from assistant.knowledge.index import Hit, tokenize
from assistant.knowledge.quoting import sentences

# Share of a sentence's content words that must occur in the passages.
MIN_WORD_SUPPORT = 0.6
# Cosine similarity to the closest passage sentence.
MIN_MEANING_SUPPORT = 0.55
_CITATION = re.compile(r"\[(\d+)\]")
# Words that change what a policy promises: the answer may use one only where a source does.
POLICY_TERMS = (
    "refund", "refundable", "non-refundable", "store credit", "free", "fee", "charge",
    "warranty", "lifetime", "guarantee", "exchange", "cancel", "cancellation", "return",
    "international", "express", "same-day", "next-day", "overnight", "cash", "paypal",
    "credit card", "gift card", "debit", "crypto", "bitcoin", "never", "always", "any time",
    "unlimited", "no questions asked", "discount", "coupon", "price match", "compensation",
)  # fmt: skip


@dataclass(frozen=True)
class Passage:
    """A retrieved passage the model was given, numbered from 1 in the prompt."""

    number: int
    title: str
    section: str
    text: str
    link: str = ""


def passages_of(hits: Sequence[Hit]) -> list[Passage]:
    """Retrieved chunks as the numbered passages a prompt shows, best first from [1]."""
    return [
        Passage(n, hit.title, hit.section, hit.text, str(hit.metadata.get("link") or ""))
        for n, hit in enumerate(hits, start=1)
    ]


def citations(text: str) -> list[int]:
    """The passage numbers an answer cites, `[n]`, in order."""
    return [int(n) for n in _CITATION.findall(text)]


@dataclass(frozen=True)
class SentenceCheck:
    sentence: str
    word_support: float
    meaning_support: float
    missing_facts: tuple[str, ...] = ()
    bad_citations: tuple[int, ...] = ()

    @property
    def supported(self) -> bool:
        return (
            self.word_support >= MIN_WORD_SUPPORT
            and self.meaning_support >= MIN_MEANING_SUPPORT
            and not self.missing_facts
            and not self.bad_citations
        )


@dataclass(frozen=True)
class Verdict:
    checks: tuple[SentenceCheck, ...] = field(default_factory=tuple)
    reason: str = ""

    @property
    def supported(self) -> bool:
        return bool(self.checks) and not self.reason and all(c.supported for c in self.checks)

    def explain(self) -> str:
        if self.reason:
            return self.reason
        failed = [c for c in self.checks if not c.supported]
        return "; ".join(_why(c) for c in failed) or "supported"


def _why(check: SentenceCheck) -> str:
    parts = []
    if check.word_support < MIN_WORD_SUPPORT:
        parts.append(f"words {check.word_support:.2f}")
    if check.meaning_support < MIN_MEANING_SUPPORT:
        parts.append(f"meaning {check.meaning_support:.2f}")
    if check.missing_facts:
        parts.append(f"not in the sources: {', '.join(check.missing_facts)}")
    if check.bad_citations:
        parts.append(f"no passage {', '.join(map(str, check.bad_citations))}")
    return f"{check.sentence[:60]!r}: {', '.join(parts)}"


class GroundingGuard:
    def __init__(self, embedder: Embedder, *, order_ids: OrderIds | None = None) -> None:
        self.embedder = embedder
        self.order_ids = order_ids or OrderIds()

    def check(self, answer: str, passages: Sequence[Passage]) -> Verdict:
        if not passages:
            return Verdict(reason="no passages to check against")
        claims = [s for s in sentences(answer.strip()) if _CITATION.sub("", s).strip(" .")]
        if not claims:
            return Verdict(reason="empty answer")
        numbers = {p.number for p in passages}
        source_text = " ".join(f"{p.title}. {p.section}. {p.text}" for p in passages)
        source_words = set(tokenize(source_text))
        source_facts = facts_in(source_text)
        source_lower = source_text.lower()
        source_sentences = [s for p in passages for s in sentences(p.text)]
        plain = [_CITATION.sub("", claim).strip() for claim in claims]
        vectors = self.embedder.encode([*plain, *source_sentences])
        claim_vectors, passage_vectors = vectors[: len(plain)], vectors[len(plain) :]
        meaning = (claim_vectors @ passage_vectors.T).max(axis=1)
        checks = []
        for claim, text, closeness in zip(claims, plain, meaning, strict=True):
            words = tokenize(text)
            support = sum(w in source_words for w in words) / len(words) if words else 1.0
            missing = sorted(
                {fact for fact in facts_in(text) if fact not in source_facts}
                | {term for term in _terms(text) if not _has_term(source_lower, term)}
                # The store's documents never speak for a shopper's order, even when a
                # document (or an injection in one) names it.
                | set(self.order_ids.find_all(text))
            )
            cited = citations(claim)
            checks.append(
                SentenceCheck(
                    sentence=claim,
                    word_support=round(float(support), 3),
                    meaning_support=round(float(np.clip(closeness, -1.0, 1.0)), 3),
                    missing_facts=tuple(missing),
                    bad_citations=tuple(n for n in cited if n not in numbers),
                )
            )
        return Verdict(checks=tuple(checks))


def _terms(text: str) -> set[str]:
    lower = text.lower()
    return {term for term in POLICY_TERMS if _has_term(lower, term)}


def _has_term(lower: str, term: str) -> bool:
    # Word-bounded, and "refund" also matches "refunds"/"refunded".
    return re.search(rf"(?<![\w-]){re.escape(term)}", lower) is not None
