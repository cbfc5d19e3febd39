"""Importing a store's catalog CSV through a column mapping, into a real Chroma collection."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import kb as kb_cli
from assistant.config import load_settings
from assistant.errors import AisleError
from assistant.knowledge.catalog_import import import_catalog
from assistant.knowledge.catalog_read import (
    CatalogMappingError,
    UnreadableCatalog,
    parse_mapping,
    read_catalog,
)
from assistant.knowledge.documents import Chunk
from assistant.knowledge.index import Filters, KnowledgeIndex
from assistant.knowledge.ingest import get_collection, ingest
from tests.cli_runner import command_runner
from tests.knowledge.conftest import CountingEmbedder

HEADER = ["pid", "title", "tree", "price", "stock", "maker", "about", "specs", "link", "pictures"]
WATCH_SPECS = (
    '{"product_specification"=>[{"key"=>"Type", "value"=>"Analog"}, '
    '{"key"=>"Strap Color", "value"=>"Brown"}, {"value"=>"1 watch"}]}'
)
ROWS = [
    [
        "W1",
        "Timex Analog Watch",
        '["Watches >> Wrist Watches >> Timex Wrist Watches"]',
        "1,299.00",
        "in stock",
        "Timex",
        "A classic analog watch with a leather strap.",
        WATCH_SPECS,
        "https://shop.example/w1",
        '["https://img.example/w1-a.jpg", "https://img.example/w1-b.jpg"]',
    ],
    [
        "W2",
        "Casio Digital Watch",
        '["Watches >> Wrist Watches >> Casio Wrist Watches"]',
        "Rs. 2499",
        "yes",
        "Casio",
        "A digital sports watch with an alarm and a stopwatch.",
        "[{'key': 'Type', 'value': 'Digital'}, {'key': 'Strap Color', 'value': 'Black'}]",
        "",
        "",
    ],
    [
        "T1",
        "Floral Print Top",
        "['clothing', 'womens clothing', 'western wear', 'tops']",
        "399",
        "0",
        "Miss Chase",
        "A sleeveless floral print top in cotton for women.",
        "{broken specs",
        "",
        "",
    ],
    [
        "T2",
        "Striped Cotton Top",
        "Clothing > Women's Clothing > Tops",
        "899",
        "no",
        "Roadster",
        "A striped cotton top with full sleeves.",
        "Pattern: striped; Sleeve: full",
        "",
        "",
    ],
    [
        "B1",
        "Steel Water Bottle",
        '["Kitchen & Dining >> Bottles"]',
        "0",
        "true",
        "Milton",
        "A one litre steel water bottle that keeps drinks cold.",
        "",
        "",
        "",
    ],
]
MAPPING = [
    "id=pid",
    "name=title",
    "category=tree",
    "price=price",
    "available=stock",
    "brand=maker",
    "description=about",
    "options=specs",
    "url=link",
    "image=pictures",
]


def _write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _stored(collection: Any, **where: Any) -> dict[str, dict[str, Any]]:
    found = collection.get(where=where or None, include=["metadatas"])
    return dict(zip(found["ids"], found["metadatas"], strict=True))


def test_rows_become_product_chunks_with_normalised_metadata(tmp_path: Path) -> None:
    read = read_catalog(_write_csv(tmp_path / "shop.csv", ROWS), parse_mapping(MAPPING))
    assert read.name == "shop" and read.rows == 5 and read.skipped == []
    chunks = {chunk.metadata["product_id"]: chunk for chunk in read.chunks}
    watch = chunks["W1"]
    assert watch.id == "shop:W1" and watch.title == "Timex Analog Watch"
    assert watch.metadata == {
        "type": "product",
        "source": "catalog:shop",
        "product_id": "W1",
        "category": "Watches",
        "price": 1299.0,
        "available": True,
        "brand": "Timex",
        "url": "https://shop.example/w1",
        "image": "https://img.example/w1-a.jpg",
        "opt_type": "Analog",
        "opt_strap_color": "Brown",
    }
    # The whole category path, the brand and the specifications are in the text.
    assert "Watches > Wrist Watches > Timex Wrist Watches" in watch.text
    assert "Brand: Timex" in watch.text
    assert "Type: Analog; Strap Color: Brown; 1 watch" in watch.text
    assert chunks["W2"].metadata["price"] == 2499.0
    assert chunks["W2"].metadata["opt_type"] == "Digital"
    top = chunks["T1"]
    assert top.metadata["category"] == "clothing"
    assert top.metadata["available"] is False
    # Specifications that do not parse are dropped; the row is still imported.
    assert not any(key.startswith("opt_") for key in top.metadata)
    assert chunks["T2"].metadata["category"] == "Clothing"
    assert chunks["T2"].metadata["opt_pattern"] == "striped"
    # A price of 0 is "no price", so it never meets a price bound.
    assert "price" not in chunks["B1"].metadata
    assert chunks["B1"].metadata["category"] == "Kitchen & Dining"


@pytest.mark.parametrize(
    ("mapping", "named"),
    [
        (["id=pid", "name=title", "colour=specs"], "colour"),
        (["id=pid", "name=product_name"], "product_name"),
        (["id=pid", "name=title", "price=cost"], "cost"),
        (["id=pid"], "name"),
        (["id=pid", "name=title", "brand"], "brand"),
        (["id=pid", "name=title", "name=about"], "name"),
    ],
)
def test_mapping_errors_are_typed_and_write_nothing(
    tmp_path: Path, chroma: Any, embedder: CountingEmbedder, mapping: list[str], named: str
) -> None:
    path = _write_csv(tmp_path / "shop.csv", ROWS)
    collection = get_collection(chroma, "knowledge")
    with pytest.raises(CatalogMappingError) as raised:
        import_catalog(path, parse_mapping(mapping), collection=collection, embedder=embedder)
    assert isinstance(raised.value, AisleError)
    assert named in raised.value.message
    assert collection.count() == 0 and embedder.texts == []


def test_a_missing_column_suggests_the_closest_one(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "shop.csv", ROWS)
    with pytest.raises(CatalogMappingError, match="did you mean 'title'"):
        read_catalog(path, {"id": "pid", "name": "titel"})


def test_unreadable_files_are_typed_errors(
    tmp_path: Path, chroma: Any, embedder: CountingEmbedder
) -> None:
    collection = get_collection(chroma, "knowledge")
    mapping = {"id": "pid", "name": "title"}
    (tmp_path / "latin1.csv").write_bytes("pid,title\n1,Caf\xe9 cr\xe8me\n".encode("latin-1"))
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    for name in ("missing.csv", "latin1.csv", "empty.csv"):
        with pytest.raises(UnreadableCatalog, match=name):
            import_catalog(tmp_path / name, mapping, collection=collection, embedder=embedder)
    with pytest.raises(CatalogMappingError, match="catalog name"):
        read_catalog(_write_csv(tmp_path / "shop.csv", ROWS), mapping, name="bad:name")
    assert collection.count() == 0


def test_bad_rows_are_skipped_with_reasons_and_the_rest_imported(
    tmp_path: Path, chroma: Any, embedder: CountingEmbedder
) -> None:
    bad = [
        ["", "No Id Product", "", "10", "yes", "", "", "", "", ""],  # row 7
        ["X1", "", "", "10", "yes", "", "", "", "", ""],  # row 8
        ["W1", "Another Watch", "", "10", "yes", "", "", "", "", ""],  # row 9
        ["X2", "Priceless Thing", "", "ten rupees", "yes", "", "", "", "", ""],  # row 10
        ["X3", "Maybe In Stock", "", "10", "perhaps", "", "", "", "", ""],  # row 11
    ]
    path = _write_csv(tmp_path / "shop.csv", ROWS + bad)
    collection = get_collection(chroma, "knowledge")
    report = import_catalog(
        path, parse_mapping(MAPPING), collection=collection, embedder=embedder, name="shop"
    )
    assert (report.rows, report.imported, report.ingest.added) == (10, 5, 5)
    reasons = {skip.row: skip.reason for skip in report.skipped}
    assert reasons[7] == "no id"
    assert reasons[8] == "no name"
    assert reasons[9] == "duplicate id (first on row 2)"
    assert reasons[10].startswith("price 'ten rupees'")
    assert reasons[11].startswith("availability 'perhaps'")
    figures = report.as_dict()
    assert figures["skipped"] == 5
    assert figures["skipped_by_reason"] == {
        "bad availability": 1,
        "bad price": 1,
        "duplicate id": 1,
        "no id": 1,
        "no name": 1,
    }
    assert figures["skipped_rows"][0] == {"row": 7, "id": "", "reason": "no id"}
    assert set(_stored(collection)) == {"shop:W1", "shop:W2", "shop:T1", "shop:T2", "shop:B1"}
    # The first W1 is the one kept.
    assert _stored(collection)["shop:W1"]["title"] == "Timex Analog Watch"


def test_a_file_with_no_importable_row_deletes_nothing(
    tmp_path: Path, chroma: Any, embedder: CountingEmbedder
) -> None:
    collection = get_collection(chroma, "knowledge")
    mapping = parse_mapping(MAPPING)
    import_catalog(
        _write_csv(tmp_path / "shop.csv", ROWS), mapping, collection=collection, embedder=embedder
    )
    nameless = [[row[0], "", *row[2:]] for row in ROWS]
    with pytest.raises(UnreadableCatalog, match="no product could be imported"):
        import_catalog(
            _write_csv(tmp_path / "shop.csv", nameless),
            mapping,
            collection=collection,
            embedder=embedder,
        )
    assert collection.count() == 5


def test_reimport_is_incremental_and_leaves_other_scopes_alone(
    tmp_path: Path, chroma: Any, embedder: CountingEmbedder
) -> None:
    collection = get_collection(chroma, "knowledge")
    policy = Chunk(
        "returns#refunds-0",
        "returns",
        "Returns",
        "Refunds",
        "Refunds take 5 days.",
        {"type": "policy"},
    )
    ingest(collection, embedder, [policy], scope="kb")
    mapping = parse_mapping(MAPPING)
    # Another catalog with the same row ids: ids are per catalog, so both are kept.
    other = _write_csv(tmp_path / "outlet.csv", ROWS[:2])
    import_catalog(other, mapping, collection=collection, embedder=embedder)
    path = _write_csv(tmp_path / "shop.csv", ROWS)
    first = import_catalog(path, mapping, collection=collection, embedder=embedder)
    assert (first.ingest.added, first.ingest.deleted) == (5, 0)
    assert collection.count() == 1 + 2 + 5

    embedder.texts.clear()
    again = import_catalog(path, mapping, collection=collection, embedder=embedder)
    assert (again.ingest.added, again.ingest.updated, again.ingest.unchanged) == (0, 0, 5)
    assert embedder.texts == []

    changed = [list(row) for row in ROWS if row[0] != "B1"]
    changed[1][3] = "1999"  # W2's price
    third = import_catalog(
        _write_csv(path, changed), mapping, collection=collection, embedder=embedder
    )
    figures = third.as_dict()
    assert (figures["added"], figures["updated"], figures["unchanged"], figures["deleted"]) == (
        0,
        1,
        3,
        1,
    )
    assert len(embedder.texts) == 1 and "Casio Digital Watch" in embedder.texts[0]
    shop = _stored(collection, scope="catalog:shop")
    assert "shop:B1" not in shop and shop["shop:W2"]["price"] == 1999.0
    assert set(_stored(collection, scope="catalog:outlet")) == {"outlet:W1", "outlet:W2"}
    assert set(_stored(collection, scope="kb")) == {"returns#refunds-0"}


def test_an_id_held_by_another_source_is_skipped_not_overwritten(
    tmp_path: Path, chroma: Any, embedder: CountingEmbedder
) -> None:
    collection = get_collection(chroma, "knowledge")
    squatter = Chunk("shop:W1", "shop:W1", "A document", "", "Some text.", {"type": "policy"})
    ingest(collection, embedder, [squatter], scope="kb")
    report = import_catalog(
        _write_csv(tmp_path / "shop.csv", ROWS),
        parse_mapping(MAPPING),
        collection=collection,
        embedder=embedder,
    )
    assert report.imported == 4
    assert [(s.row, s.kind) for s in report.skipped] == [(2, "id in use")]
    assert _stored(collection)["shop:W1"]["scope"] == "kb"


def test_imported_products_are_found_with_filters(
    tmp_path: Path, chroma: Any, embedder: CountingEmbedder
) -> None:
    collection = get_collection(chroma, "knowledge")
    import_catalog(
        _write_csv(tmp_path / "shop.csv", ROWS),
        parse_mapping(MAPPING),
        collection=collection,
        embedder=embedder,
    )
    index = KnowledgeIndex(collection, embedder)
    index.refresh()
    hits = index.search("analog watch with leather strap", k=3)
    assert hits[0].id == "shop:W1"
    watches = index.search("watch", k=10, filters=Filters(category="Watches", max_price=2000))
    assert [hit.id for hit in watches] == ["shop:W1"]
    tops = index.search("top for women", k=10, filters=Filters(type="product", max_price=500))
    assert [hit.id for hit in tops] == ["shop:T1"]
    strap = index.search("watch", k=10, filters=Filters(options={"strap_color": "Black"}))
    assert [hit.id for hit in strap] == ["shop:W2"]
    in_stock = index.search("top", k=10, filters=Filters(category="Clothing", available=True))
    assert in_stock == []


def test_cli_import_catalog_prints_json_and_refuses_bad_mappings(tmp_path: Path) -> None:
    (tmp_path / "config.yml").write_text("{}\n", encoding="utf-8")
    settings = load_settings(
        tmp_path / "config.yml", environ={}, overrides={"data_dir": str(tmp_path / "data")}
    )
    run = command_runner(kb_cli.app, "kb", settings)
    path = _write_csv(tmp_path / "shop.csv", ROWS)
    maps = [argument for pair in MAPPING for argument in ("--map", pair)]

    refused = run("import-catalog", str(path), "--map", "id=pid", "--map", "name=nope")
    assert isinstance(refused.exception, CatalogMappingError)
    assert not (tmp_path / "data" / "chroma").exists()

    result = run("import-catalog", str(path), *maps, "--name", "demo", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["catalog"] == "demo" and figures["scope"] == "catalog:demo"
    assert (figures["rows"], figures["imported"], figures["added"], figures["skipped"]) == (
        5,
        5,
        5,
        0,
    )
    assert figures["rows_per_s"] > 0
