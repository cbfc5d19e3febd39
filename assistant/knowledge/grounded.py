"""Grounded answers: the model rewrites retrieved passages into a short cited reply, and the
reply is final only if the grounding guard finds every sentence in the passages.

Otherwise — the model is down, too slow, or says something the passages do not — the shopper
gets the extractive answer the caller already built (quoted word for word from the same
passages). Streaming callers see the model's words as a draft while they arrive; the final
event says which text stands.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from assistant.errors import LanguageModelError
from assistant.knowledge.grounding import GroundingGuard, Passage, Verdict
from assistant.llm.base import ChatMessage, LanguageModel
from assistant.llm.prompts import as_data, load_prompt

logger = logging.getLogger(__name__)

# The prompt's data blocks; their tags are removed from the data itself.
_BLOCKS = ("passages", "question")


@dataclass(frozen=True)
class GroundedAnswer:
    # What the shopper is shown as final.
    text: str
    # True when `text` is the model's, checked; False when it is the extractive fallback.
    generated: bool
    # The model's own words, even when rejected (for logs and the evaluation).
    draft: str = ""
    verdict: Verdict | None = None
    # Why the model's answer was not used, when it was not.
    reason: str = ""


@dataclass(frozen=True)
class Draft:
    """A piece of the model's answer, shown while it is written; not yet checked."""

    text: str


class GroundedAnswerer:
    def __init__(
        self,
        model: LanguageModel,
        guard: GroundingGuard,
        *,
        store_name: str,
        max_tokens: int = 160,
    ) -> None:
        self.model = model
        self.guard = guard
        self.store_name = store_name
        self.max_tokens = max_tokens
        self._system = load_prompt("grounded_answer.txt")
        self._user = load_prompt("grounded_answer_user.txt")

    def messages(self, question: str, passages: Sequence[Passage]) -> list[ChatMessage]:
        blocks = "\n\n".join(
            f"[{p.number}] {_data(p.title)} — {_data(p.section)}\n{_data(p.text)}" for p in passages
        )
        return [
            ChatMessage("system", self._system.format(store=self.store_name).strip()),
            ChatMessage(
                "user", self._user.format(passages=blocks, question=_data(question)).strip()
            ),
        ]

    async def answer(
        self, question: str, passages: Sequence[Passage], *, fallback: str
    ) -> GroundedAnswer:
        final = GroundedAnswer(fallback, generated=False, reason="no answer")
        async for event in self.stream(question, passages, fallback=fallback):
            if isinstance(event, GroundedAnswer):
                final = event
        return final

    async def stream(
        self, question: str, passages: Sequence[Passage], *, fallback: str
    ) -> AsyncIterator[Draft | GroundedAnswer]:
        """Drafts as the model writes, then one GroundedAnswer: the checked text or the
        fallback. Never raises for the model's failures."""
        if not passages:
            yield GroundedAnswer(fallback, generated=False, reason="no passages")
            return
        pieces: list[str] = []
        try:
            async for piece in self.model.stream(
                self.messages(question, passages), max_tokens=self.max_tokens
            ):
                pieces.append(piece)
                yield Draft(piece)
        except LanguageModelError as exc:
            logger.info("grounded answer fell back: %s", exc.message)
            yield GroundedAnswer(fallback, False, "".join(pieces), reason=exc.message)
            return
        draft = "".join(pieces).strip()
        verdict = self.guard.check(draft, passages)
        if verdict.supported:
            yield GroundedAnswer(draft, True, draft, verdict)
        else:
            logger.info("grounded answer replaced: %s", verdict.explain())
            yield GroundedAnswer(fallback, False, draft, verdict, reason=verdict.explain())


def _data(text: str) -> str:
    return as_data(text, *_BLOCKS)
