"""`assistant eval recs`: the metrics, the splits, the loaders, and small end-to-end runs."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Collection, Sequence
from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.cli import eval as eval_cli
from assistant.config import load_settings
from assistant.eval.recs import (
    RETAIL_FILE,
    SESSIONS_FILE,
    Case,
    RecsDataError,
    basket_halves,
    evaluate_recs,
    evaluate_set,
    evaluate_system,
    last_basket_split,
    load_retail,
    load_sessions,
    previous_baskets,
    ranking_scores,
    session_split,
)
from assistant.recs import Interaction, Suggestion
from tests.cli_runner import command_runner

ROOT = Path(__file__).parents[2]
SHARED = ROOT.parent / "shared" / "data" / "interactions"
THEMES = [
    ["tent", "stove", "mat", "lamp", "pegs"],
    ["socks", "hat", "scarf", "gloves", "boots"],
    ["mug", "kettle", "tea", "spoon", "tray"],
]


def bought(item: str, basket: str, day: int, shopper: str = "") -> Interaction:
    return Interaction(item, basket, at=day * 86_400.0, shopper=shopper)


def viewed(item: str, session: str, day: int, step: int) -> Interaction:
    return Interaction(item, session, at=day * 86_400.0 + step, kind="viewed")


def test_scores_follow_their_definitions() -> None:
    figures = ranking_scores(["a", "x", "b", "y"], frozenset({"b", "c"}))
    assert figures["hr@10"] == 1.0
    assert figures["mrr@10"] == pytest.approx(1 / 3)
    # One hit at rank 3 of an ideal two at ranks 1 and 2.
    assert figures["ndcg@10"] == pytest.approx((1 / 2) / (1 + 1 / math.log2(3)))
    assert ranking_scores(["x", "y"], frozenset({"a"})) == {
        "hr@10": 0.0,
        "ndcg@10": 0.0,
        "mrr@10": 0.0,
    }
    # A hit below the cut-off does not count.
    assert ranking_scores(["x", "y", "a"], frozenset({"a"}), k=2)["hr@2"] == 0.0


class FixedList:
    """Suggests the same items to everyone and remembers what it was told to leave out."""

    def __init__(self, items: list[str]) -> None:
        self.items = items
        self.excluded: list[set[str]] = []

    def recommend(
        self, history: Sequence[Interaction], *, k: int = 10, exclude: Collection[str] = ()
    ) -> list[Suggestion]:
        self.excluded.append(set(exclude))
        chosen = [item for item in self.items if item not in exclude][:k]
        return [Suggestion(item, 1.0, {"kind": "popular"}) for item in chosen]


def test_a_system_is_averaged_over_cases_and_its_coverage_counted() -> None:
    cases = [
        Case((bought("a", "h1", 0),), frozenset({"b"}), frozenset({"a"})),
        Case((bought("b", "h2", 0),), frozenset({"z"}), frozenset({"b"})),
        # A whole-basket case: the history may come back, and buying it again is a hit.
        Case((bought("c", "h3", 0),), frozenset({"c"}), frozenset()),
    ]
    system = FixedList(["a", "b", "c"])
    figures = evaluate_system(system, cases, {"a", "b", "c", "d", "e", "f"})
    assert figures["hr@10"] == pytest.approx(2 / 3, abs=1e-4)  # "b" first ("a" is out), "c" third
    assert figures["mrr@10"] == pytest.approx((1 + 1 / 3) / 3, abs=1e-4)
    assert system.excluded == [{"a"}, {"b"}, set()]
    assert figures["coverage"] == 0.5  # a, b, c of six


SHOPPERS = [
    bought("tent", "ann-1", 1, "ann"),
    bought("stove", "ann-2", 2, "ann"),
    bought("stove", "ann-3", 3, "ann"),
    bought("lamp", "ann-3", 3, "ann"),
    bought("hat", "bob-1", 1, "bob"),
    bought("mug", "cy-1", 1, "cy"),
    bought("mug", "cy-2", 2, "cy"),
    bought("tent", "walk-in", 4),
]


def test_each_customer_last_basket_is_held_out_whole() -> None:
    split = last_basket_split(SHOPPERS)
    assert split.dropped == 0
    ann, cy = split.cases
    assert {i.group for i in ann.history} == {"ann-1", "ann-2"}
    assert ann.targets == {"stove", "lamp"}  # the stove re-bought counts too
    assert cy.targets == {"mug"} and {i.group for i in cy.history} == {"cy-1"}
    assert ann.exclude == cy.exclude == frozenset()  # the history may be suggested
    assert {i.group for i in split.train} == {"ann-1", "ann-2", "bob-1", "cy-1", "walk-in"}


def test_the_new_items_split_leaves_re_bought_items_out() -> None:
    split = last_basket_split(SHOPPERS, new_items_only=True)
    (case,) = split.cases
    assert {i.group for i in case.history} == {"ann-1", "ann-2"}
    assert case.targets == {"lamp"}  # the stove was bought before
    assert case.exclude == {"tent", "stove"}
    assert split.dropped == 1  # cy's last basket repeats what cy had
    assert {i.group for i in split.train} == {"ann-1", "ann-2", "bob-1", "cy-1", "walk-in"}


def test_the_repeat_validation_sees_only_training_baskets() -> None:
    split = last_basket_split(SHOPPERS)
    (fold,) = previous_baskets(split.train)
    # ann's last training basket, from the one before; cy has a single training basket.
    (case,) = fold.cases
    assert [i.group for i in case.history] == ["ann-1"]
    assert case.targets == {"stove"} and case.exclude == frozenset()
    assert {i.group for i in fold.train} == {"ann-1", "bob-1", "cy-1", "walk-in"}
    assert previous_baskets(fold.train) == []  # nobody has two baskets left


def test_the_last_days_sessions_are_the_test_and_each_next_view_a_case() -> None:
    data = [viewed("old", "s-early", 0, 0), viewed("older", "s-early", 0, 1)]
    data += [viewed(item, "s-late", 20, step) for step, item in enumerate(["a", "b", "a", "c"])]
    data += [viewed("x", "s-mid", 7, 0), viewed("y", "s-mid", 7, 1)]
    split = session_split(data, days=14)
    assert {i.group for i in split.train} == {"s-early"}
    assert [([i.item for i in c.history], set(c.targets)) for c in split.cases] == [
        (["x"], {"y"}),
        (["a"], {"b"}),
        (["a", "b", "a"], {"c"}),
    ]
    assert split.dropped == 1  # the second view of "a"


def test_basket_halves_hold_each_basket_out_once() -> None:
    data = [bought(item, f"b{n}", n) for n in range(7) for item in THEMES[n % 3][: 2 + n % 3]]
    folds = basket_halves(data, folds=3)
    held = [{i.group for i in data} - {i.group for i in fold.train} for fold in folds]
    assert sorted(g for groups in held for g in groups) == sorted({i.group for i in data})
    for fold, groups in zip(folds, held, strict=True):
        for case in fold.cases:
            (basket,) = {i.group for i in case.history}
            assert basket in groups
            assert not case.targets & {i.item for i in case.history}
            assert case.exclude == {i.item for i in case.history}


def test_tuning_chooses_buy_again_where_shoppers_re_buy() -> None:
    # Six customers buy their own staple alone, three times; walk-ins buy twelve other items,
    # each more often than any staple, so nothing but "buy again" puts a staple in the top 10.
    fillers = [f"pop{n}" for n in range(12)]
    data = [
        bought(item, f"walk-{n}", 0)
        for n in range(36)
        for item in (fillers[n % 12], fillers[(n + 1) % 12])
    ]
    data += [
        bought(f"staple-{c}", f"c{c}-{visit}", visit + 1, f"c{c}")
        for c in range(6)
        for visit in range(3)
    ]
    result = evaluate_set("online_retail", data)
    assert result["repeat_validation_cases"] == 6
    assert result["params"]["aisle"]["repeat"] > 0
    assert result["repeat_validation_systems"]["aisle"]["hr@10"] == 1.0
    assert result["systems"]["aisle"]["hr@10"] == 1.0
    assert result["systems"]["popularity"]["hr@10"] == 0.0
    untuned = evaluate_set("online_retail", data, tune=False)
    assert untuned["systems"]["aisle"]["hr@10"] == 0.0


def write_retail(path: Path) -> None:
    """Customers who come back for more of one theme, and walk-in buyers."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "invoice_date",
                "invoice_no",
                "stock_code",
                "customer_id",
                "quantity",
                "unit_price",
                "total_linea",
            ]
        )
        invoice = 500_000
        for customer in range(24):
            theme = THEMES[customer % 3]
            visits = 2 + customer % 2
            for visit in range(visits):
                invoice += 1
                stamp = f"2010-12-0{1 + visit} 1{customer % 10}:00:00"
                items = theme[visit : visit + 3] if customer % 4 else theme[:2]
                for item in items:
                    writer.writerow([stamp, invoice, item, f"{13000 + customer}.0", 2, 1.5, 3.0])
        for walk_in in range(12):
            invoice += 1
            for item in THEMES[walk_in % 3][walk_in % 2 :: 2]:
                writer.writerow(["2010-12-02 09:00:00", invoice, item, "", 1, 2.0, 2.0])


