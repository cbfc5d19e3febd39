"""The conversation service: store every message first, then let the bot or a person answer.

A turn has two transactions. `accept` stores the shopper's message (or recognises a resent
client id) and is what an acknowledgement stands on. `process` runs the dialogue engine and
stores the replies, the tracker's changes and any hand-off together, so a failure leaves the
message stored but unanswered — and a resend answers it — never half a turn.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

import anyio
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import SupportSection
from assistant.conversation import offline
from assistant.conversation import repository as repo
from assistant.conversation.broker import INBOX, Broker
from assistant.conversation.handoffs import check_claim, check_writer
from assistant.conversation.repository import MessageRecord
from assistant.conversation.turns import Runner, TurnLocks
from assistant.engine.drafts import drafts_to
from assistant.engine.manager import DialogueEngine
from assistant.engine.messages import TurnResult
from assistant.errors import (
    ConversationNotFound,
    EmptyMessage,
    HandoffStateError,
    IdentityConflict,
    InvalidInput,
    InvalidSender,
    MessageTooLarge,
    SessionSecretRequired,
    UndecodableMessage,
    UnknownSession,
)
from assistant.logs import conversation_context, log_turn
from assistant.persistence.db import transaction
from assistant.persistence.models import Conversation, Handoff
from assistant.persistence.models.base import utcnow
from assistant.staff.hours import BusinessHours

T = TypeVar("T")
logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = 128
MAX_CLIENT_ID_CHARS = 64
MAX_PAYLOAD_CHARS = 1024
# The slots the assistant's own authentication (actions/auth.py) sets for a known customer.
CUSTOMER_ID_SLOT = "customer_id"
CUSTOMER_NAME_SLOT = "customer_name"
# The slot an order flow's summary waits on, and the intents that answer it.
CONFIRMED_SLOT = "confirmed"
YES_OR_NO = frozenset({"affirm", "deny"})
# Unanswered shopper messages this recent are answered, in order, before a newer one.
EARLIER_TURNS_WINDOW = timedelta(minutes=2)


@dataclass(frozen=True)
class ConversationInfo:
    id: str
    channel: str
    external_id: str
    status: str
    last_seq: int


@dataclass(frozen=True)
class Turn:
    """What answering a message produced: the stored replies, and who owns the conversation."""

    replies: list[MessageRecord]
    status: str
    # The tracker events the turn added (what the turn log names).
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class _Held:
    """A shopper's message while the team holds the conversation: what was said back (in the
    offline path) and who answers next."""

    records: list[MessageRecord]
    status: str
    # What the team's inbox hears of it: a new message, or the offline path's outcome.
    event: str


@dataclass(frozen=True)
class Accepted:
    conversation_id: str
    message_id: int
    record: MessageRecord
    duplicate: bool
    # False when a resend finds the message already answered.
    needs_processing: bool


def check_text(text: Any, *, max_bytes: int) -> str:
    """A shopper's message: a non-empty string of valid Unicode within the byte limit."""
    if not isinstance(text, str):
        raise InvalidInput("the message must be a string")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise UndecodableMessage("the message is not valid Unicode text") from exc
    if "\x00" in text:
        raise UndecodableMessage("the message contains a NUL character")
    if size > max_bytes:
        raise MessageTooLarge(
            f"the message is {size} bytes; the limit is {max_bytes}",
            details={"limit": max_bytes, "size": size},
        )
    if not text.strip():
        raise EmptyMessage("the message is empty")
    return text.strip()


def check_sender(sender: Any) -> str:
    if not isinstance(sender, str) or not sender.strip():
        raise InvalidSender("the sender must be a non-empty string")
    if len(sender) > MAX_SENDER_CHARS or not sender.isprintable():
        raise InvalidSender(f"the sender must be at most {MAX_SENDER_CHARS} printable characters")
    return sender


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


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


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


def _conversation(session: Session, conversation_id: str, *, lock: bool = False) -> Conversation:
    """The conversation (locked for the transaction when `lock`); `ConversationNotFound`."""
    conversation = repo.get_conversation(session, conversation_id=conversation_id, lock=lock)
    if conversation is None:
        raise ConversationNotFound(f"no conversation {conversation_id}")
    return conversation


