"""The widget as a store embeds and themes it, and what it does with text it did not write: an
agent's message renders its Markdown subset, never its HTML."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import AisleServer, Chat, FrameLog, Pages

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

UNSAFE = (
    '**Hi**, I am Alex. <img src=x onerror="window.pwned = 1"> '
    "See [our returns page](/kb/returns-and-refunds) or [this](javascript:window.pwned=2)."
)


def test_an_agent_joins_by_name_and_their_text_is_never_html(
    chat: Chat, page: Page, frames: FrameLog, server: AisleServer
) -> None:
    page.evaluate(
        "() => { window.handoffs = []; Aisle.on('handoff', (h) => window.handoffs.push(h)); }"
    )
    chat.open()
    chat.say("hi")
    chat.click_reply("Talk to a person")
    banner = chat.panel.locator(".aisle-banner")
    expect(banner).to_contain_text("Waiting for a person")

    conversation = server.conversation_id(frames.session)
    server.agent("POST", f"conversations/{conversation}/claim", agent="Alex")
    expect(banner).to_have_text("You're chatting with Alex.")
    expect(chat.log.locator(".aisle-msg.aisle-system")).to_contain_text(
        ["Alex joined the conversation."]
    )

    server.agent("POST", f"conversations/{conversation}/messages", text=UNSAFE)
    said = chat.log.locator(".aisle-msg.aisle-agent").last
    expect(said.locator(".who")).to_have_text("Alex")
    expect(said.locator("strong")).to_have_text("Hi")
    # The HTML is shown as typed: no element made from it, no script run.
    expect(said).to_contain_text('<img src=x onerror="window.pwned = 1">')
    expect(said.locator("img")).to_have_count(0)
    assert page.evaluate("() => window.pwned") is None
    # Only the link to the store's own page became a link.
    links = said.locator("a")
    expect(links).to_have_count(1)
    assert links.get_attribute("href") == f"{server.url}/kb/returns-and-refunds"
    expect(said).to_contain_text("or this.")

    handoffs = page.evaluate("() => window.handoffs")
    assert {"status": "joined", "agent": "Alex"} in [
        {"status": h["status"], "agent": h["agent"]} for h in handoffs
    ]


# A store page that embeds the widget from code, in Spanish, with its own colours, inits it
# twice, and has CSS that would break the widget if it leaked in (and be broken by the
# widget's if that leaked out: the widget has a `.panel` of its own).
STORE_PAGE = """<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Tienda</title>
<style>
  div, p, button { color: rgb(255, 0, 0) !important; font-family: serif !important; }
</style></head>
<body>
  <div class="panel" id="own">La tienda</div>
  <script src="/widget.js" data-auto-init="false"></script>
  <script>
    Aisle.init({ title: "Ayuda", colors: { accent: "#0a7d4f" } });
    Aisle.init({ title: "Otra vez" });
  </script>
</body></html>"""


def test_a_store_embeds_it_from_code_in_spanish_with_its_colours(
    pages: Pages, server: AisleServer
) -> None:
    page, _frames = pages.new(viewport={"width": 1280, "height": 800})
    # A page of the assistant's own origin (the widget's socket is to loopback, which
    # Chromium allows only from pages served from there), its document replaced by the store's.
    page.goto("/healthz")
    page.set_content(STORE_PAGE)

    # One widget however often init is called; the first call's options hold.
    launcher = page.get_by_role("button", name=re.compile(r"^Abrir chat: Ayuda"))
    expect(launcher).to_be_visible()
    expect(page.locator("#aisle-widget")).to_have_count(1)

    launcher.click()
    panel = page.get_by_role("dialog", name="Ayuda")
    expect(panel).to_be_visible()
    textbox = page.get_by_role("textbox", name="Mensaje", exact=True)
    textbox.fill("hola")
    page.get_by_role("button", name="Enviar", exact=True).click()
    log = page.get_by_role("log", name="Conversación", exact=True)
    expect(log.locator(".aisle-msg.aisle-bot[data-seq]").first).to_be_visible(timeout=60_000)

    # The theme's accent is the launcher's colour; the page's red never reaches the widget.
    def style(locator_js: str, prop: str) -> str:
        return str(
            page.evaluate(f"() => getComputedStyle({locator_js}).getPropertyValue('{prop}')")
        )

    shadow = "document.querySelector('#aisle-widget').shadowRoot"
    assert style(f"{shadow}.querySelector('.launcher')", "background-color") == "rgb(10, 125, 79)"
    bubble = f"{shadow}.querySelector('.aisle-bot[data-seq] .bubble')"
    assert style(bubble, "color") == "rgb(29, 35, 48)"
    assert style(bubble, "font-family").strip() != "serif"
    # ...and the widget's own `.panel` rule does not reach the page's `.panel`.
    assert style("document.getElementById('own')", "position") == "static"
