"""The conversation service's hand-off operations: an agent claims or is transferred an open
hand-off, writes to the shopper while holding it, and hands it back (or resolves it); unclaimed
ones expire to the offline path."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from assistant.conversation import offline
from assistant.conversation import repository as repo
from assistant.conversation.core import ServiceBase, require_conversation
from assistant.conversation.events import StatusEvent
from assistant.conversation.handoffs import check_claim, check_writer
from assistant.conversation.records import check_text
from assistant.conversation.repository import MessageRecord
from assistant.errors import HandoffStateError
from assistant.persistence.models import Conversation, Handoff
from assistant.persistence.models.base import utcnow


class HandoffMixin(ServiceBase):
    """Claims, transfers, agents' messages, hand-backs and the expiry of unclaimed hand-offs."""

    # -- hand-off ----------------------------------------------------------------------------

    async def release_handoff(
        self, conversation_id: str, *, resolved: bool = False, agent_id: int | None = None
    ) -> list[MessageRecord]:
        """Hand the conversation back to the bot (or close it as resolved); a signed-in agent
        `agent_id` only one they hold."""

        def release(session: Session) -> list[MessageRecord]:
            conversation, handoff = self._open_handoff(session, conversation_id)
            if handoff.status != "offline":  # an offline one is answered by email: no holder
                check_writer(handoff, agent_id=agent_id)
            handoff.status = "resolved" if resolved else "released"
            handoff.closed_at = utcnow()
            custom = {"type": "handoff", "status": handoff.status}
            if conversation.status != "handoff":
                # Offline, and the shopper went on with the assistant: nothing to give back.
                if not resolved:
                    return []
                message = repo.append_message(
                    session,
                    conversation=conversation,
                    role="system",
                    text="Our team marked your request as resolved.",
                    data={"custom": custom},
                )
                return [MessageRecord.of(message)]
            self._resume_bot(session, conversation)
            notice = self._engine.domain.render("utter_handed_back", self._values())
            data = {k: v for k, v in notice.as_data().items() if k != "text"}
            data["custom"] = custom
            message = repo.append_message(
                session, conversation=conversation, role="bot", text=notice.text, data=data
            )
            return [MessageRecord.of(message)]

        async with self._turns.hold(conversation_id) as run:
            records = await run(release)
        await self._publish_messages(conversation_id, records)
        await self._broker.publish(conversation_id, StatusEvent(status="bot"))
        await self._inbox(conversation_id, "resolved" if resolved else "released")
        return records

    async def expire_unclaimed(self) -> list[str]:
        """Send hand-offs nobody claimed within `support.unclaimed_timeout_s` to the offline
        queue (the shopper is asked for an email); the conversations it moved. Safe on every
        worker at once: each hand-off is re-read under its conversation's lock."""
        timeout = self._support.unclaimed_timeout_s
        due = await self._db(lambda s: offline.overdue(s, now=utcnow(), timeout_s=timeout))
        moved = []
        for conversation_id in due:

            def expire(
                session: Session, conversation_id: str = conversation_id
            ) -> list[MessageRecord]:
                conversation = require_conversation(session, conversation_id, lock=True)
                handoff = repo.open_handoff(session, conversation_id=conversation_id)
                if handoff is None or not offline.is_overdue(
                    handoff, now=utcnow(), timeout_s=timeout
                ):
                    return []
                return [self._go_offline(session, conversation, handoff, "timeout")]

            async with self._lock(conversation_id):
                records = await self._db(expire)
            if records:
                moved.append(conversation_id)
                await self._publish_messages(conversation_id, records)
                await self._inbox(conversation_id, "offline")
        return moved

    async def claim_handoff(
        self,
        conversation_id: str,
        *,
        agent: str,
        agent_id: int | None = None,
        transfer_by: int | None = None,
        override: bool = False,
    ) -> list[MessageRecord]:
        """An agent takes the open hand-off: it becomes active under their name, and the
        shopper is told "<agent> joined the conversation." (once: claiming it again under the
        same name says nothing new). Another agent's is refused (`handoffs.check_claim`)."""

        def claim(session: Session) -> list[MessageRecord]:
            conversation, handoff = self._open_handoff(session, conversation_id)
            if handoff.status == "active" and (handoff.agent, handoff.agent_id) == (
                agent,
                agent_id,
            ):
                return []
            check_claim(handoff, agent_id=agent_id, transfer_by=transfer_by, override=override)
            events.append("transferred" if handoff.status == "active" else "claimed")
            conversation.status = "handoff"  # an offline one may have gone back to the bot
            handoff.status = "active"
            handoff.agent = agent
            handoff.agent_id = agent_id
            handoff.claimed_at = utcnow()
            message = repo.append_message(
                session,
                conversation=conversation,
                role="system",
                text=f"{agent} joined the conversation.",
                data={"custom": {"type": "handoff", "status": "joined", "agent": agent}},
            )
            return [MessageRecord.of(message)]

        events: list[str] = []
        async with self._lock(conversation_id):
            records = await self._db(claim)
        await self._publish_messages(conversation_id, records)
        if records:
            await self._broker.publish(conversation_id, StatusEvent(status="handoff"))
            await self._inbox(conversation_id, events[-1])
        return records

    async def agent_message(
        self,
        conversation_id: str,
        *,
        text: Any,
        agent: str | None = None,
        agent_id: int | None = None,
    ) -> MessageRecord:
        """A person's message to the shopper, only while the conversation is handed off (and,
        from a signed-in agent, only while they hold it); its `author` is `agent`, else the
        agent who claimed the hand-off."""
        clean = check_text(text, max_bytes=self._max_bytes)

        def store(session: Session) -> MessageRecord:
            conversation, handoff = self._open_handoff(session, conversation_id)
            check_writer(handoff, agent_id=agent_id)
            author = agent or handoff.agent
            message = repo.append_message(
                session,
                conversation=conversation,
                role="agent",
                text=clean,
                data={"author": author} if author else {},
            )
            return MessageRecord.of(message)

        async with self._lock(conversation_id):
            record = await self._db(store)
        await self._publish_messages(conversation_id, [record])
        await self._inbox(conversation_id, "message")
        return record

    @staticmethod
    def _open_handoff(session: Session, conversation_id: str) -> tuple[Conversation, Handoff]:
        """The conversation (locked) and its open hand-off; `HandoffStateError` without one.
        An offline hand-off stays open after the shopper went on with the assistant."""
        conversation = require_conversation(session, conversation_id, lock=True)
        handoff = repo.open_handoff(session, conversation_id=conversation_id)
        if handoff is None or (conversation.status != "handoff" and handoff.status != "offline"):
            raise HandoffStateError("this conversation has no open hand-off")
        return conversation, handoff

    async def open_handoffs(self) -> list[dict[str, Any]]:
        return await self._db(
            lambda s: [
                {
                    "id": h.id,
                    "conversation_id": h.conversation_id,
                    "status": h.status,
                    "reason": h.reason,
                    "agent": h.agent,
                    "agent_id": h.agent_id,
                    "requested_at": h.requested_at.isoformat(),
                }
                for h in repo.list_handoffs(s)
            ]
        )
