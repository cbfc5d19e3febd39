"""`assistant eval recs`: the metrics, the time-ordered splits, the loaders, the fast per-block
fits (equal to the real ones), the search, and small end-to-end runs."""

from __future__ import annotations

import csv
import gzip
import json
import math
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from assistant.cli import eval as eval_cli
from assistant.config import load_settings
from assistant.eval.recs import evaluate_recs, evaluate_retail
from assistant.eval.recs_data import (
    RETAIL_FILE,
    RETAIL_SAMPLE_FILE,
    SESSIONS_FILE,
    Case,
    RecsDataError,
    load_retail,
    load_sessions,
    new_items,
    session_split,
    time_ordered_split,
    validation_split,
)
from assistant.eval.recs_fit import (
    Prefix,
    PrefixCounts,
    aisle_models,
    evaluate_system,
    knn_models,
    popularity_model,
    ranking_scores,
)
from assistant.eval.recs_search import RETAIL_GRID, coordinate_ascent
from assistant.recs import CoOccurrenceRecommender, Interaction, RecsParams, Suggestion
from assistant.recs.baselines import ItemKNNRecommender, PopularityRecommender
from tests.cli_runner import command_runner

ROOT = Path(__file__).parents[2]
SHARED = ROOT.parent / "shared" / "data" / "interactions"
DAY = 86_400.0
THEMES = [
    ["tent", "stove", "mat", "lamp", "pegs"],
    ["socks", "hat", "scarf", "gloves", "boots"],
    ["mug", "kettle", "tea", "spoon", "tray"],
]
COLUMNS = ["invoice_date", "invoice_no", "stock_code", "customer_id", "quantity", "unit_price"]


def bought(item: str, basket: str, day: float, shopper: str = "") -> Interaction:
    return Interaction(item, basket, at=day * DAY, shopper=shopper)


def viewed(item: str, session: str, day: int, step: int) -> Interaction:
    return Interaction(item, session, at=day * DAY + step, kind="viewed")


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
    bought("mug", "cy-2", 2.5, "cy"),
    bought("tent", "walk-in", 1.5),
    # Began before cy's last basket but ended after it, or ended just as it began: not
    # training for it.
    bought("mat", "late", 2.4),
    bought("pegs", "late", 2.6),
    bought("tray", "same-time", 2.5),
]


def test_each_customer_last_basket_is_held_out_whole_and_predicted_from_before_it() -> None:
    split = time_ordered_split(SHOPPERS)
    assert split.held_out == {"ann-3", "cy-2"}
    cy, ann = split.cases  # in time order
    assert {i.group for i in ann.history} == {"ann-1", "ann-2"}
    assert ann.targets == {"stove", "lamp"}  # the stove re-bought counts too
    assert cy.targets == {"mug"} and {i.group for i in cy.history} == {"cy-1"}
    assert ann.exclude == cy.exclude == frozenset()  # the history may be suggested
    assert not split.held_out & {i.group for i in split.train}
    (block,) = split.blocks
    # One block from cy's basket at day 2.5: "late" ended after it began.
    assert block.start == 2.5 * DAY
    assert {i.group for i in split.train[: block.size]} == {
        "ann-1",
        "ann-2",
        "bob-1",
        "cy-1",
        "walk-in",
    }


def retail_lines(
    customers: int = 30, *, last: str = "theme", staples: bool = False
) -> list[Interaction]:
    """Customers coming back every few days for their theme (and their own staple), walk-in
    invoices between them; `last` "other" gives every customer's last invoice other items."""
    lines: list[Interaction] = []
    for customer in range(customers):
        theme = THEMES[customer % 3]
        visits = 2 + customer % 3
        for visit in range(visits):
            day = 1 + customer * 0.5 + visit * 4
            invoice = f"{customer}-{visit}"
            items = [theme[(visit + customer) % 5], theme[(visit + customer + 1) % 5]]
            if staples:
                items = [f"staple-{customer}"]
            if visit == visits - 1 and last == "other":
                items = [f"other-{customer}"]
            for item in items:
                lines.append(Interaction(item, invoice, day * DAY, "bought", 2.0, f"c{customer}"))
    for walk_in in range(40):
        fillers = [f"pop{walk_in % 12}", f"pop{(walk_in + 1) % 12}"]
        items = fillers if staples else THEMES[walk_in % 3][walk_in % 2 :: 2]
        for item in items:
            lines.append(Interaction(item, f"w{walk_in}", walk_in * 0.6 * DAY, "bought", 1.0))
    return lines


