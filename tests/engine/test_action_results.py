"""What actions hand back, read into typed events and messages where it enters the engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import rasa_sdk.events as sdk
import yaml
from rasa_sdk.executor import CollectingDispatcher

from assistant.engine.action_events import (
    ActionResult,
    ActiveLoop,
    DispatcherMessage,
    Followup,
    Pause,
    ResetSlots,
    Restart,
    Resume,
    SlotSet,
    check_events,
    read_action_result,
)
from assistant.engine.domain import load_domain
from assistant.engine.executor import HttpActionRunner, InProcessActionRunner
from assistant.engine.flows import load_flows
from assistant.engine.manager import DialogueEngine
from assistant.engine.messages import Button
from assistant.engine.tracker import DialogueTracker
from assistant.errors import ActionFailed
from tests.fakes import QueueParser

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
SLOTS = {"email", "handoff_reason"}


def test_rasa_sdk_events_are_typed_and_given_back_to_the_tracker_unchanged() -> None:
    raw = [
        sdk.SlotSet("email", {"address": "b@example.com"}),
        sdk.AllSlotsReset(),
        sdk.ConversationPaused(),
        sdk.ConversationResumed(),
        sdk.FollowupAction("utter_greet"),
        sdk.Restarted(),
        sdk.ActiveLoop(None),
    ]
    events = check_events("a", raw, SLOTS)
    kinds = [type(event) for event in events]
    assert kinds == [SlotSet, ResetSlots, Pause, Resume, Followup, Restart, ActiveLoop]
    slot, followup = events[0], events[4]
    assert isinstance(slot, SlotSet) and slot.name == "email"
    assert slot.value == {"address": "b@example.com"}
    assert isinstance(followup, Followup) and followup.name == "utter_greet"
    assert [event.as_tracker() for event in events] == raw


def test_keys_an_event_type_does_not_have_are_dropped() -> None:
    (event,) = check_events("a", [{"event": "pause", "timestamp": 5.0, "by": "me"}], SLOTS)
    assert event.as_tracker() == {"event": "pause", "timestamp": 5.0}


@pytest.mark.parametrize(
    ("events", "messages", "reason"),
    [
        (["slot"], [], "returned a non-event str"),
        ([{"event": "user", "text": "spoofed"}], [], "returned an unsupported event 'user'"),
        ([{"event": "slot_set", "name": "email"}], [], "unsupported event 'slot_set'"),
        ([{"name": "email", "value": "x"}], [], "returned an unsupported event None"),
        ([{"event": "slot", "value": "x"}], [], "slot event lacks name"),
        ([{"event": "slot", "name": "", "value": "x"}], [], "slot event lacks name"),
        ([{"event": "followup"}], [], "followup event lacks name"),
        ([{"event": "followup", "name": None}], [], "followup event lacks name"),
        ([{"event": "slot", "name": 7}], [], "bad slot event: name: Input should be a valid"),
        ([{"event": "pause", "timestamp": "soon"}], [], "bad pause event: timestamp"),
        ([{"event": "slot", "name": "password"}], [], "set an undeclared slot 'password'"),
        ([{"event": "active_loop", "name": "f"}], [], "may only end its flow"),
        ({"event": "pause"}, [], "returned events as a dict, not a list"),
        ([], "hello", "returned messages as a str, not a list"),
        ([], ["hello"], "sent a non-message str"),
        ([], [{"text": ["hello"]}], "sent a bad message: text: Input should be a valid string"),
        ([], [{"buttons": [{"title": "Yes"}]}], "sent a bad message: buttons.0.payload"),
        ([], [{"response": "utter_x", "custom": "card"}], "sent a bad message: custom"),
    ],
)
def test_what_an_action_may_not_hand_back_fails_it(events: Any, messages: Any, reason: str) -> None:
    with pytest.raises(ActionFailed) as caught:
        read_action_result("action_x", events, messages, slots=SLOTS)
    assert str(caught.value).startswith("action 'action_x' failed: ")
    assert reason in str(caught.value)
    assert caught.value.action_name == "action_x"


def test_a_bad_event_after_good_ones_fails_the_whole_result() -> None:
    events = [sdk.SlotSet("email", "b@example.com"), {"event": "bot", "text": "hi"}]
    with pytest.raises(ActionFailed, match="unsupported event 'bot'"):
        read_action_result("a", events, [], slots=SLOTS)


def test_dispatcher_messages_are_typed_and_keep_their_extra_arguments() -> None:
    dispatcher = CollectingDispatcher()
    dispatcher.utter_message(response="utter_done", email="b@example.com", order=None)
    dispatcher.utter_message(json_message={"type": "handoff", "status": "requested"})
    dispatcher.utter_message(text="Sure?", buttons=[{"title": "Yes", "payload": "/affirm"}])
    result = read_action_result("a", [], dispatcher.messages, slots=SLOTS)
    done, card, question = result.messages
    assert done.response_name == "utter_done"
    assert done.template_values() == {"email": "b@example.com"}
    assert card.response_name is None
    assert card.as_bot_message().custom == {"type": "handoff", "status": "requested"}
    assert question.as_bot_message().text == "Sure?"
    assert question.as_bot_message().buttons == (Button(title="Yes", payload="/affirm"),)
    # rasa_sdk's older `template` and a `json_message` sent as is (not through the SDK).
    (old,) = read_action_result("a", [], [{"template": "utter_x"}], slots=SLOTS).messages
    assert old.response_name == "utter_x"
    raw = DispatcherMessage.model_validate({"json_message": {"type": "x"}})
    assert raw.as_bot_message().custom == {"type": "x"}


# -- the runners -----------------------------------------------------------------------------


def _handoff_call() -> tuple[dict[str, Any], dict[str, Any]]:
    domain = load_domain(ROOT / "actions" / "domain.yml")
    tracker = DialogueTracker("t", slots=domain.initial_slots())
    parse = {"text": "a person please", "intent": {"name": "human_handoff"}, "entities": []}
    tracker.add({"event": "user", "text": "a person please", "parse_data": parse})
    return tracker.as_rasa_dict(), domain.as_rasa_dict()


async def test_the_in_process_runner_hands_back_typed_events_and_messages() -> None:
    tracker, domain = _handoff_call()
    result = await InProcessActionRunner("actions").run("action_handoff", tracker, domain)
    assert result.events == [SlotSet(name="handoff_reason", value="a person please"), Pause()]
    assert [m.response_name for m in result.messages] == ["utter_handoff", None]
    # The slots an action may set are those of the domain it ran with.
    del domain["slots"]["handoff_reason"]
    with pytest.raises(ActionFailed, match="undeclared slot 'handoff_reason'"):
        await InProcessActionRunner("actions").run("action_handoff", tracker, domain)


def _server(answer: httpx.Response, calls: list[dict[str, Any]]) -> HttpActionRunner:
    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content))
        return answer

    return HttpActionRunner(
        "http://actions.test", names={"action_x"}, transport=httpx.MockTransport(handle)
    )


async def test_the_action_server_runner_reads_the_answer_into_typed_events() -> None:
    tracker, domain = _handoff_call()
    body = {
        "events": [sdk.SlotSet("handoff_reason", "late parcel"), sdk.ConversationPaused()],
        "responses": [{"response": "utter_handoff", "text": None, "buttons": []}],
    }
    calls: list[dict[str, Any]] = []
    runner = _server(httpx.Response(200, json=body), calls)
    try:
        result = await runner.run("action_x", tracker, domain)
    finally:
        await runner.aclose()
    assert calls[0]["next_action"] == "action_x"
    assert result == ActionResult(
        events=[SlotSet(name="handoff_reason", value="late parcel"), Pause()],
        messages=[DispatcherMessage(response="utter_handoff")],
    )


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (
            httpx.Response(200, json={"events": [{"event": "slot", "name": "password"}]}),
            "set an undeclared slot 'password'",
        ),
        (
            httpx.Response(200, json={"events": [{"event": "action", "name": "action_y"}]}),
            "returned an unsupported event 'action'",
        ),
        (
            httpx.Response(200, json={"events": [{"event": "followup"}], "responses": []}),
            "followup event lacks name",
        ),
        (httpx.Response(200, json={"responses": [{"buttons": "Yes"}]}), "sent a bad message"),
        (httpx.Response(200, json=[sdk.ConversationPaused()]), "answered a list, not an object"),
        (httpx.Response(200, text="<html>"), "answered no JSON"),
        (httpx.Response(500, text="boom"), "answered 500: boom"),
    ],
)
async def test_a_bad_answer_of_the_action_server_fails_the_action(
    answer: httpx.Response, reason: str
) -> None:
    tracker, domain = _handoff_call()
    runner = _server(answer, [])
    try:
        with pytest.raises(ActionFailed, match=reason):
            await runner.run("action_x", tracker, domain)
    finally:
        await runner.aclose()


# -- the engine applies them -----------------------------------------------------------------

DOMAIN = {
    "slots": {"email": {"type": "text", "mappings": [{"type": "custom"}]}},
    "responses": {
        "utter_saved": [{"text": "Saved {email} for {who}."}],
        "utter_bye": [{"text": "Bye from {assistant_name}."}],
        "utter_ask_email": [{"text": "Your email?"}],
        "utter_fallback": [{"text": "Sorry?"}],
    },
}
FLOWS = {
    "fallback": "fallback",
    "flows": {
        "save": {
            "trigger": {"intents": ["save"]},
            "steps": [{"action": "action_canned"}, {"collect": "email"}],
        },
        "fallback": {
            "trigger": {"intents": ["out_of_scope"]},
            "steps": [{"action": "utter_fallback"}],
        },
    },
}


class CannedRunner:
    """An action server that always gives the same raw answer, read as the real ones are."""

    def __init__(self, events: list[Any], messages: list[Any]) -> None:
        self.answer = (events, messages)

    def names(self) -> set[str]:
        return {"action_canned"}

    async def run(
        self, action_name: str, tracker: dict[str, Any], domain: dict[str, Any]
    ) -> ActionResult:
        events, messages = self.answer
        return read_action_result(action_name, events, messages, slots=set(domain["slots"]))

    async def aclose(self) -> None:
        return None


def _engine(tmp_path: Path, runner: CannedRunner, intent: str) -> DialogueEngine:
    (tmp_path / "domain.yml").write_text(yaml.safe_dump(DOMAIN))
    (tmp_path / "flows.yml").write_text(yaml.safe_dump(FLOWS))
    parser = QueueParser()
    parser.enqueue(intent)
    return DialogueEngine(
        parser=parser,
        domain=load_domain(tmp_path / "domain.yml"),
        flows=load_flows(tmp_path / "flows.yml"),
        runner=runner,
        assistant_name="Aisle",
        repair=False,
    )


async def test_the_engine_applies_typed_events_in_the_trackers_shape(tmp_path: Path) -> None:
    runner = CannedRunner(
        [sdk.SlotSet("email", "b@example.com"), sdk.FollowupAction("utter_bye")],
        # Messages are said before the events apply: the address comes as a template value.
        [{"response": "utter_saved", "email": "b@example.com", "who": "you"}, {"text": "Noted."}],
    )
    engine = _engine(tmp_path, runner, "save")
    tracker = engine.new_tracker("t")
    result = await engine.handle(tracker, "save it")
    assert [m.text for m in result.messages] == [
        "Saved b@example.com for you.",
        "Noted.",
        "Bye from Aisle.",
    ]
    assert tracker.slots["email"] == "b@example.com"
    (slot,) = [e for e in tracker.new_events if e["event"] == "slot"]
    assert {k: v for k, v in slot.items() if k != "timestamp"} == {
        "event": "slot",
        "name": "email",
        "value": "b@example.com",
    }
    assert isinstance(slot["timestamp"], float)
    assert {"event": "followup", "name": "utter_bye"}.items() <= next(
        e for e in tracker.new_events if e["event"] == "followup"
    ).items()


async def test_the_engine_applies_nothing_of_a_refused_result(tmp_path: Path) -> None:
    runner = CannedRunner(
        [sdk.SlotSet("email", "b@example.com"), {"event": "slot", "name": "password"}],
        [{"text": "Noted."}],
    )
    engine = _engine(tmp_path, runner, "save")
    tracker = engine.new_tracker("t")
    with pytest.raises(ActionFailed, match="undeclared slot 'password'"):
        await engine.handle(tracker, "save it")
    assert tracker.slots["email"] is None
    assert not [e for e in tracker.new_events if e["event"] in ("slot", "bot")]
