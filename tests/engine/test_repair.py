"""Conversation repair in the engine (assistant/engine/repair.py), on a small domain and a
queue-driven parser: leaving, a person winning, a yes to the only choice, never the same
prompt a third time, and how messages are read for it."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from assistant.engine.domain import load_domain
from assistant.engine.executor import InProcessActionRunner
from assistant.engine.flows import load_flows
from assistant.engine.manager import DialogueEngine
from assistant.engine.readings import (
    asks_about,
    asks_for_person,
    leaves,
    sounds_upset,
    split_requests,
)
from tests.engine.test_dialogue import turn as say
from tests.fakes import QueueParser

pytestmark = pytest.mark.anyio

RED = {"title": "Red", "payload": '/inform{"color":"red"}'}
OPTIONS = [{"title": "Stop here", "payload": "/stop"}, {"title": "A person", "payload": "/human"}]
DOMAIN = {
    "version": "3.1",
    "slots": {
        "color": {"type": "text", "mappings": [{"type": "from_entity", "entity": "color"}]},
        "size": {"type": "text", "mappings": [{"type": "from_entity", "entity": "size"}]},
        "handoff_reason": {"type": "text", "mappings": [{"type": "custom"}]},
        "stopped_task": {"type": "text", "mappings": [{"type": "custom"}]},
        "offer": {"type": "text", "mappings": [{"type": "custom"}]},
    },
    "responses": {
        "utter_ask_color": [
            {
                "text": "Which colour?",
                "buttons": [{"title": "Red", "payload": '/inform{"color":"red"}'}],
            }
        ],
        "utter_ask_size": [{"text": "Which size?"}],
        "utter_done": [{"text": "Done: {color} {size}."}],
        "utter_stopped": [{"text": "Stopped {stopped_task}."}],
        "utter_resume": [{"text": "Back to {task}:"}],
        "utter_repair_retry": [{"text": "Sorry?"}],
        "utter_repair_rephrase": [{"text": "In other words: {prompt}"}],
        "utter_repair_stuck": [{"text": "Stuck on {task}."}],
        "utter_repair_options": [{"text": "-", "buttons": OPTIONS}],
        "utter_answer": [{"text": "The answer."}],
        "utter_handoff": [{"text": "Connecting you."}],
    },
}
FLOWS = {
    "fallback": "fallback",
    "flows": {
        "fallback": {
            "trigger": {"intents": ["out_of_scope"]},
            "steps": [{"action": "utter_answer"}],
        },
        "pick": {
            "title": "picking a shirt",
            "trigger": {"intents": ["pick"]},
            "steps": [{"collect": "color"}, {"collect": "size"}, {"action": "utter_done"}],
        },
        "question": {"trigger": {"intents": ["question"]}, "steps": [{"action": "utter_answer"}]},
        "stop": {
            "trigger": {"intents": ["stop"]},
            "pattern": "stop",
            "steps": [{"action": "utter_stopped"}],
        },
        "human_handoff": {
            "trigger": {"intents": ["human_handoff"]},
            "steps": [{"action": "action_handoff"}],
        },
    },
}


def _engine(tmp_path: Path, parser: QueueParser, *, repair: bool = True) -> DialogueEngine:
    domain_path, flows_path = tmp_path / "domain.yml", tmp_path / "flows.yml"
    domain_path.write_text(yaml.safe_dump(DOMAIN))
    flows_path.write_text(yaml.safe_dump(FLOWS))
    return DialogueEngine(
        parser=parser,
        domain=load_domain(domain_path),
        flows=load_flows(flows_path),
        runner=InProcessActionRunner("actions"),
        assistant_name="Aisle",
        repair=repair,
    )


async def test_a_yes_to_a_step_that_offers_one_choice_picks_it(tmp_path: Path) -> None:
    parser = QueueParser()
    engine = _engine(tmp_path, parser)
    tracker = engine.new_tracker("t")
    assert await say(engine, parser, tracker, "pick") == ["Which colour?"]
    # The yes is read as the one button's payload.
    parser.enqueue("affirm")
    parser.enqueue("inform", {"color": "red"})
    result = await engine.handle(tracker, "yes")
    assert [m.text for m in result.messages] == ["Which size?"]
    assert tracker.slots["color"] == "red"


async def test_leaving_ends_the_flow_and_nothing_of_it_follows(tmp_path: Path) -> None:
    parser = QueueParser()
    engine = _engine(tmp_path, parser)
    tracker = engine.new_tracker("t")
    await say(engine, parser, tracker, "pick")
    # Whatever the classifier makes of it, "never mind" leaves.
    assert await say(engine, parser, tracker, "out_of_scope", "ok never mind then") == [
        "Stopped picking a shirt."
    ]
    assert tracker.stack == []
    assert await say(engine, parser, tracker, "out_of_scope", "hello?") == ["The answer."]


async def test_a_person_wins_and_no_prompt_follows(tmp_path: Path) -> None:
    parser = QueueParser()
    engine = _engine(tmp_path, parser)
    tracker = engine.new_tracker("t")
    await say(engine, parser, tracker, "pick")
    said = await say(engine, parser, tracker, "human_handoff")
    assert said == ["Connecting you.", ""]
    assert tracker.paused and tracker.stack == []


async def test_a_question_while_a_step_waits_is_answered_then_a_reminder(
    tmp_path: Path,
) -> None:
    parser = QueueParser()
    engine = _engine(tmp_path, parser)
    tracker = engine.new_tracker("t")
    await say(engine, parser, tracker, "pick")
    said = await say(engine, parser, tracker, "question", "what fabric is it?")
    assert said == ["The answer.", "Back to picking a shirt: Which colour?"]


async def test_never_the_same_prompt_a_third_time(tmp_path: Path) -> None:
    parser = QueueParser()
    engine = _engine(tmp_path, parser)
    tracker = engine.new_tracker("t")
    sent = await say(engine, parser, tracker, "pick")
    result = None
    for _ in range(4):
        parser.enqueue("inform")
        result = await engine.handle(tracker, "hmm")
        sent += [m.text or "" for m in result.messages]
    assert sent == [
        "Which colour?",
        "Sorry? Which colour?",
        "In other words: Which colour?",
        "Stuck on picking a shirt.",
        "In other words: Which colour?",
    ]
    assert all(a != b for a, b in itertools.pairwise(sent))
    assert result is not None
    titles = [b.title for b in result.messages[-1].buttons]
    assert titles == ["Red", "Stop here", "A person"]


async def test_without_repair_the_prompt_repeats_word_for_word(tmp_path: Path) -> None:
    parser = QueueParser()
    engine = _engine(tmp_path, parser, repair=False)
    tracker = engine.new_tracker("t")
    sent = await say(engine, parser, tracker, "pick")
    for _ in range(2):
        sent += await say(engine, parser, tracker, "inform", "hmm")
    assert sent == ["Which colour?"] * 3


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("can I return a used item?", True),
        ("can I change my shipping address after ordering?", True),
        ("I want to know if I can return a used item", True),
        ("is there a restocking fee", True),
        ("can you cancel my order", False),
        ("I want to return my shoes", False),
        ("I don't need the camera I ordered, can I cancel?", False),
        ("return the kettle please", False),
    ],
)
def test_a_question_about_something_is_told_from_a_request(text: str, asks: bool) -> None:
    assert asks_about(text) is asks


@pytest.mark.parametrize(
    ("text", "leaving"),
    [
        ("never mind", True),
        ("ok forget it then", True),
        ("Cancel.", True),
        ("stop please", True),
        ("cancel my order", False),
        ("stop sending me emails", False),
    ],
)
def test_a_way_out_is_told_from_a_request(text: str, leaving: bool) -> None:
    assert leaves(text) is leaving


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        (
            "how long does shipping take and can I pay with paypal?",
            ["how long does shipping take", "can I pay with paypal?"],
        ),
        (
            "Do you ship to Canada? I also want to cancel my order.",
            ["Do you ship to Canada?", "I also want to cancel my order."],
        ),
        ("black and white t-shirts", ["black and white t-shirts"]),
        ("show me backpacks, also do you ship abroad", ["show me backpacks", "do you ship abroad"]),
    ],
)
def test_a_message_is_split_where_requests_may_meet(text: str, pieces: list[str]) -> None:
    assert split_requests(text) == pieces


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("just get me a human", True),
        ("this is taking forever, forget it, get me someone who can actually help", True),
        ("can I speak to your manager", True),
        ("I want a real person", True),
        ("are you a human?", False),
        ("the person at the door signed for it", False),
    ],
)
def test_asking_for_a_person_is_read_whatever_else_is_said(text: str, person: bool) -> None:
    assert asks_for_person(text) is person


async def test_a_person_wins_even_when_the_classifier_reads_something_else(
    tmp_path: Path,
) -> None:
    parser = QueueParser()
    engine = _engine(tmp_path, parser)
    tracker = engine.new_tracker("t")
    await say(engine, parser, tracker, "pick")
    said = await say(engine, parser, tracker, "inform", "ugh this takes forever, get me a human")
    assert said[0] == "Connecting you."
    assert tracker.paused and tracker.stack == []


@pytest.mark.parametrize(
    ("text", "upset"),
    [
        ("omg I've asked 3 times now. where. is. my. order.", True),
        ("this is ridiculous, where is my refund", True),
        ("where is my order???", True),
        ("where is my order?", False),
        ("thanks, that helps", False),
    ],
)
def test_frustration_is_heard_beside_a_request(text: str, upset: bool) -> None:
    assert sounds_upset(text) is upset


def test_an_order_number_makes_an_unsure_request_one_about_that_order(tmp_path: Path) -> None:
    from assistant.engine.nlu.result import Entity, ParseResult

    domain = {
        **DOMAIN,
        "slots": {**DOMAIN["slots"], "order_id": {"type": "text"}},
        "responses": {**DOMAIN["responses"], "utter_ask_order_id": [{"text": "Which order?"}]},
    }
    flows = {
        **FLOWS,
        "flows": {
            **FLOWS["flows"],
            "change": {
                "trigger": {"intents": ["change_items"]},
                "steps": [{"collect": "order_id"}, {"action": "utter_done"}],
            },
        },
    }
    (tmp_path / "domain.yml").write_text(yaml.safe_dump(domain))
    (tmp_path / "flows.yml").write_text(yaml.safe_dump(flows))
    engine = DialogueEngine(
        parser=QueueParser(),
        domain=load_domain(tmp_path / "domain.yml"),
        flows=load_flows(tmp_path / "flows.yml"),
        runner=InProcessActionRunner("actions"),
        assistant_name="Aisle",
    )
    order = Entity(entity="order_id", value="#W9300146", start=None, end=None, extractor="regex")
    ranking = (("out_of_scope", 0.3), ("question", 0.25), ("change_items", 0.2))
    unsure = ParseResult(
        text="change the lamp in #W9300146 for the cheapest one",
        intent="out_of_scope",
        confidence=0.3,
        entities=(order,),
        ranking=ranking,
    )
    tracker = engine.new_tracker("t")
    # The likeliest intent whose flow works on an order, not merely the likeliest.
    assert engine.repairs.named_order(tracker, unsure).intent == "change_items"
    # Without an order number, words about the shopper's own orders do the same...
    own = ParseResult("modify the pending boots to a size 8", "out_of_scope", 0.3, (), ranking)
    assert engine.repairs.named_order(tracker, own).intent == "change_items"
    # ...but a question is left to be answered, and anything else stays out of scope.
    asked = ParseResult("what if my order is late?", "out_of_scope", 0.3, (), ranking)
    assert engine.repairs.named_order(tracker, asked).intent == "out_of_scope"
    bare = ParseResult("change the lamp for a cheaper one", "out_of_scope", 0.3, (), ranking)
    assert engine.repairs.named_order(tracker, bare).intent == "out_of_scope"


def _order_engine(tmp_path: Path) -> DialogueEngine:
    """An engine with two order tasks: changing items, and an order's shipping address."""
    domain = {
        **DOMAIN,
        "slots": {
            **DOMAIN["slots"],
            "order_id": {"type": "text"},
            "address": {"type": "any"},
        },
        "responses": {
            **DOMAIN["responses"],
            "utter_ask_order_id": [{"text": "Which order?"}],
            "utter_ask_address": [{"text": "Where to?"}],
        },
    }
    flows = {
        **FLOWS,
        "flows": {
            **FLOWS["flows"],
            "change": {
                "trigger": {"intents": ["change_items"]},
                "steps": [{"collect": "order_id"}, {"action": "utter_done"}],
            },
            "ship": {
                "trigger": {"intents": ["ship_elsewhere"]},
                "steps": [{"collect": "order_id"}, {"collect": "address"}],
            },
        },
    }
    (tmp_path / "domain.yml").write_text(yaml.safe_dump(domain))
    (tmp_path / "flows.yml").write_text(yaml.safe_dump(flows))
    return DialogueEngine(
        parser=QueueParser(),
        domain=load_domain(tmp_path / "domain.yml"),
        flows=load_flows(tmp_path / "flows.yml"),
        runner=InProcessActionRunner("actions"),
        assistant_name="Aisle",
    )


