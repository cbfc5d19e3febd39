"""The support team's hours (`support.hours` in config.yml): parsing, "open now", and the words
a shopper reads."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.config import load_settings
from assistant.config.values import parse_ranges
from assistant.errors import ConfigError
from assistant.staff.hours import BusinessHours

ROOT = Path(__file__).resolve().parents[2]
# A Monday.
MONDAY = datetime(2026, 12, 7, tzinfo=UTC)


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day.replace(hour=hour, minute=minute)


def test_ranges_are_read_as_minutes_and_sorted() -> None:
    assert parse_ranges("14:00-18:00, 9:00-12:30") == ((540, 750), (840, 1080))
    assert parse_ranges("00:00-24:00") == ((0, 1440),)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("9-17", "not a range"),
        ("17:00-09:00", "ends before it starts"),
        ("09:00-09:00", "ends before it starts"),
        ("09:61-10:00", "not a time of day"),
        ("24:00-24:30", "not a time of day"),
        ("", "not a range"),
    ],
)
def test_a_bad_range_says_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_ranges(text)


def test_open_is_checked_in_the_stores_time_zone() -> None:
    hours = BusinessHours.of("Europe/Madrid", {"mon": "09:00-17:30"})
    # Madrid is UTC+1 in December: 08:30 UTC is 09:30 there.
    assert hours.open_at(_at(MONDAY, 8, 30))
    assert not hours.open_at(_at(MONDAY, 7, 59))
    assert not hours.open_at(_at(MONDAY, 16, 30))  # 17:30 in Madrid: closed (end excluded)
    assert not hours.open_at(_at(MONDAY.replace(day=8), 10))  # Tuesday is not named


def test_no_hours_means_always_open() -> None:
    hours = BusinessHours.of("UTC", {})
    assert hours.always and hours.open_at(_at(MONDAY, 3)) and hours.describe() == "around the clock"


def test_the_hours_read_as_a_shopper_would_read_them() -> None:
    week = {day: "09:00-17:30" for day in ("mon", "tue", "wed", "thu", "fri")}
    hours = BusinessHours.of("Europe/Madrid", {**week, "sat": "10:00-13:00, 16:00-19:00"})
    assert hours.describe() == ("Mon–Fri 09:00–17:30, Sat 10:00–13:00, 16:00–19:00 (Europe/Madrid)")
    split = BusinessHours.of("UTC", {"mon": "09:00-17:00", "wed": "09:00-17:00"})
    assert split.describe() == "Mon 09:00–17:00, Wed 09:00–17:00 (UTC)"


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"support.timezone": "Mars/Olympus"}, "support.timezone"),
        ({"support.hours": {"mon": "nine to five"}}, "support.hours"),
        ({"support.hours": {"someday": "09:00-17:00"}}, "support.hours"),
        ({"support.unclaimed_timeout_s": 0}, "support.unclaimed_timeout_s"),
    ],
)
def test_bad_support_settings_are_refused_naming_the_key(
    overrides: dict[str, object], key: str
) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_settings(ROOT / "config.yml", environ={}, overrides=overrides)
