"""The conversation service: store every message first, then let the bot or a person answer.

A turn has two transactions. `accept` stores the shopper's message (or recognises a resent
client id) and is what an acknowledgement stands on. `process` runs the dialogue engine and
stores the replies, the tracker's changes and any hand-off together, so a failure leaves the
message stored but unanswered — and a resend answers it — never half a turn.

The service is joined from its parts: the shared state and helpers (`core.py`), the
conversations with the shopper's rating and identity (`sessions.py`), the turns
(`processing.py`) and the hand-off operations (`handoff_ops.py`); what it hands out and checks
is in `records.py`.
"""

from __future__ import annotations

from assistant.conversation.handoff_ops import HandoffMixin
from assistant.conversation.processing import TurnsMixin
from assistant.conversation.records import (
    Accepted,
    ConversationInfo,
    Turn,
    check_sender,
    check_text,
)
from assistant.conversation.sessions import SessionsMixin

__all__ = [
    "Accepted",
    "ConversationInfo",
    "ConversationService",
    "Turn",
    "check_sender",
    "check_text",
]


class ConversationService(SessionsMixin, TurnsMixin, HandoffMixin):
    """Store every message first, then let the bot or a person answer (see the module's
    docstring); built with `session_factory`, `engine`, `broker`, `max_message_bytes`,
    `max_tracker_events` and `support` (`core.ServiceBase`)."""
