"""Drafts: a reply shown while the language model writes it, before it is checked.

During a turn the conversation service installs a `DraftSink` (`drafts_to`); an action that
streams a generated answer opens a `DraftWriter` (`open_draft`) and writes its text as it
grows. The final message then names the draft it replaces (`custom.replaces`), which may be the
model's checked text or the extractive answer that took its place. Without a sink (the REST
channel, an action server) `open_draft` gives None and nothing is streamed.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar

# (draft id, all of its text so far) → published to the conversation's clients.
DraftSink = Callable[[str, str], Awaitable[None]]

_sink: ContextVar[DraftSink | None] = ContextVar("aisle_draft_sink", default=None)

# Drafts are sent at most this often; the last text is always sent before the draft ends.
MIN_INTERVAL_S = 0.05


@contextlib.contextmanager
def drafts_to(sink: DraftSink) -> Iterator[None]:
    """Drafts written inside the block (the same task, or tasks it starts) go to `sink`."""
    token = _sink.set(sink)
    try:
        yield
    finally:
        _sink.reset(token)


class DraftWriter:
    """One draft: text appended as it is written, sent to the sink at most every 50 ms."""

    def __init__(self, sink: DraftSink, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.id = f"d-{secrets.token_urlsafe(9)}"
        self._sink = sink
        self._clock = clock
        self._text = ""
        self._sent = ""
        self._sent_at = float("-inf")

    async def append(self, piece: str) -> None:
        self._text += piece
        if self._clock() - self._sent_at >= MIN_INTERVAL_S:
            await self.flush()

    @property
    def sent(self) -> bool:
        """Whether any of the draft reached the sink (then a final message must replace it)."""
        return bool(self._sent)

    async def flush(self) -> None:
        if self._text.strip() and self._text != self._sent:
            self._sent, self._sent_at = self._text, self._clock()
            await self._sink(self.id, self._text)


def open_draft() -> DraftWriter | None:
    sink = _sink.get()
    return DraftWriter(sink) if sink is not None else None
