"""Prompts are checked against the placeholders the code fills, at load and at rendering."""

from __future__ import annotations

import pytest

from assistant.llm import prompts
from assistant.llm.prompts import PLACEHOLDERS, Prompt, PromptError, check_prompts, load_prompt


def test_every_shipped_prompt_has_exactly_its_declared_placeholders() -> None:
    loaded = check_prompts()
    assert {p.name for p in loaded} == set(PLACEHOLDERS)
    assert all(p.fields == PLACEHOLDERS[p.name] for p in loaded)


def test_a_file_with_another_placeholder_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(PLACEHOLDERS, "summary.txt", frozenset({"shop"}))
    with pytest.raises(PromptError, match=r"placeholders are \['store'\].*fills \['shop'\]"):
        load_prompt("summary.txt")
    with pytest.raises(PromptError, match="no prompt"):
        load_prompt("nothing.txt")


def test_rendering_needs_every_placeholder_and_no_other() -> None:
    prompt = load_prompt("grounded_answer_user.txt")
    text = prompt.format(passages="[1] Returns — 30 days", question="can I return it?")
    assert "can I return it?" in text and "[1] Returns" in text
    with pytest.raises(PromptError, match=r"missing \['question'\]"):
        prompt.format(passages="x")
    with pytest.raises(PromptError, match=r"unexpected \['shop'\]"):
        prompt.format(passages="x", question="y", shop="z")


def test_literal_braces_are_not_placeholders() -> None:
    assert prompts.placeholders('Answer as {{"flow": "{name}"}}') == frozenset({"name"})
    assert Prompt("t", "{{x}} {y}", frozenset({"y"})).format(y=1) == "{x} 1"
    with pytest.raises(PromptError, match="not a format string"):
        prompts.placeholders("a { b")
