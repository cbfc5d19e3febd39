"""The demo store's catalog (knowledge_base/store/db.json) as the backend's product views,
for tests of what reads the catalog's words without a database."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

from assistant.backends.orders import ProductView, VariantView

DB_JSON = Path(__file__).resolve().parents[1] / "knowledge_base" / "store" / "db.json"


@cache
def demo_products() -> tuple[ProductView, ...]:
    raw = json.loads(DB_JSON.read_text(encoding="utf-8"))["products"]
    return tuple(
        ProductView(
            id=p["product_id"],
            name=p["name"],
            variants=tuple(
                VariantView(v["item_id"], v["options"], Decimal(str(v["price"])), v["available"])
                for v in p["variants"].values()
            ),
        )
        for p in raw.values()
    )
