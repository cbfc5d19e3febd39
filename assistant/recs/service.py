"""Recommendations in the conversation: the built-in recommender fitted on the store's own
orders and shopper events, at the level of products, and asked for a shopper's suggestions.

`SqlInteractions` reads what the recommender learns from: every order line (a basket per
order, the customer as shopper, the line's price as money spent) and every recorded shopper
event (views, cart additions and chat clicks as views in the event's session; purchases as a
basket). `StoreRecommender` refits on that data when it is older than `max_age_s`, and
answers for a customer (their orders and events: the RFM profile) or for a session (its
events), with the items the conversation is about ("something to go with my keyboard") as the
most recent history.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.backends.orders import ProductView
from assistant.config.recs import RecsParams
from assistant.engine.embeddings import Embedder
from assistant.persistence.models import ShopperEvent
from assistant.persistence.models.store import Order, OrderItem, Variant
from assistant.recs.engine import CoOccurrenceRecommender
from assistant.recs.interface import Interaction, Suggestion, VectorSimilarity
from assistant.recs.kinds import Kinds
from assistant.recs.table import StoreTable, co_purchases, read_table

logger = logging.getLogger(__name__)

# Beyond this many products the names are not embedded for content similarity (the
# recommender is refitted every few minutes; a new name is embedded once, then cached).
MAX_EMBEDDED = 5000
# Event kinds that show interest in an item, read as views.
VIEW_EVENTS = ("view", "add_to_cart", "chat_product_click")
# The defaults for a store's own data: co-occurrence, content (shared options and name
# words) for products nobody bought together yet, a little diversity, one per product type.
STORE_PARAMS = RecsParams(content=0.3, popularity=0.05, diversity=0.3, max_per_category=1)


def _seconds(at: datetime | None) -> float:
    if at is None:
        return 0.0
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.timestamp()


class SqlInteractions:
    """Order lines and shopper events, as product-level interactions."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def all(self) -> list[Interaction]:
        with self._sessions() as session:
            lines = session.execute(
                select(
                    OrderItem.product_id,
                    OrderItem.order_id,
                    Order.created_at,
                    OrderItem.price,
                    Order.customer_id,
                ).join(Order, Order.id == OrderItem.order_id)
            ).all()
            events = self._events(session, None)
        bought = [
            Interaction(product, order, _seconds(at), "bought", float(price), customer)
            for product, order, at, price, customer in lines
        ]
        return bought + events

    def sold(self) -> dict[str, float]:
        """How many order lines each item (variant) has: the search's best-sellers."""
        with self._sessions() as session:
            rows = session.execute(
                select(OrderItem.item_id, func.count()).group_by(OrderItem.item_id)
            ).all()
        return {item: float(count) for item, count in rows}

    def for_customer(self, customer_id: str) -> list[Interaction]:
        with self._sessions() as session:
            lines = session.execute(
                select(OrderItem.product_id, OrderItem.order_id, Order.created_at, OrderItem.price)
                .join(Order, Order.id == OrderItem.order_id)
                .where(Order.customer_id == customer_id, Order.status != "cancelled")
            ).all()
            events = self._events(session, ShopperEvent.customer_id == customer_id)
        bought = [
            Interaction(product, order, _seconds(at), "bought", float(price), customer_id)
            for product, order, at, price in lines
        ]
        return sorted(bought + events, key=lambda i: i.at)

    def for_session(self, session_id: str) -> list[Interaction]:
        with self._sessions() as session:
            events = self._events(session, ShopperEvent.session_id == session_id)
        return sorted(events, key=lambda i: i.at)

    @staticmethod
    def _events(session: Session, where: object) -> list[Interaction]:
        statement = (
            select(
                Variant.product_id,
                ShopperEvent.kind,
                ShopperEvent.session_id,
                ShopperEvent.occurred_at,
                ShopperEvent.price,
                ShopperEvent.quantity,
                ShopperEvent.customer_id,
            )
            .join(Variant, Variant.item_id == ShopperEvent.item_id)
            .where(ShopperEvent.kind.in_((*VIEW_EVENTS, "purchase")))
        )
        if where is not None:
            statement = statement.where(where)  # type: ignore[arg-type]
        found = []
        for product, kind, session_id, at, price, quantity, customer in session.execute(statement):
            if kind == "purchase":
                value = float(price or 0) * (quantity or 1)
                group = f"purchase:{session_id}:{_seconds(at):.0f}"
                found.append(
                    Interaction(product, group, _seconds(at), "bought", value, customer or "")
                )
            else:
                found.append(Interaction(product, f"session:{session_id}", _seconds(at), "viewed"))
        return found


