"""Product types read by meaning when the catalog's words name none, with the real sentence
model: taken only when one name is clearly meant."""

from __future__ import annotations

import pytest

from assistant.engine.embeddings import CachingEmbedder, SentenceEmbedder
from assistant.search.index import CatalogIndex
from assistant.search.session import SearchSession
from tests.demo_catalog import demo_products


@pytest.fixture(scope="module")
def search() -> SearchSession:
    from assistant.search.learned import ProductTypeReader

    index = CatalogIndex(demo_products())
    types = ProductTypeReader(CachingEmbedder(SentenceEmbedder()), index.vocabulary.product_types)
    return SearchSession(index, types=types)


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("I want a road bike", "Bicycle"),
        ("do you have cellphones", "Smartphone"),
        ("a headset for calls", "Headphones"),
    ],
)
def test_other_words_for_a_product_name_it(search: SearchSession, text: str, product: str) -> None:
    learned = search.learned(text)
    assert learned is not None and learned.products == {product}
    assert learned.span.split()[0][:4] in text.lower()


def test_words_that_mean_no_product_or_two_name_none(search: SearchSession) -> None:
    assert search.learned("do you ship to canada") is None
    assert search.learned("what is your refund policy") is None
    # "laptop" is the catalog's own word; "bag" alone is not close enough to one name.
    assert search.learned("a hoodie") is None


def test_the_options_are_read_as_the_learned_products(search: SearchSession) -> None:
    text = "a red road bike"
    learned = search.learned(text)
    assert learned is not None
    terms = search.read_with(text, learned)
    assert terms.products == {"Bicycle"}
    assert terms.options == {"color": frozenset({"red"}), "type": frozenset({"road"})}
    # A search in other words counts as explained.
    assert search.explained(text, also=learned.span.split()) == 1.0


def test_what_the_shopper_already_has_is_no_product_wanted(search: SearchSession) -> None:
    # "my phone" is theirs, lost: no Smartphone search. Said as a wish, it is one.
    assert search.learned("help me find my lost phone") is None
    assert search.learned("can you find me my cellphone") is None
    wanted = search.learned("can you find me a cellphone")
    assert wanted is not None and wanted.products == {"Smartphone"}
