"""Any OpenAI-compatible chat server (vLLM, llama.cpp's server) through LangChain's ChatOpenAI.

The servers differ in small ways this adapter hides:
- the answer's length: LangChain sends `max_completion_tokens`, which llama.cpp's server
  ignores; `max_tokens` is sent too;
- JSON output: vLLM and OpenAI take `response_format: {"type": "json_schema", ...}`,
  llama.cpp takes `{"type": "json_object", "schema": ...}`.

Every call goes through a circuit breaker (pybreaker): after `breaker_failures` failures in a
row the server is not called for `breaker_reset_s`, and callers get
`LanguageModelUnavailable` at once instead of waiting on a dead server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Literal

import httpx
import pybreaker

from assistant.errors import (
    LanguageModelOutputError,
    LanguageModelTimeout,
    LanguageModelUnavailable,
)
from assistant.llm.base import ChatMessage, ModelState

StructuredOutput = Literal["json_schema", "json_object"]
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)
# How long `/readyz` waits for the model server's `/models`: a busy server is slow, not gone.
STATE_TIMEOUT_S = 5.0


class OpenAICompatibleModel:
    """A chat model on an OpenAI-compatible server."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        provider: str = "openai",
        api_key: str | None = None,
        timeout_s: float = 20.0,
        first_token_timeout_s: float = 4.0,
        max_retries: int = 1,
        max_tokens: int = 256,
        temperature: float = 0.2,
        structured_output: StructuredOutput = "json_schema",
        breaker_failures: int = 3,
        breaker_reset_s: float = 30.0,
        fold_system: bool = False,
        on_close: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        from langchain_openai import ChatOpenAI

        self.provider = provider
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.first_token_timeout_s = first_token_timeout_s
        self.max_tokens = max_tokens
        self.structured_output = structured_output
        self._api_key = api_key or "none"
        self.fold_system = fold_system
        self._on_close = on_close
        # Our own HTTP client, closed with the model: LangChain's shared default would outlive
        # the event loop it was first used on.
        self._http = httpx.AsyncClient(timeout=timeout_s)
        self._chat = ChatOpenAI(
            model=model,
            base_url=self.base_url,
            api_key=self._api_key,
            timeout=timeout_s,
            max_retries=max_retries,
            temperature=temperature,
            http_async_client=self._http,
        )
        self._opened = _OpenedAt()
        self.breaker = pybreaker.CircuitBreaker(
            fail_max=breaker_failures,
            reset_timeout=breaker_reset_s,
            name=f"llm:{model}",
            listeners=[self._opened],
        )
        self.breaker_reset_s = breaker_reset_s
        self._last_error = ""

    # -- calls --------------------------------------------------------------------------------

    async def complete(
        self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None
    ) -> str:
        return await self._invoke(messages, self._payload(max_tokens))

    async def stream(
        self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None
    ) -> AsyncIterator[str]:
        payload = self._payload(max_tokens)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_s
        with self._guard():
            chunks = self._chat.astream(self._messages(messages), **payload).__aiter__()
            first = True
            try:
                while True:
                    wait = deadline - loop.time()
                    if first:
                        wait = min(wait, self.first_token_timeout_s)
                    try:
                        async with asyncio.timeout(max(wait, 0.0)):
                            chunk = await chunks.__anext__()
                    except StopAsyncIteration:
                        return
                    except TimeoutError as exc:
                        what = "first token" if first else "whole answer"
                        limit = self.first_token_timeout_s if first else self.timeout_s
                        raise LanguageModelTimeout(f"no {what} within {limit:g} s") from exc
                    text = _text(chunk.content)
                    if text:
                        first = False
                        yield text
            finally:
                await _close(chunks)

    async def complete_json(
        self,
        messages: Sequence[ChatMessage],
        schema: dict[str, Any],
        *,
        max_tokens: int | None = None,
    ) -> Any:
        payload = self._payload(max_tokens)
        payload["extra_body"]["response_format"] = self._response_format(schema)
        text = (await self._invoke(messages, payload)).strip()
        fenced = _FENCE.match(text)
        try:
            return json.loads(fenced.group(1) if fenced else text)
        except json.JSONDecodeError as exc:
            raise LanguageModelOutputError(
                "the model's answer is not JSON", details={"answer": text[:200]}
            ) from exc

    async def _invoke(self, messages: Sequence[ChatMessage], payload: dict[str, Any]) -> str:
        """One whole answer, guarded by the breaker and the answer timeout."""
        with self._guard():
            try:
                async with asyncio.timeout(self.timeout_s):
                    reply = await self._chat.ainvoke(self._messages(messages), **payload)
            except TimeoutError as exc:
                raise LanguageModelTimeout(f"no answer within {self.timeout_s:g} s") from exc
        return _text(reply.content)

    # -- state --------------------------------------------------------------------------------

    async def state(self) -> ModelState:
        paused = time.monotonic() - self._opened.at < self.breaker_reset_s
        if self.breaker.current_state == pybreaker.STATE_OPEN and paused:
            return ModelState(self.provider, self.model, "open", self._last_error)
        try:
            async with httpx.AsyncClient(timeout=STATE_TIMEOUT_S) as client:
                response = await client.get(
                    f"{self.base_url}/models",
                    headers={"Authorization": f"Bearer {self._api_key}"},
                )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            return ModelState(self.provider, self.model, "unreachable", _describe(exc))
        return ModelState(self.provider, self.model, "ready")

    async def aclose(self) -> None:
        await self._http.aclose()
        if self._on_close is not None:
            await self._on_close()

    # -- helpers ------------------------------------------------------------------------------

    def _messages(self, messages: Sequence[ChatMessage]) -> list[Any]:
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        if self.fold_system:
            messages = fold_system_prompt(messages)
        kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
        return [kinds[m.role](content=m.content) for m in messages]

    def _payload(self, max_tokens: int | None) -> dict[str, Any]:
        tokens = max_tokens or self.max_tokens
        # `max_tokens` as well: llama.cpp's server ignores `max_completion_tokens`.
        return {"max_tokens": tokens, "extra_body": {"max_tokens": tokens}}

    def _response_format(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.structured_output == "json_object":
            return {"type": "json_object", "schema": schema}
        return {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": schema, "strict": True},
        }

    def _guard(self) -> Any:
        return _Guarded(self)


class _Guarded:
    """One call counted by the breaker; transport errors become typed ones."""

    def __init__(self, model: OpenAICompatibleModel) -> None:
        self.model = model
        self._calling: Any = None

    def __enter__(self) -> None:
        self._calling = self.model.breaker.calling()
        try:
            self._calling.__enter__()
        except pybreaker.CircuitBreakerError as exc:
            raise LanguageModelUnavailable(
                "the language model is paused after repeated failures",
                details={"last_error": self.model._last_error},
            ) from exc

    def __exit__(self, kind: Any, error: BaseException | None, traceback: Any) -> Literal[False]:
        if error is None or isinstance(error, GeneratorExit | asyncio.CancelledError):
            # A finished call, or a caller that stopped reading: not the server's failure.
            self._calling.__exit__(None, None, None)
            return False
        self.model._last_error = _describe(error)
        # pybreaker counts the failure and re-raises it (or, when it opens, its own error).
        with contextlib.suppress(BaseException):
            self._calling.__exit__(kind, error, traceback)
        if isinstance(error, LanguageModelTimeout | LanguageModelUnavailable):
            return False
        raise LanguageModelUnavailable(
            f"the language model failed: {_describe(error)}",
            details={"provider": self.model.provider},
        ) from error


class _OpenedAt(pybreaker.CircuitBreakerListener):
    """Remembers when the breaker last opened (pybreaker leaves it open until a call)."""

    def __init__(self) -> None:
        self.at = 0.0

    def state_change(self, cb: Any, old_state: Any, new_state: Any) -> None:
        if new_state is not None and new_state.name == pybreaker.STATE_OPEN:
            self.at = time.monotonic()


def fold_system_prompt(messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    """System text moved to the head of the first user turn (or made one)."""
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    rest = [m for m in messages if m.role != "system"]
    if not system:
        return rest
    if rest and rest[0].role == "user":
        return [ChatMessage("user", f"{system}\n\n{rest[0].content}"), *rest[1:]]
    return [ChatMessage("user", system), *rest]


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(
            str(block.get("text", "")) if isinstance(block, dict) else str(block)
            for block in content
        )
    return str(content or "")


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]


async def _close(chunks: Any) -> None:
    close = getattr(chunks, "aclose", None)
    if close is not None:
        # Closing a failed stream may fail again; the first error is the one that matters.
        with contextlib.suppress(Exception):
            await close()
