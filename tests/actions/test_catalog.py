"""Reading shoppers' words against the catalog: items, option values, variants, methods."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from actions.addresses import known_address_named, parse_address
from actions.catalog import mentioned_items
from actions.names import name_pairs
from actions.payments import mentioned_methods
from actions.variant_choice import choose_variant
from assistant.backends.orders import (
    AddressView,
    OrderItemView,
    PaymentMethodView,
    ProductView,
    VariantView,
)
from assistant.engine.domain import load_domain
from assistant.search.words import mentioned_values, names_product

KEYBOARD = ProductView(
    id="k",
    name="Mechanical Keyboard",
    variants=tuple(
        VariantView(item_id=item_id, options=options, price=Decimal(price), available=available)
        for item_id, options, price, available in [
            ("k1", {"switch type": "linear", "backlight": "RGB", "size": "full size"}, "270", True),
            (
                "k2",
                {"switch type": "clicky", "backlight": "RGB", "size": "full size"},
                "280",
                False,
            ),
            (
                "k3",
                {"switch type": "clicky", "backlight": "none", "size": "full size"},
                "260",
                True,
            ),
            ("k4", {"switch type": "clicky", "backlight": "RGB", "size": "80%"}, "240", True),
            ("k5", {"switch type": "tactile", "backlight": "none", "size": "60%"}, "200", True),
        ]
    ),
)
CURRENT = OrderItemView(
    item_id="k1",
    product_id="k",
    name="Mechanical Keyboard",
    options=dict(KEYBOARD.variants[0].options),
    price=Decimal("270"),
)


def _item(name: str, product_id: str, item_id: str, **options: str) -> OrderItemView:
    return OrderItemView(item_id, product_id, name, options, Decimal("10"))


def test_products_are_named_by_full_name_or_head_noun() -> None:
    assert names_product("exchange my mechanical keyboards", "Mechanical Keyboard")
    assert names_product("the keyboard please", "Mechanical Keyboard")
    assert names_product("my tshirt", "T-Shirt") and names_product("the t shirt", "T-Shirt")
    assert not names_product("my smart watch", "Smart Thermostat")


def test_items_of_an_order_are_picked_by_name_and_options() -> None:
    items = [
        _item("T-Shirt", "t", "t1", color="blue", size="S"),
        _item("T-Shirt", "t", "t2", color="red", size="L"),
        _item("Water Bottle", "w", "w1", capacity="500ml"),
    ]
    assert mentioned_items("return the water bottle", items) == [2]
    # Two t-shirts: the name alone is ambiguous, the colour decides.
    assert mentioned_items("return the t-shirt", items) == []
    assert mentioned_items("the red t-shirt and the bottle", items) == [1, 2]


def test_option_values_come_from_the_catalog_vocabulary() -> None:
    options = [v.options for v in KEYBOARD.variants]
    assert mentioned_values("one with clicky switches", options) == {"switch type": {"clicky"}}
    assert mentioned_values("size 80% please", options) == {"size": {"80%"}}
    sizes = [{"size": "S"}, {"size": "M"}, {"size": "XL"}]
    assert mentioned_values("size S", sizes) == {"size": {"S"}}
    assert mentioned_values("a small one", sizes) == {"size": {"S"}}
    # A size named as the thing itself: "an XL", "in M".
    assert mentioned_values("exchange it for an XL in black", sizes) == {"size": {"XL"}}
    assert mentioned_values("do you have it in M?", sizes) == {"size": {"M"}}
    # One-letter values never match inside words or on their own in a sentence.
    assert mentioned_values("Is my order shipped", sizes) == {}
    assert mentioned_values("1000 ml", [{"capacity": "1000ml"}]) == {"capacity": {"1000ml"}}


def test_choose_variant_keeps_what_is_not_mentioned() -> None:
    choice = choose_variant("the same one but clicky", KEYBOARD, CURRENT)
    # k2 (clicky, RGB, full size) is unavailable: the closest available clicky ones tie.
    assert choice.chosen is None
    assert {v.item_id for v in choice.candidates} == {"k3", "k4"}
    assert choose_variant("clicky with no backlight", KEYBOARD, CURRENT).chosen == KEYBOARD.variant(
        "k3"
    )
    assert choose_variant("clicky, 80%", KEYBOARD, CURRENT).chosen == KEYBOARD.variant("k4")
    assert choose_variant("the cheapest one", KEYBOARD, CURRENT).chosen == KEYBOARD.variant("k5")


def test_choose_variant_reports_values_nothing_available_has() -> None:
    choice = choose_variant("tactile, full size", KEYBOARD, CURRENT)
    assert choice.chosen is None
    assert choice.unmatched == {"switch type": {"tactile"}, "size": {"full size"}}
    # Nothing mentioned: every available alternative is offered, closest first.
    offered = choose_variant("something else", KEYBOARD, CURRENT).candidates
    assert [v.item_id for v in offered][:1] == ["k3"] or [v.item_id for v in offered][:1] == ["k4"]
    assert "k1" not in {v.item_id for v in offered} and "k2" not in {v.item_id for v in offered}


METHODS = [
    PaymentMethodView("credit_card_1", "credit_card", "visa", "1234"),
    PaymentMethodView("credit_card_2", "credit_card", "amex", "9999"),
    PaymentMethodView("paypal_1", "paypal"),
    PaymentMethodView("gift_card_1", "gift_card", balance=Decimal("50")),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my gift card", ["gift_card_1"]),
        ("paypal please", ["paypal_1"]),
        ("the amex", ["credit_card_2"]),
        ("the card ending 1234", ["credit_card_1"]),
        ("the credit card", ["credit_card_1", "credit_card_2"]),
    ],
)
def test_payment_methods_from_words(text: str, expected: list[str]) -> None:
    assert [m.id for m in mentioned_methods(text, METHODS)] == expected


def test_name_pairs_skip_filler_words() -> None:
    assert name_pairs("Hi, I'm Yusuf Rossi and my zip is 19122")[0] == ("Yusuf", "Rossi")
    assert ("mei", "kovacs") in name_pairs("mei_kovacs_8020, 28236")


def test_addresses_are_parsed_with_states_by_name_or_code() -> None:
    parsed = parse_address("445 Maple Drive, Suite 394, Fort Worth, Texas, 76165")
    assert parsed is not None
    assert (parsed.address1, parsed.address2, parsed.city, parsed.state, parsed.zip) == (
        "445 Maple Drive",
        "Suite 394",
        "Fort Worth",
        "TX",
        "76165",
    )
    moved = parse_address("please use 101 Highway, New York, NY 10001, USA")
    assert moved is not None and (moved.address1, moved.city, moved.state) == (
        "101 Highway",
        "New York",
        "NY",
    )
    assert parse_address("somewhere in New York") is None
    assert parse_address("101 Highway, New York") is None  # no state or zip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("77 birch st apt 3 charlotte nc 28205", ("77 Birch St", "Apt 3", "Charlotte", "NC")),
        ("new adress 5 main street new york ny 10001 pls", ("5 Main Street", "", "New York", "NY")),
    ],
)
def test_an_address_typed_without_commas_is_read_by_its_street_suffix_and_state(
    text: str, expected: tuple[str, str, str, str]
) -> None:
    parsed = parse_address(text)
    assert parsed is not None
    assert (parsed.address1, parsed.address2, parsed.city, parsed.state) == expected
    assert parse_address("my zip is 28205 and I live in charlotte") is None


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        ("delivered", "Order #W1 is delivered."),
        ("exchange requested", "Order #W1 has an exchange requested."),
        ("return requested", "Order #W1 has a return requested."),
        ("pending (items modified)", "Order #W1 is pending, with its items changed."),
    ],
)
def test_status_lines_read_as_sentences(status: str, sentence: str) -> None:
    from actions.common import status_line, status_state

    domain = load_domain(Path(__file__).resolve().parents[2] / "actions" / "domain.yml")
    line = status_line("#W1", status)
    assert domain.render("utter_order_status", {"lines": [line]}).text == sentence
    # After "is": never a bare "is exchange requested".
    assert "requested" not in status_state(status)


def test_an_offered_address_is_named_in_words() -> None:
    home = AddressView("443 Maple Drive", "Suite 394", "Fort Worth", "TX", "USA", "76165")
    other = AddressView("101 Highway", "", "New York", "NY", "USA", "10001")
    options = {"default": ("Use my default", home), "order:#W4082615": ("Use NY", other)}
    assert known_address_named("The address on my account.", options) == "default"
    assert known_address_named("my default address please", options) == "default"
    assert known_address_named("same as order #W4082615", options) == "order:#W4082615"
    assert known_address_named("send it to my new york address", options) == "order:#W4082615"
    assert known_address_named("somewhere else entirely", options) is None
    # Not the order being changed, and not a button's payload.
    assert known_address_named("my order #W4082615", options, changing="#W4082615") is None
    assert known_address_named('/inform{"order_id":"#W4082615"}', options) is None
    # Without a default to offer (changing the default itself), its words name nothing.
    assert (
        known_address_named("my default address", {"order:#W4082615": options["order:#W4082615"]})
        is None
    )


def test_one_of_two_identical_items_is_one_of_them() -> None:
    glass = {"material": "glass", "capacity": "2 liters"}
    kettles = [
        OrderItemView("k1", "p1", "Tea Kettle", dict(glass), Decimal("94.80")),
        OrderItemView("k2", "p1", "Tea Kettle", dict(glass), Decimal("94.80")),
    ]
    assert mentioned_items("exchange one glass tea kettle", kettles) == [0]
    assert mentioned_items("exchange both glass tea kettles", kettles) == [0, 1]


def test_an_item_named_to_say_which_order_is_not_one_to_change() -> None:
    items = [
        OrderItemView("b", "p1", "Backpack", {}, Decimal("200.38")),
        OrderItemView("v", "p2", "Vacuum Cleaner", {}, Decimal("622.12")),
    ]
    assert mentioned_items("return the backpack I received with the vacuum cleaner", items) == [0]
    assert mentioned_items("the backpack from the order with the vacuum cleaner", items) == [0]
    assert mentioned_items("return the backpack and the vacuum cleaner", items) == [0, 1]


def test_a_stated_preference_picks_where_it_can_and_asks_for_nothing_else() -> None:
    def puzzle(item_id: str, pieces: str, theme: str) -> VariantView:
        options = {"pieces": pieces, "theme": theme, "difficulty level": "intermediate"}
        return VariantView(item_id, options, Decimal("50"), True)

    puzzles = ProductView(
        "p9",
        "Jigsaw Puzzle",
        (puzzle("j1", "500", "art"), puzzle("j2", "1500", "art"), puzzle("j3", "1500", "animals")),
    )
    current = OrderItemView(
        "j1", "p9", "Jigsaw Puzzle", dict(puzzles.variants[0].options), Decimal("50")
    )
    wish = "1000 more pieces, and I prefer {} theme if both are available"
    liked = choose_variant(wish.format("animal than art"), puzzles, current)
    assert liked.chosen == puzzles.variant("j3")
    kept = choose_variant(wish.format("art over the animal"), puzzles, current)
    assert kept.chosen == puzzles.variant("j2")


def test_two_alike_items_counted_in_words_are_both_of_them() -> None:
    boards = [
        OrderItemView("s1", "p2", "Skateboard", {"length": "28 inch"}, Decimal("186")),
        OrderItemView("s2", "p2", "Skateboard", {"length": "34 inch"}, Decimal("202")),
        OrderItemView("w1", "p3", "Smart Watch", {"color": "black"}, Decimal("339")),
    ]
    said = "I'm angry about the two skateboards I just bought. I want to return them"
    assert mentioned_items(said, boards) == [0, 1]
    # Named once, without a count or an option: which one is still asked.
    assert mentioned_items("return the skateboard", boards) == []


def test_a_second_alike_item_asked_for_apart_is_chosen_too() -> None:
    glass = {"material": "glass", "capacity": "2 liters"}
    kettles = [
        OrderItemView("k1", "p1", "Tea Kettle", dict(glass), Decimal("94.80")),
        OrderItemView("k2", "p1", "Tea Kettle", dict(glass), Decimal("94.80")),
    ]
    said = "exchange one tea kettle to ceramic, and another tea kettle to 1.5 liters"
    assert mentioned_items(said, kettles) == [0, 1]
