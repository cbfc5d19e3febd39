"""`assistant eval tasks`: scripted shoppers against the real engine on copies of the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import Settings, load_settings
from assistant.engine.embeddings import SentenceEmbedder
from assistant.engine.nlu.model import NLUModel
from assistant.eval.prose_shopper import ProseShopper
from assistant.eval.replies import Reply
from assistant.eval.scenario import Scenario, first_person
from assistant.eval.shopper_words import named_things
from assistant.eval.store_copies import Goal, StoreCopies, apply_goal, differences, snapshot
from assistant.eval.task_data import load_tasks
from assistant.eval.task_judge import count_violations, judge
from assistant.eval.tasks import evaluate_tasks

ROOT = Path(__file__).parents[2]
TASKS = ROOT / "knowledge_base" / "store" / "tasks_train.json"


@pytest.fixture
def settings() -> Settings:
    return load_settings(environ={}, overrides={"root": str(ROOT)})


@pytest.fixture
def parser(nlu_model_path: Path) -> NLUModel:
    return NLUModel.load(nlu_model_path, SentenceEmbedder())


def test_tasks_are_read_with_identity_goals_and_transfers() -> None:
    tasks = {task.id: task for task in load_tasks(TASKS)}
    assert len(tasks) == 74
    assert tasks["0"].identity == {"first_name": "Yusuf", "last_name": "Rossi", "zip": "19122"}
    assert tasks["67"].identity["other_names"].split()[-1] == "Noah|Ito|98187"
    assert [goal.operation for goal in tasks["16"].goals] == [
        "cancel_order",
        "cancel_order",
        "return_order_items",
    ]
    assert tasks["50"].transfer and not tasks["50"].goals


@pytest.mark.slow
def test_the_goal_shopper_reaches_the_expected_store(settings: Settings, parser: NLUModel) -> None:
    # A typed exchange, a clicked one, cancels plus a return, a hand-off, and no change at all.
    report = evaluate_tasks(
        settings, parser=parser, only={"0", "1", "16", "50", "24"}, shoppers=["goal"]
    )
    figures = report.as_dict()["shoppers"]["goal"]
    failures = report.as_dict()["failures"]
    assert figures["tasks"] == 5
    assert figures["passed"] == 5, json.dumps(failures, indent=1)[:4000]
    assert figures["policy_violations"] == 0
    assert figures["transfers_done"] == figures["transfers_expected"] == 1
    assert figures["passed_with_nothing_to_write"] == 2  # the hand-off and the regretted cancel
    styles = {row["id"]: row["style"] for row in report.as_dict()["results"]}
    assert set(styles.values()) == {"typed", "clicked"}


@pytest.mark.slow
def test_the_prose_shopper_does_a_change_from_the_scenario_text(
    settings: Settings, parser: NLUModel
) -> None:
    # Cancels plus a return said in prose (no order number); a typed exchange with options.
    report = evaluate_tasks(settings, parser=parser, only={"16", "0"}, shoppers=["prose"])
    figures = report.as_dict()["shoppers"]["prose"]
    assert figures["policy_violations"] == 0
    assert figures["passed"] == 2, json.dumps(report.as_dict()["failures"], indent=1)[:6000]


@pytest.mark.slow
def test_the_store_comparison_names_what_differs(settings: Settings, tmp_path: Path) -> None:
    copies = StoreCopies(settings.path(settings.store.seed_path), tmp_path)
    changed, changed_engine = copies.copy("changed")
    untouched, untouched_engine = copies.copy("untouched")
    try:
        goal = Goal("cancel_order", {"order_id": "#W4776164", "reason": "ordered by mistake"})
        apply_goal(changed, goal, key="k1")
        found = differences(snapshot(untouched), snapshot(changed))
        assert len(found) == 1 and found[0].startswith("orders[#W4776164]")
        assert "cancelled" in found[0]
        assert differences(snapshot(untouched), snapshot(untouched)) == []
    finally:
        changed_engine.dispose()
        untouched_engine.dispose()


def test_writes_outside_the_expected_actions_are_violations() -> None:
    goals = [Goal("cancel_order", {"order_id": "#W1", "reason": "no longer needed"})]
    expected = {
        "operation": "cancel_order",
        "order_id": "#W1",
        "arguments": {"reason": "no longer needed"},
    }
    assert count_violations(goals, [expected]) == 0
    assert count_violations(goals, [expected, expected]) == 1
    other = {**expected, "order_id": "#W2"}
    assert count_violations(goals, [other]) == 1
    assert count_violations([], [expected]) == 1


# -- what the prose shopper knows and says (no engine) -----------------------------------------


def _instructions(reason: str, known: str, behaviour: str = ".") -> dict[str, str]:
    return {"reason_for_call": reason, "known_info": known, "task_instructions": behaviour}


def test_the_scenario_gives_identity_requests_and_first_person_words() -> None:
    scenario = Scenario.read(
        _instructions(
            "You received two tablets and you only need one. You want to return the more "
            "expensive one. You prefer PayPal for any refund. If not possible, cancel it.",
            "You are noah_ito_3850 living in Seattle WA 98187.",
            "If asked for your zip code, say that it is 98178 first, then 98187.",
        )
    )
    assert (scenario.first_name, scenario.last_name) == ("Noah", "Ito")
    assert scenario.zips == ["98178", "98187"]  # the wrong one it is told to give first
    # The scene-setting sentence goes with the request; the preference and fallback are not asked.
    assert [r.kind for r in scenario.requests] == ["return"]
    assert scenario.requests[0].text.startswith("I received two tablets and I only need one.")
    assert first_person("You want your order") == "I want my order"


def test_the_prose_shopper_answers_from_its_facts_and_picks_buttons_by_its_words() -> None:
    shopper = ProseShopper(
        _instructions(
            "You want to return the water bottle and the desk lamp. You prefer PayPal.",
            "Your name is Mei Davis and your zip code is 80217.",
        ),
        typed=False,
    )
    assert shopper.opening() == "I want to return the water bottle and the desk lamp"
    who = Reply(texts=["Please give me your first name, last name and zip code."])
    assert shopper.respond(who) == "My name is Mei Davis, zip code 80217"
    items = Reply(
        texts=["Which items from order #W1 would you like to return?"],
        buttons=[
            {"title": "Office Chair (color: black)", "payload": '/inform{"item_pick":"0"}'},
            {"title": "Desk Lamp (color: white)", "payload": '/inform{"item_pick":"1"}'},
        ],
    )
    assert shopper.respond(items) == '/inform{"item_pick":"1"}'
    paying = Reply(
        texts=["Where should the refund go?"],
        buttons=[
            {"title": "Visa credit card ending 1234", "payload": '/inform{"p":"cc"}'},
            {"title": "PayPal", "payload": '/inform{"p":"paypal_1"}'},
        ],
    )
    assert shopper.respond(paying) == '/inform{"p":"paypal_1"}'


def test_the_prose_shopper_says_no_to_a_summary_it_did_not_ask_for() -> None:
    shopper = ProseShopper(
        _instructions("You want to return the desk lamp.", "You are Mei Davis, zip 80217.")
    )
    shopper.opening()
    wrong = Reply(
        texts=[
            "Here is exactly what I'll do:\nReturn from order #W1: Office Chair "
            "(color: black)\nRefund: $10.00 to your PayPal\nShall I go ahead?"
        ]
    )
    assert shopper.respond(wrong).startswith("No")  # type: ignore[union-attr]
    right = Reply(texts=[wrong.texts[0].replace("Office Chair", "Desk Lamp")])
    assert shopper.respond(right).startswith("Yes")  # type: ignore[union-attr]


def test_the_prose_shopper_takes_a_change_that_goes_the_way_it_compared() -> None:
    def summary(new: str) -> Reply:
        return Reply(
            texts=[
                "Here is exactly what I'll do:\nExchange in order #W1:\n• Skateboard: "
                f"length: 31 inch → length: {new} ($200.80 → $208.60)\nShall I go ahead?"
            ]
        )

    def shopper() -> ProseShopper:
        said = ProseShopper(
            _instructions("You want to exchange your skateboard for a shorter one.", "")
        )
        said.opening()
        return said

    assert shopper().respond(summary("28 inch")).startswith("Yes")  # type: ignore[union-attr]
    assert shopper().respond(summary("34 inch")).startswith("No")  # type: ignore[union-attr]


def test_a_task_with_nothing_to_write_passes_only_when_its_request_is_settled() -> None:
    task = load_tasks(TASKS)[0]
    empty = type(task)(id="x", identity={}, goals=[], transfer=False, reads=[], instructions={})
    silent = [{"shopper": "Where is my order?"}, {"assistant": "Thanks, I've found your account."}]
    passed, reasons, _ = judge(empty, diff=[], violations=0, transferred=False, transcript=silent)
    assert not passed and "neither answered nor refused" in reasons[0]
    refused = [
        *silent,
        {"assistant": "Order #W1 is delivered, and I can only cancel orders that are pending."},
    ]
    assert judge(empty, diff=[], violations=0, transferred=False, transcript=refused)[0]
    with_facts = type(task)(**{**empty.__dict__, "facts": ["829.43"]})
    told = [{"assistant": "The total was $829.43."}]
    assert judge(with_facts, diff=[], violations=0, transferred=False, transcript=told)[2]
    assert not judge(with_facts, diff=[], violations=0, transferred=False, transcript=silent)[2]


def test_the_prose_shopper_says_what_its_scenario_says_at_the_confirmation() -> None:
    shopper = ProseShopper(
        _instructions(
            "You want to exchange the water bottle and the desk lamp. If the agent asks for "
            "confirmation, only exchange the desk lamp.",
            "",
        )
    )
    shopper.opening()
    both = Reply(
        texts=[
            "Here is exactly what I'll do:\nExchange in order #W1:\n• Desk Lamp: color: white → "
            "color: black ($1.00 → $2.00)\n• Water Bottle: capacity: 500ml → capacity: 750ml "
            "($1.00 → $2.00)\nShall I go ahead?"
        ]
    )
    assert shopper.respond(both) == "No, only exchange the desk lamp."


def test_the_prose_shopper_leaves_an_item_when_no_choice_meets_its_condition() -> None:
    shopper = ProseShopper(
        _instructions(
            "You want to exchange the mechanical keyboard for one with clicky switches. If "
            "there is no keyboard that is clicky, RGB backlight, full size, you'd rather "
            "only exchange the thermostat.",
            "",
        )
    )
    shopper.opening()
    asked = Reply(
        texts=[
            "What would you like instead of the Mechanical Keyboard (switch type: linear, "
            "backlight: RGB, size: full size) ($272.33)? There are 2 available options."
        ],
        buttons=[
            {
                "title": "switch type: clicky, size: 80% · $237.48",
                "payload": '/x{"new_item_pick":1}',
            },
            {
                "title": "switch type: clicky, backlight: none · $269.16",
                "payload": '/x{"new_item_pick":2}',
            },
        ],
    )
    assert shopper.respond(asked) == "Never mind the Mechanical Keyboard, leave it as it is."


def test_the_prose_shopper_reads_requests_as_a_person_would_say_them() -> None:
    scenario = Scenario.read(
        _instructions(
            "You want to return the skateboard, garden hose, and bed. Well, except the bed "
            "that you love. Ask the agent if there are any speakers under $300; use the "
            "gift card.",
            "",
        )
    )
    texts = [request.text for request in scenario.requests]
    assert texts[0].startswith("I want to return the skateboard") and "except the bed" in texts[0]
    assert any(text.startswith("I'd like to know if there are any speakers") for text in texts)
    assert named_things(texts[0]) == ["skateboard", "garden hose", "bed"]


def test_the_prose_shopper_keeps_an_aside_to_itself_and_chooses_by_it() -> None:
    scenario = Scenario.read(
        _instructions(
            "You just quit gaming and want to return everything associated with it. (It's "
            "just a keyboard and a mouse, but do not reveal it to the agent).",
            "",
        )
    )
    (request,) = scenario.requests
    assert "keyboard" not in request.text  # never said...
    assert request.known == "It's just a keyboard and a mouse"  # ...but known
    shopper = ProseShopper(scenario.instructions)
    shopper.opening()
    all_four = Reply(
        texts=[
            "Here is exactly what I'll do:\nReturn from order #W1: Water Bottle (color: black); "
            "Mechanical Keyboard (size: 80%); Backpack (color: green)\nShall I go ahead?"
        ]
    )
    assert shopper.respond(all_four) == "No, only the Mechanical Keyboard."


def test_the_confirmation_words_belong_to_the_request_they_follow() -> None:
    scenario = Scenario.read(
        _instructions(
            "You want to change the address of order #W1 to your default address. You also "
            "want to change the desk lamp to black. If the agent asks for confirmation, only "
            "change the backpack.",
            "",
        )
    )
    address, lamp = scenario.requests
    # "to your default address" is where the order goes, not a change of the default.
    assert address.kind == "order_address"
    assert not address.on_confirm and lamp.on_confirm
