"""`assistant eval suggestions`: the judged requests load and are checked against the
catalog, and precision@3 follows its definition."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.eval.suggestions import (
    KINDS,
    REQUESTS,
    Request,
    SuggestionDataError,
    load_requests,
    precision,
)

ROOT = Path(__file__).parents[2]


def catalog() -> set[str]:
    data = json.loads((ROOT / "knowledge_base/store/db.json").read_text())
    return {product["name"] for product in data["products"].values()}


def test_the_packaged_requests_cover_every_kind() -> None:
    requests = load_requests(REQUESTS, catalog())
    counts = {kind: sum(r.kind == kind for r in requests) for kind in KINDS}
    assert len(requests) >= 60 and min(counts.values()) >= 12, counts
    assert len({r.id for r in requests}) == len(requests)
    assert all(r.customer for r in requests if r.kind == "personal")
    assert sum(r.max_price is not None for r in requests if r.kind == "gift") >= 8


def test_a_request_naming_an_unknown_product_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "requests.yml"
    path.write_text("requests:\n  - {id: x, kind: gift, turns: [hi], acceptable: [Hover Board]}\n")
    with pytest.raises(SuggestionDataError, match="Hover Board"):
        load_requests(path, catalog())


def test_precision_at_three() -> None:
    request = Request("r", "gift", ("hi",), frozenset({"Yoga Mat", "Water Bottle"}), Decimal(100))
    shown = [("Yoga Mat", Decimal(90)), ("Water Bottle", Decimal(120)), ("Laptop", Decimal(10))]
    # The bottle is over the budget, the laptop not listed.
    assert precision(shown, request) == pytest.approx(1 / 3)
    assert precision(shown[:1], request) == 1.0
    assert precision(shown[:1], request, strict=True) == pytest.approx(1 / 3)
    assert precision([], request) == 0.0
    assert precision([*shown, ("Yoga Mat", Decimal(5))], request) == pytest.approx(1 / 3)
