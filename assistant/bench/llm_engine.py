"""`assistant bench llm`'s side through the assistant: a whole engine turn, as the server
runs one, for a policy question on a new conversation: the NLU's parse, the flow, the action
that answers from the store's documents (retrieval, the extractive answer, the grounded prompt,
the model's reply streamed as drafts, the grounding guard's check), the reply rendered.

The engine is the real one (`search_setup.Harness`: the NLU the server loads, the flows, the
actions in process, the demo store in a temporary database) with the documents of the
benchmark's questions; one embedding model, behind one cache, for the NLU, the retrieval and
the guard, as in the server — and the cache is emptied before each timed turn, so that the
message is embedded as a shopper's new message is. No command model (`llm.commands`) and no
model-read search filters: the grounded answer is the turn's only model call.

The model is reached through `MeasuredModel`, which heads each prompt with the bench's run
number (so the server's prompt cache helps neither side), gives it the bench's `max_tokens`,
records it, and times the pieces. Before the timed pairs, each candidate question is put
through the engine once with the model switched off (`dry`): what it would have sent is
recorded without a request, and only the questions whose turn sends exactly one prompt are
kept; the direct side posts that recorded prompt.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from assistant.config import Settings
from assistant.engine.drafts import drafts_to
from assistant.engine.embeddings import CachingEmbedder
from assistant.engine.manager import DialogueEngine
from assistant.errors import LanguageModelUnavailable
from assistant.knowledge.index import KnowledgeIndex
from assistant.llm import ChatMessage, LanguageModel, ModelState


def numbered(messages: Sequence[ChatMessage], run: int) -> list[ChatMessage]:
    first, *rest = messages
    return [ChatMessage(first.role, f"Run {run:04d}.\n{first.content}"), *rest]


class FreshEmbedder(CachingEmbedder):
    """The server's embedding cache, which the bench empties before each timed turn."""

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


class MeasuredModel:
    """The measured model as the engine reaches it: prompts numbered, recorded and timed."""

    def __init__(self, inner: LanguageModel, *, max_tokens: int) -> None:
        self.inner = inner
        self.provider = inner.provider
        self.model = inner.model
        self.max_tokens = max_tokens
        self.run = 0
        self.dry = False
        self.prompts: list[list[ChatMessage]] = []
        self.pieces: list[float] = []
        self.other_calls = 0

    def __getattr__(self, name: str) -> Any:  # base_url, fold_system: the client's own
        return getattr(self.inner, name)

    def begin(self, run: int, *, dry: bool = False) -> None:
        self.run, self.dry = run, dry
        self.prompts, self.pieces, self.other_calls = [], [], 0

    async def stream(
        self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None
    ) -> AsyncIterator[str]:
        self.prompts.append(list(messages))
        if self.dry:
            raise LanguageModelUnavailable("the bench's dry run sends nothing")
        async for piece in self.inner.stream(
            numbered(messages, self.run), max_tokens=self.max_tokens
        ):
            self.pieces.append(time.perf_counter())
            yield piece

    async def complete(
        self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None
    ) -> str:
        self.other_calls += 1
        return await self.inner.complete(messages, max_tokens=max_tokens)

    async def complete_json(
        self,
        messages: Sequence[ChatMessage],
        schema: dict[str, Any],
        *,
        max_tokens: int | None = None,
    ) -> Any:
        self.other_calls += 1
        return await self.inner.complete_json(messages, schema, max_tokens=max_tokens)

    async def state(self) -> ModelState:
        return await self.inner.state()

    async def aclose(self) -> None:
        await self.inner.aclose()


class EngineTurns:
    """Policy questions, each a whole turn through the engine on a new conversation."""

    def __init__(
        self, engine: DialogueEngine, model: MeasuredModel, embedder: FreshEmbedder
    ) -> None:
        self.engine = engine
        self.model = model
        self.embedder = embedder

    async def prompt_of(self, question: str) -> list[ChatMessage] | None:
        """The one prompt the engine's turn for `question` sends, recorded without sending
        it; None when the turn sends none or several."""
        self.model.begin(0, dry=True)
        await self.engine.handle(self.engine.new_tracker("bench-llm-dry"), question)
        prompts = self.model.prompts
        return prompts[0] if len(prompts) == 1 and not self.model.other_calls else None

    async def turn(self, question: str, run: int) -> dict[str, Any]:
        """One timed turn, the embedding cache emptied first: the time to the first draft
        the shopper would see, to the reply, and the model's pieces."""
        self.embedder.clear()
        self.model.begin(run)
        drafts: list[float] = []

        async def sink(_draft: str, _text: str) -> None:
            drafts.append(time.perf_counter())

        tracker = self.engine.new_tracker(f"bench-llm-{run}")
        began = time.perf_counter()
        with drafts_to(sink):
            result = await self.engine.handle(tracker, question)
        total = time.perf_counter() - began
        pieces = self.model.pieces
        first = drafts[0] if drafts else pieces[0] if pieces else began + total
        rate = (len(pieces) - 1) / (pieces[-1] - pieces[0]) if len(pieces) > 1 else 0.0
        if len(pieces) > 1 and pieces[-1] == pieces[0]:
            rate = 0.0
        return {
            "ttft": first - began,
            "total": total,
            "rate": rate,
            "tokens": float(len(pieces)),
            "prompts": list(self.model.prompts),
            "reply": result.messages[0].text if result.messages else "",
        }


@contextmanager
def engine_turns(
    settings: Settings, model: MeasuredModel, index: KnowledgeIndex, embedder: FreshEmbedder
) -> Iterator[EngineTurns]:
    """The engine over `index`'s documents, with `model` writing the grounded answers."""
    from assistant.bench.search_setup import Harness, bench_store, load_parser
    from assistant.knowledge.grounded import GroundedAnswerer
    from assistant.knowledge.grounding import GroundingGuard
    from assistant.knowledge.service import Knowledge
    from assistant.search.service import CatalogSearch

    parser, _how, _seconds = load_parser(settings)
    parser.embedder = embedder  # the one model and cache, as the server has it
    answerer = GroundedAnswerer(model, GroundingGuard(embedder), store_name=settings.assistant.name)
    knowledge = Knowledge(index, embedder, answerer=answerer)
    with bench_store(settings) as orders:
        harness = Harness(settings, parser, orders, knowledge)
        yield EngineTurns(harness.engine(CatalogSearch(orders.list_products)), model, embedder)
