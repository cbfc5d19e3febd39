"""The assistant's own small interface to a language model.

The engine and actions see only this: messages in, text (whole, streamed, or JSON checked
against a schema) out, and typed errors (`assistant.errors.LanguageModelError`) when the model
is down, slow or answers in the wrong shape, so that every caller can fall back to the answer
it builds without a model. Which library talks to which server stays behind it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class ModelState:
    """What `/readyz` reports about the model."""

    provider: str
    model: str
    # "ready", "unreachable" (the last call failed) or "open" (the breaker stops calls).
    state: str
    detail: str = ""

    @property
    def ready(self) -> bool:
        return self.state == "ready"


class LanguageModel(Protocol):
    provider: str
    model: str

    async def complete(
        self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None
    ) -> str:
        """The whole answer; LanguageModelError when none arrives in time."""
        ...

    def stream(
        self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None
    ) -> AsyncIterator[str]:
        """The answer as it is generated, piece by piece; the first piece must arrive within
        the first-token timeout, the whole within the answer timeout."""
        ...

    async def complete_json(
        self,
        messages: Sequence[ChatMessage],
        schema: dict[str, Any],
        *,
        max_tokens: int | None = None,
    ) -> Any:
        """The answer parsed as JSON, asked for with `schema` in the server's own way.
        Validation against the schema is the caller's (with pydantic)."""
        ...

    async def state(self) -> ModelState: ...

    async def aclose(self) -> None: ...
