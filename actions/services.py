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

_current: ContextVar[OrderBackend | None] = ContextVar("aisle_order_backend", default=None)
_built: OrderBackend | None = None
_lock = Lock()


@contextmanager
def using(*, orders: OrderBackend) -> Iterator[None]:
    """Run the enclosed actions against these backends."""
    token = _current.set(orders)
    try:
        yield
    finally:
        _current.reset(token)


def order_backend() -> OrderBackend:
    backend = _current.get()
    if backend is not None:
        return backend
    return _from_settings()


def _from_settings() -> OrderBackend:
    global _built
    with _lock:
        if _built is None:
            from assistant.backends.sql_orders import SqlOrderBackend
            from assistant.config import load_settings
            from assistant.persistence.db import make_engine, make_session_factory

            settings = load_settings()
            engine = make_engine(settings.database_url, echo=settings.database.echo)
            _built = SqlOrderBackend(make_session_factory(engine))
        return _built