def test_blocks_train_strictly_before_their_baskets_and_never_on_held_out_ones() -> None:
    data = retail_lines()
    split = time_ordered_split(data, block_cases=4, block_days=3)
    assert len(split.cases) == 30 and len(split.blocks) > 5
    group_end: dict[str, float] = {}
    for i in data:
        group_end[i.group] = max(group_end.get(i.group, -math.inf), i.at)
    for block in split.blocks:
        train = split.train[: block.size]
        assert len(block.cases) <= 4
        assert max(case.at for case in block.cases) - block.start < 3 * DAY
        assert all(block.start <= case.at for case in block.cases)
        # Whole baskets, all ended strictly before the block's first basket began.
        assert all(group_end[i.group] < block.start for i in train)
        assert not split.held_out & {i.group for i in train}
        # And every basket that ended before it is there.
        before = {g for g, end in group_end.items() if end < block.start} - split.held_out
        assert {i.group for i in train} == before
        for case in block.cases:
            assert all(i.at < case.at for i in case.history)
            assert not split.held_out & {i.group for i in case.history}


def test_validation_is_the_second_to_last_baskets_without_the_test_ones() -> None:
    data = retail_lines()
    test = time_ordered_split(data, block_cases=4)
    validation = validation_split(test, block_cases=4)
    # Customers with three or more invoices: 20 of the 30.
    assert len(validation.cases) == 20
    assert {g.rsplit("-", 1)[1] for g in validation.held_out} <= {"1", "2"}
    for group in validation.held_out:
        customer, visit = group.rsplit("-", 1)
        assert f"{customer}-{int(visit) + 1}" in test.held_out  # the one before the last
    seen = {i.group for i in validation.train}
    seen |= {i.group for case in validation.cases for i in case.history}
    assert not seen & test.held_out
    for block in validation.blocks:
        assert all(i.at < block.start for i in validation.train[: block.size])


def test_the_new_items_view_keeps_the_blocks_and_leaves_re_buys_out() -> None:
    split = time_ordered_split(SHOPPERS)
    only_new = new_items(split)
    assert [b.start for b in only_new.blocks] == [b.start for b in split.blocks]
    (case,) = only_new.cases
    assert case.targets == {"lamp"}  # ann's stove was bought before
    assert case.exclude == {"tent", "stove"}
    assert only_new.dropped == 1  # cy's last basket repeats what cy had


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


def test_the_fast_block_fits_equal_the_real_ones() -> None:
    data = retail_lines(staples=False) + retail_lines(12, staples=True)
    split = time_ordered_split(data, block_cases=6)
    prefix = Prefix(split.train)
    params = {
        "plain": RecsParams(),
        "rich": RecsParams(repeat=2.0, similar_baskets=1.0, similar_baskets_k=3, alpha=1.0),
        "aged": RecsParams(popularity_half_life_days=2.0, monetary=0.5, decay=0.5),
        "store": RecsParams(content=0.3, popularity=0.05, diversity=0.3, max_per_category=1),
    }
    fitters = [
        aisle_models(params, PrefixCounts(prefix)),
        popularity_model(prefix),
        knn_models(prefix, [1, 3, None]),
    ]
    compared = 0
    for block in split.blocks[1:]:
        train = split.train[: block.size]
        real = {name: CoOccurrenceRecommender.fit(train, p) for name, p in params.items()}
        real["popularity"] = PopularityRecommender(train)
        for k in (1, 3, None):
            real[f"item_knn@{k}"] = ItemKNNRecommender(train, neighbours=k)
        fast = {name: model for fit in fitters for name, model in fit(block.size)}
        assert set(fast) == set(real)
        for name, model in real.items():
            for case in block.cases:
                for exclude in (frozenset(), case.targets):
                    got = fast[name].recommend(case.history, k=10, exclude=exclude)
                    assert got == model.recommend(case.history, k=10, exclude=exclude), name
                    compared += 1
    assert compared > 100


def test_coordinate_ascent_keeps_a_change_only_when_it_scores_better() -> None:
    def score(candidates: dict[str, RecsParams]) -> dict[str, dict[str, float]]:
        # Best at repeat 2 and decay 0.5, a little better still at alpha 1.
        return {
            name: {
                "hr@10": 1 - abs(p.repeat - 2) / 10 - abs(p.decay - 0.5) + p.alpha / 1000,
                "ndcg@10": 0.0,
            }
            for name, p in candidates.items()
        }

    grid = {"repeat": (0.0, 1.0, 2.0, 4.0), "alpha": (0.5, 1.0), "decay": (0.3, 0.5, 0.7)}
    ascent = coordinate_ascent(RecsParams(), grid, score)
    assert (ascent.chosen.repeat, ascent.chosen.decay, ascent.chosen.alpha) == (2.0, 0.5, 1.0)
    assert set(ascent.tried) == set(grid)
    assert set(ascent.tried["repeat"]) == {"0.0", "1.0", "2.0", "4.0"}
    assert [c["param"] for c in ascent.changes] == ["repeat", "repeat", "alpha", "decay"]
    # A gain below the minimum is no reason to move: alpha stays.
    strict = coordinate_ascent(RecsParams(), grid, score, min_gain=0.01, sweeps=3)
    assert (strict.chosen.repeat, strict.chosen.decay, strict.chosen.alpha) == (2.0, 0.5, 0.5)
    # Its second sweep found nothing to change, so it stopped there.
    assert strict.sweeps == 2 and {c["sweep"] for c in strict.changes} == {1}


