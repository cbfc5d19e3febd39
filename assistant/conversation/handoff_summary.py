"""A hand-off summary in the model's words, kept only if it invents no number and no order.

Every number (amounts, dates, order numbers) in the model's summary must appear in the
conversation it summarised; otherwise — or when the model fails — there is no written summary
and the agent reads the facts' own (assistant/conversation/summary.py).
"""

from __future__ import annotations

import logging

from assistant.config.store import OrderIds
from assistant.conversation.summary import ConversationFacts
from assistant.engine.numbers import facts_in
from assistant.errors import LanguageModelError
from assistant.llm.base import ChatMessage, LanguageModel
from assistant.llm.prompts import as_data, load_prompt

logger = logging.getLogger(__name__)

MAX_CHARS = 600


class ModelSummaryWriter:
    def __init__(
        self,
        model: LanguageModel,
        *,
        store_name: str,
        max_tokens: int = 120,
        order_ids: OrderIds | None = None,
    ) -> None:
        self.model = model
        self.order_ids = order_ids or OrderIds()
        self.store_name = store_name
        self.max_tokens = max_tokens
        self._system = load_prompt("summary.txt")
        self._user = load_prompt("summary_user.txt")

    def messages(self, transcript: str) -> list[ChatMessage]:
        return [
            ChatMessage("system", self._system.format(store=self.store_name).strip()),
            ChatMessage(
                "user", self._user.format(transcript=as_data(transcript, "conversation")).strip()
            ),
        ]

    async def write(self, transcript: str, facts: ConversationFacts) -> str | None:
        try:
            text = await self.model.complete(self.messages(transcript), max_tokens=self.max_tokens)
        except LanguageModelError as exc:
            logger.info("no model summary: %s", exc.message)
            return None
        text = " ".join(text.split())
        problem = unsupported(text, transcript, self.order_ids)
        if problem:
            logger.info("model summary refused: %s", problem)
            return None
        return text


def unsupported(text: str, transcript: str, order_ids: OrderIds | None = None) -> str:
    """Why `text` cannot stand as a summary of `transcript`; empty when it can."""
    if not text:
        return "empty"
    if len(text) > MAX_CHARS:
        return f"longer than {MAX_CHARS} characters"
    ids = order_ids or OrderIds()
    invented = sorted(set(ids.find_all(text)) - set(ids.find_all(transcript)))
    invented += sorted(facts_in(text) - facts_in(transcript))
    return f"not in the conversation: {', '.join(invented)}" if invented else ""
