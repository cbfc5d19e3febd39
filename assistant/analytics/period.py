"""The period a report covers, [start, end) in UTC, and how the CLI's and the admin API's
`since` / `until` / `days` are read into one: whole days in UTC, `until` included."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from assistant.analytics.figures import utc
from assistant.errors import InvalidInput

DEFAULT_DAYS = 30
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class InvalidPeriod(InvalidInput):
    """A period that cannot be read: a date not written YYYY-MM-DD, an end before its start,
    a number of days or a window that is not positive."""

    code = "invalid_period"


@dataclass(frozen=True)
class Period:
    """From `start` (included) to `end` (excluded), both UTC; a naive datetime is read as
    UTC, as the database stores every timestamp."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", utc(self.start))
        object.__setattr__(self, "end", utc(self.end))
        if self.end <= self.start:
            raise InvalidPeriod(
                f"the period must end after it starts ({self.start.isoformat()} to "
                f"{self.end.isoformat()})"
            )

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= utc(moment) < self.end


def _day(label: str, value: str) -> date:
    if not _DATE.fullmatch(value.strip()):
        raise InvalidPeriod(f"{label}: {value!r} is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidPeriod(f"{label}: {value!r} is not a date ({exc})") from exc


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def parse_period(
    since: str | None = None,
    until: str | None = None,
    days: int | None = None,
    *,
    today: date | None = None,
) -> Period:
    """The period named by up to two of `since` (first day), `until` (last day, included) and
    `days` (how many); with none of them, the last `DEFAULT_DAYS` days up to today included.
    Days run midnight to midnight UTC."""
    if since is not None and until is not None and days is not None:
        raise InvalidPeriod("give at most two of since, until and days")
    if days is not None and days < 1:
        raise InvalidPeriod(f"days must be at least 1, not {days}")
    first = _day("since", since) if since is not None else None
    last = _day("until", until) if until is not None else None
    if first is not None and last is not None:
        if last < first:
            raise InvalidPeriod(f"until ({last}) is before since ({first})")
        return Period(_midnight(first), _midnight(last + timedelta(days=1)))
    span = timedelta(days=days or DEFAULT_DAYS)
    if first is not None:
        if days is None:
            end_day = (today or datetime.now(UTC).date()) + timedelta(days=1)
            if end_day <= first:
                raise InvalidPeriod(f"since ({first}) is after today")
            return Period(_midnight(first), _midnight(end_day))
        return Period(_midnight(first), _midnight(first) + span)
    end = _midnight((last or today or datetime.now(UTC).date()) + timedelta(days=1))
    return Period(end - span, end)
