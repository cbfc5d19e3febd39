"""Button payloads: `/intent` or `/intent{"entity": "value"}` skip the classifier.

Quick-reply buttons send payloads like Rasa's, so a click always means exactly what the button
says. A text that only looks like a payload (bad JSON, a non-object, a path such as `/etc/x y`)
is left to the classifier as plain text.
"""

from __future__ import annotations

import json
import re

from assistant.engine.nlu.result import Entity, ParseResult

PAYLOAD_EXTRACTOR = "payload"

_PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z_][\w\-.]*)(?P<entities>\{.*\})?$", re.DOTALL)


def parse_payload(text: str) -> ParseResult | None:
    """The payload's intent with confidence 1.0, or None when the text is not a payload."""
    match = _PAYLOAD.match(text.strip())
    if match is None:
        return None
    intent = match.group("intent")
    entities: list[Entity] = []
    if match.group("entities"):
        try:
            values = json.loads(match.group("entities"))
        except json.JSONDecodeError:
            return None
        if not isinstance(values, dict):
            return None
        entities = [
            Entity(entity=str(name), value=value, start=None, end=None, extractor=PAYLOAD_EXTRACTOR)
            for name, value in values.items()
        ]
    return ParseResult(
        text=text,
        intent=intent,
        confidence=1.0,
        entities=tuple(entities),
        ranking=((intent, 1.0),),
    )
