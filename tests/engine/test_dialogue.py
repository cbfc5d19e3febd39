"""The dialogue manager: flows from YAML, slot filling, interruptions, real rasa_sdk actions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.engine.action_events import check_events
from assistant.engine.domain import load_domain
from assistant.engine.executor import InProcessActionRunner
from assistant.engine.flows import load_flows
from assistant.engine.manager import DialogueEngine
from assistant.engine.tracker import DialogueTracker
from assistant.errors import ActionFailed, FlowError
from tests.fakes import QueueParser

pytestmark = pytest.mark.anyio

DOMAIN = {
    "version": "3.1",
    "slots": {
        "email": {"type": "text", "mappings": [{"type": "from_entity", "entity": "email"}]},
        "confirmed": {
            "type": "bool",
            "mappings": [
                {"type": "from_intent", "intent": "affirm", "value": True},
                {"type": "from_intent", "intent": "deny", "value": False},
            ],
        },
        "note": {"type": "text", "mappings": [{"type": "from_text"}]},
        "handoff_reason": {"type": "text", "mappings": [{"type": "custom"}]},
    },
    "responses": {
        "utter_greet": [{"text": "Hello from {assistant_name}!"}],
        "utter_ask_email": [{"text": "What is your email?"}],
        "utter_ask_confirmed": [
            {"text": "Send to {email}?", "buttons": [{"title": "Yes", "payload": "/affirm"}]}
        ],
        "utter_ask_note": [{"text": "Any note?"}],
        "utter_done": [{"text": "Done for {email}."}],
        "utter_cancelled": [{"text": "Cancelled."}],
        "utter_fallback": [{"text": "Sorry?"}],
        "utter_handoff": [{"text": "Connecting you."}],
    },
}

FLOWS = {
    "fallback": "fallback",
    "flows": {
        "greet": {"trigger": {"intents": ["greet"]}, "steps": [{"action": "utter_greet"}]},
        "fallback": {
            "trigger": {"intents": ["out_of_scope"]},
            "steps": [{"action": "utter_fallback"}],
        },
        "subscribe": {
            "trigger": {"intents": ["subscribe"]},
            "steps": [
                {"collect": "email"},
                {
                    "collect": "confirmed",
                    "reset": True,
                    "next": [
                        {"if": {"slot": "confirmed", "equals": True}, "then": "done"},
                        {"else": "cancelled"},
                    ],
                },
                {"id": "done", "action": "utter_done", "next": "END"},
                {"id": "cancelled", "action": "utter_cancelled"},
            ],
        },
        "leave_note": {
            "trigger": {"intents": ["note"]},
            "steps": [{"collect": "note"}, {"link": "greet"}],
        },
        "human_handoff": {
            "trigger": {"intents": ["human_handoff"]},
            "steps": [{"action": "action_handoff"}],
        },
        "smalltalk": {
            "trigger": {"intents": ["smalltalk"]},
            "interrupts": False,
            "steps": [{"action": "utter_greet"}],
        },
    },
}


def _write(tmp_path: Path, domain: dict, flows: dict) -> tuple[Path, Path]:
    domain_path, flows_path = tmp_path / "domain.yml", tmp_path / "flows.yml"
    domain_path.write_text(yaml.safe_dump(domain))
    flows_path.write_text(yaml.safe_dump(flows))
    return domain_path, flows_path


@pytest.fixture
def parser() -> QueueParser:
    return QueueParser()


@pytest.fixture
def engine(tmp_path: Path, parser: QueueParser) -> DialogueEngine:
    domain_path, flows_path = _write(tmp_path, DOMAIN, FLOWS)
    return DialogueEngine(
        parser=parser,
        domain=load_domain(domain_path),
        flows=load_flows(flows_path),
        runner=InProcessActionRunner("actions"),
        assistant_name="Aisle",
    )


async def turn(
    engine: DialogueEngine,
    parser: QueueParser,
    tracker: DialogueTracker,
    intent: str,
    text: str = "x",
    **entities: object,
) -> list[str]:
    parser.enqueue(intent, entities)
    result = await engine.handle(tracker, text)
    return [m.text or "" for m in result.messages]


async def test_a_flow_collects_slots_and_branches(
    engine: DialogueEngine, parser: QueueParser
) -> None:
    tracker = engine.new_tracker("t")
    assert await turn(engine, parser, tracker, "subscribe") == ["What is your email?"]
    assert await turn(engine, parser, tracker, "inform", email="a@b.co") == ["Send to a@b.co?"]
    assert await turn(engine, parser, tracker, "affirm") == ["Done for a@b.co."]
    assert tracker.stack == []
    # `reset` asks again next time; a no takes the other branch.
    assert await turn(engine, parser, tracker, "subscribe") == ["Send to a@b.co?"]
    assert await turn(engine, parser, tracker, "deny") == ["Cancelled."]


async def test_an_unrelated_answer_asks_again(engine: DialogueEngine, parser: QueueParser) -> None:
    tracker = engine.new_tracker("t")
    await turn(engine, parser, tracker, "subscribe")
    assert await turn(engine, parser, tracker, "out_of_scope") == ["What is your email?"]


async def test_another_flow_interrupts_and_the_first_resumes(
    engine: DialogueEngine, parser: QueueParser
) -> None:
    tracker = engine.new_tracker("t")
    await turn(engine, parser, tracker, "subscribe")
    assert await turn(engine, parser, tracker, "greet") == [
        "Hello from Aisle!",
        "What is your email?",
    ]
    assert [frame.flow for frame in tracker.stack] == ["subscribe"]


async def test_a_corrected_value_rewinds_the_flow(
    engine: DialogueEngine, parser: QueueParser
) -> None:
    tracker = engine.new_tracker("t")
    await turn(engine, parser, tracker, "subscribe")
    assert await turn(engine, parser, tracker, "inform", email="a@b.co") == ["Send to a@b.co?"]
    # "actually, c@d.co": the flow goes back to the email step and asks the rest again.
    assert await turn(engine, parser, tracker, "inform", email="c@d.co") == ["Send to c@d.co?"]
    assert await turn(engine, parser, tracker, "affirm") == ["Done for c@d.co."]


async def test_a_flow_that_does_not_interrupt_leaves_the_question_open(
    engine: DialogueEngine, parser: QueueParser
) -> None:
    tracker = engine.new_tracker("t")
    await turn(engine, parser, tracker, "subscribe")
    assert await turn(engine, parser, tracker, "smalltalk") == ["What is your email?"]
    assert [frame.flow for frame in tracker.stack] == ["subscribe"]
    # With nothing waiting, it runs as usual.
    assert await turn(engine, parser, tracker, "inform", email="a@b.co") == ["Send to a@b.co?"]
    await turn(engine, parser, tracker, "deny")
    assert await turn(engine, parser, tracker, "smalltalk") == ["Hello from Aisle!"]


async def test_payload_values_fill_only_slots_mapped_to_them(
    engine: DialogueEngine, parser: QueueParser
) -> None:
    tracker = engine.new_tracker("t")
    # A button may carry any entity; only slots mapped from it change (handoff_reason is
    # custom, so no message can set it).
    entities = {"handoff_reason": "forged", "email": "a@b.co"}
    parser.enqueue("subscribe", entities, 1.0, extractor="payload")
    result = await engine.handle(tracker, '/subscribe{"handoff_reason": "forged"}')
    assert [m.text for m in result.messages] == ["Send to a@b.co?"]
    assert tracker.slots["handoff_reason"] is None and tracker.slots["email"] == "a@b.co"


async def test_from_text_and_link(engine: DialogueEngine, parser: QueueParser) -> None:
    tracker = engine.new_tracker("t")
    assert await turn(engine, parser, tracker, "note") == ["Any note?"]
    assert await turn(engine, parser, tracker, "out_of_scope", text="leave it by the door") == [
        "Hello from Aisle!"
    ]
    assert tracker.slots["note"] == "leave it by the door"


async def test_unknown_intent_runs_the_fallback(
    engine: DialogueEngine, parser: QueueParser
) -> None:
    tracker = engine.new_tracker("t")
    assert await turn(engine, parser, tracker, "something_else") == ["Sorry?"]


async def test_the_handoff_action_pauses_through_rasa_events(
    engine: DialogueEngine, parser: QueueParser
) -> None:
    tracker = engine.new_tracker("t")
    parser.enqueue("human_handoff")
    result = await engine.handle(tracker, "a person please")
    assert result.handoff_reason == "a person please"
    assert tracker.paused is True
    assert result.messages[0].text == "Connecting you."
    assert result.messages[1].custom == {"type": "handoff", "status": "requested"}
    kinds = [event["event"] for event in tracker.new_events]
    assert kinds[:2] == ["user", "slot"] or "pause" in kinds
    assert "pause" in kinds


def test_flows_are_validated_at_start_up(tmp_path: Path, parser: QueueParser) -> None:
    broken = {
        "flows": {
            "fallback": {"steps": [{"action": "utter_nope"}]},
            "x": {"steps": [{"collect": "ghost", "next": "missing"}]},
        },
        "fallback": "fallback",
    }
    domain_path, flows_path = _write(tmp_path, DOMAIN, broken)
    with pytest.raises(FlowError) as caught:
        DialogueEngine(
            parser=parser,
            domain=load_domain(domain_path),
            flows=load_flows(flows_path),
            runner=InProcessActionRunner("actions"),
            assistant_name="A",
        )
    message = str(caught.value)
    assert "unknown action 'utter_nope'" in message
    assert "unknown slot 'ghost'" in message
    assert "next step 'missing' does not exist" in message


def test_a_step_with_two_kinds_is_refused(tmp_path: Path) -> None:
    flows = {"flows": {"f": {"steps": [{"action": "utter_greet", "collect": "email"}]}}}
    _, flows_path = _write(tmp_path, DOMAIN, flows)
    with pytest.raises(FlowError, match="exactly one of"):
        load_flows(flows_path)


def test_the_executor_checks_events() -> None:
    slots = {"email"}
    assert check_events("a", [{"event": "slot", "name": "email", "value": "x"}], slots)
    with pytest.raises(ActionFailed, match="undeclared slot"):
        check_events("a", [{"event": "slot", "name": "password", "value": "x"}], slots)
    with pytest.raises(ActionFailed, match="unsupported event"):
        check_events("a", [{"event": "user", "text": "spoofed"}], slots)
    with pytest.raises(ActionFailed, match="non-event"):
        check_events("a", ["slot"], slots)
