"""`assistant eval search`: the case file, its checks, the scores, and small runs through the
real dialogue engine on a seeded copy of the demo store."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.cli import eval as eval_cli
from assistant.config import Settings, load_settings
from assistant.engine.embeddings import SentenceEmbedder
from assistant.engine.nlu.model import NLUModel
from assistant.eval.search import (
    CASE_FILES,
    CATEGORIES,
    REPLIES,
    CatalogVariant,
    Expectation,
    SearchCase,
    SearchCaseError,
    evaluate_search,
    expected_items,
    load_cases,
    load_catalog,
    reply_shown,
)
from assistant.eval.search_report import Answer, CaseResult, SearchReport, set_scores
from tests.cli_runner import command_runner

ROOT = Path(__file__).parents[2]
SEED = ROOT / "knowledge_base" / "store" / "db.json"


@pytest.fixture(scope="module")
def catalog() -> list[CatalogVariant]:
    return load_catalog(SEED)


@pytest.fixture
def settings() -> Settings:
    return load_settings(environ={}, overrides={"root": str(ROOT)})


def write_cases(path: Path, cases: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump({"cases": cases}, sort_keys=False), encoding="utf-8")
    return path


# -- the cases ---------------------------------------------------------------------------------


def test_the_case_file_has_enough_cases_of_every_kind(catalog: list[CatalogVariant]) -> None:
    cases = load_cases(None, catalog)
    assert len(cases) >= 80
    assert {case.category for case in cases} == set(CATEGORIES)
    assert len({case.id for case in cases}) == len(cases)
    for case in cases:
        found = expected_items(case.expect, catalog)
        assert bool(found) != case.expect.none, case.id
    by_id = {case.id: case for case in cases}
    # Hand-counted in db.json: four black T-shirts; "kettles" are both kettles.
    assert len(expected_items(by_id["single-black-tshirts"].expect, catalog)) == 4
    kettles = expected_items(by_id["single-kettles-under"].expect, catalog)
    names = {v.product for v in catalog if v.item_id in kettles}
    assert names == {"Tea Kettle"}  # every electric kettle costs more than $100
    assert by_id["relax-phone-stock-button"].turns[-1].startswith("/refine_search")


def variant(item: str, product: str, price: str, *, available: bool = True, **options: str) -> Any:
    return CatalogVariant(item, product, options, Decimal(price), available)


def test_the_reference_filter_applies_every_constraint() -> None:
    small = [
        variant("1", "Mug", "10", color="red", size="S"),
        variant("2", "Mug", "20", color="blue", size="L"),
        variant("3", "Mug", "30", available=False, color="red", size="L"),
        variant("4", "Cap", "20", color="red"),
    ]

    def ids(**stated: Any) -> set[str]:
        return set(expected_items(Expectation(**stated), small))

    assert ids(products=frozenset({"Mug"})) == {"1", "2", "3"}
    # Several values of one option: any; several options: all; a variant without it: no.
    assert ids(options={"color": frozenset({"red", "blue"}), "size": frozenset({"L"})}) == {
        "2",
        "3",
    }
    assert ids(options={"size": frozenset({"S", "L"})}) == {"1", "2", "3"}
    # Bounds are inclusive.
    assert ids(min_price=Decimal("20"), max_price=Decimal("20")) == {"2", "4"}
    assert ids(in_stock=True, options={"color": frozenset({"red"})}) == {"1", "4"}
    assert ids(none=True) == set()


GOOD = {"id": "ok", "category": "single", "turns": ["black t-shirts"]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"expect": {"product": "Hoverboard"}}, "no product named"),
        ({"expect": {"product": "T-Shirt", "options": {"colour": "black"}}}, "no option"),
        ({"expect": {"product": "T-Shirt", "options": {"color": "teal"}}}, "has no value"),
        # An option of another product only.
        ({"expect": {"product": "T-Shirt", "options": {"capacity": "500ml"}}}, "no option"),
        ({"expect": {"product": "Hiking Boots", "options": {"waterproof": True}}}, "quote yes"),
        ({"expect": {"product": "T-Shirt", "colour": "black"}}, "unknown expect keys"),
        ({"expect": {"product": "T-Shirt", "min_price": 60, "max_price": 50}}, "above"),
        ({"expect": {"product": "T-Shirt", "max_price": "cheap"}}, "not a price"),
        ({"expect": {"product": "T-Shirt", "in_stock": False}}, "in_stock"),
        ({"expect": {"product": "T-Shirt", "max_price": 5}}, "write `none`"),
        ({"expect": "nothing"}, "expect must be"),
        ({"expect": None}, "expect must be"),
        ({"category": "misc", "expect": "none"}, "category must be"),
        ({"turns": [], "expect": "none"}, "turns must be"),
        ({"turns": ["hi", 3], "expect": "none"}, "turns must be"),
        ({"id": "", "expect": "none"}, "needs an id"),
        ({}, "needs expect"),
        ({"expect": "none", "expect_reply": "table"}, "expect_reply must be"),
        # A reply about shown items needs a turn that showed them.
        ({"expect": "none", "expect_reply": "cart"}, "needs a turn"),
    ],
)
def test_malformed_cases_raise_the_typed_error(
    tmp_path: Path, catalog: list[CatalogVariant], change: dict[str, Any], message: str
) -> None:
    path = write_cases(tmp_path / "cases.yml", [{**GOOD, **change}])
    with pytest.raises(SearchCaseError, match=message):
        load_cases(path, catalog)


def test_malformed_files_raise_the_typed_error(
    tmp_path: Path, catalog: list[CatalogVariant]
) -> None:
    with pytest.raises(SearchCaseError, match="cannot read"):
        load_cases(tmp_path / "missing.yml", catalog)
    broken = tmp_path / "broken.yml"
    broken.write_text("cases: [unclosed", encoding="utf-8")
    with pytest.raises(SearchCaseError, match="not YAML"):
        load_cases(broken, catalog)
    with pytest.raises(SearchCaseError, match="list `cases`"):
        load_cases(write_cases(tmp_path / "empty.yml", []), catalog)
    twice = [{**GOOD, "expect": "none"}, {**GOOD, "expect": "none"}]
    with pytest.raises(SearchCaseError, match="used twice"):
        load_cases(write_cases(tmp_path / "twice.yml", twice), catalog)
    with pytest.raises(SearchCaseError, match="cannot read the catalog"):
        load_catalog(broken)


# -- scores ------------------------------------------------------------------------------------


def test_scores_define_their_edge_cases() -> None:
    assert set_scores(frozenset(), frozenset()) == (1.0, 1.0)
    assert set_scores(frozenset({"a"}), frozenset()) == (0.0, 0.0)
    assert set_scores(frozenset(), frozenset({"a"})) == (0.0, 0.0)
    assert set_scores(frozenset({"a", "b"}), frozenset({"b", "c", "d", "e"})) == (0.25, 0.5)
    # No search at all is never right, not even where nothing should match.
    assert Answer(None).scores(frozenset()) == {"exact": 0.0, "precision": 0.0, "recall": 0.0}
    assert Answer(frozenset()).scores(frozenset())["exact"] == 1.0
    # The right set with the wrong reply is wrong; an unchecked reply leaves the set's score.
    assert Answer(frozenset({"a"}), reply_ok=False).scores(frozenset({"a"}))["recall"] == 0.0
    assert Answer(frozenset({"a"}), reply_ok=True).scores(frozenset({"a"}))["exact"] == 1.0


def cards(*items: str, detail: bool = False) -> dict[str, Any]:
    custom = {"type": "product_cards", "cards": [{"item_id": i} for i in items]}
    return {"text": "…", "custom": custom | ({"detail": True} if detail else {})}


@pytest.mark.parametrize(
    ("expect", "last", "shown"),
    [
        ("comparison", {"custom": {"type": "product_comparison", "items": [{"item_id": "1"},
                                                                           {"item_id": "2"}]}},
         True),
        # One item is no comparison; an item never shown is not what the shopper meant.
        ("comparison", {"custom": {"type": "product_comparison", "items": [{"item_id": "1"}]}},
         False),
        ("comparison", {"custom": {"type": "product_comparison", "items": [{"item_id": "1"},
                                                                           {"item_id": "9"}]}},
         False),
        ("details", cards("2", detail=True), True),
        ("details", cards("2"), False),  # another page of cards is not the details
        ("details", cards("9", detail=True), False),
        ("cart", {"custom": {"type": "add_to_cart", "item_id": "3"}}, True),
        ("cart", {"custom": {"type": "add_to_cart", "item_id": "9"}}, False),
        ("cart", {"text": "Added to your cart!"}, False),  # words alone add nothing
        ("comparison", cards("1", "2"), False),
    ],
)  # fmt: skip
def test_a_follow_up_reply_is_checked_against_the_cards_shown(
    expect: str, last: dict[str, Any], shown: bool
) -> None:
    turns = [[cards("1", "2", "3")], [last]]
    assert reply_shown(expect, turns) is shown


def test_the_report_averages_per_system_and_category() -> None:
    def result(case_id: str, category: str, aisle: set[str] | None, stateless: set[str]) -> Any:
        return CaseResult(
            SearchCase(case_id, category, ("hi",), Expectation()),
            frozenset({"a", "b"}),
            {
                "aisle": Answer(None if aisle is None else frozenset(aisle), {"products": []}),
                "core": Answer(frozenset({"a", "b"})),
                "stateless": Answer(frozenset(stateless)),
            },
            [],
        )

    report = SearchReport(
        "cases.yml",
        [
            result("r1", "refine", {"a", "b"}, {"a"}),
            result("r2", "refine", {"a"}, {"c"}),
            result("s1", "single", None, {"a", "b"}),
        ],
        1.0,
    )
    figures = report.as_dict()
    assert figures["exact"] == 1
    assert figures["systems"]["aisle"] == {"exact": 0.3333, "precision": 0.6667, "recall": 0.5}
    assert figures["categories"]["refine"]["aisle"]["recall"] == 0.75
    assert figures["categories"]["refine"]["stateless"] == {
        "exact": 0.0,
        "precision": 0.5,
        "recall": 0.25,
    }
    assert list(figures["categories"]) == ["single", "refine"]
    failures = {f["id"]: f for f in figures["failures"]}
    assert set(failures) == {"r2", "s1"}
    assert failures["r2"]["got_size"] == 1 and failures["r2"]["missing"] == 1
    assert failures["s1"]["got_size"] is None and failures["s1"]["core_exact"] is True
    assert figures["systems"]["core"]["exact"] == 1.0


# -- through the engine ------------------------------------------------------------------------

ENGINE_CASES: list[dict[str, Any]] = [
    {
        "id": "black-tshirts",
        "category": "single",
        "turns": ["show me black t-shirts"],
        "expect": {"product": "T-Shirt", "options": {"color": "black"}},
    },
    {
        "id": "backpack-refined",
        "category": "refine",
        "turns": ["show me backpacks", "in black", "only the ones in stock"],
        "expect": {"product": "Backpack", "options": {"color": "black"}, "in_stock": True},
    },
    {
        "id": "cheaper-than-shown",
        "category": "relative",
        # First page $53.43, $46.85, $51.05.
        "turns": ["show me t-shirts", "something cheaper"],
        "expect": {"product": "T-Shirt", "max_price": 46.84},
    },
    {
        "id": "compare-keeps-the-set",
        "category": "follow_up",
        "turns": ["water bottles under 50", "compare the first two"],
        "expect": {"product": "Water Bottle", "max_price": 50},
        "expect_reply": "comparison",
    },
    {
        # The search stays right, but "show more" is no comparison: the case must fail.
        "id": "wrong-reply",
        "category": "follow_up",
        "turns": ["water bottles under 50", "show more"],
        "expect": {"product": "Water Bottle", "max_price": 50},
        "expect_reply": "comparison",
    },
    {
        "id": "nothing-purple",
        "category": "no_results",
        "turns": ["show me purple backpacks"],
        "expect": "none",
    },
    {
        "id": "deliberately-wrong",
        "category": "single",
        "turns": ["show me black t-shirts"],
        "expect": {"product": "T-Shirt", "options": {"color": "blue"}},
    },
]


@pytest.mark.slow
def test_cases_run_through_the_engine(
    settings: Settings, nlu_model_path: Path, tmp_path: Path
) -> None:
    parser = NLUModel.load(nlu_model_path, SentenceEmbedder())
    path = write_cases(tmp_path / "cases.yml", ENGINE_CASES)
    figures = evaluate_search(settings, cases_path=path, parser=parser).as_dict()
    assert figures["cases"] == 7
    failures = {f["id"]: f for f in figures["failures"]}
    assert sorted(failures) == ["deliberately-wrong", "wrong-reply"], json.dumps(
        figures["failures"], indent=1
    )
    # Its search was right all along: only the missing comparison fails it.
    wrong_reply = failures["wrong-reply"]
    assert wrong_reply["reply_ok"] is False
    assert wrong_reply["got_size"] == wrong_reply["expected_size"]
    assert (wrong_reply["missing"], wrong_reply["extra"]) == (0, 0)
    # Scored on the slot alone, as before, both follow-ups would pass.
    assert figures["replies"] == {"checked": 2, "right": 1, "set_only_exact": 2, "exact": 1}
    wrong = failures["deliberately-wrong"]
    assert (wrong["expected_size"], wrong["got_size"]) == (3, 4)
    assert wrong["got_terms"]["products"] == ["T-Shirt"]
    assert wrong["got_terms"]["options"] == {"color": ["black"]}
    assert figures["exact"] == 5
    assert figures["systems"]["aisle"]["exact"] == pytest.approx(5 / 7, abs=1e-4)
    # Read alone, "only the ones in stock", "something cheaper" and "compare the first two"
    # are no search of backpacks, shirts or bottles.
    stateless = {row["id"]: row["stateless_exact"] for row in figures["results"]}
    assert stateless["black-tshirts"] == 1.0
    assert stateless["backpack-refined"] == stateless["cheaper-than-shown"] == 0.0
    assert stateless["compare-keeps-the-set"] == 0.0
    # Every turn straight to the search session reads these cases as the engine does (it
    # writes no replies, so the wrong reply does not count against it).
    assert [row["core_exact"] for row in figures["results"]] == [1.0] * 6 + [0.0]


@pytest.mark.slow
def test_cli_prints_the_table_and_writes_the_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "240")  # rows on one line each
    # A small NLU (the shopping intents only) keeps the training the command does short.
    nlu = tmp_path / "nlu"
    nlu.mkdir()
    shutil.copy(ROOT / "nlu_data" / "shopping.yml", nlu / "shopping.yml")
    settings = load_settings(
        environ={}, overrides={"root": str(ROOT), "nlu.training_data": str(nlu)}
    )
    cases = write_cases(tmp_path / "cases.yml", [ENGINE_CASES[0], ENGINE_CASES[-1]])
    # A second file whose one turn is word for word a training example of shopping.yml.
    trained = yaml.safe_load((nlu / "shopping.yml").read_text(encoding="utf-8"))["nlu"][0]
    copied = trained["examples"].splitlines()[2].removeprefix("- ")
    assert copied == "do you sell sunglasses?"
    seen = write_cases(
        tmp_path / "seen.yml",
        [{"id": "seen", "category": "single", "turns": [copied.upper()],
          "expect": {"product": "Sunglasses"}}],
    )  # fmt: skip
    output = tmp_path / "out" / "search.json"
    run = command_runner(eval_cli.app, "eval", settings)
    result = run("search", "--cases", str(cases), "--cases", str(seen), "-o", str(output))
    assert result.exit_code == 0, result.output
    assert "Product search on" in result.stdout and "deliberately-wrong" in result.stdout
    figures = json.loads(output.read_text(encoding="utf-8"))["files"]
    assert list(figures) == ["cases", "seen"]
    assert figures["cases"]["cases"] == 2 and figures["cases"]["exact"] == 1
    assert set(figures["cases"]["systems"]) == {"aisle", "core", "stateless"}
    # Case and end punctuation aside, the typed turn is the training example.
    assert (figures["seen"]["typed_turns_in_nlu_data"], figures["seen"]["typed_turns"]) == (1, 1)
    assert figures["cases"]["typed_turns_in_nlu_data"] == 0
    summary = next(line for line in result.stdout.splitlines() if line.startswith("│ seen "))
    assert summary.rstrip(" │").endswith("1 / 1")


def test_the_first_file_checks_its_follow_up_replies() -> None:
    catalog = load_catalog(SEED)
    assert set(CASE_FILES) == {"search_cases", "shoppers"}
    checked = [c for c in load_cases(None, catalog) if c.expect_reply is not None]
    # The compare, details and cart follow-ups of the first file check their replies.
    assert {c.expect_reply for c in checked} == set(REPLIES)
