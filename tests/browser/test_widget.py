"""The widget in a real browser on the demo store page, against the real server: the tasks a
shopper comes for, typed and clicked, and what the widget hands to the page.

The shoppers and orders are the demo store's (tests/conversations/conftest.py lists them).
"""

from __future__ import annotations

import re
import time
from decimal import Decimal

import httpx
import jwt
import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import IDENTITY_SECRET, AisleServer, Chat, FrameLog

# The first test also waits for the server to be prepared (a few minutes on two cores).
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

ASK_IDENTITY = "Before I can look at your orders I need to confirm who you are"
YUSUF = "yusuf_rossi_9620"
YUSUF_EMAIL = "yusuf.rossi7301@example.com"
GREETING_ASK = "What can I do for you?"


def test_order_status_by_typing(chat: Chat) -> None:
    chat.open()
    chat.say("Where is my order #W6679257?")
    expect(chat.bot(ASK_IDENTITY)).to_be_visible()
    # Nothing about the order is shown before the shopper has proven who they are.
    expect(chat.log).not_to_contain_text("delivered")

    chat.say("I'm Yusuf Rossi, zip code 19122")
    expect(chat.bot("Thanks, Yusuf")).to_be_visible()
    expect(chat.bot("Order #W6679257 is delivered.")).to_be_visible()
    # The tracking number is on the order card, not repeated in the text beside it.
    expect(chat.log.locator(".aisle-order").last).to_contain_text("522129247270")
    # What the shopper typed is shown once each, as their own messages.
    expect(chat.user("Where is my order #W6679257?")).to_have_count(1)
    expect(chat.user("I'm Yusuf Rossi, zip code 19122")).to_have_count(1)
    expect(chat.input).to_have_value("")


def test_order_status_by_clicking(chat: Chat, frames: FrameLog) -> None:
    chat.open()
    chat.say("hi")
    expect(chat.bot(GREETING_ASK)).to_be_visible()
    chat.click_reply("What can you do?")
    # The click shows the button's title as the shopper's message and gets the answer.
    expect(chat.user("What can you do?")).to_have_count(1)
    expect(chat.bot("look up your orders")).to_be_visible()

    chat.say("What's the status of my order?")
    chat.say("I'm Yusuf Rossi, zip code 19122")
    expect(chat.bot("Which order would you like to look up?")).to_be_visible()
    # Yusuf's five orders, offered as quick replies.
    offered = chat.replies.filter(has_text=re.compile(r"^#W\d{7}"))
    expect(offered).to_have_count(5)
    chat.click_reply(re.compile(r"^#W6679257"))
    expect(chat.bot("Order #W6679257 is delivered.")).to_be_visible()
    # The tracking number is on the order card, not repeated in the text beside it.
    expect(chat.log.locator(".aisle-order").last).to_contain_text("522129247270")

    # Each click sent the button's payload along with its title.
    payloads = [f.get("payload") for f in frames.of_type("message", frames.sent)]
    assert "/help" in payloads
    assert '/inform{"order_id":"#W6679257"}' in payloads


def test_an_order_status_shows_an_order_card(chat: Chat) -> None:
    chat.open()
    chat.say("Where is my order #W2378156?")
    chat.say(f"My email is {YUSUF_EMAIL}")
    expect(chat.bot("Order #W2378156 is delivered.")).to_be_visible()
    card = chat.log.locator(".aisle-order")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("#W2378156")
    expect(card).to_contain_text("delivered")
    expect(card).to_contain_text("843053632392")  # the tracking number
    expect(card).to_contain_text("Smart Watch")


