"""Values written as text in `config.yml` and checked where they are read: rates in the
`limits` notation, business hours as time ranges, IANA time zones."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def rate(value: str) -> str:
    """A rate in the `limits` notation ("120/minute", "10/second")."""
    from limits import parse

    try:
        parse(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a rate such as 120/minute") from exc
    return value


_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
# Minutes in a day: "24:00" ends one.
DAY_MINUTES = 24 * 60


def parse_ranges(text: str) -> tuple[tuple[int, int], ...]:
    """`"09:00-12:30, 14:00-18:00"` as minutes since midnight: ((540, 750), (840, 1080)).
    `ValueError` says what is wrong with a range."""
    ranges = []
    for part in text.split(","):
        match = _RANGE.match(part)
        if match is None:
            raise ValueError(f"{part.strip()!r} is not a range like 09:00-17:30")
        sh, sm, eh, em = (int(g) for g in match.groups())
        start, end = sh * 60 + sm, eh * 60 + em
        if sm > 59 or em > 59 or start >= DAY_MINUTES or end > DAY_MINUTES:
            raise ValueError(f"{part.strip()!r} is not a time of day")
        if end <= start:
            raise ValueError(f"{part.strip()!r} ends before it starts")
        ranges.append((start, end))
    return tuple(sorted(ranges))


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name!r} is not a time zone (an IANA name like Europe/Madrid)") from exc
