"""Hybrid search over a real Chroma collection: filters in both stores, typos, the cache."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from assistant.knowledge.documents import Chunk, describe_variant
from assistant.knowledge.index import Filters, KnowledgeIndex
from assistant.knowledge.ingest import get_collection, ingest
from tests.knowledge.conftest import CountingEmbedder

PRODUCTS = [
    ("k1", "Mechanical Keyboard", {"switch type": "clicky", "backlight": "RGB"}, "120", True),
    ("k2", "Mechanical Keyboard", {"switch type": "linear", "backlight": "none"}, "90", True),
    ("k3", "Mechanical Keyboard", {"switch type": "clicky", "backlight": "none"}, "80", False),
    ("b1", "Water Bottle", {"capacity": "500ml", "color": "black"}, "15", True),
    ("b2", "Water Bottle", {"capacity": "1000ml", "color": "blue"}, "25", True),
    ("h1", "Headphones", {"type": "over-ear", "color": "black"}, "200", True),
]
POLICIES = [
    ("returns#what-0", "Returns", "What you can return", "Delivered items can be returned."),
    ("shipping#times-0", "Shipping", "Delivery times", "Standard delivery takes 3 to 5 days."),
]


def _chunks() -> list[Chunk]:
    chunks = [
        Chunk(
            id=f"product-{item_id}",
            doc_id=f"product-{name}",
            title=name,
            section=", ".join(options.values()),
            text=describe_variant(name, options, Decimal(price), available),
            metadata={
                "type": "product",
                "category": name,
                "price": float(price),
                "available": available,
                **{f"opt_{k.replace(' ', '_')}": v for k, v in options.items()},
            },
        )
        for item_id, name, options, price, available in PRODUCTS
    ]
    chunks += [
        Chunk(chunk_id, chunk_id.split("#")[0], title, section, text, {"type": "policy"})
        for chunk_id, title, section, text in POLICIES
    ]
    return chunks


@pytest.fixture
def index(chroma: Any, embedder: CountingEmbedder) -> KnowledgeIndex:
    collection = get_collection(chroma, "knowledge")
    ingest(collection, embedder, _chunks(), scope="kb")
    built = KnowledgeIndex(collection, embedder)
    built.refresh()
    return built


@pytest.mark.parametrize("mode", ["hybrid", "lexical", "vector"])
def test_filters_are_applied_in_every_mode(index: KnowledgeIndex, mode: Any) -> None:
    def ids(query: str, filters: Filters) -> set[str]:
        return {hit.id for hit in index.search(query, k=10, filters=filters, mode=mode)}

    keyboards = ids("mechanical keyboard", Filters(type="product", category="Mechanical Keyboard"))
    assert keyboards and keyboards <= {"product-k1", "product-k2", "product-k3"}
    cheap = ids("keyboard", Filters(type="product", available=True, max_price=100))
    assert "product-k2" in cheap and cheap <= {"product-k2", "product-b1", "product-b2"}
    clicky = ids("keyboard", Filters(options={"switch_type": "clicky"}))
    assert clicky and clicky <= {"product-k1", "product-k3"}
    assert ids("bottle", Filters(min_price=20, category="Water Bottle")) == {"product-b2"}
    policies = ids("can I return it", Filters(type="policy"))
    assert policies and all(not i.startswith("product-") for i in policies)
    assert ids("keyboard", Filters(category="Nothing like this")) == set()
    documents = ids("delivery and returns", Filters(types=("policy", "faq")))
    assert documents == {"returns#what-0", "shipping#times-0"}


def test_hybrid_finds_by_words_and_by_meaning(index: KnowledgeIndex) -> None:
    assert index.search("clicky keyboard with RGB", k=1)[0].id == "product-k1"
    # No shared word with "Standard delivery takes 3 to 5 days": the vector side finds it.
    assert index.search("how long until my package arrives", k=1)[0].id == "shipping#times-0"
    top = index.search("water bottle 1000ml", k=1)[0]
    assert top.id == "product-b2" and top.title == "Water Bottle"
    assert top.similarity is not None and 0 < top.similarity <= 1


def test_misspelt_product_names_are_still_found(index: KnowledgeIndex) -> None:
    lexical = [hit.id for hit in index.search("mechanicl keybaord", k=3, mode="lexical")]
    assert lexical and all(hit.startswith("product-k") for hit in lexical)
    assert index.search("hedphones", k=1)[0].id == "product-h1"


def test_repeated_queries_come_from_the_cache_until_the_index_changes(
    index: KnowledgeIndex, embedder: CountingEmbedder
) -> None:
    embedder.texts.clear()
    first = index.search("black headphones", k=2)
    second = index.search("  Black headphones ", k=2)
    assert first == second and embedder.texts == ["black headphones"]
    index.refresh()
    index.search("black headphones", k=2)
    assert len(embedder.texts) == 2
