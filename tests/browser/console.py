"""The agent console as a test drives it (page object, by its `data-testid`s), what it rings
(browser notifications and beeps, recorded in the page), and a pair of workers on PostgreSQL
and Redis for the tests that cross them."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.browser.harness import RECORD_SOCKETS, TIMEOUT_MS, AisleServer, Chat, FrameLog

PASSWORD = "correct horse battery"
TEAM = (("dana@shop.example", "Dana", "agent"), ("bob@shop.example", "Bob", "agent"))

# Before any script of the console: count the notifications it shows and the tones it plays,
# so a test can tell that a new hand-off rang (headless Chromium plays no sound).
RECORD_RINGS = """
(() => {
  window.__rings = {notifications: [], tones: 0};
  const Native = window.Notification;
  if (Native) {
    const Recorded = function (title, options) {
      window.__rings.notifications.push({title, body: (options || {}).body || ""});
      return new Native(title, options);
    };
    Recorded.prototype = Native.prototype;
    Object.defineProperty(Recorded, "permission", {get: () => Native.permission});
    Recorded.requestPermission = (...args) => Native.requestPermission(...args);
    window.Notification = Recorded;
  }
  const Audio = window.AudioContext || window.webkitAudioContext;
  if (Audio) {
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...args) {
      window.__rings.tones += 1;
      return start.apply(this, args);
    };
  }
})();
"""


def add_team(server: AisleServer) -> None:
    """The support team's accounts, made with the CLI as a store would."""
    for email, name, role in TEAM:
        server.cli(
            "users", "add", "--email", email, "--name", name, "--role", role,
            "--password-stdin", input=f"{PASSWORD}\n",
        )  # fmt: skip


class Console:
    """One agent's console in its own browser context."""

    def __init__(self, browser: Browser, base_url: str, **options: object) -> None:
        self.context: BrowserContext = browser.new_context(
            base_url=base_url,
            viewport=options.pop("viewport", {"width": 1280, "height": 800}),  # type: ignore[arg-type]
            permissions=["notifications"],
            **options,  # type: ignore[arg-type]
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.add_init_script(RECORD_RINGS)
        self.errors: list[str] = []
        self.page: Page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def by(self, testid: str) -> Locator:
        return self.page.get_by_test_id(testid)

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        self.page.goto("/agent")
        self.by("login-email").fill(email)
        self.by("login-password").fill(password)
        self.by("login-submit").click()
        expect(self.by("tab-waiting")).to_be_visible()

    def ring_both_ways(self) -> None:
        """Sound is on by default; browser notifications are the agent's choice."""
        expect(self.by("sound-toggle")).to_be_checked()
        self.by("notify-toggle").check()

    def row(self, conversation_id: str) -> Locator:
        return self.page.locator(
            f'[data-testid="inbox-row"][data-conversation="{conversation_id}"]'
        )

    def open(self, conversation_id: str) -> None:
        self.row(conversation_id).click()
        expect(self.by("transcript")).to_be_visible()

    def transcript_says(self, text: str | re.Pattern[str]) -> None:
        expect(self.by("transcript")).to_contain_text(text)

    def reply(self, text: str) -> None:
        self.by("reply-input").fill(text)
        self.by("reply-send").click()

    def note(self, text: str) -> None:
        self.by("note-input").fill(text)
        self.by("note-send").click()

    def rings(self) -> dict[str, object]:
        return dict(self.page.evaluate("() => window.__rings"))

    def close(self) -> None:
        self.context.close()


def shopper(browser: Browser, base_url: str) -> tuple[Chat, FrameLog, Page]:
    """A shopper on the demo store, the widget open, in a browser context of their own: the
    widget, its frames (checked against the protocol at the end), and the page."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(RECORD_SOCKETS)
    frames = FrameLog()
    page = context.new_page()
    frames.watch(page)
    page.goto("/")
    chat = Chat(page, frames)
    chat.open()
    return chat, frames, page
