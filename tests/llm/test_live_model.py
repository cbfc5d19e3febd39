"""The assistant talks to a real OpenAI-compatible server over HTTP: the llama.cpp server with
the packaged GGUF (one for the test session, reached through the `openai` provider, and one the
assistant starts itself with provider `llamacpp`), or vLLM under `make test-vllm`. The model is
a small base model: its words are not checked, only that the real code path works — lengths,
streaming, JSON by schema."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from assistant.config import Settings
from assistant.llm import ChatMessage, LanguageModel, build_language_model

pytestmark = [pytest.mark.anyio, pytest.mark.slow]
live = pytest.mark.live_model

PROMPT = [
    ChatMessage("system", "You are a store assistant. Answer in one short sentence."),
    ChatMessage("user", "How long does standard delivery take?"),
]


@pytest.fixture
async def model(live_settings: Callable[..., Settings]) -> AsyncIterator[LanguageModel]:
    built = await build_language_model(live_settings(**{"llm.max_tokens": 24}))
    assert built is not None
    try:
        yield built
    finally:
        await built.aclose()


@live
async def test_the_server_answers_streams_and_keeps_to_the_length(model: LanguageModel) -> None:
    assert (await model.state()).ready
    answer = await model.complete(PROMPT, max_tokens=12)
    assert answer.strip()
    pieces = [piece async for piece in model.stream(PROMPT, max_tokens=8)]
    # A streamed piece is at most a few tokens: the limit the adapter sent was honoured.
    assert 1 <= len(pieces) <= 8 and "".join(pieces).strip()


@live
async def test_json_output_follows_the_schema(model: LanguageModel) -> None:
    schema = {
        "type": "object",
        # Bounded, or a base model may fill the whole answer with one string.
        "properties": {
            "product": {"type": "string", "maxLength": 30},
            # Bounded too: unbounded, vLLM's grammar lets a base model write digits until
            # the tokens run out (llama.cpp's stops numbers at 16 digits).
            "max_price": {"type": "integer", "minimum": 0, "maximum": 100000},
        },
        "required": ["product", "max_price"],
    }
    found = await model.complete_json(
        [ChatMessage("user", "A backpack under 50 dollars. Reply with JSON.")],
        schema,
        max_tokens=200,
    )
    assert isinstance(found, dict) and set(found) >= {"product", "max_price"}
    assert isinstance(found["product"], str) and len(found["product"]) <= 30
    # The type holds on every server; the range only where the server's grammar enforces it
    # (vLLM's does, llama.cpp's stops at 16 digits instead): callers validate with pydantic.
    assert isinstance(found["max_price"], int)


async def test_the_assistant_starts_its_own_server_and_closing_the_model_stops_it(
    make_settings: Callable[..., Settings],
) -> None:
    model = await build_language_model(make_settings(**{"llm.provider": "llamacpp"}))
    assert model is not None and model.provider == "llamacpp"
    assert (await model.state()).ready
    assert (await model.complete(PROMPT, max_tokens=4)).strip()
    base_url = model.base_url  # type: ignore[attr-defined]
    assert httpx.get(f"{base_url}/models", timeout=5).status_code == 200
    await model.aclose()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/models", timeout=5)
    assert (await model.state()).state == "unreachable"


@live
async def test_search_filters_and_commands_from_the_real_model_are_checked(
    model: LanguageModel,
) -> None:
    """Whatever the model writes, what survives is valid: filters from the catalog's words
    and the message's numbers, commands of the fixed schema."""
    from assistant.engine.command_model import CommandGenerator
    from assistant.engine.commands import CommandContext
    from assistant.search.filters import FilterExtractor, Vocabulary

    vocabulary = Vocabulary(("Backpack", "T-Shirt"), {"color": ("black", "blue", "red")})
    text = "a black backpack under 50 dollars"
    found = await FilterExtractor(model, max_tokens=80).extract(text, vocabulary)
    filters = found.filters
    assert filters.product_type in (None, "Backpack", "T-Shirt")
    assert set(filters.options.values()) <= {"black", "blue", "red"}
    assert filters.min_price in (None, 50) and filters.max_price in (None, 50)

    context = CommandContext(
        text="has my parcel left the warehouse yet?",
        active_flow=None,
        waiting_for=None,
        flows={"order_status": "the status of one of the shopper's orders"},
        slots={"order_id": "the order id"},
    )
    # Patient here (a CPU server compiles each new schema's grammar first), so the model's
    # own output is what gets validated.
    generator = CommandGenerator(model, store_name="Aisle", max_tokens=60, timeout_s=120)
    proposed = await generator.propose(context)
    # Valid commands, or none at all (invalid output is dropped, never applied).
    assert len(proposed) <= 4
    for command in proposed:
        if command.command == "start_flow":
            assert command.flow == "order_status"  # type: ignore[union-attr]
