"""What every part of the conversation service stands on: its settings, a transaction on a
worker thread, the per-conversation lock, publishing to the conversation's sockets and to the
team's inbox, and the hand-off's notices and return to the bot that turns and agents share."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import SupportSection
from assistant.conversation import offline
from assistant.conversation import repository as repo
from assistant.conversation.broker import INBOX, Broker
from assistant.conversation.events import InboxEvent, MessageEvent
from assistant.conversation.records import check_text
from assistant.conversation.repository import MessageRecord
from assistant.conversation.tracker_cache import TrackerCache
from assistant.conversation.turns import TurnLocks
from assistant.engine.manager import DialogueEngine
from assistant.errors import ConversationNotFound
from assistant.persistence.db import transaction
from assistant.persistence.models import Conversation, Handoff
from assistant.staff.hours import BusinessHours

T = TypeVar("T")
logger = logging.getLogger(__name__)


def require_conversation(
    session: Session, conversation_id: str, *, lock: bool = False
) -> Conversation:
    """The conversation (locked for the transaction when `lock`); `ConversationNotFound`."""
    conversation = repo.get_conversation(session, conversation_id=conversation_id, lock=lock)
    if conversation is None:
        raise ConversationNotFound(f"no conversation {conversation_id}")
    return conversation


class ServiceBase:
    """The state and helpers the conversation service's parts share (`service.py` joins them)."""

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        engine: DialogueEngine,
        broker: Broker,
        max_message_bytes: int,
        max_tracker_events: int = 200,
        support: SupportSection | None = None,
        kept_trackers: int = 1000,
    ) -> None:
        self._sessions = session_factory
        self._engine = engine
        self._broker = broker
        self._support = support or SupportSection()
        # The team's hours, and what the hand-off action says to promise a person
        # (actions/domain.yml): read once, used whenever a hand-off is asked for.
        self.hours = BusinessHours.of(self._support.timezone, self._support.hours)
        self._promises = frozenset(
            v.text for v in engine.domain.responses.get("utter_handoff", []) if v.text
        )
        self._max_bytes = max_message_bytes
        self._max_events = max_tracker_events
        self._turns = TurnLocks(session_factory)
        # Live conversations' trackers between turns, used while the stored one is unchanged.
        self.trackers = TrackerCache(kept_trackers, max_events=max_tracker_events)

    async def _db(self, work: Callable[[Session], T]) -> T:
        def run() -> T:
            with transaction(self._sessions) as session:
                return work(session)

        return await anyio.to_thread.run_sync(run)

    def check_message(self, text: Any) -> str:
        """A shopper's message as `accept` will store it; the typed error it would raise."""
        return check_text(text, max_bytes=self._max_bytes)

    async def read(self, work: Callable[[Session], T]) -> T:
        """`work(session)` in a transaction on a worker thread (for readers beside the service)."""
        return await self._db(work)

    def _lock(self, conversation_id: str) -> asyncio.Lock:
        return self._turns.local(conversation_id)

    async def _publish_messages(self, conversation_id: str, records: list[MessageRecord]) -> None:
        for record in records:
            await self._broker.publish(conversation_id, MessageEvent(message=record.as_dict()))

    async def _inbox(self, conversation_id: str, event: str) -> None:
        """Tell the team's live inboxes that a hand-off changed (`routes/agent_ws.py`)."""
        try:
            await self._broker.publish(
                INBOX, InboxEvent(event=event, conversation_id=conversation_id)
            )
        except Exception:  # the inbox catches up on its next read; the turn stands
            logger.warning("could not tell the inbox about conversation %s", conversation_id)

    def _resume_bot(self, session: Session, conversation: Conversation) -> None:
        """Give the conversation back to the assistant: it resumes with a clear stack."""
        conversation.status = "bot"
        tracker = repo.load_tracker(
            session,
            conversation=conversation,
            initial_slots=self._engine.domain.initial_slots(),
            max_events=self._max_events,
        )
        tracker.add({"event": "resume"})
        tracker.set_slot("handoff_reason", None)
        tracker.stack.clear()
        repo.save_tracker(session, conversation=conversation, tracker=tracker)

    def _values(self) -> dict[str, Any]:
        """What the hand-off's notices may name."""
        return {"assistant_name": self._engine.assistant_name, "hours": self.hours.describe()}

    def _go_offline(
        self, session: Session, conversation: Conversation, handoff: Handoff, reason: str
    ) -> MessageRecord:
        render = self._engine.domain.render
        return offline.go_offline(
            session, conversation, handoff, reason=reason, render=render, values=self._values()
        )
