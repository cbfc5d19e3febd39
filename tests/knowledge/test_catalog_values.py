"""A catalog's cell values, read leniently: categories, prices, availability, specifications."""

from __future__ import annotations

import pytest

from assistant.knowledge.catalog_values import (
    category_levels,
    parse_available,
    parse_options,
    parse_price,
)

WATCH_SPECS = (
    '{"product_specification"=>[{"key"=>"Type", "value"=>"Analog"}, '
    '{"key"=>"Strap Color", "value"=>"Brown"}, {"value"=>"1 watch"}]}'
)


def test_value_parsers_are_lenient() -> None:
    assert category_levels('["Clothing >> Women\'s Clothing >> Tops"]') == [
        "Clothing",
        "Women's Clothing",
        "Tops",
    ]
    assert category_levels("['kitchen  dining', 'bottles']")[0] == "kitchen  dining"
    assert category_levels("") == []
    assert [parse_price(p) for p in ("499", "1,299.00", "Rs. 499", "$19.99", "19,99 €")] == [
        499.0,
        1299.0,
        499.0,
        19.99,
        19.99,
    ]
    for bad in ("N/A", "10-20", "-5", "cheap"):
        with pytest.raises(ValueError):
            parse_price(bad)
    assert [parse_available(v) for v in ("Yes", "FALSE", "1", "In Stock", "out of stock", "7")] == [
        True,
        False,
        True,
        True,
        False,
        True,
    ]
    assert parse_available("maybe") is None
    assert parse_options(WATCH_SPECS)[:2] == [("Type", "Analog"), ("Strap Color", "Brown")]
    assert parse_options("[{'key': 'Color', 'value': 'Red'}]") == [("Color", "Red")]
    for bad in ("{broken", "[{'key': 1", "}{", "[]"):
        assert parse_options(bad) == []
