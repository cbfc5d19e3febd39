"""`assistant bench llm` on the queue-driven fake server: both sides are measured on the same
prompts (the assistant's through a whole engine turn), and the figures have their shape.
Timings are never asserted on."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from assistant.bench.llm import run_benchmark, ttft_verdict
from assistant.config import LLMProvider, Settings
from tests.fake_llm import FakeModelServer, Reply


@pytest.mark.slow
def test_both_sides_send_the_same_prompt_and_are_reported(
    fake: FakeModelServer, fake_settings: Callable[..., Settings]
) -> None:
    fake.script(*[Reply("Standard delivery takes 3 to 5 business days [1].")] * 8)
    figures = asyncio.run(
        run_benchmark(fake_settings(), provider=LLMProvider.openai, pairs=3, max_tokens=16)
    )
    assert len(fake.requests) == 8  # a warm-up pair and 3 timed pairs
    prompts = [r["messages"][-1]["content"] for r in fake.requests]
    systems = [r["messages"][0]["content"] for r in fake.requests]
    for pair in range(4):
        # Same question and passages; only the run number at the head differs.
        a, b = prompts[2 * pair], prompts[2 * pair + 1]
        assert a == b
        assert systems[2 * pair] != systems[2 * pair + 1]
        assert systems[2 * pair].split("\n", 1)[1] == systems[2 * pair + 1].split("\n", 1)[1]
    assert {r["max_tokens"] for r in fake.requests} == {16}
    for side in ("assistant", "direct"):
        assert figures[side]["tokens_p50"] == 9  # one piece per word
        assert figures[side]["ttft_p50_ms"] > 0 and figures[side]["tokens_per_s_p50"] > 0
    assert figures["pairs"] == 3 and figures["target_overhead"] == 0.10
    # The engine's turn sent exactly the prompt its dry run recorded, which the direct side
    # posted: a grounded prompt with the store's passages and the shopper's question.
    assert figures["prompt_mismatches"] == 0 and figures["questions"] >= 1
    assert "<passages>" in prompts[0] and "<question>" in prompts[0], prompts[0]
    for side in ("assistant", "direct"):
        assert figures[side]["total_p50_ms"] > 0
    # The verdict is the one the two medians give, whatever they measured.
    assert (figures["ttft_overhead"], figures["met"]) == ttft_verdict(
        figures["assistant"]["ttft_p50_ms"], figures["direct"]["ttft_p50_ms"]
    )


@pytest.mark.parametrize(
    ("assistant_ms", "direct_ms", "verdict"),
    [
        (2200.0, 2000.0, (0.1, True)),  # exactly the target is within it
        (2300.0, 2000.0, (0.15, False)),
        (1900.0, 2000.0, (-0.05, True)),  # faster than direct: noise, still met
        (50.0, 0.0, (None, None)),  # nothing measured directly: no verdict
    ],
)
def test_the_verdict_compares_the_overhead_with_the_target(
    assistant_ms: float, direct_ms: float, verdict: tuple[float | None, bool | None]
) -> None:
    assert ttft_verdict(assistant_ms, direct_ms) == verdict
    # A stricter target turns the same overhead into a miss.
    if verdict[0] is not None and verdict[0] > 0:
        assert ttft_verdict(assistant_ms, direct_ms, target=0.05) == (verdict[0], False)