def content_similarity(
    products: Iterable[ProductView],
    embedder: Embedder | None = None,
    *,
    max_embedded: int = MAX_EMBEDDED,
) -> VectorSimilarity:
    """Products alike in their option values and name words ("Tea Kettle" and "Electric
    Kettle" share "kettle", "capacity" and "material: glass") and, with an embedder, in what
    their names mean ("Headphones" and "Wireless Earbuds"): the two unit vectors side by side,
    so the similarity is the mean of the two cosines."""
    listed = list(products)
    features: list[dict[str, float]] = []
    for product in listed:
        found: dict[str, float] = {}
        for word in product.name.lower().split():
            found[f"word:{word}"] = 2.0
        for variant in product.variants:
            for name, value in variant.options.items():
                found[f"option:{name}"] = 1.0
                found[f"value:{name}={value}"] = 0.5
        features.append(found)
    columns = sorted({key for found in features for key in found})
    position = {key: i for i, key in enumerate(columns)}
    matrix = np.zeros((len(listed), len(columns)), dtype=np.float64)
    for row, found in enumerate(features):
        for key, weight in found.items():
            matrix[row, position[key]] = weight
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = matrix / np.where(norms > 0, norms, 1.0)
    if embedder is not None and 0 < len(listed) <= max_embedded:
        meanings = np.asarray(embedder.encode([p.name for p in listed]), dtype=np.float64)
        matrix = np.hstack([matrix, meanings])
    return VectorSimilarity({p.id: row.tolist() for p, row in zip(listed, matrix, strict=True)})


@dataclass(frozen=True)
class Fitted:
    recommender: CoOccurrenceRecommender
    kinds: Kinds
    at: float


class StoreRecommender:
    """The built-in recommender over a store's products, refitted when stale."""

    def __init__(
        self,
        load_interactions: Callable[[], list[Interaction]],
        load_products: Callable[[], Sequence[ProductView]],
        *,
        params: RecsParams = STORE_PARAMS,
        max_age_s: float = 300.0,
        history: SqlInteractions | None = None,
        embedder: Embedder | None = None,
        load_table: Callable[[], str | None] | None = None,
        min_co_purchases: int = 10,
        min_lift: float = 2.0,
    ) -> None:
        self.embedder = embedder
        self._load_table = load_table
        self.min_co_purchases = min_co_purchases
        self.min_lift = min_lift
        self._load_interactions = load_interactions
        self._load_products = load_products
        self.params = params
        self.max_age_s = max_age_s
        self.history = history
        self._fitted: Fitted | None = None
        self._lock = threading.Lock()

    @property
    def fitted_now(self) -> bool:
        """Whether a fit is held that is young enough to use without refitting."""
        fit = self._fitted
        return fit is not None and time.monotonic() - fit.at <= self.max_age_s

    def fitted(self) -> CoOccurrenceRecommender:
        """The recommender, refitted first when its data is older than `max_age_s`."""
        return self._fit().recommender

    def kinds(self) -> Kinds:
        """The kinds of suggestion (complements, alike, interests) on the same fit."""
        return self._fit().kinds

    def _fit(self) -> Fitted:
        with self._lock:
            now = time.monotonic()
            if self._fitted is None or now - self._fitted.at > self.max_age_s:
                products = list(self._load_products())
                interactions = self._load_interactions()
                recommender = CoOccurrenceRecommender.fit(
                    interactions,
                    self.params,
                    content=content_similarity(products, self.embedder),
                    categories={p.id: p.name for p in products},
                    catalog=[p.id for p in products],
                )
                pairs = co_purchases(
                    interactions, min_count=self.min_co_purchases, min_lift=self.min_lift
                )
                kinds = Kinds(products, self._table(products), pairs, embedder=self.embedder)
                self._fitted = Fitted(recommender, kinds, now)
            return self._fitted

    def _table(self, products: Sequence[ProductView]) -> StoreTable:
        text = self._load_table() if self._load_table is not None else None
        if not text:
            return StoreTable()
        table = read_table(text, products)
        if table.unknown:
            logger.warning(
                "the table of what goes with what names products the catalog lacks: %s",
                ", ".join(table.unknown[:10]),
            )
        return table

    def invalidate(self) -> None:
        with self._lock:
            self._fitted = None

    def shopper_history(
        self, *, customer_id: str | None = None, session_id: str | None = None
    ) -> list[Interaction]:
        """What a signed-in customer bought and looked at, or what a session looked at."""
        if self.history is None:
            return []
        if customer_id:
            return self.history.for_customer(customer_id)
        if session_id:
            return self.history.for_session(session_id)
        return []

    def suggest(
        self,
        history: Sequence[Interaction],
        *,
        k: int,
        allowed: Collection[str] | None = None,
        exclude: Collection[str] = (),
    ) -> list[Suggestion]:
        """Up to k products for this history, best first, each with its reason; only
        `allowed` ones when given (then the whole catalog is ranked before the cut)."""
        recommender = self.fitted()
        depth = len(recommender.index) if allowed is not None else k
        ranked = recommender.recommend(history, k=depth, exclude=set(exclude))
        if allowed is not None:
            ranked = [s for s in ranked if s.item in allowed]
        return ranked[:k]
