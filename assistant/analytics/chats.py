"""The conversation figures: how many, how many the assistant kept to itself (containment),
how many went to a person and how fast a person answered, and the shoppers' ratings (CSAT).

Counted over the period's conversations in which the shopper wrote at least once; those
opened without a message (a widget opened and left) are only counted, as `silent`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.analytics.figures import Durations, Rate
from assistant.analytics.queries import ChatRecord

SATISFIED = 4  # a rating of 4 or 5 is a satisfied shopper
SCORES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class ChatFigures:
    opened: int
    conversations: int
    # Conversations without any hand-off, and with at least one, out of `conversations`.
    containment: Rate
    handoff: Rate
    handoffs: int
    # Seconds from each hand-off's request to the first `agent` message before it closed.
    first_reply: Durations
    unanswered: int
    # Ratings of 4 or 5 out of rated conversations; rated out of conversations.
    csat: Rate
    rated: Rate
    mean_rating: float
    ratings: dict[int, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "conversations": {
                "opened": self.opened,
                "with_messages": self.conversations,
                "silent": self.opened - self.conversations,
            },
            "containment": self.containment.as_dict(),
            "handoff": {
                **self.handoff.as_dict(),
                "handoffs": self.handoffs,
                "first_agent_reply": {
                    "replied": self.first_reply.count,
                    "unanswered": self.unanswered,
                    "median_seconds": self.first_reply.median,
                    "p90_seconds": self.first_reply.p90,
                },
            },
            "csat": {
                **self.csat.as_dict(),
                "rated": self.rated.as_dict(),
                "mean": self.mean_rating,
                "ratings": {str(score): self.ratings[score] for score in SCORES},
            },
        }


def chat_figures(chats: list[ChatRecord]) -> ChatFigures:
    spoken = [chat for chat in chats if chat.shopper_messages > 0]
    handed = sum(1 for chat in spoken if chat.handoffs)
    handoffs = [handoff for chat in spoken for handoff in chat.handoffs]
    replies = [
        (h.first_reply_at - h.requested_at).total_seconds()
        for h in handoffs
        if h.first_reply_at is not None
    ]
    scores = [chat.rating for chat in spoken if chat.rating is not None]
    return ChatFigures(
        opened=len(chats),
        conversations=len(spoken),
        containment=Rate(len(spoken) - handed, len(spoken)),
        handoff=Rate(handed, len(spoken)),
        handoffs=len(handoffs),
        first_reply=Durations.of(replies),
        unanswered=len(handoffs) - len(replies),
        csat=Rate(sum(1 for score in scores if score >= SATISFIED), len(scores)),
        rated=Rate(len(scores), len(spoken)),
        mean_rating=sum(scores) / len(scores) if scores else 0.0,
        ratings={score: scores.count(score) for score in SCORES},
    )