def test_an_unsure_change_of_a_named_thing_is_its_likeliest_order_task(tmp_path: Path) -> None:
    from assistant.engine.nlu.result import ParseResult

    engine = _order_engine(tmp_path)
    tracker = engine.new_tracker("t")
    task_first = (("change_items", 0.3), ("out_of_scope", 0.1), ("question", 0.05))
    camera = "I also want to exchange my camera to a slightly lower resolution"
    unsure = ParseResult(camera, "out_of_scope", 0.3, (), task_first)
    assert engine.repairs.named_order(tracker, unsure).intent == "change_items"
    # Out of scope on top of the ranking, a thing no store sells, or a question: left alone.
    sure = ParseResult(camera, "out_of_scope", 0.6, (), (("out_of_scope", 0.6), *task_first))
    assert engine.repairs.named_order(tracker, sure).intent == "out_of_scope"
    password = ParseResult("change my password please", "out_of_scope", 0.3, (), task_first)
    assert engine.repairs.named_order(tracker, password).intent == "out_of_scope"
    asked = ParseResult("can I exchange the camera?", "out_of_scope", 0.3, (), task_first)
    assert engine.repairs.named_order(tracker, asked).intent == "out_of_scope"


def test_the_default_address_as_where_an_order_goes_is_an_order_address_change(
    tmp_path: Path,
) -> None:
    from assistant.engine.nlu.result import ParseResult

    engine = _order_engine(tmp_path)
    tracker = engine.new_tracker("t")
    ranking = (("greet", 0.6), ("ship_elsewhere", 0.3))
    text = "Change the address of the order to my default Chicago home"
    parse = ParseResult(text, "greet", 0.6, (), ranking)
    assert engine.repairs.order_over_search(tracker, parse).intent == "ship_elsewhere"
    # Changing the default itself stays as read.
    own = ParseResult("change my default address to 1 Main St", "greet", 0.6, (), ranking)
    assert engine.repairs.order_over_search(tracker, own).intent == "greet"


