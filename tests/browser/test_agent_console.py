"""The agent console in Chromium: a shopper's page and two agents' consoles in one test, on one
worker (SQLite) and across two workers (PostgreSQL and Redis): the hand-off rings in both
inboxes; one agent claims and the other cannot; live chat both ways with typing indicators; an
internal note the shopper never sees; a transfer; a hand-back after which the assistant
answers; and a resolution with the shopper's rating."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from playwright.sync_api import Error as PlaywrightError

from tests.browser.console import Console, add_team, shopper
from tests.browser.harness import (
    ARTIFACTS,
    TIMEOUT_MS,
    AisleServer,
    describe_violations,
    run_axe,
    wait_until,
)
from tests.browser.workers import two_workers
from tests.servers import RedisServer

NOTE = "Lamp arrived cracked; refund pre-approved by the warehouse"


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of the test's own, for the two workers' pub/sub."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def team(aisle_server: AisleServer) -> AisleServer:
    """The session's server, with the support team's accounts."""
    if "dana@shop.example" not in aisle_server.cli("users", "list"):
        add_team(aisle_server)
    return aisle_server


def _online(server: AisleServer, *names: str) -> None:
    """Wait until the server counts these agents as signed in (their consoles connected)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        agents = server.agent("GET", "agents")["agents"]
        if {a["name"] for a in agents if a["online"]} >= set(names):
            return
        assert time.monotonic() < deadline, f"{names} never showed as signed in: {agents}"
        time.sleep(0.2)


