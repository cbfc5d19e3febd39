"""Answers without a language model: the sentences of the best passages that address the
question, quoted and cited — or, when none does, a typed "not covered".

The question is searched among the store's documents (policies and FAQ, not products).
Passages less similar than a threshold are dropped, and so is every passage that leaves one
of the question's key terms unaddressed (`terms.py`): a passage about cancelling does not
answer "is there a restocking fee?", and "Yes, items can be returned even if opened" does not
answer "can I return a final-sale item?". A document's introduction (the text before its
first section) announces what the document covers; it is quoted only when no section
addresses the question. Among the remaining passages, the sentences quoted are those that
address the question's key terms, the ones that set it apart most (`quoting.py`) — at most
four sentences, each passage cited with its document's title, section and link. A question
said beside a statement ("my kettle stopped heating, I want to make a warranty claim") is
searched and scored for what it asks too (`questions.focus`), and in the store's own words
("swap" → "exchange"). A sentence that opens with a
bare "Yes" or "No" answers its own section's question, so it is quoted only when that
section and the sentence address every key term.

What actions use is `Knowledge` (`service.py`): these answers, rewritten by a language model
when one is configured, for one question or each of a message's.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from assistant.engine.embeddings import Embedder
from assistant.knowledge.index import Filters, Hit, KnowledgeIndex
from assistant.knowledge.questions import focus
from assistant.knowledge.quoting import (
    ASKED_WEIGHT,
    BARE_YES_NO,
    CONTEXT_WEIGHT,
    HEADING_SHARE,
    PASSAGE_WEIGHT,
    POSITION_PENALTY,
    TERM_WEIGHT,
    Candidate,
    choose,
    says_person_handles,
    specificity,
)
from assistant.knowledge.quoting import sentences as sentences
from assistant.knowledge.terms import Term, TermMatcher, in_store_words, key_terms

DOCUMENT_TYPES = ("policy", "faq")
# Below this cosine similarity between the question and a passage, the passage is not used.
MIN_SIMILARITY = 0.40
# Passages searched for each question.
PASSAGES = 4


@dataclass(frozen=True)
class Source:
    chunk_id: str
    title: str
    section: str
    link: str
    # The quoted sentences, each word for word from the passage, in its order.
    sentences: tuple[str, ...]

    quote: str

    def as_dict(self) -> dict[str, object]:
        return {
            "chunk_id": self.chunk_id,
            "title": self.title,
            "section": self.section,
            "link": self.link,
            "quote": self.quote,
            "sentences": list(self.sentences),
        }


@dataclass(frozen=True)
class Answer:
    text: str
    sources: tuple[Source, ...]
    confidence: float
    # The passages the answer was chosen from, best first (what a model may rewrite).
    passages: tuple[Hit, ...] = ()
    # True when `text` was written by the language model and passed the grounding guard;
    # its `[n]` then refers to `sources[n - 1]`.
    generated: bool = False
    # The streamed draft this answer takes the place of, when one was shown.
    replaces: str | None = None

    @property
    def needs_person(self) -> bool:
        """Whether the quoted sentences say a person handles this, or that the assistant
        cannot: the reply then offers one."""
        said = (
            self.text
            if self.generated
            else " ".join(sentence for source in self.sources for sentence in source.sentences)
        )
        return says_person_handles(said)

    def as_custom(self) -> dict[str, object]:
        """The message's `custom` payload: the sources the widget shows and links to."""
        custom: dict[str, object] = {
            "type": "answer",
            "generated": self.generated,
            "confidence": round(self.confidence, 3),
            "sources": [source.as_dict() for source in self.sources],
        }
        if self.replaces is not None:
            custom["replaces"] = self.replaces
        return custom


def _contiguous_quote(passage: str, chosen: tuple[str, ...]) -> str:
    """The sentences as one quote: neighbours joined by a space, gaps marked with " … "."""
    quote = chosen[0]
    for previous, sentence in itertools.pairwise(chosen):
        joined = f"{previous} {sentence}"
        quote += f" {sentence}" if joined in passage else f" … {sentence}"
    return quote


