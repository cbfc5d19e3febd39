"""The conversation service's conversations: started for a widget session or a channel's sender
(with its secret), found again, read back; and what the shopper adds besides messages, a rating
and the identity the store vouches for."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.conversation import repository as repo
from assistant.conversation.core import ServiceBase, require_conversation
from assistant.conversation.records import ConversationInfo, check_sender, info_of
from assistant.conversation.repository import MessageRecord
from assistant.errors import (
    IdentityConflict,
    InvalidInput,
    SessionSecretRequired,
    UnknownSession,
)
from assistant.persistence.models.base import utcnow

# The slots the assistant's own authentication (actions/auth.py) sets for a known customer.
CUSTOMER_ID_SLOT = "customer_id"
CUSTOMER_NAME_SLOT = "customer_name"


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class SessionsMixin(ServiceBase):
    """Starting, finding and reading conversations; the shopper's rating and identity."""

    # -- conversations -----------------------------------------------------------------------

    async def start_session(self, *, channel: str) -> tuple[str, ConversationInfo]:
        """A new conversation keyed by an unguessable session token (the widget's)."""
        token = secrets.token_urlsafe(24)
        info = await self._db(
            lambda s: info_of(repo.create_conversation(s, channel=channel, external_id=token))
        )
        return token, info

    async def resume_session(self, *, channel: str, token: str) -> ConversationInfo:
        def find(session: Session) -> ConversationInfo:
            conversation = repo.find_conversation(session, channel=channel, external_id=token)
            if conversation is None:
                raise UnknownSession("no conversation for this session; start a new one")
            return info_of(conversation)

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
                return info_of(found), None
            issued = secrets.token_urlsafe(24)
            created = repo.create_conversation(session, channel=channel, external_id=sender)
            created.secret_hash = _secret_hash(issued)
            return info_of(created), issued

        try:
            return await self._db(get_or_create)
        except IntegrityError as exc:
            # Two first messages of one sender at once: the other one created it.
            raise SessionSecretRequired(
                "this sender's conversation was just started by another request"
            ) from exc

    async def get(self, conversation_id: str) -> ConversationInfo:
        def find(session: Session) -> ConversationInfo:
            return info_of(require_conversation(session, conversation_id))

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

    # -- the shopper's rating and identity ---------------------------------------------------

    async def rate(
        self, conversation_id: str, *, score: int, comment: str | None = None
    ) -> MessageRecord:
        """Store the shopper's rating (1 to 5; a later one replaces it) and a system notice
        that says so, with `custom: {type: "rating", score}`, in one transaction."""
        if not 1 <= score <= 5:
            raise InvalidInput("a rating is a score from 1 to 5")

        def store(session: Session) -> MessageRecord:
            conversation = require_conversation(session, conversation_id, lock=True)
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
            conversation = require_conversation(session, conversation_id, lock=True)
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
