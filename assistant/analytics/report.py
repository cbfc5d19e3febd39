"""The store's analytics over a period: one entry point, `report()`, which reads the
database in a few queries and computes every figure in Python (docs/analytics.md defines
each). The CLI (`assistant analytics report`) and the admin console show `as_dict()`."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from assistant.analytics import queries
from assistant.analytics.chats import ChatFigures, chat_figures
from assistant.analytics.conversion import ChatToPurchase, chat_to_purchase, search_to_cart
from assistant.analytics.dialogue import DialogueFigures, dialogue_figures
from assistant.analytics.figures import Rate
from assistant.analytics.period import InvalidPeriod, Period
from assistant.analytics.segments import SegmentUse, profiles, segment_figures
from assistant.engine.flows import FlowSet

# How long after a search an addition to the cart, and after a chat a purchase, still counts.
DEFAULT_WINDOW = timedelta(hours=24)
# How many intents and flows the report lists (most used first).
DEFAULT_TOP = 10
# The shipped flows' stop pattern (actions/flows.yml); callers pass the configured one.
DEFAULT_STOP_FLOWS = ("stop",)

Cell = str | int | float


@dataclass(frozen=True)
class AnalyticsReport:
    period: Period
    window: timedelta
    top: int
    chats: ChatFigures
    dialogue: DialogueFigures
    search_to_cart: Rate
    chat_to_purchase: ChatToPurchase
    # Customers with a dated, not cancelled order before the period's end.
    customers: int
    segments: list[SegmentUse]

    def as_dict(self) -> dict[str, Any]:
        """Every figure, JSON-ready (string keys, lists, numbers); rates with their
        numerator and denominator."""
        return {
            "period": {
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
                "window_hours": self.window.total_seconds() / 3600,
            },
            **self.chats.as_dict(),
            **self.dialogue.as_dict(top=self.top),
            "search_to_cart": self.search_to_cart.as_dict(),
            "chat_to_purchase": self.chat_to_purchase.as_dict(),
            "segments": {
                "customers": self.customers,
                "rows": [use.as_dict() for use in self.segments],
            },
        }

    def rows(self) -> list[tuple[str, str, Cell]]:
        """The same figures flat, for a CSV: (section, dotted name, value). A list's entries
        are named by their `name` (or `step`)."""
        flat: list[tuple[str, str, Cell]] = []
        for section, value in self.as_dict().items():
            _flatten(section, "", value, flat)
        return flat

    def to_csv(self) -> str:
        """`rows()` as CSV text under a `section,name,value` header (the CLI's `--csv`, the
        admin console's download)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("section", "name", "value"))
        writer.writerows(self.rows())
        return out.getvalue()


def _flatten(section: str, prefix: str, value: Any, out: list[tuple[str, str, Cell]]) -> None:
    if isinstance(value, list):
        # Every list holds named entries (intents, flows, steps, segments): key them by name.
        value = {
            str(item.get("name", item.get("step"))): {
                key: inner for key, inner in item.items() if key not in ("name", "step")
            }
            for item in value
        }
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(section, f"{prefix}.{key}" if prefix else str(key), inner, out)
    else:
        out.append((section, prefix, value))


def report(
    sessions: sessionmaker[Session],
    *,
    start: datetime,
    end: datetime,
    window: timedelta = DEFAULT_WINDOW,
    stop_flows: Collection[str] = DEFAULT_STOP_FLOWS,
    top: int = DEFAULT_TOP,
) -> AnalyticsReport:
    """The analytics of the conversations created in [start, end) (naive times are UTC).
    `stop_flows` are the flows playing the stop pattern (`FlowSet.pattern("stop")`)."""
    period = Period(start, end)
    if window <= timedelta(0):
        raise InvalidPeriod(f"the window must be positive, not {window}")
    if top < 1:
        raise InvalidPeriod(f"top must be at least 1, not {top}")
    with sessions() as session:
        chats = queries.load_chats(session, period)
        dialogue = queries.load_dialogue(session, period)
        actions = queries.load_shopper_events(
            session,
            kinds=("search", "add_to_cart"),
            since=period.start,
            until=period.end + window,
        )
        purchases = queries.load_purchases(session, period)
        orders = queries.load_orders(session, before=period.end)
    people = profiles(orders, end=period.end)
    return AnalyticsReport(
        period=period,
        window=window,
        top=top,
        chats=chat_figures(chats),
        dialogue=dialogue_figures(
            (dialogue.get(chat.id, []) for chat in chats), stop_flows=set(stop_flows)
        ),
        search_to_cart=search_to_cart(actions, period, window),
        chat_to_purchase=chat_to_purchase(chats, purchases, window),
        customers=len(people),
        segments=segment_figures(people, chats),
    )


def stop_flows(flows: FlowSet) -> list[str]:
    """The flow playing the stop pattern (its start ends the flows in progress), as
    `report(stop_flows=...)` takes it."""
    stop = flows.pattern("stop")
    return [stop] if stop else []
