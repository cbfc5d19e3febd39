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


class _CountingQueries:
    """The collection, recording how many neighbours each vector query asked for."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection
        self.asked: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.collection, name)

    def query(self, **kwargs: Any) -> Any:
        self.asked.append(int(kwargs["n_results"]))
        assert "where" not in kwargs  # filters never go to Chroma's metadata tables
        return self.collection.query(**kwargs)


def test_each_plan_for_a_filtered_vector_search_finds_the_same_chunks(
    index: KnowledgeIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.knowledge import index as index_module

    counting = _CountingQueries(index.collection)
    index.collection = counting
    cases = [
        ("keyboard", Filters(type="product", available=True, max_price=100)),
        ("something to drink from", Filters(category="Water Bottle")),
        ("delivery", Filters(types=("policy", "faq"))),
        ("headphones", Filters(options={"color": "black"})),
    ]

    def run() -> list[list[tuple[str, float | None]]]:
        index.refresh()  # forget cached answers
        return [
            [(hit.id, hit.similarity) for hit in index.search(q, k=5, filters=f, mode="vector")]
            for q, f in cases
        ]

    exact = run()
    assert counting.asked == []  # few chunks pass each filter: scored one by one
    assert all(exact) and exact[1][0][0] in {"product-b1", "product-b2"}

    # Broad filters go through the HNSW index, asking for more neighbours than they keep.
    monkeypatch.setattr(index_module, "EXACT_ROWS", 0)
    through_index = run()
    assert len(counting.asked) == len(cases) and all(n > 1 for n in counting.asked)
    assert [[i for i, _ in hits] for hits in through_index] == [[i for i, _ in h] for h in exact]
    for hits, reference in zip(through_index, exact, strict=True):
        for (_, similarity), (_, expected) in zip(hits, reference, strict=True):
            assert similarity == pytest.approx(expected, abs=1e-5)

    # Too few of the neighbours pass: the allowed chunks are scored one by one after all.
    counting.asked.clear()
    monkeypatch.setattr(index_module, "OVERFETCH", 0.01)
    fallback = run()
    assert counting.asked and max(counting.asked) < len(PRODUCTS) + len(POLICIES)
    assert [[i for i, _ in hits] for hits in fallback] == [[i for i, _ in h] for h in exact]


def test_a_collection_without_a_single_word_is_searched_by_meaning_only(
    chroma: Any, embedder: CountingEmbedder
) -> None:
    """Chunks with no word BM25 keeps (a document saved in the admin console as "2 ü ..."):
    there is nothing to index lexically, and the vector side still answers."""
    collection = get_collection(chroma, "wordless")
    chunks = [Chunk("d#intro-0", "d", "—", "", "2 ü ... !!!")]
    ingest(collection, embedder, chunks, scope="kb")
    index = KnowledgeIndex(collection, embedder)
    index.refresh()
    assert index.search("ü", mode="lexical") == []
    assert [hit.id for hit in index.search("ü", mode="vector")] == ["d#intro-0"]
