"""Commands a model proposes: validated by their schema, then applied only where they agree
with the NLU and the domain (assistant/engine/commands.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.engine.commands import (
    CommandPolicy,
    InvalidCommands,
    needs_commands,
    parse_commands,
)
from assistant.engine.domain import load_domain
from assistant.engine.flows import load_flows
from assistant.engine.nlu.entities import EntityExtractor
from assistant.engine.nlu.result import Entity, ParseResult
from assistant.engine.nlu.training_data import load_training_data

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def policy() -> CommandPolicy:
    return CommandPolicy(
        load_flows(ROOT / "actions" / "flows.yml"), load_domain(ROOT / "actions" / "domain.yml")
    )


@pytest.fixture(scope="module")
def extractor() -> EntityExtractor:
    return EntityExtractor.from_training_data(load_training_data(ROOT / "nlu_data"))


def _parse(
    text: str, *ranking: tuple[str, float], entities: tuple[Entity, ...] = ()
) -> ParseResult:
    top, confidence = ranking[0]
    return ParseResult(text, top, confidence, entities, tuple(ranking))


def _apply(
    policy: CommandPolicy, extractor: EntityExtractor, parse: ParseResult, *commands: dict[str, Any]
) -> tuple[ParseResult, list[dict[str, Any]]]:
    reconciled = policy.reconcile(
        parse, parse_commands({"commands": list(commands)}), read_entities=extractor.extract
    )
    return reconciled.parse, [d.as_dict() for d in reconciled.decisions]


UNSURE = (("out_of_scope", 0.41), ("order_status", 0.38), ("cancel_order", 0.2))


def test_a_flow_starts_when_the_nlu_ranked_its_intent_high(
    policy: CommandPolicy, extractor: EntityExtractor
) -> None:
    parse = _parse("has my parcel left yet", *UNSURE)
    applied, decisions = _apply(
        policy, extractor, parse, {"command": "start_flow", "flow": "order_status"}
    )
    assert (applied.intent, applied.confidence) == ("order_status", 0.38)
    assert decisions == [
        {"command": "start_flow", "flow": "order_status", "applied": True, "reason": ""}
    ]


def test_a_flow_the_nlu_did_not_rank_is_refused(
    policy: CommandPolicy, extractor: EntityExtractor
) -> None:
    parse = _parse("has my parcel left yet", *UNSURE)
    for flow in ("return_order", "change_default_address", "out_of_scope", "no_such_flow"):
        applied, decisions = _apply(
            policy, extractor, parse, {"command": "start_flow", "flow": flow}
        )
        assert applied == parse, flow
        assert decisions[0]["applied"] is False and decisions[0]["reason"], decisions


def test_only_one_flow_per_message(policy: CommandPolicy, extractor: EntityExtractor) -> None:
    parse = _parse("has my parcel left yet", *UNSURE)
    applied, decisions = _apply(
        policy,
        extractor,
        parse,
        {"command": "start_flow", "flow": "order_status"},
        {"command": "start_flow", "flow": "cancel_order"},
    )
    assert applied.intent == "order_status"
    assert [d["applied"] for d in decisions] == [True, False]


def test_slots_are_set_only_from_the_shoppers_own_words(
    policy: CommandPolicy, extractor: EntityExtractor
) -> None:
    parse = _parse("the one ending w2378156 thanks", *UNSURE)
    applied, decisions = _apply(
        policy,
        extractor,
        parse,
        {"command": "set_slot", "slot": "order_id", "value": "w2378156"},
        # Not in the message: invented.
        {"command": "set_slot", "slot": "order_id", "value": "#W6679257"},
        # Slots no message may set: who the shopper is, a confirmation.
        {"command": "set_slot", "slot": "customer_id", "value": "yusuf_rossi_9620"},
        {"command": "set_slot", "slot": "confirmed", "value": "true"},
    )
    assert [(e.entity, e.value, e.extractor) for e in applied.entities] == [
        ("order_id", "#W2378156", "command")
    ]
    assert [d["applied"] for d in decisions] == [True, False, False, False]
    assert decisions[1]["reason"] == "the value is not in the message"
    assert (
        decisions[2]["reason"]
        == decisions[3]["reason"]
        == ("the shopper's words cannot set this slot")
    )


def test_a_value_the_nlu_does_not_read_as_the_entity_is_refused(
    policy: CommandPolicy, extractor: EntityExtractor
) -> None:
    parse = _parse("it is order number twelve", *UNSURE)
    _, decisions = _apply(
        policy, extractor, parse, {"command": "set_slot", "slot": "order_id", "value": "twelve"}
    )
    assert decisions[0]["applied"] is False
    assert decisions[0]["reason"] == "the NLU does not read the value as order_id"


def test_hand_off_search_and_chitchat(policy: CommandPolicy, extractor: EntityExtractor) -> None:
    parse = _parse(
        "i'd rather talk it through with somebody", ("out_of_scope", 0.3), ("human_handoff", 0.29)
    )
    applied, _ = _apply(policy, extractor, parse, {"command": "hand_off"})
    assert applied.intent == "human_handoff"
    applied, decisions = _apply(policy, extractor, parse, {"command": "chitchat"})
    assert applied == parse and decisions[0]["applied"] is False
    # Without a search flow (this policy has none), a search changes nothing.
    applied, decisions = _apply(policy, extractor, parse, {"command": "search", "query": "boots"})
    assert applied == parse and decisions[0]["reason"] == "no such flow"


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"commands": [{"command": "run_action", "name": "action_cancel_order"}]},
        {"commands": [{"command": "start_flow"}]},
        {"commands": [{"command": "set_slot", "slot": "order_id", "value": "#W1", "force": True}]},
        {"commands": [{"command": "chitchat"}] * 5},
        {"commands": [{"command": "search", "query": "x" * 201}]},
        {"commands": "start_flow"},
    ],
)
def test_anything_but_a_valid_command_list_is_refused(data: Any) -> None:
    with pytest.raises(InvalidCommands):
        parse_commands(data)


def test_the_model_is_asked_only_when_the_nlu_is_unsure() -> None:
    assert needs_commands(_parse("has my parcel left yet", *UNSURE))
    assert not needs_commands(_parse("where is my order", ("order_status", 0.93)))
    button = Entity("order_id", "#W2378156", None, None, "payload")
    assert not needs_commands(
        _parse('/inform{"order_id": "#W2378156"}', ("inform", 0.2), entities=(button,))
    )
