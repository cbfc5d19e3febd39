"""Reading a product search against the demo catalog's own words."""

from __future__ import annotations

from decimal import Decimal

import pytest

from actions.search_terms import SearchTerms, price_bounds, read_terms
from assistant.backends.orders import ProductView
from tests.demo_catalog import demo_products


@pytest.fixture(scope="module")
def products() -> list[ProductView]:
    return list(demo_products())


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("a backpack under $50", None, "50"),
        ("less than 19.99 dollars", None, "19.99"),
        ("between 20 and 40", "20", "40"),
        ("from $40 to $20", "20", "40"),
        ("something 100-200", "100", "200"),
        ("over 300 please", "300", None),
        ("at least 10 and at most 30", "10", "30"),
        ("the blue one", None, None),
        # Sizes, capacities and weights are not prices.
        ("a water bottle up to 1000ml", None, None),
        ("under 2 kg and below $30", None, "30"),
        ("over 20 hours of battery", None, None),
    ],
)
def test_price_bounds(text: str, low: str | None, high: str | None) -> None:
    expected = (Decimal(low) if low else None, Decimal(high) if high else None)
    assert price_bounds(text) == expected


def test_a_type_options_price_and_stock(products: list[ProductView]) -> None:
    terms = read_terms("Do you have a black backpack under $100 in stock?", products)
    assert terms.product_type == "Backpack"
    assert terms.options == {"color": frozenset({"black"})}
    assert (terms.min_price, terms.max_price, terms.in_stock) == (None, Decimal("100"), True)


def test_names_are_read_however_they_are_spelled(products: list[ProductView]) -> None:
    assert read_terms("some t shirts in size L", products).product_type == "T-Shirt"
    assert read_terms("tshirt", products).options == {}
    assert read_terms("a mechanical keyboard", products).product_type == "Mechanical Keyboard"
    # The longer name wins over the shorter one it contains.
    assert read_terms("a smart watch", products).product_type == "Smart Watch"


def test_options_are_read_within_the_named_product(products: list[ProductView]) -> None:
    shirt = read_terms("a cotton t-shirt, size L, crew neck", products)
    assert shirt.options == {
        "material": frozenset({"cotton"}),
        "size": frozenset({"L"}),
        "style": frozenset({"crew neck"}),
    }
    keyboard = read_terms("a clicky mechanical keyboard", products)
    assert keyboard.options == {"switch type": frozenset({"clicky"})}


def test_sorting_and_nothing_asked(products: list[ProductView]) -> None:
    assert read_terms("the cheapest headphones", products).sort == "cheapest"
    assert read_terms("your most expensive laptop", products).sort == "priciest"
    assert read_terms("hello there", products) == SearchTerms()
    assert read_terms("hello there", products).empty
