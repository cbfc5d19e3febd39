"""`assistant eval nlu` on a small Bitext-shaped CSV, with the real embedder and nlu_data."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console

from assistant.cli import eval as eval_cli
from assistant.cli import eval_nlu
from assistant.config import Settings, load_settings
from assistant.engine.embeddings import SentenceEmbedder
from assistant.engine.nlu.model import OUT_OF_SCOPE
from assistant.eval import nlu as nlu_eval
from assistant.eval.nlu import (
    BaselineClassifier,
    EvalDataError,
    evaluate_nlu,
    load_intent_map,
    score,
)
from assistant.eval.nlu_tuning import decide, folds_of, threshold_for_share, tune
from tests.cli_runner import command_runner

ROOT = Path(__file__).parents[2]

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


def test_wrong_acceptances_count_against_the_accepted_intent() -> None:
    handoff, oos = "human_handoff", OUT_OF_SCOPE
    # Two covered rows (one right, one rejected), two uncovered (one wrongly accepted).
    gold = [handoff, handoff, oos, oos]
    predicted = [handoff, oos, handoff, oos]
    scores = score(gold, predicted, [True, True, False, False], [handoff], regularisation=1.0,
                   threshold=0.5)  # fmt: skip
    # Covered rows only, the wrong acceptance is invisible: precision 1, recall 1/2.
    assert scores.covered_only == {"accuracy": 0.5, "macro_f1": 0.6667}
    # Counted, it halves the intent's precision.
    assert scores.precision == {handoff: 0.5} and scores.recall == {handoff: 0.5}
    assert scores.macro_f1 == 0.5 and scores.macro_f1_with_oos == 0.5
    assert scores.accuracy == 0.5
    assert (scores.wrong_acceptances, scores.false_rejections) == (1, 1)
    assert scores.out_of_scope_share == scores.uncovered_out_of_scope_share == 0.5
    assert scores.confusion == {handoff: {handoff: 1, oos: 1}, oos: {handoff: 1, oos: 1}}


def test_folds_deal_every_intent_into_every_fold() -> None:
    labels = ["a"] * 9 + ["b"] * 4 + ["c"] * 2
    assigned = folds_of(labels, folds=4)
    assert assigned == folds_of(labels, folds=4)  # seeded
    for label, count in Counter(labels).items():
        folds = Counter(f for f, name in zip(assigned, labels, strict=True) if name == label)
        # Round robin: fold sizes differ by at most one, and no intent is left out of training.
        assert max(folds.values()) - min(folds.values()) <= 1
        assert len(folds) == min(count, 4)


def test_a_threshold_for_a_share_puts_that_share_under_it() -> None:
    top = [0.9, 0.52, 0.55, 0.6, 0.7, 0.51, 0.8, 0.65]
    # Two rows whose best intent is out_of_scope itself: out of scope at any threshold.
    probabilities = np.array([[p, 1 - p, 0.0] for p in top] + [[0.1, 0.2, 0.7], [0.3, 0.1, 0.6]])
    classes = ["x", "y", OUT_OF_SCOPE]
    for share in (0.2, 0.3, 0.5, 1.0):
        threshold = threshold_for_share(classes, probabilities, share)
        decided = decide(classes, probabilities, threshold)
        assert decided.count(OUT_OF_SCOPE) == round(share * 10)
    # A share below what the out_of_scope rows already make asks for no threshold at all.
    assert threshold_for_share(classes, probabilities, 0.1) == 0.0


def test_tuning_chooses_the_best_validation_pair() -> None:
    # Texts whose word says the intent, plus out-of-scope chatter: a plain TF-IDF model.
    texts = [f"{word} please {n}" for word in ("refund", "track", "cancel") for n in range(6)]
    texts += [f"tell me about {topic}" for topic in ("cars", "weather", "music", "art", "maths")]
    labels = [t.split()[0] for t in texts[:18]] + [OUT_OF_SCOPE] * 5

    def fit(train: Any, c: float) -> Any:
        model = BaselineClassifier(threshold=0.0, regularisation=c).fit_texts(
            [texts[i] for i in train], [labels[i] for i in train]
        )
        return lambda test: (model.classes, model.predict_proba([texts[i] for i in test]))

    tuned = tune(labels, fit, regularisations=(0.01, 10.0), thresholds=(0.1, 0.5), folds=3)
    assert len(tuned.grid) == 4
    best = max(tuned.grid, key=lambda row: row[2])
    assert tuned.validation_macro_f1 == best[2]
    assert (tuned.regularisation, tuned.threshold) == best[:2]
    # C = 0.01 flattens the probabilities: nothing clears 0.5, so only out_of_scope is right.
    assert dict(((c, t), f) for c, t, f in tuned.grid)[(0.01, 0.5)] < best[2]


@pytest.mark.slow
def test_eval_reports_every_system(settings: Settings, bitext_csv: Path) -> None:
    report = evaluate_nlu(
        settings,
        data_path=bitext_csv,
        embedder=SentenceEmbedder(),
        regularisations=(1.0, 10.0),
        thresholds=(0.3, 0.6),
        folds=2,
    )
    figures = json.loads(json.dumps(report.as_dict()))

    assert (figures["n_rows"], figures["n_covered"], figures["n_uncovered"]) == (6, 4, 2)
    assert figures["macro_f1_labels"] == ["human_handoff"]
    assert figures["skipped_intents"] == ["create_account", "newsletter_subscription"]
    systems = figures["systems"]
    assert set(systems) == {"aisle_config", "aisle", "baseline", "baseline_matched"}
    for name in ("aisle", "baseline"):
        tuning = figures["tuning"][name]
        # Tuned on nlu_data/ with the grids given, and the tuned pair is what was scored.
        assert tuning["regularisation"] in (1.0, 10.0) and tuning["threshold"] in (0.3, 0.6)
        assert (systems[name]["regularisation"], systems[name]["threshold"]) == (
            tuning["regularisation"],
            tuning["threshold"],
        )
        assert tuning["examples"] > 500
    assert systems["aisle_config"]["threshold"] == settings.nlu.threshold
    for scores in systems.values():
        confusion = scores["confusion"]
        right = sum(row.get(gold, 0) for gold, row in confusion.items())
        assert scores["accuracy"] == round(right / 6, 4)
        # Every uncovered row is gold out_of_scope; those given an intent are wrong acceptances.
        accepted = sum(n for p, n in confusion.get(OUT_OF_SCOPE, {}).items() if p != OUT_OF_SCOPE)
        assert scores["wrong_acceptances"] == accepted
    # The weather row is labelled human_handoff here on purpose: it must be a miss.
    assert systems["aisle_config"]["covered_only"]["accuracy"] == 0.75
    assert systems["aisle_config"]["confusion"]["human_handoff"]["out_of_scope"] >= 1
    # The matched baseline sends as many rows out of scope as the tuned assistant.
    assert (
        systems["baseline_matched"]["out_of_scope_share"] == systems["aisle"]["out_of_scope_share"]
    )


@pytest.mark.slow
def test_eval_refuses_unmapped_intents(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "intents.csv"
    path.write_text("instruction,intent\nhello,say_hello\n", encoding="utf-8")
    with pytest.raises(EvalDataError, match="say_hello"):
        evaluate_nlu(settings, data_path=path, embedder=SentenceEmbedder())
    with pytest.raises(EvalDataError, match="not found"):
        evaluate_nlu(settings, data_path=tmp_path / "absent.csv")


@pytest.mark.slow
def test_cli_json_prints_one_object(
    bitext_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A one-point grid keeps the command's tuning short; the tuning itself is tested above.
    monkeypatch.setattr(nlu_eval, "REGULARISATION_GRID", (3.0,))
    monkeypatch.setattr(nlu_eval, "THRESHOLD_GRID", (0.45,))
    monkeypatch.setattr(nlu_eval, "FOLDS", 2)
    settings = load_settings(environ={}, overrides={"root": str(ROOT)})
    run = command_runner(eval_cli.app, "eval", settings)
    output = tmp_path / "out" / "nlu.json"
    result = run("nlu", "--data", str(bitext_csv), "--json", "--output", str(output))
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["tuning"]["aisle"]["regularisations"] == [3.0]
    assert figures["systems"]["aisle"]["threshold"] == 0.45
    assert json.loads(output.read_text(encoding="utf-8")) == figures

    console = Console(width=200, record=True)
    console.print(eval_nlu._table(figures))
    table = console.export_text()
    for label in ("aisle (config)", "baseline (tuned)", "wrong acceptances", "covered rows only"):
        assert label in table
    accuracy = next(line for line in table.splitlines() if "accuracy, all rows" in line)
    assert f"{figures['systems']['baseline_matched']['accuracy']:.3f}" in accuracy
