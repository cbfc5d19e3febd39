"""`assistant bench search`: the synthetic catalog, the brute-force reference against the
index, and the shape of a tiny run's figures.

Timings are never asserted on: they depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from assistant.backends.orders import ProductView
from assistant.bench.catalog import (
    VARIANT_WEIGHTS,
    ProductType,
    demo_products,
    product_types,
    synthetic_catalog,
)
from assistant.bench.search_turns import CONVERSATIONS, core_turns, scan
from assistant.cli import bench
from assistant.cli.bench_search import search_table, search_target_lines
from assistant.config import load_settings
from assistant.search.index import CatalogIndex
from assistant.search.session import SearchSession
from assistant.search.terms import SearchTerms
from tests.cli_runner import command_runner
from tests.demo_catalog import DB_JSON
from tests.demo_catalog import demo_products as demo_views

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo() -> tuple[ProductView, ...]:
    return demo_products(DB_JSON)


@pytest.fixture(scope="module")
def types(demo: tuple[ProductView, ...]) -> list[ProductType]:
    return product_types(demo)


def test_the_demo_catalog_is_read_as_the_backend_shows_it(demo: tuple[ProductView, ...]) -> None:
    assert demo == demo_views()


def test_the_synthetic_catalog_is_seeded_valid_and_the_size_asked(
    types: list[ProductType],
) -> None:
    catalog = synthetic_catalog(3000, types, seed=7)
    assert len(catalog) == 3000
    assert catalog == synthetic_catalog(3000, types, seed=7)
    assert catalog != synthetic_catalog(3000, types, seed=8)
    # A smaller catalog is the bigger one's beginning.
    assert synthetic_catalog(1234, types, seed=7) == catalog[:1234]
    assert synthetic_catalog(0, types, seed=7) == []

    by_name = {kind.name: kind for kind in types}
    variants = [v for p in catalog for v in p.variants]
    assert len({p.id for p in catalog}) == len(catalog)
    assert len({v.item_id for v in variants}) == len(variants)
    brands = set()
    for product in catalog:
        brand, kind = product.name.split(" ", 1)
        brands.add(brand)
        assert kind in by_name and brand[0].isupper() and brand.isalpha()
        assert 1 <= len(product.variants) <= len(VARIANT_WEIGHTS)
        combos = {tuple(v.options.items()) for v in product.variants}
        assert len(combos) == len(product.variants)  # no two variants alike
        for variant in product.variants:
            options = by_name[kind].options
            assert list(variant.options) == list(options)
            assert all(value in options[name] for name, value in variant.options.items())
            assert variant.price > 0 and variant.price == round(variant.price, 2)
            # Around the type's demo prices (a product's level, then its variant's).
            low, high = min(by_name[kind].prices), max(by_name[kind].prices)
            assert low * Decimal("0.6") <= variant.price <= high * Decimal("1.4")
    assert len(brands) > 200
    assert {kind.name for kind in types} == {p.name.split(" ", 1)[1] for p in catalog}
    assert 2.5 < len(variants) / len(catalog) < 3.5
    assert 0.65 < sum(v.available for v in variants) / len(variants) < 0.75


def _checked_terms(session: SearchSession) -> list[SearchTerms]:
    """The terms the scripted turns searched, and each with one constraint dropped (what a
    zero-result turn counts for its relaxations)."""
    terms = [turn.terms for turn in core_turns(session) if turn.terms is not None]
    return terms + [t.without(c) for t in terms for c in t.constraints()]


@pytest.mark.parametrize("size", [0, 2000], ids=["demo", "synthetic-2000"])
def test_the_index_finds_exactly_what_a_scan_finds(
    size: int, demo: tuple[ProductView, ...], types: list[ProductType]
) -> None:
    products = list(demo) if size == 0 else synthetic_catalog(size, types, seed=11)
    session = SearchSession(CatalogIndex(products))
    checked = _checked_terms(session)
    for terms in checked:
        found = session.results(terms)
        assert len(found) == len(set(found))
        assert set(found) == set(scan(products, terms)), terms
    # The scripted searches exercise every kind of constraint, with and without results.
    assert any(t.options for t in checked) and any(len(t.options) > 1 for t in checked)
    assert any(t.max_price is not None for t in checked)
    assert any(t.min_price is not None for t in checked)
    assert any(t.in_stock for t in checked)
    sizes = [len(session.results(t)) for t in checked]
    assert 0 in sizes and max(sizes) > 10


def test_the_scripted_turns_start_refine_page_compare_detail_and_relax(
    demo: tuple[ProductView, ...],
) -> None:
    kinds = Counter(turn.kind for turn in core_turns(SearchSession(CatalogIndex(demo))))
    assert sum(kinds.values()) == sum(len(c) for c in CONVERSATIONS)
    assert {"results", "more", "no_more", "no_results", "compare", "details"} <= set(kinds)
    assert not {"unclear", "no_search", "out_of_range"} & set(kinds)


@pytest.fixture(scope="module")
def tiny_run(nlu_model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("bench-search")
    settings = load_settings(
        ROOT / "config.yml",
        environ={},
        overrides={"data_dir": str(directory / "data"), "nlu.model_path": str(nlu_model_path)},
    )
    output = directory / "figures.json"
    run = command_runner(bench.app, "bench", settings)
    result = run("search", "--products", "300", "--repeat", "1", "--json", "-o", str(output))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().count("\n") == 0  # one line: the object, nothing else
    figures: dict[str, Any] = json.loads(result.stdout)
    assert json.loads(output.read_text(encoding="utf-8")) == figures
    return figures


@pytest.mark.slow
def test_json_is_one_object_with_every_figure(tiny_run: dict[str, Any]) -> None:
    figures = tiny_run
    turns = sum(len(c) for c in CONVERSATIONS)
    assert figures["turns"] == turns and figures["repeat"] == 1
    assert figures["conversations"] == len(CONVERSATIONS)
    assert figures["nlu"]["source"] == "loaded"
    assert isinstance(figures["torch_threads"], int)
    assert isinstance(figures["cpu_count"], int) and set(figures["load_average"]) == {
        "start",
        "end",
    }
    assert [c["name"] for c in figures["catalogs"]] == ["demo", "synthetic"]
    demo, synthetic = figures["catalogs"]
    assert demo["products"] == 50 and synthetic["products"] == 300
    for catalog in figures["catalogs"]:
        assert catalog["variants"] > catalog["products"]
        # Every scripted turn reached the search through the real NLU and flows.
        assert catalog["not_search_turns"] == []
        for key in ("turn", "parse", "core", "scan"):
            timing = catalog[key]
            assert set(timing) == {"p50_ms", "p95_ms", "max_ms", "samples"}
            assert all(isinstance(timing[k], float) for k in ("p50_ms", "p95_ms", "max_ms"))
            assert 0 < timing["p50_ms"] <= timing["p95_ms"] <= timing["max_ms"]
        assert catalog["turn"]["samples"] == catalog["core"]["samples"] == turns
        assert catalog["parse"]["samples"] == turns
        assert catalog["scan"]["samples"] == catalog["searches"] > 0
        assert sum(catalog["kinds"].values()) == turns
        assert catalog["index"]["build_s"] > 0 and catalog["index"]["peak_mib"] > 0
    assert demo["target"]["p50_ms"] == 50.0 and isinstance(demo["target"]["met"], bool)
    # 100,000 products were not measured, so that target is neither met nor missed.
    assert synthetic["target"] == {"p50_ms": None, "met": None}
    assert figures["targets"] == {
        "demo_p50_ms": 50.0,
        "synthetic_p50_ms": 80.0,
        "synthetic_size": 100_000,
    }


@pytest.mark.slow
def test_the_table_renders_from_the_json(tiny_run: dict[str, Any]) -> None:
    console = Console(record=True, width=200)
    console.print(search_table(tiny_run))
    for line in search_target_lines(tiny_run):
        console.print(line)
    text = console.export_text()
    assert "search turn" in text and "brute-force scan" in text and "MiB" in text
    assert "demo, 50 products" in text and "synthetic, 300 products" in text
    assert "not measured" in text