def test_a_search_shows_cards_and_add_to_cart_fills_the_page_cart(
    chat: Chat, page: Page, frames: FrameLog
) -> None:
    page.evaluate(
        "() => { window.addedToCart = []; Aisle.on('add_to_cart', (item) => "
        "window.addedToCart.push(item)); }"
    )
    expect(page.locator("#products li").first).to_be_visible()
    expect(page.locator("#cart-count")).to_have_text("0")
    expect(page.locator("#cart-items li")).to_have_count(0)

    chat.open()
    # Three black water bottles under $50 are in stock in the demo catalog.
    chat.say("black water bottles under $50 in stock")
    products = chat.log.get_by_role("list", name="Products").last
    expect(products).to_be_visible()
    expect(products).to_have_class(re.compile(r"\baisle-cards\b"))
    cards = products.locator(".aisle-card")
    expect(cards).to_have_count(3)
    for index in range(3):
        card = cards.nth(index)
        expect(card.locator(".aisle-card-name")).to_contain_text("Water Bottle")
        price = card.locator(".aisle-card-price").inner_text()
        match = re.search(r"\$(\d+\.\d\d)", price)
        assert match and Decimal(match[1]) <= 50, price
        for name in ("Details", "Add to cart", "More like this"):
            expect(card.get_by_role("button", name=re.compile(rf"^{name}"))).to_be_visible()

    first = cards.first
    name = first.locator(".aisle-card-name").inner_text().strip()
    with chat.turn():
        first.get_by_role("button", name=re.compile(r"^Add to cart")).click()
    expect(page.locator("#cart-count")).to_have_text("1")
    expect(page.locator("#cart-items li")).to_have_count(1)
    expect(page.locator("#cart-items li")).to_contain_text(name)

    # The page heard it through Aisle.on("add_to_cart"), with the card's item.
    added = page.evaluate("() => window.addedToCart")
    assert len(added) == 1, added
    (sent,) = [
        f
        for f in frames.of_type("message", frames.sent)
        if str(f.get("payload", "")).startswith("/add_to_cart")
    ]
    assert added[0]["item_id"] in sent["payload"], (added, sent)


def test_the_page_drives_the_widget_through_its_api(chat: Chat, page: Page) -> None:
    page.evaluate("() => { window.heard = []; Aisle.on('message', (m) => window.heard.push(m)); }")
    page.evaluate("() => Aisle.open()")
    expect(chat.panel).to_be_visible()
    with chat.turn():
        page.evaluate("() => Aisle.sendMessage('hi')")
    expect(chat.user(re.compile(r"^\s*hi\s*$"))).to_have_count(1)
    expect(chat.bot(GREETING_ASK)).to_be_visible()
    chat.page.wait_for_function("() => window.heard.length > 0")
    heard = page.evaluate("() => window.heard")
    texts = " ".join(str(m.get("text", "")) for m in heard if isinstance(m, dict))
    assert GREETING_ASK in texts, heard
    page.evaluate("() => Aisle.close()")
    expect(chat.panel).to_be_hidden()


def test_a_customer_the_store_vouches_for_needs_no_questions(chat: Chat, frames: FrameLog) -> None:
    token = jwt.encode(
        {"sub": YUSUF, "exp": int(time.time()) + 600}, IDENTITY_SECRET, algorithm="HS256"
    )
    chat.page.evaluate("(token) => Aisle.identify(token)", token)
    chat.open()
    chat.say("Where is my order #W6679257?")
    expect(chat.bot("Order #W6679257 is delivered.")).to_be_visible()
    expect(chat.log).not_to_contain_text(ASK_IDENTITY)
    assert [f["customer_id"] for f in frames.of_type("identified")] == [YUSUF]


def test_a_hand_off_shows_the_banner_and_tells_the_page(chat: Chat, page: Page) -> None:
    page.evaluate(
        "() => { window.handoffs = []; Aisle.on('handoff', (h) => window.handoffs.push(h)); }"
    )
    chat.open()
    chat.say("hi")
    chat.click_reply("Talk to a person")
    banner = chat.panel.locator(".aisle-banner")
    expect(banner).to_be_visible()
    page.wait_for_function("() => window.handoffs.length > 0")


def test_an_answer_from_the_policies_cites_its_sources(chat: Chat, server: AisleServer) -> None:
    chat.open()
    chat.say("How many days do I have to return an item?")
    links = chat.log.locator(".aisle-sources a[href]")
    expect(links.first).to_be_visible()
    # Each citation opens the knowledge base's page for its document.
    for href in links.evaluate_all("nodes => nodes.map(n => n.href)"):
        assert href.startswith(f"{server.url}/kb/"), href
        assert httpx.get(href, timeout=10).status_code == 200, href


def test_a_goodbye_offers_a_rating_and_the_rating_is_stored(chat: Chat, frames: FrameLog) -> None:
    chat.open()
    chat.say("hi")
    chat.say("goodbye")
    rating = chat.log.locator(".aisle-rating")
    expect(rating).to_be_visible()
    for score in range(1, 6):
        expect(rating.get_by_role("button", name=f"Rate {score} of 5")).to_be_visible()
    rating.get_by_role("button", name="Rate 4 of 5").click()
    # No ack for a rating: the stored system message is the answer.
    expect(
        chat.log.locator(".aisle-msg.aisle-system").filter(has_text="Thanks for rating")
    ).to_have_count(1)
    assert [f["score"] for f in frames.of_type("rate", frames.sent)] == [4]
