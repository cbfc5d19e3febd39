"""Suggestions in the conversation: the recommender learns from the store's orders and
shopper events, personalises by customer or session, and says why it suggests each product."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.backends.events import Event, SqlEventStore
from assistant.backends.sql_orders import SqlOrderBackend
from assistant.recs.interface import Interaction
from assistant.recs.service import SqlInteractions, StoreRecommender

YUSUF = "yusuf_rossi_9620"


@pytest.fixture
def interactions(seeded_session_factory: sessionmaker[Session]) -> SqlInteractions:
    return SqlInteractions(seeded_session_factory)


@pytest.fixture
def recommender(
    seeded_session_factory: sessionmaker[Session], interactions: SqlInteractions
) -> StoreRecommender:
    orders = SqlOrderBackend(seeded_session_factory)
    return StoreRecommender(interactions.all, orders.list_products, history=interactions)


def test_orders_and_events_are_what_it_learns_from(
    seeded_session_factory: sessionmaker[Session], interactions: SqlInteractions
) -> None:
    bought = [i for i in interactions.all() if i.kind == "bought"]
    # Every line of the demo store's 1,000 orders, by product, a basket per order.
    assert len(bought) == 2978
    assert len({i.group for i in bought}) == 1000
    now = datetime.now(UTC)
    SqlEventStore(seeded_session_factory).record(
        [
            Event("view", "s-1", now - timedelta(minutes=2), item_id="9690244451"),
            Event("add_to_cart", "s-1", now, item_id="9690244451", quantity=1),
            Event("search", "s-1", now, query="keyboards"),
        ]
    )
    session = interactions.for_session("s-1")
    assert [(i.kind, i.group) for i in session] == [("viewed", "session:s-1")] * 2
    assert len([i for i in interactions.all() if i.kind == "viewed"]) == 2
    # Cancelled orders are not a customer's history.
    history = interactions.for_customer(YUSUF)
    assert history and all(i.shopper == YUSUF for i in history)
    assert "#W9711842" not in {i.group for i in history}
    assert sum(interactions.sold().values()) == 2978


def test_suggestions_have_reasons_and_respect_the_constraints(
    recommender: StoreRecommender,
) -> None:
    keyboard = "1656367028"  # Mechanical Keyboard
    history = [Interaction(keyboard, "conversation", 1.0, "viewed")]
    found = recommender.suggest(history, k=5, exclude={keyboard})
    assert found and keyboard not in {s.item for s in found}
    assert all(s.reason.get("kind") for s in found)
    assert any(s.reason == {"kind": "bought_with", "item": keyboard} for s in found)
    allowed = {s.item for s in found[1:3]}
    narrowed = recommender.suggest(history, k=5, allowed=allowed, exclude={keyboard})
    assert narrowed and {s.item for s in narrowed} <= allowed


def test_content_similarity_adds_what_names_mean() -> None:
    from assistant.engine.embeddings import SentenceEmbedder
    from assistant.recs.service import content_similarity
    from tests.demo_catalog import demo_products

    products = list(demo_products())
    ids = {p.name: p.id for p in products}
    words_only = content_similarity(products)
    with_meaning = content_similarity(products, SentenceEmbedder())
    pair = (ids["Headphones"], ids["Wireless Earbuds"])
    assert with_meaning.similarity(*pair) > words_only.similarity(*pair)
    nearest = [item for item, _ in with_meaning.similar(ids["Headphones"], k=3)]
    assert ids["Wireless Earbuds"] in nearest
    # Names alone decide nothing: products that share options stay alike.
    kettles = (ids["Tea Kettle"], ids["Electric Kettle"])
    assert with_meaning.similarity(*kettles) > 0.5
