"""Search filters from the model: a schema from the catalog's vocabulary, and only what the
catalog and the message bear out is kept."""

from __future__ import annotations

import json

import pytest

from assistant.llm import LanguageModel
from assistant.search.filters import FilterExtractor, SearchFilters, Vocabulary, check_filters
from tests.demo_catalog import demo_products
from tests.fake_llm import FakeModelServer, Reply

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    """The demo store's catalog, as the backend lists it."""
    return Vocabulary.from_products(demo_products())


def test_the_vocabulary_is_the_catalogs(vocabulary: Vocabulary) -> None:
    assert "Backpack" in vocabulary.product_types and "T-Shirt" in vocabulary.product_types
    assert "black" in vocabulary.options["color"]


async def test_the_schema_names_the_catalogs_words_and_valid_filters_are_kept(
    fake_model: LanguageModel, fake: FakeModelServer, vocabulary: Vocabulary
) -> None:
    fake.script(
        json.dumps(
            {
                "product_type": "backpack",
                "options": {"color": "Black"},
                "min_price": None,
                "max_price": 50,
                "in_stock": True,
                "sort": None,
            }
        )
    )
    found = await FilterExtractor(fake_model).extract(
        "a black backpack under $50 in stock", vocabulary
    )
    assert found.filters == SearchFilters(
        product_type="Backpack", options={"color": "black"}, max_price=50, in_stock=True
    )
    assert found.dropped == []
    (request,) = fake.requests
    schema = request["response_format"]["json_schema"]["schema"]
    assert "Backpack" in schema["properties"]["product_type"]["anyOf"][0]["enum"]
    assert "<message>" in request["messages"][-1]["content"]


async def test_invented_words_and_prices_are_dropped(
    fake_model: LanguageModel, fake: FakeModelServer, vocabulary: Vocabulary
) -> None:
    fake.script(
        json.dumps(
            {
                "product_type": "Hoverboard",
                "options": {"color": "ultraviolet", "material": "leather"},
                "min_price": 10,
                "max_price": 40,
                "in_stock": None,
                "sort": "cheapest",
            }
        )
    )
    found = await FilterExtractor(fake_model).extract(
        "the cheapest leather one under 40", vocabulary
    )
    assert found.filters.product_type is None and found.filters.sort == "cheapest"
    assert found.filters.max_price == 40 and found.filters.min_price is None
    assert found.filters.options.get("color") is None
    assert any("Hoverboard" in reason for reason in found.dropped)
    assert any("min_price 10" in reason for reason in found.dropped)


@pytest.mark.parametrize(
    "reply",
    [
        Reply("not json at all"),
        Reply(json.dumps({"product_type": "Backpack", "colour": "red"})),
        Reply(json.dumps({"min_price": -5})),
        Reply(status=500),
    ],
)
async def test_a_failing_or_invalid_model_yields_no_filters(
    fake_model: LanguageModel, fake: FakeModelServer, vocabulary: Vocabulary, reply: Reply
) -> None:
    fake.script(reply)
    found = await FilterExtractor(fake_model).extract("a red backpack", vocabulary)
    assert found.filters == SearchFilters() and found.dropped


def test_contradicting_bounds_are_dropped(vocabulary: Vocabulary) -> None:
    checked = check_filters(
        SearchFilters(min_price=40, max_price=20), "between 40 and 20", vocabulary
    )
    assert (checked.filters.min_price, checked.filters.max_price) == (None, None)
    assert checked.dropped == ["min_price is above max_price"]
