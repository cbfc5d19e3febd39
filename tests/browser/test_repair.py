"""Conversation repair in a real browser: a policy question in the middle of sign-in is
answered with its source, the sign-in resumes with a reminder, and finishes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.harness import Chat

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

ASK_IDENTITY = "Before I can look at your orders I need to confirm who you are"


def test_a_policy_question_mid_sign_in_is_answered_then_the_sign_in_finishes(chat: Chat) -> None:
    chat.open()
    chat.say("Where is my order #W6679257?")
    expect(chat.bot(ASK_IDENTITY)).to_be_visible()

    chat.say("before that, how long does delivery usually take?")
    # The answer, quoted from the store's documents with its source...
    expect(chat.bot("business days")).to_be_visible()
    expect(chat.log.locator(".aisle-sources")).not_to_have_count(0)
    # ...then one line back to where the conversation was, and the same question again.
    expect(chat.bot("Now, back to looking up your order:")).to_be_visible()

    chat.say("I'm Yusuf Rossi, zip code 19122")
    expect(chat.bot("Thanks, Yusuf")).to_be_visible()
    expect(chat.bot("Order #W6679257 is delivered.")).to_be_visible()
