"""The catalog search the actions call: the index kept fresh, the message read with the
catalog's vocabulary and, when a language model is configured, its structured filters.

The index is rebuilt from the order backend's products when it is older than `max_age_s`
(prices and stock change; a catalog of 100k products takes seconds to index, so not on every
turn). A model's filters only fill what the vocabulary reading left open: a product the
message did not name in the catalog's words ("sneakers for jogging"), an option, a bound.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

import anyio

from assistant.backends.events import EventStore
from assistant.backends.orders import ProductView
from assistant.engine.embeddings import Embedder
from assistant.search.filters import FilterExtractor, SearchFilters
from assistant.search.index import CatalogIndex
from assistant.search.learned import LearnedType, ProductTypeReader
from assistant.search.session import PAGE_SIZE, SearchSession
from assistant.search.terms import SearchTerms

if TYPE_CHECKING:
    from assistant.recs.service import StoreRecommender

logger = logging.getLogger(__name__)


def with_model_filters(read: SearchTerms, filters: SearchFilters) -> SearchTerms:
    """The vocabulary's reading, with the model's (already checked) filters where it found
    nothing."""
    options = dict(read.options)
    for name, value in filters.options.items():
        options.setdefault(name, frozenset({value}))
    low, high = read.min_price, read.max_price
    if low is None and high is None:
        low = None if filters.min_price is None else Decimal(str(filters.min_price))
        high = None if filters.max_price is None else Decimal(str(filters.max_price))
    return replace(
        read,
        products=read.products
        or (frozenset({filters.product_type}) if filters.product_type else frozenset()),
        options=dict(sorted(options.items())),
        min_price=low,
        max_price=high,
        in_stock=read.in_stock if read.in_stock is not None else filters.in_stock or None,
        sort=read.sort or filters.sort,
    )


class CatalogSearch:
    def __init__(
        self,
        load_products: Callable[[], Sequence[ProductView]],
        *,
        popularity: Callable[[], Mapping[str, float]] | None = None,
        extractor: FilterExtractor | None = None,
        embedder: Embedder | None = None,
        page_size: int = PAGE_SIZE,
        max_age_s: float = 60.0,
    ) -> None:
        self._load_products = load_products
        self._popularity = popularity
        self.extractor = extractor
        self.embedder = embedder
        self.page_size = page_size
        self.max_age_s = max_age_s
        self._session: SearchSession | None = None
        self._built_at = 0.0
        self._rebuilding = False
        self._lock = threading.Lock()

    @property
    def built(self) -> bool:
        """Whether the index is built (a search now costs no build)."""
        return self._session is not None

    def session(self) -> SearchSession:
        """The search over the current catalog. The first call builds the index; once it is
        older than `max_age_s` a new one is built in the background while turns go on with
        the old one (100k products take seconds to index). Blocking the first time."""
        with self._lock:
            if self._session is None:
                self._session = self._build()
                self._built_at = time.monotonic()
            elif time.monotonic() - self._built_at > self.max_age_s and not self._rebuilding:
                self._rebuilding = True
                threading.Thread(target=self._rebuild, name="catalog-index", daemon=True).start()
            return self._session

    def _build(self) -> SearchSession:
        index = CatalogIndex(
            self._load_products(),
            popularity=self._popularity() if self._popularity else None,
        )
        types = None
        if self.embedder is not None:
            types = ProductTypeReader(self.embedder, index.vocabulary.product_types)
        return SearchSession(index, page_size=self.page_size, types=types)

    def _rebuild(self) -> None:
        try:
            fresh = self._build()
        except Exception:  # the old index serves on; the next turn tries again
            logger.warning("could not rebuild the catalog index", exc_info=True)
            with self._lock:
                self._rebuilding = False
            return
        with self._lock:
            self._session, self._built_at, self._rebuilding = fresh, time.monotonic(), False

    def invalidate(self) -> None:
        with self._lock:
            self._session = None

    async def current(self) -> SearchSession:
        return await anyio.to_thread.run_sync(self.session)

    async def read(
        self, text: str, session: SearchSession, *, use_model: bool = True
    ) -> SearchTerms:
        """A new search's constraints: the catalog's words; when they name no product, the
        product the words mean ("a road bike"); failing that, the model's filters."""
        read = session.read(text)
        if read.products:
            return read
        learned = await self.learned(text, session)
        if learned is not None:
            return session.read_with(text, learned)
        if self.extractor is None or not use_model:
            return read
        # The model reads the message as the catalog's words read it: typos already fixed.
        spelled = session.spelled(text).text
        extraction = await self.extractor.extract(spelled, session.index.vocabulary)
        return with_model_filters(read, extraction.filters)

    async def learned(self, text: str, session: SearchSession) -> LearnedType | None:
        if session.types is None:
            return None
        return await anyio.to_thread.run_sync(session.learned, text)


@dataclass
class Shopping:
    """What the shopping actions use: the catalog search, the recommender (None: no
    suggestions), and where shopper events go (None: not recorded)."""

    catalog: CatalogSearch
    recommender: StoreRecommender | None = None
    events: EventStore | None = None
