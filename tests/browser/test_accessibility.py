"""The widget for everyone: by keyboard alone, on a phone, and by axe-core's rules (run in the
page, into the widget's open shadow root)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import Chat, Pages, deep_focus, describe_violations, run_axe, tab_until

# The first test also waits for the server to be prepared (a few minutes on two cores).
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

GREETING_ASK = "What can I do for you?"
HELP = "Here is what I can do"


def on_launcher(focus: dict | None) -> bool:
    return bool(focus and focus["inWidget"] and focus["label"].startswith("Open chat"))


def on_input(focus: dict | None) -> bool:
    return bool(focus and focus["inWidget"] and focus["label"] == "Message")


def on_a_reply(focus: dict | None, label: str | None = None) -> bool:
    return bool(
        focus
        and focus["inWidget"]
        and "aisle-reply" in focus["className"]
        and (label is None or focus["label"] == label)
    )


def test_keyboard_only(chat: Chat, page: Page) -> None:
    tab_until(page, on_launcher)
    page.keyboard.press("Enter")
    expect(chat.panel).to_be_visible()
    # Opening moves the focus to the message box.
    expect(chat.input).to_be_focused()
    assert on_input(deep_focus(page)), deep_focus(page)

    with chat.turn():
        page.keyboard.type("hi")
        page.keyboard.press("Enter")
    expect(chat.bot(GREETING_ASK)).to_be_visible()

    # The quick replies (in the log, before the message box) are reachable with Shift+Tab
    # from the message box, and Enter on one sends it.
    assert tab_until(page, on_a_reply, backwards=True, limit=5) <= 5
    if not on_a_reply(deep_focus(page), "What can you do?"):
        tab_until(page, lambda f: on_a_reply(f, "What can you do?"), backwards=True, limit=5)
    with chat.turn():
        page.keyboard.press("Enter")
    expect(chat.bot(HELP)).to_be_visible()

    # Escape closes the panel from wherever the focus is in it, and the focus goes back to
    # the launcher.
    if not (deep_focus(page) or {}).get("inWidget"):
        tab_until(page, on_input)
    page.keyboard.press("Escape")
    expect(chat.panel).to_be_hidden()
    assert on_launcher(deep_focus(page)), deep_focus(page)
    expect(chat.launcher).to_be_focused()

    # And Enter opens it again, the conversation still there.
    page.keyboard.press("Enter")
    expect(chat.panel).to_be_visible()
    expect(chat.bot(HELP)).to_be_visible()


def test_on_a_phone_the_open_panel_fills_the_screen(pages: Pages) -> None:
    width, height = 390, 844
    page, frames = pages.new(
        viewport={"width": width, "height": height},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
    )
    page.goto("/")
    chat = Chat(page, frames)
    expect(chat.launcher).to_be_in_viewport()
    chat.launcher.tap()
    expect(chat.panel).to_be_visible()
    box = chat.panel.bounding_box()
    assert box is not None
    assert (round(box["x"]), round(box["y"])) == (0, 0), box
    assert (round(box["width"]), round(box["height"])) == (width, height), box

    for control in (chat.input, chat.send_button, chat.close_button):
        expect(control).to_be_in_viewport()
    chat.input.tap()
    with chat.turn():
        chat.input.fill("hi")
        chat.send_button.tap()
    expect(chat.bot(GREETING_ASK)).to_be_in_viewport()

    chat.close_button.tap()
    expect(chat.panel).to_be_hidden()
    expect(chat.launcher).to_be_in_viewport()


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def test_axe_finds_nothing_serious(chat: Chat, page: Page) -> None:
    # The page with the widget closed...
    closed = serious(run_axe(page))

    # ...and open, mid-conversation: a greeting with quick replies, product cards, an order.
    chat.open()
    chat.say("hi")
    chat.say("black water bottles under $50 in stock")
    chat.say("Where is my order #W6679257?")
    chat.say("I'm Yusuf Rossi, zip code 19122")
    expect(chat.bot("Order #W6679257 is delivered.")).to_be_visible()
    opened = serious(run_axe(page))
    assert not closed and not opened, (
        f"with the widget closed:\n{describe_violations(closed) or 'none'}\n"
        f"with the widget open:\n{describe_violations(opened) or 'none'}"
    )

    # axe looked inside the widget's shadow root (its targets there are paths through it).
    inside = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ['passes']});
          // A node in a shadow root has a path as its target: [host, selector inside].
          const paths = r.passes.flatMap(p => p.nodes)
            .map(n => (Array.isArray(n.target[0]) ? n.target[0] : n.target));
          return paths.filter(path => path.length > 1 && path[0] === '#aisle-widget').length;
        }"""
    )
    assert inside > 0, "axe saw nothing inside the widget's shadow root"
