"""Answers without a language model: the best sentences of the best passages, quoted and cited.

The question is searched among the store's documents (policies and FAQ, not products). If
even the closest passage is not similar enough, there is no answer: the caller says it does
not know and offers a person. Otherwise the sentences of the top passages are compared with
the question, and the best one — with up to two more of the same passage that are nearly as
good — is quoted word for word, with the document's title, section and a link.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from assistant.engine.drafts import open_draft
from assistant.engine.embeddings import Embedder
from assistant.knowledge.index import Filters, Hit, KnowledgeIndex

if TYPE_CHECKING:
    from assistant.llm.answers import GroundedAnswerer

DOCUMENT_TYPES = ("policy", "faq")
# Below this cosine similarity between the question and the closest passage, no answer.
MIN_SIMILARITY = 0.40
PASSAGES = 3
MAX_SENTENCES = 3
# Further sentences of the same passage must score at least this share of the best one.
NEAR_BEST = 0.85
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“A-Z0-9(])")


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


def answer_question(
    index: KnowledgeIndex,
    embedder: Embedder,
    question: str,
    *,
    min_similarity: float = MIN_SIMILARITY,
) -> Answer | None:
    hits = index.search(question, k=PASSAGES, filters=Filters(types=DOCUMENT_TYPES))
    confident = [hit for hit in hits if (hit.similarity or 0.0) >= min_similarity]
    if not confident:
        return None
    candidates: list[tuple[Hit, str]] = [
        (hit, sentence) for hit in confident for sentence in sentences(hit.text)
    ]
    vectors = embedder.encode([question] + [sentence for _, sentence in candidates])
    similarity = vectors[1:] @ vectors[0]
    best = int(np.argmax(similarity))
    best_hit, _ = candidates[best]
    same_passage = [
        position
        for position, (hit, _) in enumerate(candidates)
        if hit.id == best_hit.id and similarity[position] >= NEAR_BEST * similarity[best]
    ]
    chosen = sorted(sorted(same_passage, key=lambda p: -similarity[p])[:MAX_SENTENCES])
    quoted = tuple(candidates[position][1] for position in chosen)
    source = Source(
        chunk_id=best_hit.id,
        title=best_hit.title,
        section=best_hit.section,
        link=str(best_hit.metadata.get("link") or ""),
        sentences=quoted,
        quote=_contiguous_quote(best_hit.text, quoted),
    )
    where = f"{source.title}, {source.section}" if source.section else source.title
    return Answer(
        text=f"“{source.quote}” — {where}",
        sources=(source,),
        confidence=float(best_hit.similarity or 0.0),
        passages=tuple(confident),
    )


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

    def answer(self, question: str, *, min_similarity: float = MIN_SIMILARITY) -> Answer | None:
        return answer_question(self.index, self.embedder, question, min_similarity=min_similarity)

    async def respond(
        self, question: str, *, min_similarity: float = MIN_SIMILARITY
    ) -> Answer | None:
        """The extractive answer, or the model's rewrite of its passages when one is
        configured and the grounding guard accepts it; None when the documents do not
        answer. While the model writes, its words go out as a draft (`open_draft`) that the
        answer then replaces."""
        found = await asyncio.to_thread(self.answer, question, min_similarity=min_similarity)
        if found is None or self.answerer is None:
            return found
        from assistant.llm.answers import Draft, GroundedAnswer
        from assistant.llm.grounding import passages_of

        passages = passages_of(found.passages)
        writer = open_draft()
        result = GroundedAnswer(found.text, generated=False)
        async for event in self.answerer.stream(question, passages, fallback=found.text):
            if isinstance(event, Draft):
                if writer is not None:
                    await writer.append(event.text)
            else:
                result = event
        if writer is not None:
            await writer.flush()
        replaces = writer.id if writer is not None and writer.sent else None
        if not result.generated:
            return dataclasses.replace(found, replaces=replaces)
        sources = tuple(
            Source(hit.id, hit.title, hit.section, p.link, sentences=(), quote="")
            for hit, p in zip(found.passages, passages, strict=True)
        )
        return Answer(
            result.text,
            sources,
            found.confidence,
            found.passages,
            generated=True,
            replaces=replaces,
        )
