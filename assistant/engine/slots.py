"""Slots from a message: filled by the domain's mappings, and what a new value changes.

A slot is filled from an entity, an intent or the message's text, as its mappings in the
domain say. A new value for a slot the active flow already collected is a correction: the
flow goes back to that step, and what it collected after it is asked again.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.engine.domain import Domain, SlotMapping
from assistant.engine.flows import FlowSet
from assistant.engine.nlu.result import Entity, ParseResult
from assistant.engine.repair import REPAIR_SLOTS
from assistant.engine.tracker import DialogueTracker


def fill_slots(domain: Domain, tracker: DialogueTracker, parse: ParseResult) -> None:
    """Set every slot one of whose mappings the parse satisfies (the first that does)."""
    waiting = tracker.active.waiting if tracker.active else None
    entities = {
        entity.entity: entity for entity in parse.entities if not _compared_to(parse.text, entity)
    }
    for name, slot in domain.slots.items():
        for mapping in slot.mappings:
            found, value = _mapped_value(mapping, name, waiting, parse, entities)
            if found:
                tracker.set_slot(name, value)
                break
    # Button payloads (/inform{"order_id": "#W1"}) fill slots only through the slots' own
    # from_entity mappings, like any entity: a hand-written payload cannot set a slot the
    # domain does not open to it (who the shopper is, a confirmation token).


# "The same address as order #W8277957": a value named to compare with, not the value.
_COMPARED_TO = re.compile(
    r"\b(?:same (?:\w+ )?as|like|similar to|as (?:in|on|for))(?: the| my)?(?: \w+)?\s*$",
    re.IGNORECASE,
)


def _compared_to(text: str, entity: Entity) -> bool:
    return entity.start is not None and bool(_COMPARED_TO.search(text[: entity.start]))


def _mapped_value(
    mapping: SlotMapping,
    slot: str,
    waiting: str | None,
    parse: ParseResult,
    entities: dict[str, Any],
) -> tuple[bool, Any]:
    asked = waiting == slot
    if mapping.type == "from_entity" and mapping.entity in entities:
        if mapping.active_only and not asked:
            return False, None
        return True, entities[mapping.entity].value
    if mapping.type == "from_intent" and asked and parse.intent == mapping.intent:
        return True, mapping.value
    if mapping.type == "from_text" and asked:
        return True, parse.text
    return False, None


def apply_corrections(flows: FlowSet, tracker: DialogueTracker, before: dict[str, Any]) -> bool:
    """A new value for a slot the active flow already collected ("actually, order #W2")
    takes the flow back to that step; what was collected after it is asked again."""
    frame = tracker.active
    if frame is None:
        return False
    flow = flows.flows[frame.flow]
    corrected = [
        index
        for name in tracker.changed_slots
        if before.get(name) is not None
        and tracker.slots.get(name) is not None
        and before.get(name) != tracker.slots.get(name)
        and (index := flow.collect_index(name)) is not None
        and index < frame.step
    ]
    if not corrected:
        return False
    index = min(corrected)
    for name in flow.collected_after(index):
        tracker.set_slot(name, None)
    frame.step = index
    frame.waiting = None
    return True


def set_by_latest_message(events: list[dict[str, Any]]) -> list[str]:
    """The slots set since the latest shopper message (by it, or by the actions it ran)."""
    names: list[str] = []
    for event in reversed(events):
        if event.get("event") == "user":
            break
        if event.get("event") == "slot":
            names.append(str(event.get("name")))
    return names


def heard_something(tracker: DialogueTracker) -> bool:
    """Whether the latest message set a slot (other than repair's own): it said something
    the task kept, so asking again is not "I didn't catch that"."""
    return any(name not in REPAIR_SLOTS for name in set_by_latest_message(tracker.events))
