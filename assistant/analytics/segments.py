"""Customers' value segments by RFM (recency, frequency, monetary), as of the period's end,
and how each segment uses the chat in the period.

Over the customers with at least one dated, not cancelled order placed before the end:
recency is the whole days from their last order to the end, frequency their number of
orders, monetary the sum of their orders' item prices. Each is scored 1 to 5 by quintile,
ties sharing a score: a customer scores 1 + floor(5 k / n), where n is the number of
customers and k the number who do strictly worse (more days since their last order; fewer
orders; less spent). Segments, the first rule that holds:

- champions: R >= 4, F >= 4 and M >= 4
- loyal: F >= 4 and R >= 3
- at_risk: R <= 2 and F >= 3 (bought often, not lately)
- new: R >= 4 and F <= 2 (bought lately, seldom so far)
- others: everyone else
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from assistant.analytics.figures import Rate
from assistant.analytics.queries import ChatRecord, OrderRecord

SEGMENTS = ("champions", "loyal", "at_risk", "new", "others")


@dataclass(frozen=True)
class Profile:
    customer_id: str
    recency_days: int
    frequency: int
    monetary: Decimal
    r: int
    f: int
    m: int

    @property
    def segment(self) -> str:
        r, f, m = self.r, self.f, self.m
        if r >= 4 and f >= 4 and m >= 4:
            return "champions"
        if f >= 4 and r >= 3:
            return "loyal"
        if r <= 2 and f >= 3:
            return "at_risk"
        if r >= 4 and f <= 2:
            return "new"
        return "others"


def _score(worse: int, n: int) -> int:
    return 1 + (5 * worse) // n


def profiles(orders: list[OrderRecord], *, end: datetime) -> dict[str, Profile]:
    """Each customer's RFM profile from their orders before `end`."""
    last: dict[str, datetime] = {}
    count: dict[str, int] = defaultdict(int)
    spent: dict[str, Decimal] = defaultdict(Decimal)
    for order in orders:
        last[order.customer_id] = max(
            order.created_at, last.get(order.customer_id, order.created_at)
        )
        count[order.customer_id] += 1
        spent[order.customer_id] += order.total
    recency = {customer: (end - at).days for customer, at in last.items()}
    n = len(last)
    days, counts, sums = sorted(recency.values()), sorted(count.values()), sorted(spent.values())
    return {
        customer: Profile(
            customer_id=customer,
            recency_days=recency[customer],
            frequency=count[customer],
            monetary=spent[customer],
            # Worse recency is more days: those to the right of this customer's.
            r=_score(n - bisect_right(days, recency[customer]), n),
            f=_score(bisect_left(counts, count[customer]), n),
            m=_score(bisect_left(sums, spent[customer]), n),
        )
        for customer in sorted(last)
    }


@dataclass
class SegmentUse:
    name: str
    customers: int = 0
    # Customers with at least one conversation of the period (with shopper messages).
    chatted: int = 0
    conversations: int = 0
    handed_off: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "customers": self.customers,
            "chatted": Rate(self.chatted, self.customers).as_dict(),
            "conversations": self.conversations,
            "handoff": Rate(self.handed_off, self.conversations).as_dict(),
        }


def segment_figures(people: dict[str, Profile], chats: list[ChatRecord]) -> list[SegmentUse]:
    """Per segment, in `SEGMENTS` order: its customers and their use of the chat."""
    uses = {name: SegmentUse(name) for name in SEGMENTS}
    for profile in people.values():
        uses[profile.segment].customers += 1
    chatted: set[str] = set()
    for chat in chats:
        found = people.get(chat.customer_id or "")
        if found is None or chat.shopper_messages == 0:
            continue
        use = uses[found.segment]
        use.conversations += 1
        use.handed_off += bool(chat.handoffs)
        if found.customer_id not in chatted:
            chatted.add(found.customer_id)
            use.chatted += 1
    return list(uses.values())
