"""What parsing a message yields: the intent, its ranking and the entities, in Rasa's shape."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Entity:
    entity: str
    value: Any
    # None when the entity does not come from a span of the text (button payloads).
    start: int | None
    end: int | None
    extractor: str
    text: str | None = None


@dataclass(frozen=True)
class ParseResult:
    text: str
    intent: str
    confidence: float
    entities: tuple[Entity, ...]
    ranking: tuple[tuple[str, float], ...]
    # The message as the speller read it ("wat is ur retrun polcy" → "what is your return
    # policy"), where it read any word otherwise; `text` stays what the shopper typed.
    spelled: str | None = None

    def as_rasa_dict(self) -> dict[str, Any]:
        """Rasa's `parse_data`, as trackers and rasa_sdk actions expect it."""
        data: dict[str, Any] = {
            "text": self.text,
            "intent": {"name": self.intent, "confidence": self.confidence},
            "entities": [
                {
                    "entity": entity.entity,
                    "value": entity.value,
                    "start": entity.start,
                    "end": entity.end,
                    "extractor": entity.extractor,
                }
                for entity in self.entities
            ],
            "intent_ranking": [
                {"name": name, "confidence": confidence} for name, confidence in self.ranking
            ],
        }
        if self.spelled is not None:
            # What a search of the store's documents should read: their words, not the typos.
            data["spelled_text"] = self.spelled
        return data
