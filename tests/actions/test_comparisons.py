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


CAMERAS = [
    {"resolution": "24MP", "zoom": "3x", "storage": "SD card"},
    {"resolution": "24MP", "zoom": "5x", "storage": "CF card"},
    {"resolution": "30MP", "zoom": "10x", "storage": "SD card"},
]
PUZZLES = [
    {"pieces": "500", "difficulty level": "beginner"},
    {"pieces": "500", "difficulty level": "expert"},
    {"pieces": "1500", "difficulty level": "intermediate"},
]


@pytest.mark.parametrize(
    ("text", "variants", "current", "wished"),
    [
        # The end of the range, not the next step past the current value.
        ("a camera that has the maximum zoom", CAMERAS, CAMERAS[0], {"zoom": {"10x"}}),
        ("the zoom capacity has to be maximized", CAMERAS, CAMERAS[0], {"zoom": {"10x"}}),
        (
            "the easiest one with fewest pieces",
            PUZZLES,
            PUZZLES[2],
            {"pieces": {"500"}, "difficulty level": {"beginner"}},
        ),
        ("the hardest one", PUZZLES, PUZZLES[0], {"difficulty level": {"expert"}}),
        # Superlatives of the price or of time are not options.
        ("the most expensive one, most recently ordered", CAMERAS, CAMERAS[0], {}),
    ],
)
def test_a_superlative_asks_for_the_end_of_an_options_range(
    text: str, variants: list[dict[str, str]], current: dict[str, str], wished: dict
) -> None:
    assert compared_values(text, variants, current) == wished


def test_feet_and_inches_are_read_for_their_short_forms() -> None:
    from assistant.search.words import mentioned_values

    shelves = [{"height": "4 ft"}, {"height": "6 ft"}, {"length": "28 inch"}]
    assert mentioned_values("the book shelf at 4 foot", shelves) == {"height": {"4 ft"}}
    assert mentioned_values("6 feet tall", shelves) == {"height": {"6 ft"}}
    assert mentioned_values("a 28 inches board", shelves) == {"length": {"28 inch"}}
