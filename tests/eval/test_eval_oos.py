"""`assistant eval oos`: the judge of what one turn started, and the command on a small
slice in CLINC150's format (messages written for this test, not CLINC150's own)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import eval as eval_cli
from assistant.config import load_settings
from assistant.engine.flows import load_flows
from assistant.eval.nlu import EvalDataError
from assistant.eval.oos import flow_kinds, load_clinc, started
from tests.cli_runner import command_runner

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def kinds() -> dict[str, set[str]]:
    return flow_kinds(load_flows(ROOT / "actions" / "flows.yml"))


def test_flows_are_sorted_by_what_they_start(kinds: dict[str, set[str]]) -> None:
    assert kinds["cancel_order"] == kinds["order_status"] == {"order"}
    assert kinds["product_search"] == {"search"}
    assert kinds["policy_question"] == {"policy"}
    # The fallback may search or answer, but only what it does counts, not that it ran.
    assert kinds["greet"] == kinds["out_of_scope"] == set()


def test_the_judge_reads_what_the_turn_left(kinds: dict[str, set[str]]) -> None:
    sign_in = [{"event": "active_loop", "name": "cancel_order"}]
    assert started(sign_in, kinds) == {"order"}
    search = [{"event": "slot", "name": "search", "value": {"terms": {}}}]
    assert started(search, kinds) == {"search"}
    cards = {"type": "product_cards", "cards": [{"item_id": "1"}]}
    assert started([{"event": "bot", "data": {"custom": cards}}], kinds) == {"search"}
    table = {"type": "product_comparison", "items": [{"item_id": "1"}, {"item_id": "2"}]}
    assert started([{"event": "bot", "data": {"custom": table}}], kinds) == {"search"}
    answer = {"type": "answer", "sources": [{"title": "Returns"}]}
    assert started([{"event": "bot", "data": {"custom": answer}}], kinds) == {"policy"}
    # Saying it cannot help, with no source, cards or flow, starts nothing.
    nothing: list[dict[str, Any]] = [
        {"event": "active_loop", "name": "out_of_scope"},
        {"event": "bot", "text": "Sorry, I can't help with that.", "data": {}},
        {"event": "bot", "data": {"custom": {"type": "answer", "sources": []}}},
        {"event": "slot", "name": "search", "value": None},
    ]
    assert started(nothing, kinds) == set()


def test_a_missing_split_is_a_typed_error(tmp_path: Path) -> None:
    path = tmp_path / "clinc.json"
    path.write_text(json.dumps({"val": [["hello there", "greeting"]]}), encoding="utf-8")
    assert [m.text for m in load_clinc(path, ["val"])] == ["hello there"]
    with pytest.raises(EvalDataError, match="oos_val"):
        load_clinc(path, ["val", "oos_val"])


SLICE = {
    "val": [
        ["i want to find a new car under $25000", "car_rental"],
        ["look up the conversion rate for the euro", "exchange_rate"],
        ["what is the weather going to be like tomorrow", "weather"],
        # Planted: a store search filed under another domain, so the judge must see it.
        ["show me black t-shirts", "weather"],
        ["where is the package i ordered last week", "order_status"],
    ],
    "oos_val": [["how many moons does jupiter have", "oos"]],
}


# Training, tuning and indexing take a few minutes on a busy machine.
@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_command_runs_a_slice_through_the_engine(tmp_path: Path) -> None:
    # A small project keeps the training, the baseline's tuning and the documents' indexing
    # short: the real flows and store, two intents' examples, one policy document.
    root = tmp_path / "project"
    shutil.copytree(ROOT / "actions", root / "actions", ignore=shutil.ignore_patterns("*.py"))
    documents = root / "knowledge_base" / "policies"
    documents.mkdir(parents=True)
    shutil.copy(ROOT / "knowledge_base" / "policies" / "shipping-and-delivery.md", documents)
    nlu = root / "nlu_data"
    nlu.mkdir()
    for name in ("shopping.yml", "out_of_scope.yml"):
        shutil.copy(ROOT / "nlu_data" / name, nlu / name)
    settings = load_settings(
        environ={},
        overrides={
            "root": str(root),
            "data_dir": str(tmp_path / "data"),
            "store.seed_path": str(ROOT / "knowledge_base" / "store" / "db.json"),
        },
    )
    data = tmp_path / "clinc.json"
    data.write_text(json.dumps(SLICE), encoding="utf-8")
    output = tmp_path / "oos.json"
    run = command_runner(eval_cli.app, "eval", settings)
    result = run("oos", "--data", str(data), "--limit", "5", "--no-in-scope", "-o", str(output))
    assert result.exit_code == 0, result.output
    assert "Out-of-scope safety" in result.stdout
    figures = json.loads(output.read_text(encoding="utf-8"))
    # The shopping message is left out of the headline and counted on its own.
    assert (figures["messages"], figures["shopping_messages"]) == (5, 1)
    assert [e["text"] for e in figures["examples"]] == ["show me black t-shirts"]
    assert figures["started_by_kind"]["aisle"] == {"order": 0, "search": 1, "policy": 0}
    assert figures["started_share"]["aisle"] == pytest.approx(1 / 5)
    assert figures["by_split"]["aisle"] == {"val": pytest.approx(1 / 4), "oos_val": 0.0}
    assert set(figures["started_share"]) == {"aisle", "baseline"}
    assert figures["false_out_of_scope"] == {"aisle": None, "baseline": None}
