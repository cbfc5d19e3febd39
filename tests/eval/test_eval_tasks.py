"""`assistant eval tasks`: scripted shoppers against the real engine on copies of the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import Settings, load_settings
from assistant.engine.embeddings import SentenceEmbedder
from assistant.engine.nlu.model import NLUModel
from assistant.eval.tasks import (
    Goal,
    StoreCopies,
    apply_goal,
    count_violations,
    differences,
    evaluate_tasks,
    load_tasks,
    snapshot,
)

ROOT = Path(__file__).parents[2]
TASKS = ROOT / "knowledge_base" / "store" / "tasks_train.json"
pytestmark = pytest.mark.slow


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


def test_scripted_shoppers_reach_the_expected_store(settings: Settings, parser: NLUModel) -> None:
    # A typed exchange, a clicked one, cancels plus a return, a hand-off, and no change at all.
    report = evaluate_tasks(settings, parser=parser, only={"0", "1", "16", "50", "24"})
    figures = report.as_dict()
    assert figures["tasks"] == 5
    assert figures["passed"] == 5, json.dumps(figures["failures"], indent=1)[:4000]
    assert figures["policy_violations"] == 0
    assert figures["transfers_done"] == figures["transfers_expected"] == 1
    styles = {row["id"]: row["style"] for row in figures["results"]}
    assert set(styles.values()) == {"typed", "clicked"}


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
