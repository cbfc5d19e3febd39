"""The store's analytics (docs/analytics.md): conversations, containment, hand-offs and
first replies, CSAT, intents and flows with where they were abandoned, conversions, and RFM
segments, computed over a period from the database. `report()` is the entry point."""

from assistant.analytics.period import InvalidPeriod, Period, parse_period
from assistant.analytics.report import DEFAULT_WINDOW, AnalyticsReport, report, stop_flows

__all__ = [
    "DEFAULT_WINDOW",
    "AnalyticsReport",
    "InvalidPeriod",
    "Period",
    "parse_period",
    "report",
    "stop_flows",
]
