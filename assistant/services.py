"""The one assembly point: every service built from the settings, here and nowhere else.

`build_components` builds what the server needs, once, in the app's lifespan;
`action_services_from_settings` what a separate action server needs; eval, bench and the CLI
use the same builders. Only here are implementations chosen (SQLite or PostgreSQL,
in-process or Redis pub/sub, in-process actions or an action server, embedded Chroma or a
Chroma server).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from assistant.backends.events import EventStore, SqlEventStore
from assistant.backends.orders import OrderBackend
from assistant.backends.sql_orders import SqlOrderBackend
from assistant.config import RecommendationsSection, Settings
from assistant.config.store import CancelReason
from assistant.conversation.broker import Broker, InMemoryBroker, RedisBroker
from assistant.conversation.service import ConversationService
from assistant.conversation.summary import HandoffSummaries
from assistant.engine.domain import Domain, load_domain
from assistant.engine.embeddings import CachingEmbedder, Embedder, embedder_from_settings
from assistant.engine.executor import (
    ActionRunner,
    HttpActionRunner,
    InProcessActionRunner,
    registered_action_names,
)
from assistant.engine.flows import load_flows
from assistant.engine.manager import DialogueEngine
from assistant.errors import ConfigError
from assistant.knowledge.service import Knowledge
from assistant.knowledge.vector_store import close_vector_store, vector_store_from_settings
from assistant.llm import LanguageModel, build_language_model
from assistant.llm.prompts import check_prompts
from assistant.persistence.db import make_engine, make_session_factory
from assistant.ratelimit import RateLimiter
from assistant.search.service import CatalogSearch, Shopping

logger = logging.getLogger(__name__)

# Texts whose vectors the server remembers (1.5 KB each): a message is embedded once for the
# NLU and found again by the knowledge base's search.
EMBEDDING_CACHE = 20_000
# The flow a model's `search` command starts.
SEARCH_FLOW = "product_search"


@dataclass(frozen=True)
class ActionServices:
    """What actions reach (through `actions.services.current()`): the order backend, the
    knowledge base and shopping (search, suggestions, shopper events)."""

    orders: OrderBackend
    knowledge: Knowledge
    shopping: Shopping


@dataclass
class Components:
    settings: Settings
    db_engine: Engine
    sessions: sessionmaker[Session]
    broker: Broker
    runner: ActionRunner
    dialogue: DialogueEngine
    conversations: ConversationService
    vector_store: Any
    orders: OrderBackend
    knowledge: Knowledge
    summaries: HandoffSummaries
    events: EventStore
    rate_limiter: RateLimiter
    shopping: Shopping
    # None with `llm.provider: none`: answers are extractive.
    language_model: LanguageModel | None = None
    # Moves unclaimed hand-offs to the offline queue (`start_timers`).
    _timer: asyncio.Task[None] | None = field(default=None, repr=False)
    # Seconds `warm` spent on each part, by name.
    warmed: dict[str, float] = field(default_factory=dict)

    def warm(self) -> dict[str, float]:
        """Load what the first shopper would otherwise wait for: the embedding model (by
        reading a message), the knowledge index, the catalog's search index and the
        recommender. Run before the server says it is ready, so the first reply comes as
        fast as any other. A part that fails to load is logged and loads on first use."""
        parts: list[tuple[str, Callable[[], object]]] = [
            ("nlu", lambda: self.dialogue.parser.parse("hello, where is my order?")),
            ("knowledge", lambda: self.knowledge.find("how long does a refund take?")),
            ("catalog", self.shopping.catalog.session),
        ]
        if self.shopping.recommender is not None:
            parts.append(("recommender", self.shopping.recommender.kinds))
        for name, load in parts:
            started = time.perf_counter()
            try:
                load()
            except Exception:  # the database may be away a moment: the first turn tries again
                logger.warning("could not load the %s before the first turn", name, exc_info=True)
                continue
            self.warmed[name] = round(time.perf_counter() - started, 3)
        logger.info(
            "warmed up: %s", ", ".join(f"{name} {s:.2f} s" for name, s in self.warmed.items())
        )
        return dict(self.warmed)

    def start_timers(self) -> None:
        """Check for hand-offs nobody claimed in time, on every worker (each is moved once:
        the service re-reads it under the conversation's lock)."""
        every = min(10.0, self.settings.support.unclaimed_timeout_s / 4)
        self._timer = asyncio.create_task(_expire_unclaimed(self.conversations, every))

    async def aclose(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
        await self.runner.aclose()
        await self.broker.aclose()
        await self.rate_limiter.aclose()
        if self.language_model is not None:
            await self.language_model.aclose()
        self.db_engine.dispose()
        close_vector_store(self.vector_store)


def build_runner(
    settings: Settings, orders: OrderBackend, knowledge: Knowledge, shopping: Shopping
) -> ActionRunner:
    package = settings.dialogue.actions_package
    if settings.dialogue.actions_endpoint:
        return HttpActionRunner(
            settings.dialogue.actions_endpoint, names=registered_action_names(package)
        )
    return InProcessActionRunner(package, services=ActionServices(orders, knowledge, shopping))


def build_orders(settings: Settings, sessions: sessionmaker[Session]) -> SqlOrderBackend:
    """The order backend on the store's tables, with its order numbers and cancel reasons."""
    return SqlOrderBackend(
        sessions,
        order_ids=settings.store.order_ids,
        cancel_reasons=settings.store.cancel_reasons,
    )


def build_shopping(
    settings: Settings,
    sessions: sessionmaker[Session],
    orders: OrderBackend,
    language_model: LanguageModel | None = None,
    embedder: Embedder | None = None,
) -> Shopping:
    """The catalog search over the order backend's products (best-sellers first; with an
    embedder, product types read by meaning too), the built-in recommender on the store's
    orders and shopper events, and the event store the chat records into."""
    from assistant.recs.service import SqlInteractions, StoreRecommender
    from assistant.search.filters import FilterExtractor

    interactions = SqlInteractions(sessions)
    extractor = None
    if language_model is not None and settings.search.model_filters:
        extractor = FilterExtractor(language_model)
    catalog = CatalogSearch(
        orders.list_products,
        popularity=interactions.sold,
        extractor=extractor,
        embedder=embedder,
        page_size=settings.search.page_size,
        max_age_s=settings.search.catalog_max_age_s,
    )
    recommender = StoreRecommender(
        interactions.all,
        orders.list_products,
        params=settings.recommendations.recs_params(),
        max_age_s=settings.search.recs_max_age_s,
        history=interactions,
        embedder=embedder,
        load_table=partial(
            complements_text, sessions, settings.path(KNOWLEDGE_DIR), settings.recommendations
        ),
        min_co_purchases=settings.recommendations.min_co_purchases,
        min_lift=settings.recommendations.min_lift,
    )
    return Shopping(catalog, recommender, SqlEventStore(sessions))


def complements_text(
    sessions: sessionmaker[Session], root: Path, section: RecommendationsSection
) -> str | None:
    """The current text of the table of what goes with what (the console's latest revision,
    else its file); None when the knowledge base has no such document."""
    from assistant.knowledge import library

    try:
        with sessions() as session:
            return library.read_document(session, root, section.complements_doc)[1]
    except library.DocumentNotFound:
        return None


KNOWLEDGE_DIR = "knowledge_base"


async def build_broker(settings: Settings) -> Broker:
    if settings.pubsub.kind == "redis":
        broker = RedisBroker(settings.pubsub.redis_url)
        await broker.start()
        return broker
    return InMemoryBroker()


def build_knowledge(
    settings: Settings,
    vector_store: Any,
    embedder: Embedder,
    language_model: LanguageModel | None = None,
) -> Knowledge:
    """The knowledge base's search over the configured collection, read once at start-up
    (`assistant kb ingest` fills it); with a language model, answers are rewritten by it and
    checked by the grounding guard."""
    from assistant.knowledge.grounded import GroundedAnswerer
    from assistant.knowledge.grounding import GroundingGuard
    from assistant.knowledge.index import KnowledgeIndex
    from assistant.knowledge.ingest import get_collection

    collection = get_collection(vector_store, settings.vector_store.collection)
    index = KnowledgeIndex(collection, embedder)
    index.refresh()
    answerer = None
    if language_model is not None:
        answerer = GroundedAnswerer(
            language_model,
            GroundingGuard(embedder, order_ids=settings.store.order_ids),
            store_name=settings.assistant.name,
        )
    return Knowledge(index, embedder, answerer=answerer)


def build_dialogue(
    settings: Settings,
    runner: ActionRunner,
    embedder: Embedder,
    language_model: LanguageModel | None = None,
) -> DialogueEngine:
    """The dialogue engine; with a language model (and `llm.commands`), the model proposes
    commands for the messages the NLU is unsure of."""
    from assistant.engine.command_model import CommandGenerator
    from assistant.engine.nlu.model import NLUModel

    nlu = NLUModel.load(settings.nlu_model_path, embedder, order_ids=settings.store.order_ids)
    commands = None
    if language_model is not None and settings.llm.commands:
        commands = CommandGenerator(
            language_model,
            store_name=settings.assistant.name,
            timeout_s=settings.llm.commands_timeout_s,
        )
    flows = load_flows(settings.path(settings.dialogue.flows))
    domain = load_domain(settings.path(settings.dialogue.domain))
    check_cancel_buttons(domain, settings.store.cancel_reasons)
    return DialogueEngine(
        parser=nlu,
        domain=domain,
        flows=flows,
        runner=runner,
        assistant_name=settings.assistant.name,
        store_values={"order_example": settings.store.order_ids.example},
        intents=set(nlu.intents),
        commands=commands,
        search_flow=SEARCH_FLOW if SEARCH_FLOW in flows.flows else None,
        repair=settings.dialogue.repair,
    )


def check_cancel_buttons(domain: Domain, reasons: tuple[CancelReason, ...]) -> None:
    """Every button of the domain that gives a cancel reason gives one the store accepts."""
    from assistant.engine.nlu.payload import parse_payload

    accepted = {reason.reason for reason in reasons}
    for name, variants in domain.responses.items():
        for button in (button for variant in variants for button in variant.buttons):
            parsed = parse_payload(str(button["payload"]))
            given = (
                [e.value for e in parsed.entities if e.entity == "cancel_reason"] if parsed else []
            )
            for value in given:
                if value not in accepted:
                    raise ConfigError(
                        f"{name}: the button {button['title']!r} gives the cancel reason "
                        f"{value!r}, which store.cancel_reasons does not list"
                    )


async def build_components(settings: Settings) -> Components:
    db_engine = make_engine(
        settings.database_url, echo=settings.database.echo, pool_size=settings.database.pool_size
    )
    sessions = make_session_factory(db_engine)
    orders = build_orders(settings, sessions)
    # One embedding model for the NLU and the knowledge base.
    embedder = CachingEmbedder(embedder_from_settings(settings), max_entries=EMBEDDING_CACHE)
    vector_store = vector_store_from_settings(settings)
    # A prompt file whose placeholders the code does not fill stops start-up here.
    check_prompts()
    # A `llamacpp` server is started here; an `openai` server is only called when needed.
    language_model = await build_language_model(settings)
    knowledge = build_knowledge(settings, vector_store, embedder, language_model)
    shopping = build_shopping(settings, sessions, orders, language_model, embedder)
    runner = build_runner(settings, orders, knowledge, shopping)
    dialogue = build_dialogue(settings, runner, embedder, language_model)
    broker = await build_broker(settings)
    conversations = ConversationService(
        session_factory=sessions,
        engine=dialogue,
        broker=broker,
        max_message_bytes=settings.channels.max_message_bytes,
        max_tracker_events=settings.dialogue.max_tracker_events,
        kept_trackers=settings.dialogue.kept_trackers,
        support=settings.support,
    )
    writer = None
    if language_model is not None and settings.llm.summaries:
        from assistant.conversation.handoff_summary import ModelSummaryWriter

        writer = ModelSummaryWriter(
            language_model,
            store_name=settings.assistant.name,
            order_ids=settings.store.order_ids,
        )
    return Components(
        settings=settings,
        db_engine=db_engine,
        sessions=sessions,
        broker=broker,
        runner=runner,
        dialogue=dialogue,
        conversations=conversations,
        vector_store=vector_store,
        orders=orders,
        knowledge=knowledge,
        summaries=HandoffSummaries(conversations, writer, order_ids=settings.store.order_ids),
        events=shopping.events or SqlEventStore(sessions),
        rate_limiter=RateLimiter.from_settings(settings),
        shopping=shopping,
        language_model=language_model,
    )


async def _expire_unclaimed(conversations: ConversationService, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        try:
            await conversations.expire_unclaimed()
        except Exception:  # the database may be away a moment: try again next time
            logger.exception("could not check for unclaimed hand-offs")


def action_services_from_settings(settings: Settings) -> ActionServices:
    """The services of a separate action server (`python -m rasa_sdk --actions actions`), on
    the same database and knowledge base the assistant uses. With provider `openai` (vLLM)
    answers are rewritten and checked and searches read with the model; a `llamacpp` model
    lives in the assistant's process only, so here answers are quoted."""
    from assistant.config import LLMProvider
    from assistant.llm import openai_model

    engine = make_engine(settings.database_url, echo=settings.database.echo)
    sessions = make_session_factory(engine)
    orders = build_orders(settings, sessions)
    embedder = CachingEmbedder(embedder_from_settings(settings))
    model = openai_model(settings) if settings.llm.provider == LLMProvider.openai else None
    knowledge = build_knowledge(settings, vector_store_from_settings(settings), embedder, model)
    return ActionServices(orders, knowledge, build_shopping(settings, sessions, orders, model))
