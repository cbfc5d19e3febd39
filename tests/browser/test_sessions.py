"""One conversation across what happens to a real browser: the network dropping, the server
restarting, a reload, another page. Nothing the shopper said or was told may be lost or shown
twice: what the widget renders (`data-seq`) is compared with what the server stored (the agent
API's history of the conversation)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import AisleServer, Chat, FrameLog

# The first test also waits for the server to be prepared (a few minutes on two cores).
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

GREETING_ASK = "What can I do for you?"
HELP = "Here is what I can do"
ASK_IDENTITY = re.compile(r"confirm who you are|first name, last name and zip code")


def exactly(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def assert_shows_the_stored_conversation(chat: Chat, server: AisleServer) -> list[dict]:
    """The widget shows every stored message of its conversation once, in seq order, each with
    its role; the server stored seqs 1..n."""
    history = server.history(chat.frames.session)
    stored = [m["seq"] for m in history]
    assert stored == list(range(1, len(stored) + 1)), stored
    expect(chat.stored).to_have_count(len(stored))
    assert chat.rendered_seqs() == stored
    assert chat.rendered_roles() == {m["seq"]: m["role"] for m in history}
    return history


def drop_the_connection(page: Page) -> None:
    """The network goes away: Chromium's offline mode fails new connections but leaves an
    open socket alone, so the page's socket is closed as a dead network would close it (the
    harness's init script records the page's WebSocket objects)."""
    page.context.set_offline(True)
    page.evaluate(
        "() => window.aisleSockets.filter((s) => s.readyState <= WebSocket.OPEN)"
        ".forEach((s) => s.close(4000, 'the test drops it'))"
    )
    page.wait_for_function(
        "() => window.aisleSockets.every((s) => s.readyState === WebSocket.CLOSED)"
    )


def test_a_dropped_connection_and_a_server_restart_lose_nothing(
    chat: Chat, page: Page, frames: FrameLog, server: AisleServer
) -> None:
    chat.open()
    chat.say("hi")
    expect(chat.bot(GREETING_ASK)).to_be_visible()
    assert len(frames.sockets) == 1

    # (a) The network goes away: the socket drops. What the shopper sends meanwhile is shown
    # at once and delivered when the network is back, on a new socket resuming the session.
    drop_the_connection(page)
    with chat.turn():
        chat.input.fill("What can you do?")
        chat.input.press("Enter")
        expect(chat.user("What can you do?")).to_have_count(1)
        page.context.set_offline(False)
    expect(chat.bot(HELP)).to_be_visible()
    assert len(frames.sockets) >= 2

    # (b) The server stops and starts again (same port, same database): the widget reconnects
    # by itself and the conversation goes on.
    sockets_before = len(frames.sockets)
    server.restart()
    chat.say("What's the status of my order?", timeout_s=90)
    expect(chat.bot(ASK_IDENTITY)).to_be_visible()
    assert len(frames.sockets) > sockets_before

    history = assert_shows_the_stored_conversation(chat, server)
    said = [m["text"] for m in history if m["role"] == "user"]
    assert said == ["hi", "What can you do?", "What's the status of my order?"]
    for text in said:
        expect(chat.user(exactly(text))).to_have_count(1)
    # One conversation throughout: each connection (the first, after the drop, after the
    # restart; attempts that failed got none) resumed it.
    welcomes = frames.of_type("welcome")
    assert len(welcomes) >= 3, welcomes
    assert {w["session"] for w in welcomes} == {welcomes[0]["session"]}
    assert [w["resumed"] for w in welcomes] == [False] + [True] * (len(welcomes) - 1)


def test_what_an_agent_wrote_while_the_shopper_was_offline_arrives_once(
    chat: Chat, page: Page, frames: FrameLog, server: AisleServer
) -> None:
    chat.open()
    chat.say("hi")
    chat.click_reply("Talk to a person")
    expect(chat.panel.locator(".aisle-banner")).to_be_visible()

    drop_the_connection(page)
    conversation = server.conversation_id(frames.session)
    server.agent("POST", f"conversations/{conversation}/claim", agent="Alex")
    server.agent(
        "POST",
        f"conversations/{conversation}/messages",
        text="Hi, Alex here. Let me look at that for you.",
    )
    page.context.set_offline(False)

    agent = chat.log.locator(".aisle-msg.aisle-agent")
    expect(agent).to_have_count(1)
    expect(agent).to_contain_text("Alex here")
    expect(chat.log.locator(".aisle-msg.aisle-system").filter(has_text="Alex")).to_have_count(1)
    history = assert_shows_the_stored_conversation(chat, server)
    assert [m["role"] for m in history][-2:] == ["system", "agent"]
    welcomes = frames.of_type("welcome")
    assert [w["resumed"] for w in welcomes] == [False, True]
    assert welcomes[1]["status"] == "handoff"


def test_the_conversation_survives_a_reload_and_another_page(
    chat: Chat, page: Page, frames: FrameLog, server: AisleServer
) -> None:
    chat.open()
    chat.say("hi")
    expect(chat.bot(GREETING_ASK)).to_be_visible()
    first = assert_shows_the_stored_conversation(chat, server)
    assert len(first) == 2

    page.reload()
    chat.ensure_open()
    expect(chat.bot(GREETING_ASK)).to_have_count(1)
    assert_shows_the_stored_conversation(chat, server)

    # A page of the site without the widget, then back to the store.
    page.goto("/kb/returns-and-refunds")
    expect(page.locator("#aisle-widget")).to_have_count(0)
    page.goto("/")
    chat.ensure_open()
    expect(chat.bot(GREETING_ASK)).to_have_count(1)
    expect(chat.user(exactly("hi"))).to_have_count(1)
    assert_shows_the_stored_conversation(chat, server)

    chat.say("What can you do?")
    expect(chat.bot(HELP)).to_have_count(1)
    history = assert_shows_the_stored_conversation(chat, server)
    assert len(history) == 4
    assert {w["session"] for w in frames.of_type("welcome")} == {frames.session}
