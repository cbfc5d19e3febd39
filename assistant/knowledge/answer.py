"""Answers without a language model: the sentences of the best passages that address the
question, quoted and cited — or, when none does, a typed "not covered".

The question is searched among the store's documents (policies and FAQ, not products).
Passages less similar than a threshold are dropped, and so is every passage that leaves one
of the question's key terms unaddressed (`terms.py`): a passage about cancelling does not
answer "is there a restocking fee?", and "Yes, items can be returned even if opened" does not
answer "can I return a final-sale item?". A document's introduction (the text before its
first section) announces what the document covers; it is quoted only when no section
addresses the question. Among the remaining passages, each sentence is scored by its
similarity to the question and by how many key terms it addresses itself; the best one is
quoted with the sentences of its passage that are nearly as good, and with the best sentence
of another passage that addresses a key term the quote does not — at most four sentences,
each passage cited with its document's title, section and link. A sentence that opens with a
bare "Yes" or "No" answers its own section's question, so it is quoted only when that
section and the sentence address every key term.

A message may ask several questions (`questions.py`): `Knowledge.respond_all` answers each,
in order.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.engine.drafts import open_draft
from assistant.engine.embeddings import Embedder
from assistant.knowledge.index import Filters, Hit, KnowledgeIndex
from assistant.knowledge.questions import split_questions
from assistant.knowledge.terms import Term, TermMatcher, key_terms

if TYPE_CHECKING:
    from assistant.llm.answers import GroundedAnswerer

DOCUMENT_TYPES = ("policy", "faq")
# Below this cosine similarity between the question and a passage, the passage is not used.
MIN_SIMILARITY = 0.40
# Passages searched for each question.
PASSAGES = 4
MAX_SENTENCES = 4
MAX_PASSAGE_SENTENCES = 3
# Further sentences must score at least this share of the best one.
NEAR_BEST = 0.85
# A sentence's score: its similarity to the question, plus this much for the share of the
# key terms it addresses itself (a sentence that names the thing asked about, not only
# something near it), minus a little for each sentence before it in its passage (a rule is
# usually stated first, its details after).
TERM_WEIGHT = 0.15
POSITION_PENALTY = 0.01
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“A-Z0-9(])")
_BARE_YES_NO = re.compile(r"^(?:yes|no)\b[.,!]", re.IGNORECASE)
# A sentence that opens by pointing back ("It then shows …") is quoted with the one before.
_POINTS_BACK = re.compile(
    r"^(?:it|its|this|that|these|those|they|then|so|also|after that|once)\b", re.IGNORECASE
)


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


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


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


@dataclass(frozen=True)
class _Candidate:
    hit: Hit
    position: int
    sentence: str
    score: float
    # The key terms the sentence addresses by itself.
    terms: frozenset[str]


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

    def find(self, min_similarity: float) -> Finding:
        hits = self.index.search(self.question, k=PASSAGES, filters=Filters(types=DOCUMENT_TYPES))
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

    def _candidates(self, passages: list[Hit]) -> list[_Candidate]:
        pairs = [
            (hit, position, sentence)
            for hit in passages
            for position, sentence in enumerate(sentences(hit.text))
        ]
        if not pairs:
            return []
        vectors = self.embedder.encode([self.question] + [sentence for _, _, sentence in pairs])
        similarity = vectors[1:] @ vectors[0]
        products = self.index.product_words
        candidates = []
        for (hit, position, sentence), closeness in zip(pairs, similarity, strict=True):
            # What the sentence leaves open, read under its section's heading.
            open_terms = self.matcher.unaddressed(
                self.terms, f"{hit.section} {sentence}", products, literal_only=True
            )
            if open_terms and _BARE_YES_NO.match(sentence):
                # A yes or no to its section's question, which is not quite this one.
                continue
            if any(t.condition for t in open_terms):
                # The passage names the condition, but this sentence says nothing about it.
                continue
            unaddressed = self.matcher.unaddressed(
                self.terms, sentence, products, literal_only=True
            )
            addressed = frozenset(t.stem for t in self.terms if t not in unaddressed)
            share = len(addressed) / len(self.terms) if self.terms else 0.0
            score = float(closeness) + TERM_WEIGHT * share - POSITION_PENALTY * position
            candidates.append(_Candidate(hit, position, sentence, score, addressed))
        return candidates

    def _choose(self, passages: list[Hit]) -> list[_Candidate]:
        candidates = self._candidates(passages)
        if not candidates:
            return []
        best = max(candidates, key=lambda c: c.score)
        near = [c for c in candidates if c.score >= NEAR_BEST * best.score]
        same = sorted((c for c in near if c.hit.id == best.hit.id), key=lambda c: -c.score)
        chosen = _with_antecedents(same[:MAX_PASSAGE_SENTENCES], candidates)
        covered = frozenset().union(*(c.terms for c in chosen))
        # Another passage's best sentence, when it addresses a key term the quote does not.
        others: dict[str, _Candidate] = {}
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


def _with_antecedents(chosen: list[_Candidate], candidates: list[_Candidate]) -> list[_Candidate]:
    """The chosen sentences, best first, each that points back preceded by the sentence it
    points to; a sentence whose group no longer fits in `MAX_SENTENCES` is left out."""
    by_place = {(c.hit.id, c.position): c for c in candidates}
    result: list[_Candidate] = []
    for candidate in chosen:
        group = [candidate]
        previous = by_place.get((candidate.hit.id, candidate.position - 1))
        if _POINTS_BACK.match(candidate.sentence) and previous is not None:
            group.insert(0, previous)
        new = [c for c in group if c not in result]
        if len(result) + len(new) <= MAX_SENTENCES:
            result += new
    return result


def _context(hit: Hit) -> str:
    """What a passage says, for its key terms: title, section heading and text."""
    return f"{hit.title}. {hit.section}. {hit.text}"


def _answer(chosen: list[_Candidate], passages: list[Hit]) -> Answer:
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
    return _Answerer(index, embedder, matcher, question).find(min_similarity).answer


class Knowledge:
    """What actions use: the store's index and embedder, answering questions; with a
    language model, answers are rewritten by it and checked (`respond`)."""

    def __init__(
        self,
        index: KnowledgeIndex,
        embedder: Embedder,
        *,
        answerer: GroundedAnswerer | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.answerer = answerer
        self.matcher = TermMatcher(embedder)

    def find(self, question: str, *, min_similarity: float = MIN_SIMILARITY) -> Finding:
        """One question's extractive answer, or what it asks that the documents do not cover."""
        return _Answerer(self.index, self.embedder, self.matcher, question).find(min_similarity)

    def answer(self, question: str, *, min_similarity: float = MIN_SIMILARITY) -> Answer | None:
        return self.find(question, min_similarity=min_similarity).answer

    async def respond(
        self, question: str, *, min_similarity: float = MIN_SIMILARITY
    ) -> Answer | None:
        """The extractive answer, or the model's rewrite of its passages when one is
        configured and the grounding guard accepts it; None when the documents do not
        answer. While the model writes, its words go out as a draft (`open_draft`) that the
        answer then replaces."""
        found = await asyncio.to_thread(self.find, question, min_similarity=min_similarity)
        return (await self._write(found)).answer

    async def respond_all(
        self, text: str, *, min_similarity: float = MIN_SIMILARITY
    ) -> list[Finding]:
        """Each question of the message (`split_questions`), in order, with its answer
        (as `respond` gives it) or, when the documents do not cover it, None and the key
        terms they miss. One entry for a message that asks one thing; none for an empty one."""
        findings = []
        for question in split_questions(text):
            found = await asyncio.to_thread(self.find, question, min_similarity=min_similarity)
            findings.append(await self._write(found))
        return findings

    async def _write(self, found: Finding) -> Finding:
        """The finding with its answer rewritten by the model, when one is configured and
        the guard accepts the rewrite."""
        if found.answer is None or self.answerer is None:
            return found
        from assistant.llm.answers import Draft, GroundedAnswer
        from assistant.llm.grounding import passages_of

        extractive = found.answer
        passages = passages_of(extractive.passages)
        writer = open_draft()
        result = GroundedAnswer(extractive.text, generated=False)
        async for event in self.answerer.stream(found.question, passages, fallback=extractive.text):
            if isinstance(event, Draft):
                if writer is not None:
                    await writer.append(event.text)
            else:
                result = event
        if writer is not None:
            await writer.flush()
        replaces = writer.id if writer is not None and writer.sent else None
        if not result.generated:
            return dataclasses.replace(
                found, answer=dataclasses.replace(extractive, replaces=replaces)
            )
        sources = tuple(
            Source(hit.id, hit.title, hit.section, p.link, sentences=(), quote="")
            for hit, p in zip(extractive.passages, passages, strict=True)
        )
        generated = Answer(
            result.text,
            sources,
            extractive.confidence,
            extractive.passages,
            generated=True,
            replaces=replaces,
        )
        return dataclasses.replace(found, answer=generated)
