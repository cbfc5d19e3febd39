"""How actions reach the store's backends.

In process, the assistant hands its backends to each run (`using`), so actions share the
server's database connections. On a separate action server (`python -m rasa_sdk --actions
actions`) nothing is handed over: the first call builds the backends from the same settings
the assistant reads (`config.yml` and the `AISLE_*` environment).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from threading import Lock

from assistant.backends.orders import OrderBackend
from assistant.knowledge.answer import Knowledge
from assistant.search.service import Shopping

_current: ContextVar[OrderBackend | None] = ContextVar("aisle_order_backend", default=None)
_current_knowledge: ContextVar[Knowledge | None] = ContextVar("aisle_knowledge", default=None)
_current_shopping: ContextVar[Shopping | None] = ContextVar("aisle_shopping", default=None)
_built: OrderBackend | None = None
_built_knowledge: Knowledge | None = None
_built_shopping: Shopping | None = None
_lock = Lock()


@contextmanager
def using(
    *,
    orders: OrderBackend,
    knowledge: Knowledge | None = None,
    shopping: Shopping | None = None,
) -> Iterator[None]:
    """Run the enclosed actions against these backends."""
    token = _current.set(orders)
    knowledge_token = _current_knowledge.set(knowledge)
    shopping_token = _current_shopping.set(shopping)
    try:
        yield
    finally:
        _current_shopping.reset(shopping_token)
        _current_knowledge.reset(knowledge_token)
        _current.reset(token)


def shopping() -> Shopping:
    found = _current_shopping.get()
    if found is not None:
        return found
    return _shopping_from_settings()


def _shopping_from_settings() -> Shopping:
    """The catalog search and recommender the assistant would build, on the same database
    (with provider `openai`, the model's filters help read searches)."""
    global _built_shopping
    with _lock:
        if _built_shopping is None:
            from assistant.config import LLMProvider, load_settings
            from assistant.llm import openai_model
            from assistant.persistence.db import make_engine, make_session_factory
            from assistant.server.components import build_shopping

            settings = load_settings()
            engine = make_engine(settings.database_url, echo=settings.database.echo)
            model = openai_model(settings) if settings.llm.provider == LLMProvider.openai else None
            sessions = make_session_factory(engine)
            _built_shopping = build_shopping(settings, sessions, _from_settings_locked(), model)
        return _built_shopping


def knowledge() -> Knowledge:
    found = _current_knowledge.get()
    if found is not None:
        return found
    return _knowledge_from_settings()


def _knowledge_from_settings() -> Knowledge:
    """The knowledge base the assistant would build; with provider `openai` (the production
    set-up: vLLM) answers are rewritten by the same model and checked. A `llamacpp` model
    lives in the assistant's process only, so here the answers are then quoted."""
    global _built_knowledge
    with _lock:
        if _built_knowledge is None:
            from assistant.config import LLMProvider, load_settings
            from assistant.engine.embeddings import CachingEmbedder, embedder_from_settings
            from assistant.llm import openai_model
            from assistant.server.components import build_knowledge, build_vector_store

            settings = load_settings()
            embedder = CachingEmbedder(embedder_from_settings(settings))
            model = openai_model(settings) if settings.llm.provider == LLMProvider.openai else None
            _built_knowledge = build_knowledge(
                settings, build_vector_store(settings), embedder, model
            )
        return _built_knowledge


def order_backend() -> OrderBackend:
    backend = _current.get()
    if backend is not None:
        return backend
    return _from_settings()


def _from_settings() -> OrderBackend:
    with _lock:
        return _from_settings_locked()


def _from_settings_locked() -> OrderBackend:
    global _built
    if _built is None:
        from assistant.backends.sql_orders import SqlOrderBackend
        from assistant.config import load_settings
        from assistant.persistence.db import make_engine, make_session_factory

        settings = load_settings()
        engine = make_engine(settings.database_url, echo=settings.database.echo)
        _built = SqlOrderBackend(make_session_factory(engine))
    return _built