def _scenario(
    browser: Browser, shopper_at: AisleServer, dana_at: AisleServer, bob_at: AisleServer, shots: str
) -> None:
    dana = Console(browser, dana_at.url)
    bob = Console(browser, bob_at.url)
    consoles = (dana, bob)
    chat, frames, shopper_page = shopper(browser, shopper_at.url)
    try:
        dana.sign_in("dana@shop.example")
        bob.sign_in("bob@shop.example")
        for console in consoles:
            console.ring_both_ways()
        _online(dana_at, "Dana", "Bob")

        # The shopper asks for a person: the hand-off rings in both inboxes.
        chat.say("I'd like to talk to a person about my broken lamp please")
        expect(chat.bot(re.compile("connecting you with a person", re.I)).first).to_be_visible()
        for console in consoles:
            expect(console.by("inbox-row").first).to_be_visible()
            wait_until(
                console.page,
                lambda c=console: bool(c.rings()["notifications"]) and c.rings()["tones"] > 0,
                10,
                "a notification and a tone for the new hand-off",
            )
        conversation = dana.by("inbox-row").first.get_attribute("data-conversation")
        assert conversation
        expect(bob.row(conversation)).to_contain_text("broken lamp")

        # Both open it; Dana claims first, and Bob's claim is refused with who has it.
        bob.open(conversation)
        dana.open(conversation)
        expect(dana.by("summary-reason")).to_contain_text("broken lamp")
        dana.by("claim").click()
        expect(chat.log).to_contain_text("Dana joined the conversation.")
        # Bob's console hears it at once: no Claim any more, who has it, and no reply box.
        expect(bob.by("taken-by")).to_contain_text("Dana")
        expect(bob.by("claim")).to_be_hidden()
        expect(bob.by("reply-input")).to_be_disabled()

        # Live chat both ways, with typing indicators. The box is on once the claim is granted.
        expect(dana.by("reply-input")).to_be_enabled()
        dana.by("reply-input").press_sequentially("Hello, I'm Dana", delay=30)
        expect(chat.panel).to_contain_text("Dana is typing")
        dana.by("reply-send").click()
        expect(chat.log).to_contain_text("Hello, I'm Dana")
        chat.input.press_sequentially("It arrived", delay=30)
        expect(dana.by("shopper-typing")).to_be_visible()
        chat.input.press_sequentially(" cracked in two", delay=10)
        with chat.turn():
            chat.input.press("Enter")
        dana.transcript_says("It arrived cracked in two")

        # An internal note: the team sees it, the shopper never does.
        bob.note(NOTE)
        expect(dana.by("note").filter(has_text=NOTE)).to_be_visible()
        if shots:
            dana.page.screenshot(path=f"{shots}-conversation.png")

        # Dana transfers the conversation to Bob, who then writes.
        dana.by("transfer-select").select_option(value="bob@shop.example")
        dana.by("transfer").click()
        expect(chat.log).to_contain_text("Bob joined the conversation.")
        bob.reply("Bob here: I've started your refund.")
        expect(chat.log).to_contain_text("I've started your refund.")

        # Bob hands it back, and the assistant answers again.
        bob.by("handback").click()
        expect(chat.log).to_contain_text("You're back with")
        chat.say("what is your return policy?")
        expect(chat.bot(re.compile("return", re.I)).last).to_be_visible()

        # Asked for a person again: Bob takes it and resolves it; the shopper rates the chat.
        chat.say("can I talk to a human again please")
        expect(bob.row(conversation)).to_be_visible()
        bob.open(conversation)
        bob.by("claim").click()
        expect(chat.log).to_contain_text("Bob joined the conversation.")
        bob.by("resolve").click()
        rating = chat.log.locator(".aisle-rating")
        expect(rating).to_be_visible()
        rating.get_by_role("button", name="Rate 5 of 5").click()
        expect(chat.log).to_contain_text("Thanks for rating this chat 5/5.")
        if shots:
            bob.by("tab-resolved").click()
            bob.page.screenshot(path=f"{shots}-inbox.png")

        # The note never reached the shopper: not on the page, not in any frame.
        expect(chat.log).not_to_contain_text(NOTE)
        assert all(NOTE not in str(frame) for frame in frames.received)
        frames.check_all()
        for console in consoles:
            assert not console.errors, console.errors
    finally:
        for name, page in (("dana", dana.page), ("bob", bob.page), ("shopper", shopper_page)):
            with contextlib.suppress(PlaywrightError):
                page.screenshot(path=str(ARTIFACTS / f"agent-console-{name}.png"))
        for console in consoles:
            console.close()
        shopper_page.context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_two_agents_take_a_hand_off_from_a_shopper(browser: Browser, team: AisleServer) -> None:
    _scenario(browser, team, team, team, str(ARTIFACTS / "agent-console"))


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.postgres
def test_two_agents_on_two_workers_take_a_hand_off(
    browser: Browser,
    tmp_path: Path,
    database_url: str,
    redis_server: RedisServer,
    nlu_model_path: Path,
) -> None:
    """The shopper and Dana on one worker, Bob on the other: everything crosses Redis."""
    workers = two_workers(tmp_path, database_url, redis_server.url, nlu_model_path)
    with workers as (first, second):
        add_team(first)
        _scenario(browser, first, first, second, "")


@pytest.mark.browser
@pytest.mark.slow
def test_the_console_is_accessible_and_refuses_a_wrong_password(
    browser: Browser, team: AisleServer
) -> None:
    # axe-core is injected as a script, which the console's policy would (rightly) refuse.
    console = Console(browser, team.url, bypass_csp=True)
    try:
        console.page.goto("/agent")
        violations = run_axe(console.page)
        assert not violations, describe_violations(violations)
        console.by("login-email").fill("dana@shop.example")
        console.by("login-password").fill("not the password")
        console.by("login-submit").click()
        expect(console.by("login-error")).to_contain_text(re.compile("wrong", re.I))
        console.sign_in("dana@shop.example")
        violations = run_axe(console.page)
        assert not violations, describe_violations(violations)
        # Keyboard only: the tabs are reached and switched without a mouse.
        console.by("tab-waiting").focus()
        console.page.keyboard.press("ArrowRight")
        expect(console.by("tab-mine")).to_be_focused()
        assert not console.errors, console.errors
    finally:
        console.close()
