"""The support team's opening hours: when a hand-off can expect a person.

Hours are written per weekday in the store's time zone, as `config.yml` has them:

    support:
      timezone: Europe/Madrid
      hours: {mon: "09:00-17:30", tue: "09:00-17:30", sat: "10:00-13:00, 16:00-19:00"}

A day that is not named is closed; no `hours` at all means always open. "00:00-24:00" is a
whole day; a range may not cross midnight (write it as two days' ranges).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from assistant.config.values import DAY_MINUTES, parse_ranges, zone

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class BusinessHours:
    timezone: str
    # Weekday (0 = Monday) -> open ranges in minutes; empty when always open.
    week: dict[int, tuple[tuple[int, int], ...]]

    @classmethod
    def of(cls, timezone: str, hours: Mapping[Any, str]) -> BusinessHours:
        zone(timezone)
        return cls(timezone, {DAYS.index(day): parse_ranges(text) for day, text in hours.items()})

    @property
    def always(self) -> bool:
        return not self.week

    def open_at(self, moment: datetime) -> bool:
        """Whether the team works at `moment` (an aware datetime)."""
        if self.always:
            return True
        local = moment.astimezone(zone(self.timezone))
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.week.get(local.weekday(), ()))

    def describe(self) -> str:
        """The hours as a shopper reads them:
        "Mon–Fri 09:00–17:30, Sat 10:00–13:00 (Europe/Madrid)"."""
        if self.always:
            return "around the clock"
        groups: list[tuple[list[int], str]] = []
        for day in range(7):
            ranges = self.week.get(day)
            if not ranges:
                continue
            text = ", ".join(f"{_clock(s)}–{_clock(e)}" for s, e in ranges)
            if groups and groups[-1][1] == text and groups[-1][0][-1] == day - 1:
                groups[-1][0].append(day)
            else:
                groups.append(([day], text))
        parts = []
        for days, text in groups:
            names = DAYS[days[0]].title()
            if len(days) > 1:
                names += f"–{DAYS[days[-1]].title()}"
            parts.append(f"{names} {text}")
        return f"{', '.join(parts)} ({self.timezone})"


def _clock(minutes: int) -> str:
    if minutes >= DAY_MINUTES:
        return "24:00"
    return time(minutes // 60, minutes % 60).strftime("%H:%M")
