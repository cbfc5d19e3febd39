"""Suggestions by kind, end to end on the demo store: complements from the store's table,
look-alikes from a card's "More like this", gifts for an interest within a budget, a question
when there is nothing to go on, "show more" that stays on the suggestion, and suggestions for
a signed-in customer from their orders."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.conversations.conftest import YUSUF, YUSUF_EMAIL, Shopper, Store

# knowledge_base/catalog/what-goes-with-what.md
KEYBOARD_GOES_WITH = {"Gaming Mouse", "Desk Lamp", "Headphones", "Office Chair"}
COFFEE = {"Coffee Maker", "Espresso Machine", "Electric Kettle", "Tea Kettle"}


def suggested(shopper: Shopper) -> list[dict[str, Any]]:
    found = [c for c in shopper.cards("product_cards") if c.get("suggestions")]
    assert len(found) == 1, shopper.dump()
    return list(found[0]["cards"])


def test_to_go_with_suggests_complements_with_their_reason(shopper: Shopper) -> None:
    shopper.say("anything to go with my mechanical keyboard?")
    cards = suggested(shopper)
    assert len(cards) == 3, shopper.dump()
    assert {c["name"] for c in cards} <= KEYBOARD_GOES_WITH, shopper.dump()
    # The demo orders are random: no pair has the support "often bought with" needs.
    assert all(c["reason"] == "goes with your Mechanical Keyboard" for c in cards), shopper.dump()

    # The shown suggestions can be compared like search results.
    shopper.say("compare the first two")
    assert shopper.cards("product_comparison"), shopper.dump()

    # "Show more" goes on with the same suggestion, not the whole catalog.
    shopper.say("show more")
    more = suggested(shopper)
    assert more and {c["name"] for c in more} <= KEYBOARD_GOES_WITH, shopper.dump()
    assert not {c["name"] for c in more} & {c["name"] for c in cards}
    assert "4–4 of 4 suggestions" in shopper.text, shopper.dump()
    shopper.say("show more")
    assert "That's all I'd suggest to go with your Mechanical Keyboard" in shopper.text


def test_more_like_this_is_the_same_kind_never_a_complement(shopper: Shopper) -> None:
    shopper.say("show me headphones")
    card = shopper.cards("product_cards")[0]["cards"][0]
    like = next(b for b in card["buttons"] if b["title"] == "More like this")
    shopper._send(like["title"], payload=like["payload"])
    cards = suggested(shopper)
    assert len(cards) == 3 and card["item_id"] not in {c["item_id"] for c in cards}
    assert {c["name"] for c in cards} <= {"Headphones", "Wireless Earbuds", "Bluetooth Speaker"}
    same = [c for c in cards if c["name"] == "Headphones"]
    assert same and all(c["reason"].startswith("same type") for c in same), shopper.dump()
    price = Decimal(card["price"])
    for other in same:
        word = "cheaper" if Decimal(other["price"]) < price else "pricier"
        assert word in other["reason"] or Decimal(other["price"]) == price
    others = [c for c in cards if c["name"] != "Headphones"]
    assert all(c["reason"] == "like the Headphones" for c in others), shopper.dump()


def test_typos_and_pointing_at_a_card(shopper: Shopper) -> None:
    shopper.say("sumthing to go wiht my new keybaord?")
    cards = suggested(shopper)
    assert {c["name"] for c in cards} <= KEYBOARD_GOES_WITH, shopper.dump()
    first = cards[0]
    shopper.say("more like the first one")
    alike = suggested(shopper)
    assert first["item_id"] not in {c["item_id"] for c in alike}, shopper.dump()
    assert {c["name"] for c in alike} & {first["name"]}, shopper.dump()
    # Look-alikes of that card, never its complements.
    assert all(c["reason"].startswith(("same type", "like the")) for c in alike), shopper.dump()


def test_a_gift_for_an_interest_within_the_budget(shopper: Shopper) -> None:
    shopper.say("a gift for my dad who loves coffee, under $300")
    cards = suggested(shopper)
    assert cards and {c["name"] for c in cards} <= COFFEE, shopper.dump()
    assert all(Decimal(c["price"]) <= 300 for c in cards)
    assert all(c["reason"] == "for coffee lovers" for c in cards), shopper.dump()
    assert "for your dad (coffee)" in shopper.text


def test_a_gift_without_an_interest_asks_one_question(shopper: Shopper) -> None:
    shopper.say("I need a present for my sister, under $120")
    assert not shopper.cards("product_cards"), shopper.dump()
    assert shopper.text.startswith("What does your sister like?"), shopper.dump()
    shopper.say("she's really into yoga")
    cards = suggested(shopper)
    assert "Yoga Mat" in {c["name"] for c in cards}, shopper.dump()
    assert all(Decimal(c["price"]) <= 120 for c in cards), shopper.dump()
    assert all(c["reason"] == "for yoga lovers" for c in cards), shopper.dump()


def test_a_gift_with_no_good_candidate_says_so(shopper: Shopper) -> None:
    shopper.say("what should I get my boss for christmas?")
    assert "What does your boss like?" in shopper.text, shopper.dump()
    shopper.say("quantum chromodynamics")
    assert not shopper.cards("product_cards"), shopper.dump()
    assert "nothing I'd pick for that" in shopper.text, shopper.dump()
    # Only the very next message answers the question: a later one is read afresh.
    shopper.say("show me backpacks")
    assert shopper.cards("product_cards") and "Backpack" in shopper.text, shopper.dump()


def test_a_signed_in_customer_gets_what_goes_with_their_orders(
    shopper: Shopper, store: Store
) -> None:
    orders = [store.order(order) for order in store.customer(YUSUF).order_ids]
    bought = {line.product_id for o in orders if o.status != "cancelled" for line in o.items}
    shopper.say("where is my order?")
    shopper.say(YUSUF_EMAIL)
    shopper.say("what would you recommend for me?")
    cards = suggested(shopper)
    assert cards and not {c["product_id"] for c in cards} & bought, shopper.dump()
    assert all(c["reason"].startswith("goes with your ") for c in cards), shopper.dump()


def test_for_me_before_signing_in_starts_from_what_we_talked_about(shopper: Shopper) -> None:
    shopper.say("im looking for a mechanical keybaord")
    shopper.say("what would you recomend for me")
    cards = suggested(shopper)
    # Not "popular in the store": the keyboard the conversation is about is the interest.
    assert cards and {c["name"] for c in cards} <= KEYBOARD_GOES_WITH, shopper.dump()
    assert "don't know your taste" not in shopper.text, shopper.dump()


def test_for_me_with_nothing_to_go_on_asks(shopper: Shopper) -> None:
    shopper.say("what would you recommend for me?")
    assert "don't know your taste yet" in shopper.text, shopper.dump()
    assert all(c["reason"] == "popular in the store" for c in suggested(shopper))


def test_an_email_said_out_of_the_blue_signs_the_shopper_in(shopper: Shopper) -> None:
    shopper.say("my email is nobody.here@example.com")
    assert "couldn't find an account with the email nobody.here@example.com" in shopper.text
    shopper.say(f"it's {YUSUF_EMAIL}")
    assert "I've found your account" in shopper.text, shopper.dump()
    assert "What can I do for you?" in shopper.text, shopper.dump()
    assert "outside what I can help with" not in shopper.text, shopper.dump()
    shopper.say("what would you recommend for me?")
    assert all(c["reason"].startswith("goes with your ") for c in suggested(shopper))
