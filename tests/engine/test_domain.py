"""Filling a response: slot values and an action's values, and responses given as values (a
message of several sentences, each in the domain)."""

from __future__ import annotations

import pytest

from assistant.engine.domain import Domain
from assistant.errors import FlowError

DOMAIN = Domain.model_validate(
    {
        "responses": {
            "utter_results": [{"text": "{head}"}],
            "utter_results_more": [{"text": "{head}\nSay “show more”."}],
            "utter_matches": [{"text": "{total} matches for {terms}."}],
            "utter_without": [{"text": "Without {dropped}: {result}"}],
            "utter_lines": [{"text": "{lines}"}],
            "utter_hello": [{"text": "Hello, {customer_name}!"}],
            "utter_loop": [{"text": "{again}"}],
        }
    }
)


def _text(name: str, values: dict[str, object]) -> str | None:
    return DOMAIN.render(name, values).text


def test_a_response_given_as_a_value_reads_as_its_filled_text() -> None:
    head = {"response": "utter_matches", "total": 3, "terms": "black Backpack"}
    assert _text("utter_results", {"head": head}) == "3 matches for black Backpack."
    assert _text("utter_results_more", {"head": head}) == (
        "3 matches for black Backpack.\nSay “show more”."
    )


def test_responses_nest_and_see_the_values_around_them() -> None:
    matches = {"response": "utter_matches", "total": 2}
    head = {"response": "utter_without", "dropped": "a price limit", "result": matches}
    # `terms` is the outer message's, as a slot's value would be.
    assert _text("utter_results", {"head": head, "terms": "Backpack"}) == (
        "Without a price limit: 2 matches for Backpack."
    )


def test_a_list_reads_as_lines_of_responses_and_plain_text() -> None:
    lines = [
        {"response": "utter_hello"},
        "• Backpack: $25.00",
        None,
        {"response": "utter_matches", "total": 1, "terms": "tote"},
    ]
    assert _text("utter_lines", {"lines": lines, "customer_name": "Ana"}) == (
        "Hello, Ana!\n• Backpack: $25.00\n1 matches for tote."
    )


def test_an_unknown_response_or_endless_nesting_is_an_error() -> None:
    with pytest.raises(FlowError, match="utter_nope"):
        _text("utter_results", {"head": {"response": "utter_nope"}})
    again: dict[str, object] = {"response": "utter_loop"}
    again["again"] = again
    with pytest.raises(FlowError, match="nested"):
        _text("utter_loop", {"again": again})


def test_plain_values_are_unchanged() -> None:
    assert _text("utter_hello", {"customer_name": None}) == "Hello, !"
    assert _text("utter_matches", {"total": 0}) == "0 matches for {terms}."
    assert _text("utter_without", {"dropped": {"kind": "price"}, "result": "x"}) == (
        "Without {'kind': 'price'}: x"
    )
