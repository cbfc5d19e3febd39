"""The conversation service's turns: `accept` stores the shopper's message, `process` answers
it — earlier unanswered messages first, one turn at a time per conversation — and stores the
replies, the tracker's changes and any hand-off together."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from functools import partial
from typing import Any

import anyio
from sqlalchemy.orm import Session

from assistant.conversation import offline
from assistant.conversation import repository as repo
from assistant.conversation.core import ServiceBase, require_conversation
from assistant.conversation.events import Draft, DraftEvent, StatusEvent
from assistant.conversation.records import (
    MAX_CLIENT_ID_CHARS,
    MAX_PAYLOAD_CHARS,
    Accepted,
    Held,
    Turn,
    check_text,
)
from assistant.conversation.repository import MessageRecord
from assistant.conversation.turns import Runner
from assistant.engine.drafts import drafts_to
from assistant.engine.messages import TurnResult
from assistant.engine.tracker import DialogueTracker
from assistant.errors import ConversationNotFound, InvalidInput
from assistant.logs import conversation_context, log_turn
from assistant.persistence.models.base import utcnow

logger = logging.getLogger(__name__)

# The slot an order flow's summary waits on, and the intents that answer it.
CONFIRMED_SLOT = "confirmed"
YES_OR_NO = frozenset({"affirm", "deny"})
# Unanswered shopper messages this recent are answered, in order, before a newer one.
EARLIER_TURNS_WINDOW = timedelta(minutes=2)


def _what_ran(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The intent a turn read, the flow it ran in and the actions it ran, from its events."""
    intent = flow = None
    actions = []
    for event in events:
        if event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        elif event.get("event") == "action" and event.get("name"):
            actions.append(str(event["name"]))
        elif event.get("event") == "active_loop" and event.get("name"):
            flow = flow or str(event["name"])
    return {"intent": intent, "flow": flow, "actions": actions}


def _stored_data(message: dict[str, Any]) -> dict[str, Any]:
    """A bot message's data as stored: the text is a column; the draft it replaces moves out
    of the action's `custom` payload to `replaces`."""
    data = {k: v for k, v in message.items() if k != "text"}
    custom = data.get("custom")
    if isinstance(custom, dict) and "replaces" in custom:
        custom = dict(custom)
        data["replaces"] = custom.pop("replaces")
        data["custom"] = custom
    return data


