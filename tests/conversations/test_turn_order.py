"""Turns run in the order their messages were stored, and a yes answers only the summary the
shopper had seen when they wrote it."""

from __future__ import annotations

from functools import partial

from sqlalchemy import select

from assistant.conversation.service import ConversationService
from assistant.persistence.models import Conversation, Message
from tests.conversations.conftest import YUSUF_EMAIL, Shopper, Store

CONFIRM = "Here is exactly what I'll do:"


def _service(store: Store) -> ConversationService:
    service: ConversationService = store.client.app.state.components.conversations  # type: ignore[attr-defined]
    return service


def test_a_yes_written_before_a_new_summary_does_not_confirm_it(
    store: Store, shopper: Shopper
) -> None:
    shopper.say("I want to cancel order #W6247578, it's no longer needed")
    shopper.say(YUSUF_EMAIL)
    assert CONFIRM in shopper.text and "#W6247578" in shopper.text
    before = store.snapshot()
    with store.sessions() as session:
        conversation = session.scalars(select(Conversation.id)).one()
    service = _service(store)
    portal = store.client.portal  # type: ignore[attr-defined]
    # The shopper changes the order and says yes at once, before the new summary arrives.
    accept = partial(service.accept, conversation)
    change = portal.call(partial(accept, text="actually, make that order #W4776164"))
    yes = portal.call(partial(accept, text="yes"))
    # Answering the yes answers the earlier message first, in the order they were stored.
    turn = portal.call(service.process, yes)
    with store.sessions() as session:
        replies = {
            m.reply_to: m.text
            for m in session.scalars(select(Message).where(Message.role == "bot"))
        }
    assert CONFIRM in replies[change.message_id] and "#W4776164" in replies[change.message_id]
    assert "before my summary" in " ".join(r.text or "" for r in turn.replies)
    assert store.snapshot() == before
    # A yes to the summary the shopper has seen does what it says.
    shopper.say("yes")
    assert store.order("#W4776164").status == "cancelled"
    assert store.order("#W6247578").status == "pending"
