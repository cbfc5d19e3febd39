"""Reading what a message asks: a question about a policy, or a request about one of the
shopper's own orders."""

from __future__ import annotations

import pytest

from assistant.engine.readings import asks_about


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        # An order named by what is in it, or by its state, is one of the shopper's own.
        ("could you change the delivery address of my lamp and kettle order?", False),
        ("can I move my pending order to another card?", False),
        ("is it possible to cancel the order with the grill?", False),
        ("can I return something from my last order?", False),
        ("can I pay for my order with paypal instead? it's not shipped yet", False),
        # "My order" alone, or one not placed yet, is asked about in general.
        ("can I cancel part of my order?", True),
        ("can I change the size of something I ordered?", True),
        ("can I use a gift card on my next order?", True),
        ("if I change my address will my order follow?", True),
        ("can I still cancel my whole order once it's processed?", True),
        ("can I change the address if it's already shipped?", True),
    ],
)
def test_an_order_named_by_its_items_is_a_request_about_it(text: str, asks: bool) -> None:
    assert asks_about(text) is asks
