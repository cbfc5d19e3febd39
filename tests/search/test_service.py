"""The catalog search the actions call: the model's filters fill only what the catalog's
words left open, and the index follows the catalog."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from assistant.backends.orders import ProductView, VariantView
from assistant.llm import LanguageModel
from assistant.search.filters import FilterExtractor
from assistant.search.service import CatalogSearch
from tests.demo_catalog import demo_products
from tests.fake_llm import FakeModelServer, Reply

pytestmark = pytest.mark.anyio


def filters(**values: object) -> Reply:
    found = {
        "product_type": None,
        "options": {},
        "min_price": None,
        "max_price": None,
        "in_stock": None,
        "sort": None,
    }
    return Reply(json.dumps({**found, **values}))


async def test_the_model_names_the_product_the_words_did_not(
    fake_model: LanguageModel, fake: FakeModelServer
) -> None:
    search = CatalogSearch(demo_products, extractor=FilterExtractor(fake_model))
    session = await search.current()
    fake.script(filters(product_type="Running Shoes", options={"color": "red"}, max_price=150))
    terms = await search.read("something red to jog in, under 150", session)
    assert terms.products == {"Running Shoes"}
    assert terms.options == {"color": frozenset({"red"})}
    # The bound was read from the words already; the model's agrees and is not needed.
    assert terms.max_price == Decimal("150")
    assert len(fake.requests) == 1


async def test_named_products_need_no_model_and_a_failing_model_changes_nothing(
    fake_model: LanguageModel, fake: FakeModelServer
) -> None:
    search = CatalogSearch(demo_products, extractor=FilterExtractor(fake_model))
    session = await search.current()
    named = await search.read("black backpacks", session)
    assert named.products == {"Backpack"} and fake.requests == []
    fake.script(Reply(status=500))
    unnamed = await search.read("something nice in black", session)
    assert unnamed.products == frozenset() and unnamed.options
    # Invented words are dropped by the filters' own checks.
    fake.script(filters(product_type="Hoverboard", options={"color": "plaid"}))
    invented = await search.read("a fun thing for the kids", session)
    assert invented.empty


def test_the_index_follows_the_catalog() -> None:
    products = list(demo_products())
    search = CatalogSearch(lambda: products, max_age_s=3600)
    first = search.session()
    assert search.session() is first
    products.append(
        ProductView("p-new", "Canoe", (VariantView("v-new", {"color": "red"}, Decimal(900), True),))
    )
    assert search.session().index.find("v-new") is None
    search.invalidate()
    assert search.session().index.find("v-new") is not None


def test_a_stale_index_is_rebuilt_while_the_old_one_serves() -> None:
    import time

    products = list(demo_products())
    search = CatalogSearch(lambda: products, max_age_s=0)
    first = search.session()
    products.append(
        ProductView("p-new", "Canoe", (VariantView("v-new", {"color": "red"}, Decimal(900), True),))
    )
    # The turn that finds the index stale is answered from it; the new one follows.
    assert search.session() is first
    deadline = time.monotonic() + 30
    while search.session().index.find("v-new") is None:
        assert time.monotonic() < deadline, "the index was not rebuilt"
        time.sleep(0.05)
