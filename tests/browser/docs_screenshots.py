"""Screenshots of the widget for the docs, taken in Debian's Chromium against a real server on
the demo store (the browser tests' harness, outside pytest).

    .venv/bin/python -m tests.browser.docs_screenshots [--out docs/images] [--only NAME ...]
        [--server http://127.0.0.1:8000]

Without --server it prepares and starts its own server (migrate, seed, train, ingest: a few
minutes); with --server it uses a running one (`make run`) whose allowed origins include its
own. Each scene below is a short conversation; its PNG is the widget alone (`widget_screenshot`)
or the whole viewport (phone). Add a scene by adding a function to SCENES.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, expect, sync_playwright

from tests.browser.console import Console, add_team
from tests.browser.harness import CHROMIUM, ROOT, AisleServer, Chat, FrameLog, widget_screenshot


def _page(browser: Browser, server: AisleServer, **options: Any) -> Chat:
    context = browser.new_context(
        base_url=server.url,
        viewport=options.pop("viewport", {"width": 1280, "height": 860}),
        device_scale_factor=options.pop("device_scale_factor", 2),
        reduced_motion="reduce",
        **options,
    )
    page = context.new_page()
    frames = FrameLog()
    frames.watch(page)
    page.goto("/")
    chat = Chat(page, frames)
    chat.open()
    return chat


def _shop(chat: Chat) -> None:
    """Mid-conversation: a search, its cards, one of them added to the page's cart."""
    chat.say("hi")
    chat.say("black water bottles under $50 in stock")
    expect(chat.cards.first).to_be_visible()
    with chat.turn():
        chat.cards.first.get_by_role("button", name=re.compile(r"^Add to cart")).click()
    expect(chat.page.locator("#cart-items li").first).to_be_visible()


def desktop(browser: Browser, server: AisleServer, out: Path) -> Path:
    chat = _page(browser, server, viewport={"width": 1280, "height": 800}, device_scale_factor=1)
    _shop(chat)
    path = out / "store-desktop.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    chat.page.screenshot(path=str(path))
    return path


def phone(browser: Browser, server: AisleServer, out: Path) -> Path:
    chat = _page(
        browser,
        server,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    chat.say("hi")
    chat.say("black water bottles under $50 in stock")
    expect(chat.cards.first).to_be_visible()
    path = out / "store-phone.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    chat.page.screenshot(path=str(path))
    return path


def order_status(browser: Browser, server: AisleServer, out: Path) -> Path:
    chat = _page(browser, server)
    chat.say("Where is my order #W6679257?")
    chat.say("I'm Yusuf Rossi, zip code 19122")
    expect(chat.bot("Order #W6679257 is delivered.")).to_be_visible()
    return widget_screenshot(chat.page, out / "widget-order-status.png")


def agent_console(browser: Browser, server: AisleServer, out: Path) -> Path:
    """Dana's console: two shoppers waiting, one of them (signed in, with orders) claimed and
    answered; an internal note. Writes agent-inbox.png too (the inbox before the claim)."""
    if server.running and "dana@shop.example" not in server.cli("users", "list"):
        add_team(server)  # a running server (--server) has its team already
    dana = Console(browser, server.url, device_scale_factor=1)
    dana.sign_in("dana@shop.example")
    yusuf = _page(browser, server, device_scale_factor=1)
    yusuf.say("Where is my order #W6679257?")
    yusuf.say("I'm Yusuf Rossi, zip code 19122")
    yusuf.say("I want to talk to a person, the blender in that order arrived broken")
    guest = _page(browser, server, device_scale_factor=1)
    guest.say("I would like to speak to a person please, about a gift card for my mum")
    expect(dana.by("inbox-row")).to_have_count(2)
    out.mkdir(parents=True, exist_ok=True)
    dana.page.screenshot(path=str(out / "agent-inbox.png"))
    conversation = dana.by("inbox-row").first.get_attribute("data-conversation")
    assert conversation
    dana.open(conversation)
    dana.by("claim").click()
    dana.by("saved-replies").select_option("greeting")
    dana.by("reply-send").click()
    expect(yusuf.log).to_contain_text("I'm Dana")
    yusuf.say("thanks! it's the glass jug, it cracked")
    dana.note("Second broken jug this month from this batch; replacement approved.")
    dana.by("reply-input").fill("I'm sorry about that. I can send a replacement jug today.")
    path = out / "agent-conversation.png"
    dana.page.screenshot(path=str(path))
    dana.close()
    return path


SCENES: dict[str, Callable[[Browser, AisleServer, Path], Path]] = {
    "desktop": desktop,
    "phone": phone,
    "order-status": order_status,
    "agent-console": agent_console,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--only", nargs="*", choices=sorted(SCENES), default=sorted(SCENES))
    parser.add_argument("--server", help="a running server's URL (default: start one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aisle-screenshots-") as directory:
        server = AisleServer(Path(directory))
        if args.server:
            server.url = args.server.rstrip("/")
        else:
            print(f"preparing a server in {directory} (migrate, seed, train, ingest)...")
            server.prepare()
            server.start()
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=str(CHROMIUM))
                for name in args.only:
                    print(f"{name}: {SCENES[name](browser, server, args.out)}")
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
