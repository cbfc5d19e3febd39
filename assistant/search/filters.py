"""Product-search filters read from free text by the model: JSON of a schema built from the
catalog's own vocabulary, validated with pydantic, and kept only where the message bears it out.

The schema already confines product types and option values to the catalog's. After
validation each filter is checked again: a type or an option value must be the catalog's (in
its own spelling), a price bound must be a number the shopper wrote, and bounds that contradict
each other are dropped. A model that fails or writes nonsense yields no filters, and the
vocabulary-based reading of the message stands alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.backends.orders import ProductView
from assistant.engine.numbers import facts_in
from assistant.errors import LanguageModelError
from assistant.llm.base import ChatMessage, LanguageModel
from assistant.llm.prompts import as_data, load_prompt
from assistant.search.words import option_vocabulary

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Vocabulary:
    """The catalog's words: product types, and each option's values."""

    product_types: tuple[str, ...]
    options: dict[str, tuple[str, ...]]

    @classmethod
    def from_products(cls, products: Iterable[ProductView]) -> Vocabulary:
        listed = list(products)
        options = option_vocabulary(v.options for p in listed for v in p.variants)
        return cls(
            tuple(sorted({p.name for p in listed})),
            {str(k): tuple(sorted(v)) for k, v in sorted(options.items())},
        )


class SearchFilters(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    product_type: str | None = Field(None, max_length=80)
    options: dict[str, str] = Field(default_factory=dict, max_length=8)
    min_price: float | None = Field(None, ge=0, le=1_000_000)
    max_price: float | None = Field(None, ge=0, le=1_000_000)
    in_stock: bool | None = None
    sort: Literal["cheapest", "priciest"] | None = None


@dataclass(frozen=True)
class Extraction:
    filters: SearchFilters
    # What the model proposed and was dropped, with why.
    dropped: list[str] = field(default_factory=list)


def filter_schema(vocabulary: Vocabulary) -> dict[str, Any]:
    price = {"anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}]}
    return {
        "type": "object",
        "properties": {
            "product_type": {"anyOf": [{"enum": list(vocabulary.product_types)}, {"type": "null"}]},
            "options": {
                "type": "object",
                "properties": {
                    name: {"enum": list(values)} for name, values in vocabulary.options.items()
                },
                "additionalProperties": False,
            },
            "min_price": price,
            "max_price": price,
            "in_stock": {"anyOf": [{"type": "boolean"}, {"type": "null"}]},
            "sort": {"anyOf": [{"enum": ["cheapest", "priciest"]}, {"type": "null"}]},
        },
        "required": ["product_type", "options", "min_price", "max_price", "in_stock", "sort"],
        "additionalProperties": False,
    }


def check_filters(filters: SearchFilters, text: str, vocabulary: Vocabulary) -> Extraction:
    """Keep what the catalog and the message bear out; say why the rest was dropped."""
    dropped: list[str] = []
    kept: dict[str, Any] = {"in_stock": filters.in_stock, "sort": filters.sort}
    types = {t.casefold(): t for t in vocabulary.product_types}
    if filters.product_type is not None:
        found = types.get(filters.product_type.casefold())
        if found is None:
            dropped.append(f"product_type {filters.product_type!r} is not in the catalog")
        kept["product_type"] = found
    options: dict[str, str] = {}
    for name, value in filters.options.items():
        values = {v.casefold(): v for v in vocabulary.options.get(name, ())}
        if value.casefold() in values:
            options[name] = values[value.casefold()]
        else:
            dropped.append(f"option {name}={value!r} is not in the catalog")
    kept["options"] = options
    written = facts_in(text)
    for bound in ("min_price", "max_price"):
        price: float | None = getattr(filters, bound)
        if price is not None and _number(price) not in written:
            dropped.append(f"{bound} {price:g} is not a number in the message")
            price = None
        kept[bound] = price
    low, high = kept["min_price"], kept["max_price"]
    if low is not None and high is not None and low > high:
        dropped.append("min_price is above max_price")
        kept["min_price"] = kept["max_price"] = None
    return Extraction(SearchFilters(**kept), dropped)


def _number(value: float) -> str:
    """As `facts_in` writes numbers: 50.0 → "50", 19.90 → "19.9"."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


class FilterExtractor:
    def __init__(self, model: LanguageModel, *, max_tokens: int = 120) -> None:
        self.model = model
        self.max_tokens = max_tokens
        self._system = load_prompt("filters.txt")
        self._user = load_prompt("message_user.txt")

    def messages(self, text: str, vocabulary: Vocabulary) -> list[ChatMessage]:
        options = "\n".join(
            f"    {name}: {', '.join(values)}" for name, values in vocabulary.options.items()
        )
        system = self._system.format(
            types=", ".join(vocabulary.product_types), options=options or "    (none)"
        )
        return [
            ChatMessage("system", system.strip()),
            ChatMessage("user", self._user.format(message=as_data(text, "message")).strip()),
        ]

    async def extract(self, text: str, vocabulary: Vocabulary) -> Extraction:
        try:
            data = await self.model.complete_json(
                self.messages(text, vocabulary),
                filter_schema(vocabulary),
                max_tokens=self.max_tokens,
            )
            filters = SearchFilters.model_validate(data)
        except LanguageModelError as exc:
            logger.info("no filters from the model: %s", exc.message)
            return Extraction(SearchFilters(), [f"model: {exc.message}"])
        except ValidationError as exc:
            logger.info("the model's filters were invalid: %s", exc.error_count())
            return Extraction(SearchFilters(), ["invalid output"])
        return check_filters(filters, text, vocabulary)
