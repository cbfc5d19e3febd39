"""Shopping by conversation, end to end on the demo store: a search narrowed, widened, paged
and compared over several turns; nothing matching; adding to the cart, recorded as a shopper
event. Suggestions are `test_suggestions.py`."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from assistant.persistence.models import ShopperEvent
from tests.conversations.conftest import Shopper, Store


def cards(shopper: Shopper) -> list[dict]:
    found = shopper.cards("product_cards")
    assert len(found) == 1, shopper.dump()
    return list(found[0]["cards"])


def test_a_search_is_narrowed_compared_and_detailed(shopper: Shopper) -> None:
    shopper.say("show me t-shirts")
    assert "12 matches for T-Shirt" in shopper.text, shopper.dump()
    assert len(cards(shopper)) == 3
    shopper.say("in black")
    assert "4 matches for black T-Shirt" in shopper.text, shopper.dump()
    assert {c["options"]["color"] for c in cards(shopper)} == {"black"}
    shopper.say("under $52")
    found = cards(shopper)
    assert all(Decimal(c["price"]) <= Decimal("52") for c in found), shopper.dump()
    assert {c["options"]["color"] for c in found} == {"black"}
    page = [c["item_id"] for c in found]

    shopper.say("compare the first two")
    table = shopper.cards("product_comparison")
    assert len(table) == 1, shopper.dump()
    assert [c["item_id"] for c in table[0]["items"]] == page[:2]
    rows = {row["label"]: row for row in table[0]["rows"]}
    assert rows["color"]["values"] == ["black", "black"] and not rows["color"]["differs"]
    assert rows["size"]["differs"]

    shopper.say("tell me more about the second one")
    detail = cards(shopper)
    assert [c["item_id"] for c in detail] == [page[1]]
    assert "size:" in shopper.text and "$" in shopper.text, shopper.dump()
    titles = [b["title"] for b in detail[0]["buttons"]]
    assert titles == ["Details", "Add to cart", "More like this"]


def test_nothing_matches_names_what_to_relax(shopper: Shopper) -> None:
    shopper.say("black t-shirts under $10")
    assert "Nothing matches black T-Shirt, up to $10.00" in shopper.text, shopper.dump()
    assert "Without the price limit of $10.00: 4 matches" in shopper.text
    nearest = shopper.cards("product_cards")[0]
    assert nearest["nearest"] is True and nearest["cards"]
    assert all(c["name"] == "T-Shirt" for c in nearest["cards"])
    shopper.click("Drop the price limit")
    assert "4 matches for black T-Shirt" in shopper.text, shopper.dump()


def test_add_to_cart_is_handed_to_the_page_and_recorded(shopper: Shopper, store: Store) -> None:
    shopper.say("show me water bottles in stock")
    first = cards(shopper)[0]
    add = next(b for b in first["buttons"] if b["title"] == "Add to cart")
    shopper.transport.send("Add to cart", payload=add["payload"])
    replies = shopper.transport.send("Add to cart", payload=add["payload"])
    added = [r["custom"] for r in replies if (r.get("custom") or {}).get("type") == "add_to_cart"]
    assert added and added[0]["item_id"] == first["item_id"] and added[0]["quantity"] == 1
    with store.sessions() as session:
        events = session.scalars(
            select(ShopperEvent).where(ShopperEvent.kind == "add_to_cart")
        ).all()
        searches = session.scalars(select(ShopperEvent).where(ShopperEvent.kind == "search")).all()
    assert [e.item_id for e in events] == [first["item_id"]] * 2
    assert events[0].price == Decimal(first["price"])
    assert [e.query for e in searches] == ["show me water bottles in stock"]


def test_a_product_in_other_words_and_a_bare_name_are_searches(shopper: Shopper) -> None:
    shopper.say("I want a road bike")
    found = cards(shopper)
    assert found and all(c["name"] == "Bicycle" for c in found), shopper.dump()
    assert all(c["options"]["type"] == "road" for c in found)
    # A message the NLU does not place but made of the catalog's words is a search.
    shopper.say("purple backpacks")
    assert "Nothing matches purple Backpack" in shopper.text, shopper.dump()
    # And one that only mentions a product is not.
    shopper.say("my keyboard broke, what now?")
    assert not shopper.cards("product_cards"), shopper.dump()


# -- messy text, and what is no search ---------------------------------------------------------

SIGN_IN = ("email address", "zip code")


def test_a_misspelt_search_is_searched_and_says_how_it_was_read(shopper: Shopper) -> None:
    shopper.say("shwo me blak backpaks undr 100")
    text = shopper.text
    assert "Reading that as black Backpack, up to $100.00" in text, shopper.dump()
    # The reading is said once, not restated.
    assert text.count("Reading that as") == 1 and text.count("black Backpack") == 1
    shown = shopper.cards("product_cards")
    assert len(shown) == 1 and shown[0]["search"]["options"] == {"color": ["black"]}
    assert shown[0]["search"]["max_price"] == "100"


def test_a_run_together_product_keeps_its_colour(shopper: Shopper) -> None:
    shopper.say("blak tshirts")
    found = cards(shopper)
    assert found and all(c["name"] == "T-Shirt" for c in found), shopper.dump()
    assert {c["options"]["color"] for c in found} == {"black"}
    assert "Reading that as black T-Shirt" in shopper.text


def test_something_the_store_does_not_sell_lists_no_products(shopper: Shopper) -> None:
    shopper.say("i want to find a new car under $25000")
    assert shopper.cards("product_cards") == [], shopper.dump()
    assert "couldn't find anything like that in the catalog" in shopper.text
    assert "$" not in shopper.text and not any(w in shopper.text for w in SIGN_IN)


def test_another_domains_request_starts_no_sign_in(shopper: Shopper) -> None:
    shopper.say("look up the conversion rate for the euro")
    assert not any(w in shopper.text for w in SIGN_IN), shopper.dump()
    assert shopper.cards("product_cards") == [] and shopper.cards("answer") == []
