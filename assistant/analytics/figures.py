"""The shapes every analytics figure takes: a rate that carries its numerator and
denominator (so a reader can check it), durations summarised by median and 90th percentile,
and UTC normalisation of the database's timestamps.

Figures over nothing are zeros, never NaN or an error: an empty period must still render.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


def utc(moment: datetime) -> datetime:
    """`moment` in UTC. SQLite hands back naive datetimes, which the app always wrote in UTC;
    PostgreSQL hands back aware ones, perhaps in the session's zone."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Rate:
    """`numerator` out of `denominator`; 0.0 when the denominator is 0."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float:
        return self.numerator / self.denominator if self.denominator else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "numerator": self.numerator, "denominator": self.denominator}


@dataclass(frozen=True)
class Durations:
    """Durations in seconds, summarised; `median` is the middle value (the mean of the two
    middle ones for an even count) and `p90` the nearest-rank 90th percentile: the value at
    rank ceil(0.9 n) in ascending order. Both are 0.0 when there are none."""

    seconds: tuple[float, ...]

    @classmethod
    def of(cls, values: list[float]) -> Durations:
        return cls(tuple(sorted(values)))

    @property
    def count(self) -> int:
        return len(self.seconds)

    @property
    def median(self) -> float:
        return float(statistics.median(self.seconds)) if self.seconds else 0.0

    @property
    def p90(self) -> float:
        if not self.seconds:
            return 0.0
        return self.seconds[math.ceil(0.9 * len(self.seconds)) - 1]
