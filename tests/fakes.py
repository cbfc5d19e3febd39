"""Fakes for the network edge and for unit tests: a queue-driven NLU parser."""

from __future__ import annotations

from collections import deque
from typing import Any

from assistant.engine.nlu.result import Entity, ParseResult


class QueueParser:
    """Returns the parses enqueued by the test, in order; fails loudly when it runs dry."""

    def __init__(self) -> None:
        self._queue: deque[tuple[str, dict[str, Any], float, str]] = deque()

    def enqueue(
        self,
        intent: str,
        entities: dict[str, Any] | None = None,
        confidence: float = 0.95,
        *,
        extractor: str = "test",
    ) -> None:
        self._queue.append((intent, entities or {}, confidence, extractor))

    def parse(self, text: str) -> ParseResult:
        if not self._queue:
            raise AssertionError(f"no parse enqueued for {text!r}")
        intent, entities, confidence, extractor = self._queue.popleft()
        return ParseResult(
            text=text,
            intent=intent,
            confidence=confidence,
            entities=tuple(
                Entity(entity=name, value=value, start=None, end=None, extractor=extractor)
                for name, value in entities.items()
            ),
            ranking=((intent, confidence),),
        )
