"""`assistant eval nlu` on a small Bitext-shaped CSV, with the real embedder and nlu_data."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from assistant.cli import eval as eval_cli
from assistant.config import Settings, load_settings
from assistant.engine.embeddings import SentenceEmbedder
from assistant.eval.nlu import EvalDataError, evaluate_nlu, load_intent_map
from tests.cli_runner import command_runner

ROOT = Path(__file__).parents[2]
pytestmark = pytest.mark.slow

ROWS = [
    ("I want to talk with a human agent", "contact_human_agent"),
    ("get me a live person please", "contact_human_agent"),
    ("how do I reach customer service?", "contact_customer_service"),
    ("what's the weather tomorrow", "contact_customer_service"),
    ("I want to open an account", "create_account"),
    ("sign me up for the newsletter", "newsletter_subscription"),
]


@pytest.fixture
def settings() -> Settings:
    return load_settings(environ={}, overrides={"root": str(ROOT)})


@pytest.fixture
def bitext_csv(tmp_path: Path) -> Path:
    path = tmp_path / "intents.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["instruction", "intent", "category"])
        writer.writerows((text, intent, "X") for text, intent in ROWS)
    return path


def test_intent_map_lists_every_bitext_intent() -> None:
    mapping = load_intent_map()
    assert len(mapping) == 27
    assert mapping["contact_human_agent"] == mapping["contact_customer_service"] == "human_handoff"
    assert mapping["track_order"] == mapping["track_refund"] == "order_status"
    assert mapping["cancel_order"] == "cancel_order"
    assert mapping["change_shipping_address"] == "modify_order_address"
    assert mapping["get_refund"] == "return_order"
    assert mapping["delivery_period"] == mapping["check_refund_policy"] == "policy_question"
    # Account management is not the assistant's job yet.
    assert mapping["create_account"] is mapping["newsletter_subscription"] is None


def test_eval_reports_both_systems(settings: Settings, bitext_csv: Path) -> None:
    report = evaluate_nlu(settings, data_path=bitext_csv, embedder=SentenceEmbedder())
    figures = json.loads(json.dumps(report.as_dict()))

    assert (figures["n_rows"], figures["n_covered"], figures["n_uncovered"]) == (6, 4, 2)
    assert figures["macro_f1_labels"] == ["human_handoff"]
    assert figures["skipped_intents"] == ["create_account", "newsletter_subscription"]
    for system in ("aisle", "baseline"):
        scores = figures[system]
        assert 0.0 <= scores["accuracy"] <= 1.0
        assert 0.0 <= scores["macro_f1"] <= 1.0
        assert set(scores["recall"]) == {"human_handoff"}
        assert 0.0 <= scores["uncovered_out_of_scope_share"] <= 1.0
        assert sum(scores["confusion"]["human_handoff"].values()) == 4
    # The weather row is labelled human_handoff here on purpose: it must be a miss.
    assert figures["aisle"]["accuracy"] == 0.75
    assert figures["aisle"]["confusion"]["human_handoff"]["out_of_scope"] == 1


def test_eval_refuses_unmapped_intents(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "intents.csv"
    path.write_text("instruction,intent\nhello,say_hello\n", encoding="utf-8")
    with pytest.raises(EvalDataError, match="say_hello"):
        evaluate_nlu(settings, data_path=path, embedder=SentenceEmbedder())
    with pytest.raises(EvalDataError, match="not found"):
        evaluate_nlu(settings, data_path=tmp_path / "absent.csv")


def test_cli_json_prints_one_object(bitext_csv: Path, tmp_path: Path) -> None:
    settings = load_settings(environ={}, overrides={"root": str(ROOT)})
    run = command_runner(eval_cli.app, "eval", settings)
    output = tmp_path / "out" / "nlu.json"
    result = run("nlu", "--data", str(bitext_csv), "--json", "--output", str(output))
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["aisle"]["accuracy"] is not None
    assert figures["baseline"]["accuracy"] is not None
    assert json.loads(output.read_text(encoding="utf-8")) == figures

    table = run("nlu", "--data", str(bitext_csv))
    assert table.exit_code == 0, table.output
    assert "macro-F1" in table.stdout
    assert "baseline" in table.stdout