def _info(conversation: Any) -> ConversationInfo:
    return ConversationInfo(
        id=conversation.id,
        channel=conversation.channel,
        external_id=conversation.external_id,
        status=conversation.status,
        last_seq=conversation.last_seq,
    )


class ConversationService:
    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        engine: DialogueEngine,
        broker: Broker,
        max_message_bytes: int,
        max_tracker_events: int = 200,
        support: SupportSection | None = None,
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

    # -- conversations -----------------------------------------------------------------------

    async def start_session(self, *, channel: str) -> tuple[str, ConversationInfo]:
        """A new conversation keyed by an unguessable session token (the widget's)."""
        token = secrets.token_urlsafe(24)
        info = await self._db(
            lambda s: _info(repo.create_conversation(s, channel=channel, external_id=token))
        )
        return token, info

    async def resume_session(self, *, channel: str, token: str) -> ConversationInfo:
        def find(session: Session) -> ConversationInfo:
            conversation = repo.find_conversation(session, channel=channel, external_id=token)
            if conversation is None:
                raise UnknownSession("no conversation for this session; start a new one")
            return _info(conversation)

        return await self._db(find)

    async def for_sender(
        self, *, channel: str, sender: str, secret: str | None
    ) -> tuple[ConversationInfo, str | None]:
        """The conversation of a channel's sender id (Rasa's model), created on first contact
        with a new secret (returned once, never stored: only its hash is); an existing
        sender's conversation only with its secret (`SessionSecretRequired`)."""
        sender = check_sender(sender)

        def get_or_create(session: Session) -> tuple[ConversationInfo, str | None]:
            found = repo.find_conversation(session, channel=channel, external_id=sender)
            if found is not None:
                if (
                    secret is None
                    or found.secret_hash is None
                    or not hmac.compare_digest(found.secret_hash, _secret_hash(secret))
                ):
                    raise SessionSecretRequired(
                        "this sender's conversation belongs to another client: send the "
                        "session secret it was given, or use a new sender"
                    )
                return _info(found), None
            issued = secrets.token_urlsafe(24)
            created = repo.create_conversation(session, channel=channel, external_id=sender)
            created.secret_hash = _secret_hash(issued)
            return _info(created), issued

        try:
            return await self._db(get_or_create)
        except IntegrityError as exc:
            # Two first messages of one sender at once: the other one created it.
            raise SessionSecretRequired(
                "this sender's conversation was just started by another request"
            ) from exc

    async def get(self, conversation_id: str) -> ConversationInfo:
        def find(session: Session) -> ConversationInfo:
            return _info(_conversation(session, conversation_id))

        return await self._db(find)

    async def history(
        self, conversation_id: str, *, after_seq: int = 0, limit: int = 500
    ) -> list[MessageRecord]:
        return await self._db(
            lambda s: [
                MessageRecord.of(m)
                for m in repo.messages_after(
                    s, conversation_id=conversation_id, after_seq=after_seq, limit=limit
                )
            ]
        )

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
            conversation = _conversation(session, conversation_id, lock=True)
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
        if isinstance(state, _Held):
            await self._publish_messages(conversation_id, state.records)
            if state.status == "bot":
                await self._broker.publish(conversation_id, {"kind": "status", "status": "bot"})
            await self._inbox(conversation_id, state.event)
            return Turn(replies=state.records, status=state.status, events=[{"event": "handoff"}])
        tracker, text, summary_unseen = state
        if summary_unseen and await self._is_yes_or_no(text):
            # Written before the shopper saw the summary waiting for a yes: it cannot be
            # the answer to that summary.
            result = TurnResult(messages=[self._engine.domain.render("utter_confirm_unseen", {})])
        elif stream_drafts:
            with drafts_to(partial(self._publish_draft, conversation_id, seq)):
                result = await self._engine.handle(tracker, text)
        else:
            result = await self._engine.handle(tracker, text)

        def save(session: Session) -> tuple[list[MessageRecord], str | None]:
            conversation = _conversation(session, conversation_id, lock=True)
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
            repo.save_tracker(session, conversation=conversation, tracker=tracker)
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
            return records, handoff_event

        events = list(tracker.new_events)
        records, handoff_event = await run(save)
        await self._publish_messages(conversation_id, records)
        if handoff_event is not None:
            await self._broker.publish(conversation_id, {"kind": "status", "status": "handoff"})
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
                {"kind": "draft", "draft": {"id": draft_id, "reply_to": reply_to, "text": text}},
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

    def _load_turn(self, message_id: int, session: Session) -> tuple[Any, str, bool] | _Held | None:
        """The tracker and text to run, and whether a summary waiting for a yes was sent after
        this message; None if already answered; `_Held` if the team holds the conversation."""
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
                return _Held(records=[], status="handoff", event="message")
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
                return _Held(records=[record], status="handoff", event="message")
            return _Held(records=[record], status="bot", event="email")
        tracker = repo.load_tracker(
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
        return tracker, text, unseen

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
        await self._broker.publish(conversation_id, {"kind": "status", "status": "bot"})
        await self._inbox(conversation_id, "resolved" if resolved else "released")
        return records

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
                conversation = _conversation(session, conversation_id, lock=True)
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

    async def _inbox(self, conversation_id: str, event: str) -> None:
        """Tell the team's live inboxes that a hand-off changed (`routes/agent_ws.py`)."""
        try:
            await self._broker.publish(
                INBOX, {"kind": "inbox", "event": event, "conversation_id": conversation_id}
            )
        except Exception:  # the inbox catches up on its next read; the turn stands
            logger.warning("could not tell the inbox about conversation %s", conversation_id)

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
            await self._broker.publish(conversation_id, {"kind": "status", "status": "handoff"})
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
        conversation = _conversation(session, conversation_id, lock=True)
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

    # -- the shopper's rating and identity ---------------------------------------------------

    async def rate(
        self, conversation_id: str, *, score: int, comment: str | None = None
    ) -> MessageRecord:
        """Store the shopper's rating (1 to 5; a later one replaces it) and a system notice
        that says so, with `custom: {type: "rating", score}`, in one transaction."""
        if not 1 <= score <= 5:
            raise InvalidInput("a rating is a score from 1 to 5")

        def store(session: Session) -> MessageRecord:
            conversation = _conversation(session, conversation_id, lock=True)
            conversation.rating = score
            conversation.rating_comment = comment
            conversation.rated_at = utcnow()
            message = repo.append_message(
                session,
                conversation=conversation,
                role="system",
                text=f"Thanks for rating this chat {score}/5.",
                data={"custom": {"type": "rating", "score": score}},
            )
            return MessageRecord.of(message)

        async with self._lock(conversation_id):
            record = await self._db(store)
        await self._publish_messages(conversation_id, [record])
        return record

    async def identify(self, conversation_id: str, *, customer_id: str, customer_name: str) -> None:
        """The store vouches for the shopper: the tracker gets the slots the assistant's own
        authentication sets, so order questions need no further proof. A conversation keeps
        its customer: another one is refused (`IdentityConflict`)."""

        def apply(session: Session) -> None:
            conversation = _conversation(session, conversation_id, lock=True)
            tracker = repo.load_tracker(
                session,
                conversation=conversation,
                initial_slots=self._engine.domain.initial_slots(),
                max_events=self._max_events,
            )
            known = tracker.slots.get(CUSTOMER_ID_SLOT)
            if known and known != customer_id:
                raise IdentityConflict(
                    "this conversation belongs to another customer; start a new session"
                )
            tracker.set_slot(CUSTOMER_ID_SLOT, customer_id)
            tracker.set_slot(CUSTOMER_NAME_SLOT, customer_name)
            conversation.customer_id = customer_id
            repo.save_tracker(session, conversation=conversation, tracker=tracker)

        async with self._turns.hold(conversation_id) as run:
            await run(apply)

    async def _publish_messages(self, conversation_id: str, records: list[MessageRecord]) -> None:
        for record in records:
            await self._broker.publish(
                conversation_id, {"kind": "message", "message": record.as_dict()}
            )