def write_sessions(path: Path) -> None:
    """Three sessions a day for ten weeks, each a walk along one theme."""
    start = date(2016, 3, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("session_id;user_id;item_id;timeframe;eventdate\n")
        session = 0
        for day in range(70):
            for theme in THEMES:
                session += 1
                offset = (day + session) % 3
                for step, item in enumerate(theme[offset : offset + 3]):
                    handle.write(f"{session};NA;{item};{1000 * step};{start + timedelta(day)}\n")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    write_retail(tmp_path / RETAIL_FILE)
    write_sessions(tmp_path / SESSIONS_FILE)
    return tmp_path


def test_the_loaders_read_both_formats(data_dir: Path) -> None:
    lines = load_retail(data_dir / RETAIL_FILE)
    assert {i.kind for i in lines} == {"bought"}
    assert "13000" in {i.shopper for i in lines} and "" in {i.shopper for i in lines}
    assert lines[0].value == 3.0
    views = load_sessions(data_dir / SESSIONS_FILE)
    first = [v for v in views if v.group == "1"]
    assert [v.at for v in first] == sorted(v.at for v in first)
    assert {v.kind for v in views} == {"viewed"} and {v.shopper for v in views} == {""}


def test_the_loaders_refuse_bad_files(tmp_path: Path) -> None:
    with pytest.raises(RecsDataError, match="not found"):
        load_retail(tmp_path / "absent.csv")
    (tmp_path / "bad.csv").write_text("session_id;item_id\n1;2\n", encoding="utf-8")
    with pytest.raises(RecsDataError, match="columns"):
        load_sessions(tmp_path / "bad.csv")


def test_a_small_run_reports_every_system_on_both_sets(data_dir: Path) -> None:
    settings = load_settings(environ={}, overrides={"root": str(ROOT)})
    figures = evaluate_recs(settings, data_dir=data_dir)
    sets = {result["set"]: result for result in figures["sets"]}
    assert list(sets) == ["online_retail", "online_retail_new_items", "diginetica"]
    for result in figures["sets"]:
        assert set(result["systems"]) == {"aisle", "popularity", "item_knn"}
        for system in result["systems"].values():
            assert set(system) == {"hr@10", "ndcg@10", "mrr@10", "coverage"}
            assert all(0.0 <= value <= 1.0 for value in system.values())
        assert result["cases"] > 0 and result["validation_cases"] > 0
        assert set(result["ratios"]) == {"hr@10_vs_popularity", "hr@10_vs_item_knn"}
    # Only the whole-basket set has re-buys to predict and a split to choose "buy again" on.
    whole, new = sets["online_retail"], sets["online_retail_new_items"]
    assert whole["cases_with_rebuys"] > 0 and whole["repeat_validation_cases"] > 0
    assert whole["cases"] > new["cases"]
    assert new["cases_with_rebuys"] == 0 and new["repeat_validation"] is None
    assert new["params"]["aisle"]["repeat"] == 0.0
    with pytest.raises(RecsDataError, match="unknown"):
        evaluate_recs(settings, data_dir=data_dir, sets=["movies"])


def test_cli_json_prints_one_object(data_dir: Path, tmp_path: Path) -> None:
    settings = load_settings(environ={}, overrides={"root": str(ROOT)})
    run = command_runner(eval_cli.app, "eval", settings)
    output = tmp_path / "out" / "recs.json"
    arguments = ["recs", "--data-dir", str(data_dir), "--no-tune"]
    result = run(*arguments, "--json", "--output", str(output))
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["systems"] == ["aisle", "popularity", "item_knn"]
    assert json.loads(output.read_text(encoding="utf-8")) == figures

    table = run(*arguments, "--sets", "diginetica")
    assert table.exit_code == 0, table.output
    assert "item_knn" in table.stdout and "ndcg@10" in table.stdout
    assert "online_retail" not in table.stdout


@pytest.mark.slow
@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/interactions is not here")
def test_the_shared_files_load_as_their_sources_describe() -> None:
    lines = load_retail(SHARED / RETAIL_FILE)
    assert len(lines) == 10_000
    assert len({i.item for i in lines}) == 2_005
    assert len({i.shopper for i in lines}) == 307  # the anonymous lines counted as one
    views = load_sessions(SHARED / SESSIONS_FILE)
    assert (len(views), len({v.group for v in views})) == (12_391, 2_986)
    settings = load_settings(environ={}, overrides={"root": str(ROOT)})
    figures = evaluate_recs(settings, tune=False)
    assert all(result["cases"] > 0 for result in figures["sets"])
