"""Conversions: searches that led to the cart, and conversations that led to a purchase.

A conversation and the store page's events cannot be joined by session: the widget's
conversation is keyed by the session token the chat server issues, the page's events by the
page's own session id, and nothing records the pair. So a conversation is linked to
purchases through its customer (set once the shopper signed in or the store identified
them); conversations with no known customer are counted apart, as `anonymous`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from assistant.analytics.figures import Rate
from assistant.analytics.period import Period
from assistant.analytics.queries import ChatRecord, ShopperAction


def search_to_cart(actions: list[ShopperAction], period: Period, window: timedelta) -> Rate:
    """Of the sessions with a `search` in the period, those with an `add_to_cart` at or
    after one of those searches and at most `window` after it."""
    searches: dict[str, list[datetime]] = defaultdict(list)
    carts: dict[str, list[datetime]] = defaultdict(list)
    for action in actions:
        if action.kind == "search" and action.occurred_at in period:
            searches[action.session_id].append(action.occurred_at)
        elif action.kind == "add_to_cart":
            carts[action.session_id].append(action.occurred_at)
    converted = sum(
        1
        for session_id, times in searches.items()
        if any(_within(sorted(carts[session_id]), at, at + window) for at in times)
    )
    return Rate(converted, len(searches))


def _within(times: list[datetime], since: datetime, until: datetime) -> bool:
    """Whether sorted `times` hold one in [since, until]."""
    index = bisect_left(times, since)
    return index < len(times) and times[index] <= until


@dataclass(frozen=True)
class ChatToPurchase:
    # Of the conversations with a known customer, those followed by a purchase.
    rate: Rate
    # Conversations with shopper messages but no known customer: not linkable.
    anonymous: int

    def as_dict(self) -> dict[str, Any]:
        return {**self.rate.as_dict(), "anonymous": self.anonymous}


def chat_to_purchase(
    chats: list[ChatRecord], purchases: dict[str, list[datetime]], window: timedelta
) -> ChatToPurchase:
    """A conversation converts when its customer bought (a `purchase` event or a dated
    order) between the shopper's first message and `window` after their last one."""
    linked = converted = anonymous = 0
    for chat in chats:
        if chat.first_message_at is None or chat.last_message_at is None:
            continue
        if chat.customer_id is None:
            anonymous += 1
            continue
        linked += 1
        times = purchases.get(chat.customer_id, [])
        if _within(times, chat.first_message_at, chat.last_message_at + window):
            converted += 1
    return ChatToPurchase(Rate(converted, linked), anonymous)
