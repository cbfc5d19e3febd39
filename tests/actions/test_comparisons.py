"""Wishes said by comparison with the item the shopper has (actions/comparisons.py)."""

from __future__ import annotations

import pytest

from actions.comparisons import compared_values, rank

BOTTLES = [
    {"capacity": "500ml", "color": "black"},
    {"capacity": "750ml", "color": "black"},
    {"capacity": "1000ml", "color": "red"},
]
LAMPS = [{"brightness": "low"}, {"brightness": "medium"}, {"brightness": "high"}]


@pytest.mark.parametrize(
    ("text", "variants", "current", "wished"),
    [
        # The nearest step past the current value, not the largest.
        ("a bigger water bottle", BOTTLES, BOTTLES[0], {"capacity": {"750ml"}}),
        ("a smaller one", BOTTLES, BOTTLES[2], {"capacity": {"750ml"}}),
        ("a less bright lamp", LAMPS, {"brightness": "high"}, {"brightness": {"medium"}}),
        ("a brighter lamp", LAMPS, {"brightness": "low"}, {"brightness": {"medium"}}),
        # Nothing brighter to be had, or nothing the product has to compare.
        ("a brighter lamp", LAMPS, {"brightness": "high"}, {}),
        ("a bigger lamp", LAMPS, {"brightness": "low"}, {}),
        (
            "one size up",
            [{"size": "S"}, {"size": "L"}, {"size": "XL"}],
            {"size": "M"},
            {"size": {"L"}},
        ),
    ],
)
def test_a_comparison_asks_for_the_nearest_value_past_the_current_one(
    text: str, variants: list[dict[str, str]], current: dict[str, str], wished: dict
) -> None:
    assert compared_values(text, variants, current) == wished


def test_values_are_ordered_by_their_numbers_or_their_ladder() -> None:
    assert rank("500ml") < rank("1.5L") < rank("2L")  # type: ignore[operator]
    assert rank("S") < rank("M") < rank("XXL")  # type: ignore[operator]
    assert rank("glass") is None