@dataclass(frozen=True)
class Finding:
    """What the documents say about one question: an answer, or None when they do not cover
    it. Then `missing` names, as the shopper wrote them, what the similar passages leave
    unaddressed — the conditions ("restocking", "final sale"), or every key term when none
    is addressed — from the passage that leaves the fewest; it is empty when no passage was
    even similar."""

    question: str
    answer: Answer | None
    missing: tuple[str, ...] = ()

    @property
    def covered(self) -> bool:
        return self.answer is not None


class _Answerer:
    """One question's answer over one index: passages, then sentences, then the quote."""

    def __init__(
        self, index: KnowledgeIndex, embedder: Embedder, matcher: TermMatcher, question: str
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.matcher = matcher
        self.question = question
        self.terms = key_terms(question)
        # What the question asks, without the statements beside it.
        self.focus = focus(question)
        asked = {t.stem for t in key_terms(self.focus)}
        self.weights = {
            t.stem: (1.0 if t.about else ASKED_WEIGHT)
            * (1.0 if t.stem in asked or self.focus == question else CONTEXT_WEIGHT)
            for t in self.terms
        }

    def _search(self) -> list[Hit]:
        """The passages nearest the question, and those nearest what it asks when that is
        only part of it, or when the store says it in other words ("swap" for "exchange"),
        each with its best similarity, nearest first."""
        filters = Filters(types=DOCUMENT_TYPES)
        hits = {
            hit.id: hit for hit in self.index.search(self.question, k=PASSAGES, filters=filters)
        }
        queries = dict.fromkeys([self.focus, in_store_words(self.focus)])
        for query in (q for q in queries if q != self.question):
            for hit in self.index.search(query, k=PASSAGES, filters=filters):
                known = hits.get(hit.id)
                if known is None or (hit.similarity or 0.0) > (known.similarity or 0.0):
                    hits[hit.id] = hit
        return sorted(hits.values(), key=lambda hit: -(hit.similarity or 0.0))

    def find(self, min_similarity: float) -> Finding:
        hits = self._search()
        similar = [hit for hit in hits if (hit.similarity or 0.0) >= min_similarity]
        if not similar:
            return Finding(self.question, None)
        addressing: list[Hit] = []
        missing: list[Term] | None = None
        for hit in similar:
            unaddressed = self._unaddressed(hit)
            if not unaddressed:
                addressing.append(hit)
            elif missing is None or len(unaddressed) < len(missing):
                missing = unaddressed
        if not addressing:
            return Finding(self.question, None, tuple(t.word for t in missing or ()))
        # An introduction announces; a section answers.
        sections = [hit for hit in addressing if hit.section]
        passages = sections or addressing
        chosen = self._choose(passages)
        if not chosen:
            return Finding(self.question, None)
        return Finding(self.question, _answer(chosen, passages))

    def _unaddressed(self, hit: Hit) -> list[Term]:
        """What keeps the passage from answering: the conditions it does not address, or,
        when it addresses none of the key terms, all of them."""
        unaddressed = self.matcher.unaddressed(self.terms, _context(hit), self.index.product_words)
        conditions = [t for t in unaddressed if t.condition]
        if conditions or len(unaddressed) < len(self.terms):
            return conditions
        return unaddressed

    def _candidates(self, passages: list[Hit]) -> list[Candidate]:
        pairs = [
            (hit, position, sentence)
            for hit in passages
            for position, sentence in enumerate(sentences(hit.text))
        ]
        if not pairs:
            return []
        asked = [self.question] if self.focus == self.question else [self.question, self.focus]
        vectors = self.embedder.encode(asked + [sentence for _, _, sentence in pairs])
        # Closeness to the whole question and to what it asks, alike.
        similarity = (vectors[len(asked) :] @ vectors[: len(asked)].T).mean(axis=1)
        products = self.index.product_words
        found: list[tuple[Hit, int, str, float, frozenset[str], frozenset[str]]] = []
        for (hit, position, sentence), closeness in zip(pairs, similarity, strict=True):
            # What the sentence leaves open, read under its section's heading.
            open_terms = self.matcher.unaddressed(
                self.terms, f"{hit.section} {sentence}", products, literal_only=True
            )
            if open_terms and BARE_YES_NO.match(sentence):
                # A yes or no to its section's question, which is not quite this one.
                continue
            if any(t.condition for t in open_terms):
                # The passage names the condition, but this sentence says nothing about it.
                continue
            unaddressed = self.matcher.unaddressed(
                self.terms, sentence, products, literal_only=True
            )
            addressed = frozenset(t.stem for t in self.terms if t not in unaddressed)
            # Terms only its section's heading addresses count for half.
            heading = frozenset(t.stem for t in self.terms if t not in open_terms) - addressed
            found.append((hit, position, sentence, float(closeness), addressed, heading))
        weights = self._specificity([addressed for *_, addressed, _ in found])
        whole = sum(weights.values())
        candidates = []
        for hit, position, sentence, closeness, addressed, heading in found:
            said = sum(weights.get(stem, 0.0) for stem in addressed)
            said += HEADING_SHARE * sum(weights.get(stem, 0.0) for stem in heading)
            share = said / whole if whole else 0.0
            score = (
                closeness
                + PASSAGE_WEIGHT * (hit.similarity or 0.0)
                + TERM_WEIGHT * share
                - POSITION_PENALTY * position
            )
            candidates.append(Candidate(hit, position, sentence, score, addressed))
        return candidates

    def _specificity(self, addressed: list[frozenset[str]]) -> dict[str, float]:
        return specificity(self.weights, addressed)

    def _choose(self, passages: list[Hit]) -> list[Candidate]:
        return choose(self._candidates(passages))


def _context(hit: Hit) -> str:
    """What a passage says, for its key terms: title, section heading and text."""
    return f"{hit.title}. {hit.section}. {hit.text}"


def _answer(chosen: list[Candidate], passages: list[Hit]) -> Answer:
    """The chosen sentences as one quote per passage (in the passage's order), best passage
    first, each cited."""
    order = list(dict.fromkeys(c.hit.id for c in chosen))
    sources = []
    for hit_id in order:
        parts = sorted((c for c in chosen if c.hit.id == hit_id), key=lambda c: c.position)
        hit = parts[0].hit
        quoted = tuple(c.sentence for c in parts)
        sources.append(
            Source(
                chunk_id=hit.id,
                title=hit.title,
                section=hit.section,
                link=str(hit.metadata.get("link") or ""),
                sentences=quoted,
                quote=_contiguous_quote(hit.text, quoted),
            )
        )
    lines = []
    for source in sources:
        where = f"{source.title}, {source.section}" if source.section else source.title
        lines.append(f"“{source.quote}” — {where}")
    by_id = {hit.id: hit for hit in passages}
    used = [by_id[hit_id] for hit_id in order]
    return Answer(
        text="\n".join(lines),
        sources=tuple(sources),
        confidence=float(chosen[0].hit.similarity or 0.0),
        # The cited passages first, in the sources' order (a model's rewrite may use
        # them), then the rest.
        passages=tuple(used + [hit for hit in passages if hit.id not in order]),
    )


def answer_question(
    index: KnowledgeIndex,
    embedder: Embedder,
    question: str,
    *,
    min_similarity: float = MIN_SIMILARITY,
    matcher: TermMatcher | None = None,
) -> Answer | None:
    """The quoted, cited answer, or None when the documents do not address the question."""
    matcher = matcher or TermMatcher(embedder)
    return find_answer(index, embedder, matcher, question, min_similarity=min_similarity).answer


def find_answer(
    index: KnowledgeIndex,
    embedder: Embedder,
    matcher: TermMatcher,
    question: str,
    *,
    min_similarity: float = MIN_SIMILARITY,
) -> Finding:
    """One question's extractive answer, or what it asks that the documents do not cover."""
    return _Answerer(index, embedder, matcher, question).find(min_similarity)
