"""The domain: slots (with their mappings from NLU output) and responses, read from YAML.

The file follows Rasa 3.x's domain format for the parts the engine uses (`slots` with
`mappings`, `responses`, `actions`), so the same dictionary is what the action server receives.

A response's `{placeholders}` are filled from the slots and from the values an action passes
with it (`utter_message(response="utter_x", name=value)`). A value may itself be another
response, `{"response": "utter_y", **its_values}` (its text, filled the same way), or a list
of such responses and plain strings, one per line: an action composes a message of several
sentences while every sentence stays in the domain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.engine.messages import BotMessage, Button
from assistant.engine.yaml_files import load_yaml_model
from assistant.errors import FlowError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SlotMapping(_Strict):
    type: Literal["from_entity", "from_intent", "from_text", "custom"]
    entity: str | None = None
    intent: str | None = None
    value: Any = None
    # Only fill while a flow is collecting this slot (always true for from_intent/from_text).
    active_only: bool = False

    @model_validator(mode="after")
    def _needs_target(self) -> SlotMapping:
        if self.type == "from_entity" and not self.entity:
            raise ValueError("a from_entity mapping needs `entity`")
        if self.type == "from_intent" and not self.intent:
            raise ValueError("a from_intent mapping needs `intent`")
        return self


class Slot(_Strict):
    type: Literal["text", "bool", "float", "list", "any", "categorical"] = "any"
    initial_value: Any = None
    values: list[str] | None = None
    influence_conversation: bool = False
    mappings: list[SlotMapping] = Field(default_factory=list)


class ResponseVariant(_Strict):
    text: str | None = None
    buttons: list[dict[str, str]] = Field(default_factory=list)
    image: str | None = None
    custom: dict[str, Any] | None = None


class Domain(_Strict):
    model_config = ConfigDict(extra="ignore", frozen=True)

    version: str = "3.1"
    intents: list[str] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)
    slots: dict[str, Slot] = Field(default_factory=dict)
    responses: dict[str, list[ResponseVariant]] = Field(default_factory=dict)
    actions: list[str] = Field(default_factory=list)

    def as_rasa_dict(self) -> dict[str, Any]:
        """The domain as Rasa sends it to an action server."""
        return self.model_dump(mode="json", exclude_none=True)

    def initial_slots(self) -> dict[str, Any]:
        return {name: slot.initial_value for name, slot in self.slots.items()}

    def has_response(self, name: str) -> bool:
        return name in self.responses

    def render(
        self,
        name: str,
        values: dict[str, Any],
        *,
        seed: str = "",
        fallback: BotMessage | None = None,
        avoid: str | None = None,
    ) -> BotMessage:
        """Fill a response template with slot values; the variant is chosen stably by `seed`,
        passing over one whose text would be `avoid` (the message just sent) when another
        variant exists. `fallback` (what an action sent beside the response's name) gives the
        text, buttons and payload the variant lacks."""
        variants, index = self._variants(name, seed)
        fill = _Placeholders(values, self._expander(values, seed, depth=0))
        for offset in range(len(variants)):
            variant = variants[(index + offset) % len(variants)]
            if avoid is None or variant.text is None or variant.text.format_map(fill) != avoid:
                break
        buttons = tuple(
            Button(title=button["title"].format_map(fill), payload=button["payload"])
            for button in variant.buttons
        )
        extra = fallback or BotMessage()
        return BotMessage(
            text=variant.text.format_map(fill) if variant.text is not None else extra.text,
            buttons=buttons or extra.buttons,
            image=variant.image,
            custom=variant.custom if variant.custom is not None else extra.custom,
        )

    def _variants(self, name: str, seed: str) -> tuple[list[ResponseVariant], int]:
        """A response's variants, and the one `seed` chooses."""
        variants = self.responses.get(name)
        if not variants:
            raise FlowError(f"no response named {name!r} in the domain")
        index = int(hashlib.sha256(f"{name}:{seed}".encode()).hexdigest(), 16) % len(variants)
        return variants, index

    def _expander(self, values: dict[str, Any], seed: str, depth: int) -> Callable[[Any], Any]:
        """What a placeholder's value reads as: a response given as a value, its filled text;
        a list, its items' texts, one per line; anything else, itself."""

        def expand(value: Any) -> Any:
            if isinstance(value, list):
                return "\n".join(str(expand(item)) for item in value if item is not None)
            if not (isinstance(value, dict) and isinstance(value.get("response"), str)):
                return value
            if depth >= MAX_NESTING:
                raise FlowError(f"responses nested deeper than {MAX_NESTING} levels")
            name = value["response"]
            own = {k: v for k, v in value.items() if k != "response" and v is not None}
            inner = {**values, **own}
            variants, index = self._variants(name, seed)
            text = variants[index].text or ""
            return text.format_map(_Placeholders(inner, self._expander(inner, seed, depth + 1)))

        return expand


# How deep a response given as a placeholder value may hold other responses.
MAX_NESTING = 4


class _Placeholders(dict[str, Any]):
    """format_map values that leave unknown `{names}` untouched, show None as blank, and read
    a response given as a value as its text (`expand`)."""

    def __init__(self, values: dict[str, Any], expand: Callable[[Any], Any]) -> None:
        super().__init__(values)
        self._expand = expand

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key) if key in self else self.__missing__(key)
        return "" if value is None else self._expand(value)


def load_domain(path: Path) -> Domain:
    return load_yaml_model(path, Domain, "domain")
