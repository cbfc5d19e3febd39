"""How actions reach the store's services: one typed bundle, `current()`.

In process, the assistant hands its services to each run (`using`), so actions share the
server's database connections and models. On a separate action server (`python -m rasa_sdk
--actions actions`) nothing is handed over: the first call builds them once from the same
settings the assistant reads (`config.yml` and the `AISLE_*` environment), with the same
builders (`assistant/services.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from threading import Lock

from assistant.services import ActionServices

_current: ContextVar[ActionServices | None] = ContextVar("aisle_services", default=None)
_built: ActionServices | None = None
_lock = Lock()


@contextmanager
def using(services: ActionServices) -> Iterator[None]:
    """Run the enclosed actions against these services."""
    token = _current.set(services)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> ActionServices:
    """The services of this run: those handed over, or else those built from the settings."""
    found = _current.get()
    if found is not None:
        return found
    global _built
    with _lock:
        if _built is None:
            from assistant.config import load_settings
            from assistant.services import action_services_from_settings

            _built = action_services_from_settings(load_settings())
        return _built
