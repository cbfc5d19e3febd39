"""The OpenAI-compatible client against a queue-driven fake server: payloads, streaming,
timeouts, the circuit breaker, JSON output. The same client meets llama.cpp in
test_live_model.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from assistant.errors import (
    LanguageModelOutputError,
    LanguageModelTimeout,
    LanguageModelUnavailable,
)
from assistant.llm.base import ChatMessage
from assistant.llm.openai_compat import OpenAICompatibleModel
from tests.fake_llm import FakeModelServer, Reply

pytestmark = pytest.mark.anyio

QUESTION = [ChatMessage("system", "Answer briefly."), ChatMessage("user", "Hello?")]


MakeModel = Callable[..., OpenAICompatibleModel]


@pytest.fixture
async def make_model(fake_server: FakeModelServer) -> AsyncIterator[MakeModel]:
    made: list[OpenAICompatibleModel] = []

    def make(**options: Any) -> OpenAICompatibleModel:
        options.setdefault("base_url", fake_server.base_url)
        model = OpenAICompatibleModel(model="fake", max_retries=0, **options)
        made.append(model)
        return model

    yield make
    for model in made:
        await model.aclose()


async def _collect(model: OpenAICompatibleModel) -> list[str]:
    return [piece async for piece in model.stream(QUESTION)]


async def test_a_completion_sends_both_token_limits_and_the_messages(
    fake: FakeModelServer, make_model: MakeModel
) -> None:
    fake.script("Hi there.")
    answer = await make_model(max_tokens=40).complete(QUESTION)
    assert answer == "Hi there."
    (request,) = fake.requests
    assert request["model"] == "fake"
    assert request["max_tokens"] == 40 and request["max_completion_tokens"] == 40
    assert [m["role"] for m in request["messages"]] == ["system", "user"]


async def test_the_system_prompt_is_folded_for_templates_without_one(
    fake: FakeModelServer, make_model: MakeModel
) -> None:
    fake.script("ok")
    await make_model(fold_system=True).complete(QUESTION)
    (message,) = fake.requests[0]["messages"]
    assert message["role"] == "user" and message["content"] == "Answer briefly.\n\nHello?"


async def test_streaming_yields_the_answer_piece_by_piece(
    fake: FakeModelServer, make_model: MakeModel
) -> None:
    fake.script(Reply("Standard delivery takes three days.", piece_delay_s=0.01))
    pieces = await _collect(make_model())
    assert len(pieces) == 5 and "".join(pieces) == "Standard delivery takes three days."
    assert fake.requests[0]["stream"] is True


async def test_a_slow_first_token_is_a_timeout(
    fake: FakeModelServer, make_model: MakeModel
) -> None:
    fake.script(Reply("late", first_delay_s=1.5))
    with pytest.raises(LanguageModelTimeout, match="first token"):
        await _collect(make_model(first_token_timeout_s=0.3))


async def test_a_stream_that_outlasts_the_answer_timeout_is_cut(
    fake: FakeModelServer, make_model: MakeModel
) -> None:
    fake.script(Reply("one two three four five six", piece_delay_s=0.4))
    got: list[str] = []

    async def run() -> None:
        async for piece in make_model(timeout_s=1.0, first_token_timeout_s=1.0).stream(QUESTION):
            got.append(piece)

    with pytest.raises(LanguageModelTimeout, match="whole answer"):
        await run()
    assert 1 <= len(got) < 6


async def test_the_breaker_stops_calling_a_failing_server(
    fake: FakeModelServer, make_model: MakeModel
) -> None:
    model = make_model(breaker_failures=2, breaker_reset_s=60)
    fake.script(Reply(status=500), Reply(status=503), "never sent")
    for _ in range(2):
        with pytest.raises(LanguageModelUnavailable, match="failed"):
            await model.complete(QUESTION)
    with pytest.raises(LanguageModelUnavailable, match="paused"):
        await model.complete(QUESTION)
    with pytest.raises(LanguageModelUnavailable, match="paused"):
        await _collect(model)
    assert len(fake.requests) == 2  # the open breaker sent nothing
    state = await model.state()
    assert state.state == "open" and not state.ready and "503" in state.detail


async def test_the_breaker_lets_a_call_through_after_its_pause(
    fake: FakeModelServer, make_model: MakeModel
) -> None:
    model = make_model(breaker_failures=1, breaker_reset_s=0.2)
    fake.script(Reply(status=500), "back again")
    with pytest.raises(LanguageModelUnavailable):
        await model.complete(QUESTION)
    assert (await model.state()).state == "open"
    await asyncio.sleep(0.3)
    assert await model.complete(QUESTION) == "back again"
    assert (await model.state()).ready


@pytest.mark.parametrize(
    ("structured", "expected"),
    [
        ("json_object", {"type": "json_object", "schema": {"type": "object"}}),
        (
            "json_schema",
            {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": True},
            },
        ),
    ],
)
async def test_json_is_asked_for_in_the_servers_own_way(
    fake: FakeModelServer, make_model: MakeModel, structured: Any, expected: dict[str, Any]
) -> None:
    fake.script('```json\n{"max_price": 50}\n```')
    model = make_model(structured_output=structured)
    assert await model.complete_json(QUESTION, {"type": "object"}) == {"max_price": 50}
    assert fake.requests[0]["response_format"] == expected


async def test_an_answer_that_is_not_json_is_a_typed_error_not_a_server_failure(
    fake: FakeModelServer, make_model: MakeModel
) -> None:
    model = make_model(breaker_failures=1)
    fake.script("sure! here you go", '{"ok": true}')
    with pytest.raises(LanguageModelOutputError):
        await model.complete_json(QUESTION, {"type": "object"})
    assert await model.complete_json(QUESTION, {"type": "object"}) == {"ok": True}


async def test_state_reports_an_unreachable_server(make_model: MakeModel) -> None:
    from tests.servers import free_port

    model = make_model(base_url=f"http://127.0.0.1:{free_port()}/v1")
    state = await model.state()
    assert state.state == "unreachable" and "Connect" in state.detail
    with pytest.raises(LanguageModelUnavailable):
        await model.complete(QUESTION)
