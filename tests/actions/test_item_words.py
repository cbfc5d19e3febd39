"""Which of a shopper's words are about which item: refusals at a confirmation, the clauses
about each item of a change, choices typed back, options the shopper does not care about,
variants by number or by count, alike items told apart by options or price, lists that are
one request, addresses without a state, changes asked of the shopper's own purchases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from actions.addresses import parse_address, state_of
from actions.catalog import described_alike, mentioned_items, names_item, taken_and_refused
from actions.comparisons import counted_values
from actions.order_choice import order_by_price, order_match
from actions.variant_choice import choose_variant
from actions.variant_words import (
    indifferent_to,
    typed_option,
    without_indifference,
    words_about,
)
from assistant.backends.orders import (
    AddressView,
    OrderItemView,
    OrderView,
    ProductView,
    VariantView,
)
from assistant.engine.nlu.result import Entity
from assistant.engine.readings import changes_own_purchase, split_requests
from assistant.engine.slots import _compared_to


@pytest.mark.parametrize(
    ("text", "taken", "refused"),
    [
        ("no, i don't want that for the espresso machine.", "", "espresso machine"),
        ("it's the tea kettle i want to return not the helmet", "tea kettle", "helmet"),
        ("never mind the keyboard, only the thermostat", "thermostat", "keyboard"),
        ("no, only the desk lamp", "desk lamp", ""),
    ],
)
def test_a_refusal_is_read_apart_from_what_is_taken(text: str, taken: str, refused: str) -> None:
    took, refusing = taken_and_refused(text)
    assert (taken in took) and (taken == "" or taken not in refusing)
    assert (refused in refusing) and (refused == "" or refused not in took)


def _item(name: str, item_id: str, **options: str) -> OrderItemView:
    return OrderItemView(item_id, name.lower(), name, options, Decimal("10"))


def test_an_item_named_only_to_refuse_it_is_not_taken() -> None:
    items = [_item("Espresso Machine", "e"), _item("Electric Kettle", "k")]
    took, refusing = taken_and_refused("no, i don't want that for the espresso machine")
    assert mentioned_items(took, items) == []
    assert mentioned_items(refusing, items) == [0]


def test_each_item_gets_the_words_about_it() -> None:
    text = (
        "I want to exchange the helmet for a medium sized, red, high ventilation type. "
        "I want to exchange the luggage set (in another order) to a two-piece black one"
    )
    helmet = words_about(text, "Cycling Helmet", ["Cycling Helmet", "Luggage Set"])
    assert "red" in helmet and "black" not in helmet
    # Shared wishes, which name no product, stay with every item.
    both = "exchange the bottle and the lamp. prefer polyester"
    assert "polyester" in words_about(both, "Water Bottle", ["Water Bottle", "Desk Lamp"])


def test_options_it_does_not_care_about_are_not_wishes() -> None:
    said = without_indifference("boots in size 8, but do not care about waterproof or not")
    assert "8" in said and "waterproof" not in said


def test_a_choice_typed_back_is_that_choice() -> None:
    labels = [
        ("color: black", "a"),
        ("color: black, ventilation: medium", "b"),
        ("size: 8", "c"),
    ]
    assert typed_option("The one with color: black, ventilation: medium.", labels) == "b"
    assert typed_option("size: 80%", labels) is None


THERMOSTAT = ProductView(
    id="t",
    name="Smart Thermostat",
    variants=tuple(
        VariantView(item_id=i, options={"compatibility": c}, price=Decimal(p), available=True)
        for i, c, p in [
            ("1111111111", "Apple HomeKit", "260"),
            ("2222222222", "Google Assistant", "250"),
            ("3333333333", "Amazon Alexa", "230"),
        ]
    ),
)
CURRENT = OrderItemView(
    "1111111111", "t", "Smart Thermostat", {"compatibility": "Apple HomeKit"}, Decimal("260")
)


def test_a_variant_is_picked_by_its_number() -> None:
    chosen = choose_variant("change it to item 3333333333 please", THERMOSTAT, CURRENT).chosen
    assert chosen is not None and chosen.item_id == "3333333333"


def test_instead_of_the_current_value_means_any_other() -> None:
    choice = choose_variant("one for Google Home instead of Apple HomeKit", THERMOSTAT, CURRENT)
    assert {v.item_id for v in choice.candidates} == {"2222222222", "3333333333"}


def test_alike_items_are_told_apart_by_their_options() -> None:
    items = [
        _item("Vacuum Cleaner", "v1", type="canister"),
        _item("Vacuum Cleaner", "v2", type="robotic"),
        _item("Air Purifier", "a"),
    ]
    assert described_alike("the robotic one", items, [0, 1]) == [1]
    assert described_alike("either", items, [0, 1]) == []


def _order(order_id: str, *items: OrderItemView) -> OrderView:
    home = AddressView("1 Main St", "", "Austin", "TX", "USA", "78701")
    return OrderView(order_id, "c", "pending", home, tuple(items), (), ())


def test_an_order_is_found_by_the_options_of_the_item_named() -> None:
    big = _order("#W1", _item("T-Shirt", "t1", size="XXL", color="black"))
    small = _order("#W2", _item("T-Shirt", "t2", size="S", color="blue"))
    found = order_match("change my small tshirt to purple", [big, small])
    assert found is not None and found.id == "#W2"


def test_a_list_of_items_is_one_request() -> None:
    assert split_requests("I want to return the cleaner, headphone, and smart watch") == [
        "I want to return the cleaner, headphone, and smart watch"
    ]
    assert split_requests("how long does shipping take, and can I pay with paypal?") == [
        "how long does shipping take",
        "can I pay with paypal?",
    ]


BOOTS = ProductView(
    id="b",
    name="Hiking Boots",
    variants=tuple(
        VariantView(item_id=i, options=o, price=Decimal(p), available=True)
        for i, o, p in [
            ("b10", {"size": "10", "material": "synthetic", "waterproof": "yes"}, "250"),
            ("b8n", {"size": "8", "material": "synthetic", "waterproof": "no"}, "240"),
            ("b8l", {"size": "8", "material": "leather", "waterproof": "yes"}, "260"),
        ]
    ),
)
BOOTS_NOW = OrderItemView(
    "b10", "b", "Hiking Boots", {"size": "10", "material": "synthetic", "waterproof": "yes"},
    Decimal("250"),
)  # fmt: skip


def test_a_variant_that_changes_more_than_asked_is_offered_not_chosen() -> None:
    # Size 8 comes only with another material or without waterproofing: the shopper chooses.
    asked = choose_variant("size 8 please", BOOTS, BOOTS_NOW)
    assert asked.chosen is None and {v.item_id for v in asked.candidates} == {"b8n", "b8l"}
    # Unless what else changes is what they said they do not care about.
    said = "size 8, same material, I don't care about waterproof or not"
    free = indifferent_to(said, BOOTS_NOW.options)
    assert free == {"waterproof"}
    chosen = choose_variant(without_indifference(said), BOOTS, BOOTS_NOW, free=free).chosen
    assert chosen is not None and chosen.item_id == "b8n"


def test_a_count_moves_the_current_number() -> None:
    variants = [VariantView(str(n), {"pieces": str(n)}, Decimal(1), True) for n in (500, 1500)]
    assert counted_values("1000 more pieces please", variants, {"pieces": "500"}) == {
        "pieces": {"1500"}
    }
    assert counted_values("1000 more pieces", variants, {"pieces": "1500"}) == {}


def test_an_item_is_named_by_a_first_word_that_is_a_name_of_its_own() -> None:
    assert names_item("return the jigsaw", "Jigsaw Puzzle")
    assert names_item("the vacuum, please", "Vacuum Cleaner")
    assert not names_item("I just got into gaming", "Gaming Mouse")
    assert not names_item("the running track", "Running Shoes")


def test_the_dearer_of_two_items_in_different_orders_picks_its_order() -> None:
    cheap = _order("#W1", OrderItemView("t1", "t", "Tablet", {}, Decimal("900")))
    dear = _order("#W2", OrderItemView("t2", "t", "Tablet", {}, Decimal("990")))
    found = order_by_price("return the more expensive tablet", [cheap, dear])
    assert found is not None and found.id == "#W2"
    later = order_by_price("no, the cheaper one", [cheap, dear], named_in="my two tablets")
    assert later is not None and later.id == "#W1"
    assert order_by_price("return the tablet", [cheap, dear]) is None


def test_an_address_without_its_state_takes_the_state_of_its_zip_code() -> None:
    parsed = parse_address("101 Highway, New York, 10001")
    assert parsed is not None and (parsed.city, parsed.state) == ("New York", "NY")
    # A city the zip code does not serve: the state is not guessed.
    assert parse_address("101 Highway, Springfield, 10001") is None
    assert state_of("62701", "Springfield") == "IL"


def test_a_value_named_to_compare_with_fills_no_slot() -> None:
    text = "The same address as order #W8277957."
    entity = Entity("order_id", "#W8277957", text.index("#"), text.index("#") + 9, "regex")
    assert _compared_to(text, entity)
    plain = "cancel order #W8277957"
    assert not _compared_to(plain, Entity("order_id", "#W8277957", 13, 22, "regex"))


@pytest.mark.parametrize(
    ("text", "changes"),
    [
        ("I want to modify the grill I just ordered to the same type", True),
        (
            "I recently faced a financial issue and want to cancel or return all possible orders",
            True,
        ),
        ("I want to cancel or return everything not associated with it", True),
        ("cancel my dinner reservation", False),
        ("I want to change the oil in my car", False),
    ],
)
def test_a_change_to_the_shoppers_own_purchases_is_recognised(text: str, changes: bool) -> None:
    assert changes_own_purchase(text) is changes


def test_in_it_points_back_to_the_order_just_talked_about() -> None:
    from rasa_sdk import Tracker

    from actions.order_task import _order_referred_to

    looked_up = _order("#W1", OrderItemView("v", "v", "Vacuum Cleaner", {}, Decimal("1")))
    other = _order("#W2", OrderItemView("p", "p", "Pet Bed", {}, Decimal("1")))
    events = [{"event": "slot", "name": "order_id", "value": "#W1"}]
    tracker = Tracker("s", {}, {"text": "", "entities": []}, events, False, None, {}, None)
    said = "return all the items in it except the pet bed"
    assert _order_referred_to(tracker, said, [looked_up, other]) == looked_up
    assert _order_referred_to(tracker, "return the pet bed", [looked_up, other]) is None


def test_a_value_the_item_already_has_is_said_to_be_there() -> None:
    from actions.new_items import _already

    chair = ProductView(
        id="c",
        name="Office Chair",
        variants=tuple(
            VariantView(i, {"color": c}, Decimal(1), True)
            for i, c in (("c1", "black"), ("c2", "blue"))
        ),
    )
    black = OrderItemView("c1", "c", "Office Chair", {"color": "black"}, Decimal(1))
    assert _already("change the office chair to a black one", chair, black) == "color: black"
    assert _already("change my black office chair to a blue one", chair, black) == ""
    assert _already("my black office chair", chair, black) == ""