def test_an_upset_shopper_hears_sorry_whichever_wording_the_reply_takes() -> None:
    """The apology comes first unless the reply says sorry itself; when the reply already
    offers a person, the apology does not offer one again."""
    from assistant.engine.domain import load_domain
    from assistant.engine.flows import load_flows
    from assistant.engine.messages import BotMessage, Button, TurnResult
    from assistant.engine.repair import Repairs

    root = Path(__file__).resolve().parents[2]
    repairs = Repairs(
        load_flows(root / "actions" / "flows.yml"),
        load_domain(root / "actions" / "domain.yml"),
        push=lambda tracker, flow: None,
    )
    angry = "I was charged TWICE for the same order!!! fix it"
    person = Button(title="Talk to a person", payload="/human_handoff")
    offers = TurnResult(messages=[BotMessage("I'm afraid I can't help with that.", (person,))])
    sorry = repairs.apology(angry, offers, {}, seed="s")
    assert sorry is not None and "sorry" in (sorry.text or "").lower() and not sorry.buttons
    plain = TurnResult(messages=[BotMessage("Your order is on its way.")])
    again = repairs.apology(angry, plain, {}, seed="s")
    assert again is not None and again.buttons  # the offer of a person comes with it
    said = TurnResult(messages=[BotMessage("Sorry, I don't have that.", (person,))])
    assert repairs.apology(angry, said, {}, seed="s") is None
    assert repairs.apology("where is my order?", plain, {}, seed="s") is None
