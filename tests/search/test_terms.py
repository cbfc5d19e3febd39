"""Reading a product search against the demo catalog's own words."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.search.index import CatalogIndex
from assistant.search.terms import SearchTerms, price_bounds, read_terms
from tests.demo_catalog import demo_products


@pytest.fixture(scope="module")
def products() -> CatalogIndex:
    return CatalogIndex(demo_products())


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
        # "no more than" is a limit only, not also "more than".
        ("gift for a music fan, no more than $280", None, "280"),
        ("not more than 50", None, "50"),
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


def test_a_type_options_price_and_stock(products: CatalogIndex) -> None:
    terms = read_terms("Do you have a black backpack under $100 in stock?", products)
    assert terms.products == {"Backpack"}
    assert terms.options == {"color": frozenset({"black"})}
    assert (terms.min_price, terms.max_price, terms.in_stock) == (None, Decimal("100"), True)


def test_names_are_read_however_they_are_spelled(products: CatalogIndex) -> None:
    assert read_terms("some t shirts in size L", products).products == {"T-Shirt"}
    assert read_terms("tshirt", products).options == {}
    assert read_terms("a mechanical keyboard", products).products == {"Mechanical Keyboard"}
    # The longer name wins over the shorter one it contains.
    assert read_terms("a smart watch", products).products == {"Smart Watch"}
    # A head noun alone names every product it heads.
    assert read_terms("a kettle", products).products == {"Electric Kettle", "Tea Kettle"}
    assert read_terms("a tea kettle", products).products == {"Tea Kettle"}


def test_options_are_read_within_the_named_product(products: CatalogIndex) -> None:
    shirt = read_terms("a cotton t-shirt, size L, crew neck", products)
    assert shirt.options == {
        "material": frozenset({"cotton"}),
        "size": frozenset({"L"}),
        "style": frozenset({"crew neck"}),
    }
    keyboard = read_terms("a clicky mechanical keyboard", products)
    assert keyboard.options == {"switch type": frozenset({"clicky"})}


def test_sorting_and_nothing_asked(products: CatalogIndex) -> None:
    assert read_terms("the cheapest headphones", products).sort == "cheapest"
    assert read_terms("your most expensive laptop", products).sort == "priciest"
    assert read_terms("hello there", products) == SearchTerms()
    assert read_terms("hello there", products).empty


def test_values_that_say_nothing_alone_need_their_option(products: CatalogIndex) -> None:
    # "yes" to a question is not "waterproof: yes"; a bare number is not a size or a price.
    assert read_terms("yes please", products).options == {}
    assert read_terms("a waterproof action camera", products).options == {
        "waterproof": frozenset({"yes"})
    }
    assert read_terms("running shoes under $10", products).options == {}
    assert read_terms("running shoes in size 10", products).options == {"size": frozenset({"10"})}
    assert read_terms("a 1000 piece jigsaw puzzle", products).options == {
        "pieces": frozenset({"1000"})
    }


def test_a_value_of_another_product_is_kept_as_asked(products: CatalogIndex) -> None:
    """No backpack is blue: the search then says so instead of ignoring the colour."""
    terms = read_terms("a blue backpack", products)
    assert terms.options == {"color": frozenset({"blue"})}
    assert not products.matches(terms).any()


def test_options_sharing_a_value_are_one_choice() -> None:
    terms = SearchTerms(
        options={"frame color": frozenset({"black"}), "lens color": frozenset({"black"})}
    )
    assert terms.option_groups() == [frozenset({("frame color", "black"), ("lens color", "black")})]
    two = SearchTerms(options={"color": frozenset({"black"}), "size": frozenset({"L"})})
    assert len(two.option_groups()) == 2


def test_a_refinement_replaces_what_it_restates() -> None:
    first = SearchTerms(
        products=frozenset({"T-Shirt"}),
        options={"color": frozenset({"black"}), "size": frozenset({"L"})},
        max_price=Decimal("50"),
    )
    second = first.merged(SearchTerms(options={"color": frozenset({"blue"})}))
    assert second.options == {"color": frozenset({"blue"}), "size": frozenset({"L"})}
    assert second.max_price == Decimal("50") and second.products == {"T-Shirt"}
    # A new bound that contradicts the old one wins over it.
    third = second.merged(SearchTerms(min_price=Decimal("80")))
    assert (third.min_price, third.max_price) == (Decimal("80"), None)
    assert third.without("option:color").options == {"size": frozenset({"L"})}
    assert third.without("price").min_price is None


def test_terms_survive_the_slot_and_malformed_ones_do_not_break() -> None:
    terms = SearchTerms(
        products=frozenset({"Backpack"}),
        options={"color": frozenset({"black", "grey"})},
        min_price=Decimal("10.5"),
        in_stock=True,
        sort="cheapest",
    )
    assert SearchTerms.from_dict(terms.as_dict()) == terms
    broken = SearchTerms.from_dict(
        {"products": "Backpack", "options": {"color": "black"}, "min_price": "-3", "sort": "x"}
    )
    assert broken == SearchTerms()


def test_a_yes_or_no_option_is_read_with_its_answer(products: CatalogIndex) -> None:
    """ "waterproof no" is the order actions' own way of naming a variant's value."""
    assert read_terms("hiking boots, waterproof no", products).options == {
        "waterproof": frozenset({"no"})
    }
    assert read_terms("hiking boots that are not waterproof", products).options == {
        "waterproof": frozenset({"no"})
    }
    assert read_terms("hiking boots, waterproof: yes", products).options == {
        "waterproof": frozenset({"yes"})
    }
