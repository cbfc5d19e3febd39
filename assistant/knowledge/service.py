"""The store's knowledge as actions use it: a question's cited answer from the documents
(`answer.py`), rewritten in the model's words when a language model is configured and the
grounding guard accepts the rewrite (`grounded.py`); otherwise the extractive answer stands.

A message may ask several questions (`questions.py`): `Knowledge.respond_all` answers each,
in order.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING

from assistant.engine.drafts import open_draft
from assistant.engine.embeddings import Embedder
from assistant.knowledge.answer import MIN_SIMILARITY, Answer, Finding, Source, find_answer
from assistant.knowledge.index import KnowledgeIndex
from assistant.knowledge.questions import split_questions
from assistant.knowledge.terms import TermMatcher

if TYPE_CHECKING:
    from assistant.knowledge.grounded import GroundedAnswerer


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
        return find_answer(
            self.index, self.embedder, self.matcher, question, min_similarity=min_similarity
        )

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
        from assistant.knowledge.grounded import Draft, GroundedAnswer
        from assistant.knowledge.grounding import passages_of

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