class TurnsMixin(ServiceBase):
    """Accepting the shopper's messages and answering them, a turn at a time."""

    # -- a turn ------------------------------------------------------------------------------

    async def accept(
        self,
        conversation_id: str,
        *,
        text: Any,
        client_id: str | None = None,
        payload: str | None = None,
    ) -> Accepted:
        """Store the shopper's message; a resent `client_id` returns the stored one instead."""
        clean = check_text(text, max_bytes=self._max_bytes)
        if client_id is not None and (not client_id or len(client_id) > MAX_CLIENT_ID_CHARS):
            raise InvalidInput(f"client_id must be 1 to {MAX_CLIENT_ID_CHARS} characters")
        if payload is not None and (
            not payload.startswith("/") or len(payload) > MAX_PAYLOAD_CHARS
        ):
            raise InvalidInput("a payload starts with '/' and is at most 1024 characters")

        def store(session: Session) -> Accepted:
            conversation = require_conversation(session, conversation_id, lock=True)
            if client_id is not None:
                previous = repo.find_client_message(
                    session, conversation_id=conversation_id, client_id=client_id
                )
                if previous is not None:
                    return Accepted(
                        conversation_id=conversation_id,
                        message_id=previous.id,
                        record=MessageRecord.of(previous),
                        duplicate=True,
                        needs_processing=previous.status != "processed",
                    )
            data = {"payload": payload} if payload else {}
            message = repo.append_message(
                session,
                conversation=conversation,
                role="user",
                text=clean,
                data=data,
                client_id=client_id,
                status="received",
            )
            return Accepted(
                conversation_id=conversation_id,
                message_id=message.id,
                record=MessageRecord.of(message),
                duplicate=False,
                needs_processing=True,
            )

        async with self._lock(conversation_id):
            accepted = await self._db(store)
        if not accepted.duplicate:
            await self._publish_messages(conversation_id, [accepted.record])
        return accepted

    async def process(self, accepted: Accepted, *, stream_drafts: bool = False) -> Turn:
        """Answer an accepted message: the bot's replies, or nothing while a person owns it.
        With `stream_drafts`, a reply the model writes is published as `draft` events while
        it is written, and the stored reply names the draft it replaces (`data.replaces`).

        Turns run one at a time per conversation, whichever worker took the message, and in
        the order the messages were stored: shopper messages stored before this one and not
        yet answered are answered first (another worker's socket gets those replies through
        the broker, and its own `process` finds them answered)."""
        conversation_id = accepted.conversation_id
        async with self._turns.hold(conversation_id) as run:
            earlier = await run(
                lambda s: [
                    (m.id, m.seq)
                    for m in repo.unanswered(
                        s,
                        conversation_id=conversation_id,
                        since=utcnow() - EARLIER_TURNS_WINDOW,
                        before_seq=accepted.record.seq,
                    )
                ]
            )
            for message_id, seq in earlier:
                try:
                    await self._turn(run, conversation_id, message_id, seq, stream_drafts=False)
                except Exception:
                    # It stays unanswered (a resend retries it); this message goes on.
                    logger.exception("an earlier turn failed in conversation %s", conversation_id)
            turn = await self._turn(
                run,
                conversation_id,
                accepted.message_id,
                accepted.record.seq,
                stream_drafts=stream_drafts,
            )
        return turn if turn is not None else await self._answered(accepted)

    async def unanswered(self, conversation_id: str) -> list[Accepted]:
        """The shopper's recent messages that were stored but never answered (a worker that
        acknowledged them stopped before answering): what a resumed connection answers."""

        def find(session: Session) -> list[Accepted]:
            since = utcnow() - EARLIER_TURNS_WINDOW
            return [
                Accepted(
                    conversation_id=conversation_id,
                    message_id=message.id,
                    record=MessageRecord.of(message),
                    duplicate=False,
                    needs_processing=True,
                )
                for message in repo.unanswered(
                    session, conversation_id=conversation_id, since=since
                )
            ]

        return await self._db(find)

    async def _turn(
        self, run: Runner, conversation_id: str, message_id: int, seq: int, *, stream_drafts: bool
    ) -> Turn | None:
        """Run the engine on one stored message and save the result; None if it was answered
        already."""
        with conversation_context(conversation_id):
            started = time.perf_counter()
            turn = await self._run_turn(run, conversation_id, message_id, seq, stream_drafts)
            if turn is not None:
                log_turn(
                    conversation_id=conversation_id,
                    **_what_ran(turn.events),
                    latency_ms=(time.perf_counter() - started) * 1000,
                )
            return turn

    async def _run_turn(
        self, run: Runner, conversation_id: str, message_id: int, seq: int, stream_drafts: bool
    ) -> Turn | None:
        state = await run(partial(self._load_turn, message_id))
        if state is None:
            return None
        if isinstance(state, Held):
            await self._publish_messages(conversation_id, state.records)
            if state.status == "bot":
                await self._broker.publish(conversation_id, StatusEvent(status="bot"))
            await self._inbox(conversation_id, state.event)
            return Turn(replies=state.records, status=state.status, events=[{"event": "handoff"}])
        tracker, text, summary_unseen, version = state
        if summary_unseen and await self._is_yes_or_no(text):
            # Written before the shopper saw the summary waiting for a yes: it cannot be
            # the answer to that summary.
            result = TurnResult(messages=[self._engine.domain.render("utter_confirm_unseen", {})])
        elif stream_drafts:
            with drafts_to(partial(self._publish_draft, conversation_id, seq)):
                result = await self._engine.handle(tracker, text)
        else:
            result = await self._engine.handle(tracker, text)

        def save(session: Session) -> tuple[list[MessageRecord], str | None, int]:
            conversation = require_conversation(session, conversation_id, lock=True)
            why = None
            if result.handoff_reason is not None:
                why = offline.unavailable(
                    session, hours=self.hours, presence_s=self._support.presence_s, now=utcnow()
                )
            # Nobody can come: a person is not promised, the shopper is told why instead.
            messages = [
                m
                for m in result.messages
                if why is None or not offline.promises_a_person(m, self._promises)
            ]
            records = [
                MessageRecord.of(
                    repo.append_message(
                        session,
                        conversation=conversation,
                        role="bot",
                        text=message.text,
                        data=_stored_data(message.as_data()),
                        reply_to=message_id,
                    )
                )
                for message in messages
            ]
            saved = repo.save_tracker(
                session, conversation=conversation, tracker=tracker, version=version
            )
            handoff_event = None
            if result.handoff_reason is not None:
                handoff = repo.request_handoff(
                    session, conversation=conversation, reason=result.handoff_reason
                )
                handoff_event = "requested"
                if why is not None:
                    records.append(self._go_offline(session, conversation, handoff, why))
                    handoff_event = "offline"
            user_message = repo.get_message(session, message_id=message_id)
            assert user_message is not None
            user_message.status = "processed"
            return records, handoff_event, saved

        events = list(tracker.new_events)
        records, handoff_event, saved = await run(save)
        # Committed: the next turn starts from this tracker while the stored one is unchanged.
        self.trackers.put(conversation_id, saved, tracker)
        await self._publish_messages(conversation_id, records)
        if handoff_event is not None:
            await self._broker.publish(conversation_id, StatusEvent(status="handoff"))
            await self._inbox(conversation_id, handoff_event)
        status = "handoff" if handoff_event is not None else "bot"
        return Turn(replies=records, status=status, events=events)

    async def _is_yes_or_no(self, text: str) -> bool:
        parse = await anyio.to_thread.run_sync(self._engine.parser.parse, text)
        return parse.intent in YES_OR_NO

    async def _publish_draft(
        self, conversation_id: str, reply_to: int, draft_id: str, text: str
    ) -> None:
        # A draft is a nicety: failing to publish one must not fail the turn.
        try:
            await self._broker.publish(
                conversation_id,
                DraftEvent(draft=Draft(id=draft_id, reply_to=reply_to, text=text)),
            )
        except Exception:
            logger.warning("could not publish a draft in conversation %s", conversation_id)

    async def _answered(self, accepted: Accepted) -> Turn:
        def read(session: Session) -> Turn:
            conversation = repo.get_conversation(session, conversation_id=accepted.conversation_id)
            replies = repo.replies_to(session, message_id=accepted.message_id)
            status = conversation.status if conversation is not None else "bot"
            return Turn(replies=[MessageRecord.of(m) for m in replies], status=status)

        return await self._db(read)

    def _load_turn(
        self, message_id: int, session: Session
    ) -> tuple[DialogueTracker, str, bool, int] | Held | None:
        """The tracker and text to run, and whether a summary waiting for a yes was sent after
        this message; None if already answered; `Held` if the team holds the conversation."""
        message = repo.get_message(session, message_id=message_id)
        if message is None:
            raise ConversationNotFound(f"no message {message_id}")
        if message.status == "processed":
            return None
        conversation = message.conversation
        if conversation.status == "handoff":
            message.status = "processed"
            handoff = repo.open_handoff(session, conversation_id=conversation.id)
            if handoff is None or not offline.awaiting_email(conversation, handoff):
                return Held(records=[], status="handoff", event="message")
            record, outcome = offline.answer(
                session,
                conversation,
                handoff,
                text=message.text or "",
                payload=(message.data or {}).get("payload"),
                render=self._engine.domain.render,
                resume=self._resume_bot,
                values=self._values(),
            )
            if outcome == "invalid":
                return Held(records=[record], status="handoff", event="message")
            return Held(records=[record], status="bot", event="email")
        version = repo.tracker_version(session, conversation_id=conversation.id)
        tracker = self.trackers.get(conversation.id, version) or repo.load_tracker(
            session,
            conversation=conversation,
            initial_slots=self._engine.domain.initial_slots(),
            max_events=self._max_events,
        )
        text = (message.data or {}).get("payload") or message.text or ""
        waiting = tracker.active is not None and tracker.active.waiting == CONFIRMED_SLOT
        unseen = waiting and repo.summary_after(
            session, conversation_id=conversation.id, seq=message.seq
        )
        return tracker, text, unseen, version

    async def send(
        self,
        conversation_id: str,
        *,
        text: Any,
        client_id: str | None = None,
        payload: str | None = None,
    ) -> tuple[Accepted, Turn]:
        accepted = await self.accept(
            conversation_id, text=text, client_id=client_id, payload=payload
        )
        if not accepted.needs_processing:
            return accepted, await self._answered(accepted)
        return accepted, await self.process(accepted)
