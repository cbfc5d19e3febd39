"""Reading an order task's facts from the shopper's own words: the cancellation reason, the
order they describe by what it holds, an address inside a sentence."""

from __future__ import annotations

from decimal import Decimal

import pytest

from actions.addresses import parse_address
from actions.order_choice import order_match
from actions.order_reading import reason_in
from assistant.backends.orders import AddressView, OrderItemView, OrderView
from assistant.config.store import DEMO_CANCEL_REASONS

HOME = AddressView(
    address1="1 Main St", address2="", city="Austin", state="TX", country="USA", zip="78701"
)


def order(order_id: str, *names: str) -> OrderView:
    items = tuple(
        OrderItemView(
            item_id=f"{order_id}-{i}", product_id=name, name=name, options={}, price=Decimal(1)
        )
        for i, name in enumerate(names)
    )
    return OrderView(
        id=order_id,
        customer_id="c",
        status="pending",
        address=HOME,
        items=items,
        fulfilments=(),
        payments=(),
    )


ORDERS = [
    order("#W1", "Garden Hose", "Bluetooth Speaker", "Electric Kettle"),
    order("#W2", "Bookshelf", "Water Bottle"),
    order("#W3", "Digital Camera", "Water Bottle", "Bookshelf"),
    order("#W4", "Skateboard", "Cycling Helmet", "Cycling Helmet"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the bookshelf and water bottle one", "#W2"),  # fewest other items wins
        ("it's the order with the skateboard and the two helmets", "#W4"),
        ("the one with the camera", "#W3"),
        ("the water bottle one", None),  # two orders fit equally: ask
        ("the blue one", None),
    ],
)
def test_an_order_is_found_by_what_it_holds(text: str, expected: str | None) -> None:
    found = order_match(text, ORDERS)
    assert (found.id if found else None) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("our trip got cancelled so I don't need the action camera anymore", "no longer needed"),
        ("I think I ordered a speaker I didn't mean to buy", "ordered by mistake"),
        ("mistake", "ordered by mistake"),
        ("I changed my mind", "no longer needed"),
        ("cancel my order please", None),
        ("I need to cancel an order", None),
    ],
)
def test_a_cancellation_reason_is_read_from_prose(text: str, reason: str | None) -> None:
    assert reason_in(text, DEMO_CANCEL_REASONS) == reason


def test_an_address_inside_a_sentence_is_read_without_the_words_after_it() -> None:
    parsed = parse_address(
        "please ship my order to 250 West 57th Street, Apt 9B, New York, NY 10107 instead"
    )
    assert parsed is not None
    assert (parsed.address1, parsed.address2, parsed.city, parsed.state, parsed.zip) == (
        "250 West 57th Street",
        "Apt 9B",
        "New York",
        "NY",
        "10107",
    )
