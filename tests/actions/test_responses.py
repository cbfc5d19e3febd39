"""Every shopper-facing sentence the actions send is a response of the domain
(actions/domain.yml), ready for translation: no action sends text of its own, and every
response an action names is there.

Read from the source with `ast`, so a branch no test reaches is checked too."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from assistant.engine.domain import load_domain

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = sorted((ROOT / "actions").glob("*.py"))
RESPONSE_NAME = re.compile(r"utter_\w+")
# What `utter_message` may send besides a response: a card with no text.
CARD_ONLY = {"json_message"}


def _called(node: ast.AST, name: str) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Attribute) and func.attr == name) or (
        isinstance(func, ast.Name) and func.id == name
    )


def inline_text(source: str) -> list[str]:
    """The `utter_message` calls in the source that send text of their own: a `text=` (or a
    positional text), or no response at all with anything but a card."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not _called(node, "utter_message"):
            continue
        assert isinstance(node, ast.Call)
        keywords = {k.arg for k in node.keywords}
        responds = "response" in keywords or "template" in keywords
        if node.args or "text" in keywords:
            found.append(f"line {node.lineno}: text of its own")
        elif not responds and not keywords <= CARD_ONLY:
            found.append(f"line {node.lineno}: no response, yet {sorted(map(str, keywords))}")
    return found


def built_names(source: str) -> list[str]:
    """Response names put together at run time (f"utter_{x}", "utter_" + x): the domain check
    below could not see them."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr | ast.BinOp):
            parts = [n.value for n in ast.walk(node) if isinstance(n, ast.Constant)]
            if any(isinstance(p, str) and p.startswith("utter_") for p in parts):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def named_responses(source: str) -> set[str]:
    """Every response name the source spells out."""
    return {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and RESPONSE_NAME.fullmatch(node.value)
    }


@pytest.mark.parametrize("path", ACTIONS, ids=lambda path: path.name)
def test_no_action_sends_text_of_its_own(path: Path) -> None:
    assert inline_text(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", ACTIONS, ids=lambda path: path.name)
def test_response_names_are_spelled_out(path: Path) -> None:
    assert built_names(path.read_text(encoding="utf-8")) == []


def test_every_response_an_action_names_is_in_the_domain() -> None:
    domain = load_domain(ROOT / "actions" / "domain.yml")
    named = set().union(*(named_responses(p.read_text(encoding="utf-8")) for p in ACTIONS))
    assert len(named) > 50
    assert sorted(named - set(domain.responses)) == []


@pytest.mark.parametrize(
    "source",
    [
        'dispatcher.utter_message(text="hi")',
        'dispatcher.utter_message(text=f"No {name} is available.", buttons=[])',
        'dispatcher.utter_message("hi")',
        'dispatcher.utter_message(response="utter_x", text="hi")',
        'dispatcher.utter_message(buttons=[button("Yes", intent="affirm")])',
    ],
)
def test_the_check_catches_text_sent_inline(source: str) -> None:
    assert inline_text(source)


def test_the_check_lets_responses_and_cards_through() -> None:
    source = """
dispatcher.utter_message(response="utter_handoff")
dispatcher.utter_message(response=name, order_id=order.id, buttons=buttons)
dispatcher.utter_message(json_message={"type": "handoff"})
"""
    assert inline_text(source) == []
    assert named_responses(source) == {"utter_handoff"}
    assert built_names('part(f"utter_order_{status}")') and built_names('"utter_" + kind')
