"""Reading `since` / `until` / `days` into a period: whole UTC days, `until` included, and
a typed error for anything that is not a period."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from assistant.analytics import InvalidPeriod, Period, parse_period
from tests.analytics.history import at

TODAY = date(2025, 3, 7)


@pytest.mark.parametrize(
    ("since", "until", "days", "start", "end"),
    [
        ("2025-03-01", "2025-03-07", None, at(1), at(8)),
        ("2025-03-01", None, 7, at(1), at(8)),
        (None, "2025-03-07", 7, at(1), at(8)),
        ("2025-03-01", None, None, at(1), at(8)),  # up to today, included
        (None, "2025-03-07", None, at(6, month=2), at(8)),  # 30 days by default
        (None, None, 7, at(1), at(8)),
        (None, None, None, at(6, month=2), at(8)),
        ("2025-03-07", "2025-03-07", None, at(7), at(8)),  # one day
    ],
)
def test_a_period_from_days(
    since: str | None, until: str | None, days: int | None, start: datetime, end: datetime
) -> None:
    assert parse_period(since, until, days, today=TODAY) == Period(start, end)


@pytest.mark.parametrize(
    ("since", "until", "days", "message"),
    [
        ("2025-02-30", None, None, "since: '2025-02-30' is not a date"),
        ("03/01/2025", None, None, "since: '03/01/2025' is not a date written YYYY-MM-DD"),
        ("20250301", None, None, "is not a date written YYYY-MM-DD"),
        (None, "yesterday", None, "until: 'yesterday' is not a date written YYYY-MM-DD"),
        ("2025-03-07", "2025-03-01", None, "until (2025-03-01) is before since (2025-03-07)"),
        ("2025-03-01", "2025-03-07", 7, "at most two of since, until and days"),
        (None, None, 0, "days must be at least 1"),
        ("2025-03-09", None, None, "since (2025-03-09) is after today"),
    ],
)
def test_what_is_not_a_period_is_refused_with_a_reason(
    since: str | None, until: str | None, days: int | None, message: str
) -> None:
    with pytest.raises(InvalidPeriod, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_period(since, until, days, today=TODAY)


def test_a_period_knows_what_it_holds() -> None:
    period = Period(at(1), at(8))
    assert at(1) in period and at(7, 23, 59, 59) in period
    assert at(8) not in period and at(28, 23, 59, 59, month=2) not in period
    assert at(1).replace(tzinfo=None) in period