def test_the_search_runs_on_validation_alone_and_the_test_scores_the_configured_params() -> None:
    # Customers re-buy their own staple, walk-ins buy twelve fillers more often than any
    # staple: only "buy again" reaches a staple. A block per basket, so that every staple
    # bought before a basket is known to its models.
    data = retail_lines(12, staples=True)
    configured = RecsParams(repeat=0.0)
    run = partial(evaluate_retail, sets=["online_retail"], block_cases=1)
    (result,) = run(data, configured, search=True)
    search = result["search"]
    assert search["configured"]["repeat"] == 0.0 and search["chosen"]["repeat"] > 0
    assert "repeat" in search["changed"]
    # The test is scored with what is configured, not with what the search would choose.
    assert result["params"]["aisle"] == configured.as_dict()
    assert result["systems"]["aisle"]["hr@10"] == 0.0
    assert result["validation_systems"]["aisle"]["hr@10"] == 0.0
    chosen = RecsParams(**search["chosen"])
    (again,) = run(data, chosen)
    assert again["systems"]["aisle"]["hr@10"] == 1.0
    assert again["validation_systems"]["aisle"]["hr@10"] == 1.0
    assert again["systems"]["popularity"]["hr@10"] == 0.0
    # Changing every test basket changes nothing the search saw or chose.
    (other,) = run(retail_lines(12, staples=True, last="other"), configured, search=True)
    assert other["search"] == search
    assert set(RETAIL_GRID) <= set(search["tried"])


