"""Commands a language model may propose for a message the NLU is unsure of, in the spirit of
Rasa CALM: start a flow, set a slot, search, hand off, chit-chat.

A command never does anything itself. It is validated (pydantic) and reconciled with the NLU's
own parse: a flow may start only if the NLU ranked one of its trigger intents among its top
three; a slot may be set only if the domain opens it to the shopper's words (a `from_entity`
mapping), the value is in the message and the NLU's extractor reads it as that entity. What
survives becomes the parse the dialogue engine then follows as usual — so authentication,
validation and the shopper's explicit confirmation still guard every change. Everything else is
dropped, with the reason recorded on the turn.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from assistant.engine.domain import Domain
from assistant.engine.flows import FlowSet
from assistant.engine.nlu.payload import PAYLOAD_EXTRACTOR
from assistant.engine.nlu.result import Entity, ParseResult

# The NLU is consulted first; below this confidence the model is asked too.
CONFIDENT = 0.75
# A proposed flow must be triggered by one of the NLU's best intents.
TOP_INTENTS = 3
MAX_COMMANDS = 4
COMMAND_EXTRACTOR = "command"
HANDOFF_INTENT = "human_handoff"


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StartFlow(_Command):
    command: Literal["start_flow"]
    flow: str = Field(max_length=64)


class SetSlot(_Command):
    command: Literal["set_slot"]
    slot: str = Field(max_length=64)
    value: str = Field(max_length=200)


class Search(_Command):
    command: Literal["search"]
    query: str = Field(max_length=200)


class HandOff(_Command):
    command: Literal["hand_off"]


class ChitChat(_Command):
    command: Literal["chitchat"]


Command = Annotated[
    StartFlow | SetSlot | Search | HandOff | ChitChat, Field(discriminator="command")
]


class CommandList(_Command):
    commands: list[Command] = Field(max_length=MAX_COMMANDS)


_commands_adapter: TypeAdapter[CommandList] = TypeAdapter(CommandList)


class InvalidCommands(ValueError):
    """The model's output is not a valid command list."""


def parse_commands(data: Any) -> list[StartFlow | SetSlot | Search | HandOff | ChitChat]:
    """The model's JSON as commands; `InvalidCommands` for anything else."""
    try:
        return list(_commands_adapter.validate_python(data).commands)
    except ValidationError as exc:
        raise InvalidCommands(str(exc)) from exc


@dataclass(frozen=True)
class CommandContext:
    """What the model is told about the conversation: where it stands, what it may do."""

    text: str
    active_flow: str | None
    waiting_for: str | None
    # name → description, for the flows a command may start and the slots it may set.
    flows: dict[str, str]
    slots: dict[str, str]


class CommandSource(Protocol):
    """Proposes commands for a message (a language model); [] when it has nothing valid."""

    async def propose(
        self, context: CommandContext
    ) -> Sequence[StartFlow | SetSlot | Search | HandOff | ChitChat]: ...


@dataclass(frozen=True)
class Decision:
    command: dict[str, Any]
    applied: bool
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {**self.command, "applied": self.applied, "reason": self.reason}


@dataclass
class Reconciled:
    parse: ParseResult
    decisions: list[Decision] = field(default_factory=list)


def needs_commands(parse: ParseResult) -> bool:
    """Whether to ask the model: the NLU is unsure, and the message is not a button's
    (a payload means exactly what it says)."""
    if any(entity.extractor == PAYLOAD_EXTRACTOR for entity in parse.entities):
        return False
    return bool(parse.text.strip()) and parse.confidence < CONFIDENT


class CommandPolicy:
    """Which commands a turn may take: built from the flows and the domain."""

    def __init__(self, flows: FlowSet, domain: Domain, *, search_flow: str | None = None) -> None:
        self.flows = flows
        self.domain = domain
        self.search_flow = search_flow
        # Slots the shopper's own words may fill, and the entity that fills each.
        self.open_slots = {
            name: mapping.entity
            for name, slot in domain.slots.items()
            for mapping in slot.mappings
            if mapping.type == "from_entity" and mapping.entity
        }
        # What the model is told it may start and set; the same for every message.
        self._startable = {
            name: " ".join((flow.description or name).split())
            for name, flow in flows.flows.items()
            if flow.trigger.intents and name != flows.fallback
        }
        self._settable = {
            name: f"the {entity.replace('_', ' ')}" for name, entity in self.open_slots.items()
        }

    def context(
        self, text: str, *, active_flow: str | None, waiting_for: str | None
    ) -> CommandContext:
        return CommandContext(text, active_flow, waiting_for, self._startable, self._settable)

    def reconcile(
        self,
        parse: ParseResult,
        commands: Sequence[StartFlow | SetSlot | Search | HandOff | ChitChat],
        *,
        read_entities: Any,
    ) -> Reconciled:
        """`parse` with the commands that hold applied. `read_entities(text)` is the NLU's
        entity extractor, which must read a slot's value as that slot's entity."""
        result = Reconciled(parse)
        ranked = [name for name, _ in parse.ranking[:TOP_INTENTS]]
        started = False
        for command in commands:
            data = command.model_dump()
            if isinstance(command, ChitChat):
                result.decisions.append(Decision(data, False, "chit-chat: the NLU's reply stands"))
                continue
            if isinstance(command, SetSlot):
                entity, reason = self._slot_entity(command, parse.text, read_entities)
                if entity is None:
                    result.decisions.append(Decision(data, False, reason))
                    continue
                kept = tuple(e for e in result.parse.entities if e.entity != entity.entity)
                result.parse = replace(result.parse, entities=(*kept, entity))
                result.decisions.append(Decision(data, True))
                continue
            flow = self._flow_of(command)
            if flow is None:
                result.decisions.append(Decision(data, False, "no such flow"))
                continue
            if started:
                result.decisions.append(Decision(data, False, "one flow per message"))
                continue
            intents = self.flows.flows[flow].trigger.intents
            consistent = [intent for intent in ranked if intent in intents]
            if parse.intent in intents:
                result.decisions.append(Decision(data, True, "the NLU agrees"))
                started = True
                continue
            if not consistent:
                result.decisions.append(
                    Decision(data, False, f"the NLU ranked none of {flow}'s intents high")
                )
                continue
            confidence = dict(parse.ranking)[consistent[0]]
            result.parse = replace(result.parse, intent=consistent[0], confidence=confidence)
            result.decisions.append(Decision(data, True))
            started = True
        return result

    def _flow_of(self, command: StartFlow | Search | HandOff) -> str | None:
        if isinstance(command, HandOff):
            return self.flows.for_intent(HANDOFF_INTENT)
        if isinstance(command, Search):
            return self.search_flow
        name = command.flow
        if name not in self.flows.flows or name == self.flows.fallback:
            return None
        return name if self.flows.flows[name].trigger.intents else None

    def _slot_entity(
        self, command: SetSlot, text: str, read_entities: Any
    ) -> tuple[Entity | None, str]:
        entity_name = self.open_slots.get(command.slot)
        if entity_name is None:
            return None, "the shopper's words cannot set this slot"
        value = " ".join(command.value.split())
        if not value or _squash(value) not in _squash(text):
            return None, "the value is not in the message"
        found = [e for e in read_entities(value) if e.entity == entity_name]
        if not found:
            return None, f"the NLU does not read the value as {entity_name}"
        entity = Entity(
            entity=entity_name,
            value=found[0].value,
            start=None,
            end=None,
            extractor=COMMAND_EXTRACTOR,
            text=value,
        )
        return entity, ""


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.casefold()).strip()
