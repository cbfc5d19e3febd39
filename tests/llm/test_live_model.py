"""The assistant starts llama.cpp's OpenAI-compatible server with the packaged GGUF and
talks to it over HTTP (provider `llamacpp`). The model is a small base model: its words are
not checked, only that the real code path works — lengths, streaming, JSON by schema."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from assistant.config import Settings
from assistant.llm import ChatMessage, LanguageModel, build_language_model

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

PROMPT = [
    ChatMessage("system", "You are a store assistant. Answer in one short sentence."),
    ChatMessage("user", "How long does standard delivery take?"),
]


@pytest.fixture
async def llamacpp(make_settings: Callable[..., Settings]) -> AsyncIterator[LanguageModel]:
    model = await build_language_model(
        make_settings(**{"llm.provider": "llamacpp", "llm.max_tokens": 24, "llm.timeout_s": 90})
    )
    assert model is not None
    try:
        yield model
    finally:
        await model.aclose()


async def test_the_local_server_answers_streams_and_keeps_to_the_length(
    llamacpp: LanguageModel,
) -> None:
    assert llamacpp.provider == "llamacpp" and (await llamacpp.state()).ready
    answer = await llamacpp.complete(PROMPT, max_tokens=12)
    assert answer.strip()
    pieces = [piece async for piece in llamacpp.stream(PROMPT, max_tokens=8)]
    # Each streamed piece is one token: the limit the adapter sent was honoured.
    assert 1 <= len(pieces) <= 8 and "".join(pieces).strip()


async def test_json_output_follows_the_schema(llamacpp: LanguageModel) -> None:
    schema = {
        "type": "object",
        # Bounded, or a base model may fill the whole answer with one string.
        "properties": {
            "product": {"type": "string", "maxLength": 30},
            "max_price": {"type": "number"},
        },
        "required": ["product", "max_price"],
    }
    found = await llamacpp.complete_json(
        [ChatMessage("user", "A backpack under 50 dollars. Reply with JSON.")],
        schema,
        max_tokens=200,
    )
    assert isinstance(found, dict) and set(found) >= {"product", "max_price"}
    assert isinstance(found["product"], str) and len(found["product"]) <= 30
    assert isinstance(found["max_price"], int | float)


async def test_closing_the_model_stops_its_server(
    make_settings: Callable[..., Settings],
) -> None:
    model = await build_language_model(make_settings(**{"llm.provider": "llamacpp"}))
    assert model is not None
    base_url = model.base_url  # type: ignore[attr-defined]
    assert httpx.get(f"{base_url}/models", timeout=5).status_code == 200
    await model.aclose()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/models", timeout=5)
    assert (await model.state()).state == "unreachable"