def write_retail(path: Path, lines: Sequence[Interaction]) -> None:
    """Interactions as Online Retail lines, gzipped for a `.gz` name."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*COLUMNS, "total_linea"])
        for i in lines:
            stamp = datetime.fromtimestamp(i.at, UTC).strftime("%Y-%m-%d %H:%M:%S")
            customer = f"{i.shopper}.0" if i.shopper else ""
            writer.writerow([stamp, i.group, i.item, customer, 2, i.value / 2, i.value])


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


def shift(lines: Sequence[Interaction]) -> list[Interaction]:
    """Into 2011 (the loader reads the times as UTC)."""
    origin = datetime(2011, 1, 1, tzinfo=UTC).timestamp()
    return [replace(i, at=origin + i.at, shopper=i.shopper.removeprefix("c")) for i in lines]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    write_retail(tmp_path / RETAIL_FILE, shift(retail_lines()))
    write_sessions(tmp_path / SESSIONS_FILE)
    return tmp_path


def test_the_loaders_read_gzip_and_plain_files(data_dir: Path) -> None:
    lines = load_retail(data_dir / RETAIL_FILE)
    expected = shift(retail_lines())
    assert len(lines) == len(expected)
    assert [(i.item, i.group, i.shopper) for i in lines] == [
        (i.item, i.group, i.shopper) for i in expected
    ]
    assert {i.kind for i in lines} == {"bought"} and "" in {i.shopper for i in lines}
    assert lines[0].value == 2.0
    assert [i.at for i in lines] == [i.at for i in expected]
    write_retail(data_dir / "plain.csv", shift(retail_lines()))
    assert load_retail(data_dir / "plain.csv") == lines
    views = load_sessions(data_dir / SESSIONS_FILE)
    first = [v for v in views if v.group == "1"]
    assert [v.at for v in first] == sorted(v.at for v in first)
    assert {v.kind for v in views} == {"viewed"} and {v.shopper for v in views} == {""}


def test_the_loaders_refuse_bad_files(tmp_path: Path) -> None:
    with pytest.raises(RecsDataError, match="not found"):
        load_retail(tmp_path / "absent.csv.gz")
    (tmp_path / "bad.csv").write_text("session_id;item_id\n1;2\n", encoding="utf-8")
    with pytest.raises(RecsDataError, match="columns"):
        load_sessions(tmp_path / "bad.csv")
    (tmp_path / "plain.csv.gz").write_text("not gzip", encoding="utf-8")
    with pytest.raises(RecsDataError, match="unreadable"):
        load_retail(tmp_path / "plain.csv.gz")
    with gzip.open(tmp_path / "empty.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write(",".join(COLUMNS) + "\n")
    with pytest.raises(RecsDataError, match="no rows"):
        load_retail(tmp_path / "empty.csv.gz")
    with gzip.open(tmp_path / "date.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write(",".join(COLUMNS) + "\nyesterday,1,a,2.0,1,1.0\n")
    with pytest.raises(RecsDataError, match="bad line"):
        load_retail(tmp_path / "date.csv.gz")


def test_a_small_run_measures_the_settings_params_beside_both_baselines(data_dir: Path) -> None:
    settings = load_settings(environ={}, overrides={"root": str(ROOT)})
    figures = evaluate_recs(settings, data_dir=data_dir)
    sets = {result["set"]: result for result in figures["sets"]}
    assert list(sets) == ["online_retail", "online_retail_new_items", "diginetica"]
    for result in figures["sets"]:
        assert (
            set(result["systems"])
            == set(result["validation_systems"])
            == {
                "aisle",
                "popularity",
                "item_knn",
            }
        )
        for system in [*result["systems"].values(), *result["validation_systems"].values()]:
            assert set(system) == {"hr@10", "ndcg@10", "mrr@10", "coverage"}
            assert all(0.0 <= value <= 1.0 for value in system.values())
        assert result["cases"] > 0
        assert set(result["ratios"]) == {"hr@10_vs_popularity", "hr@10_vs_item_knn"}
    whole, new = sets["online_retail"], sets["online_retail_new_items"]
    # The store's own configuration (config.yml) is what the Online Retail sets measure.
    assert whole["params"]["aisle"] == settings.recommendations.recs_params().as_dict()
    assert new["params"]["aisle"] == whole["params"]["aisle"]
    assert whole["file"] == RETAIL_FILE and whole["validation"]["cases"] == 20
    assert whole["cases_with_rebuys"] > 0 and new["cases_with_rebuys"] == 0
    assert whole["search"] is None
    # Other params in the settings, other figures.
    other = RecsParams(repeat=0.0, together=0.0, popularity=0.0, similar_baskets=0.0)
    changed = load_settings(
        environ={},
        overrides={"root": str(ROOT), "recommendations.params": other.as_dict()},
    )
    again = evaluate_recs(changed, data_dir=data_dir, sets=["online_retail"])
    (result,) = again["sets"]
    assert result["params"]["aisle"] == other.as_dict()
    # Without signals or popularity weight aisle ranks by its popularity fill alone.
    assert result["systems"]["aisle"] == result["systems"]["popularity"]
    assert result["systems"]["popularity"] == whole["systems"]["popularity"]
    with pytest.raises(RecsDataError, match="unknown"):
        evaluate_recs(settings, data_dir=data_dir, sets=["movies"])


def test_cli_json_prints_one_object(data_dir: Path, tmp_path: Path) -> None:
    settings = load_settings(environ={}, overrides={"root": str(ROOT)})
    run = command_runner(eval_cli.app, "eval", settings)
    output = tmp_path / "out" / "recs.json"
    arguments = ["recs", "--data-dir", str(data_dir), "--sets", "online_retail"]
    result = run(*arguments, "--json", "--output", str(output))
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["systems"] == ["aisle", "popularity", "item_knn"]
    (retail,) = figures["sets"]
    assert retail["params"]["aisle"] == settings.recommendations.recs_params().as_dict()
    assert retail["validation_systems"]["item_knn"] and retail["protocol"]["block_cases"] > 0
    assert json.loads(output.read_text(encoding="utf-8")) == figures

    write_retail(data_dir / "small.csv", shift(retail_lines(12, staples=True)))
    table = run(*arguments, "--retail-file", "small.csv", "--tune")
    assert table.exit_code == 0, table.output
    assert "item_knn" in table.stdout and "hr@10, validation" in table.stdout
    assert "Search on the validation split" in table.stdout and "repeat" in table.stdout

    quick = run("recs", "--data-dir", str(data_dir), "--sets", "diginetica", "--no-tune")
    assert quick.exit_code == 0, quick.output
    assert "diginetica" in quick.stdout and "online_retail" not in quick.stdout
    missing = run(*arguments, "--retail-file", "absent.csv.gz")
    assert missing.exit_code != 0 and isinstance(missing.exception, RecsDataError)


@pytest.mark.slow
@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/interactions is not here")
def test_the_shared_files_load_as_their_sources_describe() -> None:
    lines = load_retail(SHARED / RETAIL_FILE)
    assert len(lines) == 527_946
    assert len({i.item for i in lines}) == 3_917
    assert len({i.shopper for i in lines} - {""}) == 4_335
    assert len({i.group for i in lines if i.shopper}) == 19_792 - 1_376  # less anonymous ones
    assert load_retail(SHARED / RETAIL_SAMPLE_FILE) == lines[:10_000]
    split = time_ordered_split(lines)
    assert len(split.cases) == 2_830  # customers with two or more invoices
    assert len(validation_split(split).cases) == 2_000  # three or more
    views = load_sessions(SHARED / SESSIONS_FILE)
    assert (len(views), len({v.group for v in views})) == (12_391, 2_986)
