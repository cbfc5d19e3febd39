"""`assistant eval answers` against the queue-driven fake model: outcomes are counted as
they happen, and no final answer is ever an unchecked draft."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from assistant.config import LLMProvider, Settings
from assistant.eval.answers import evaluate_answers
from tests.fake_llm import FakeModelServer, Reply


def _first_passage_sentence(body: dict[str, Any]) -> str:
    """A faithful answer: the first sentence of passage [1], cited."""
    prompt = body["messages"][-1]["content"]
    passage = prompt.split("[1] ", 1)[1].split("\n", 1)[1]
    sentence = re.split(r"(?<=[.!?])\s", passage.strip(), maxsplit=1)[0]
    return f"{sentence.rstrip('.')} [1]."


@pytest.mark.slow
def test_outcomes_are_counted_and_no_unchecked_draft_is_final(
    fake: FakeModelServer, fake_settings: Callable[..., Settings]
) -> None:
    fake.script(
        *[Reply(_first_passage_sentence) for _ in range(3)],
        "We ship to Mars for $1 [1].",
        Reply(status=500),
        *["Returns are free forever, no questions asked [1]." for _ in range(20)],
    )
    figures = evaluate_answers(fake_settings(), provider=LLMProvider.openai, limit=16)
    outcomes = figures["outcomes"]
    assert figures["questions"] == 16 and sum(outcomes.values()) == 16
    assert figures["answered"] == len(fake.requests) >= 6
    assert outcomes["model's draft stood"] == 3
    assert outcomes["model failed (extractive sent)"] == 1
    assert outcomes["replaced by the guard"] == figures["answered"] - 4
    assert figures["ungrounded_finals"] == 0
    assert figures["rejection_reasons"]["facts"] >= 1
    drafts = 3 + outcomes["replaced by the guard"]
    assert figures["replaced_share"] == round(outcomes["replaced by the guard"] / drafts, 3)
    assert figures["right_section"]["extractive"] >= 1
