"""`GET /api/catalog/products`: the demo store page's catalog, from the store's backend."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from assistant.backends.orders import ProductView, VariantView
from assistant.server.routes.catalog import product_entry
from tests.demo_catalog import demo_products


def test_the_catalog_is_the_store_backends_with_decimal_prices(
    seeded_session_factory: sessionmaker[Session], client: TestClient
) -> None:
    # Public: no token, no origin.
    response = client.get("/api/catalog/products")
    assert response.status_code == 200, response.text
    products = response.json()["products"]

    expected = {p.id: p for p in demo_products()}
    assert [p["product_id"] for p in products] == [
        p.id for p in sorted(expected.values(), key=lambda p: (p.name, p.id))
    ]
    for product in products:
        demo = expected[product["product_id"]]
        assert product["name"] == demo.name
        assert {
            v["item_id"]: (v["options"], Decimal(v["price"]), v["available"])
            for v in product["variants"]
        } == {v.item_id: (v.options, v.price, v.available) for v in demo.variants}
        assert all(isinstance(v["price"], str) for v in product["variants"])
        assert product["available"] == any(v.available for v in demo.variants)

    # The cheapest backpack in stock is $193.38; a $186.78 one is sold out.
    backpack = next(p for p in products if p["name"] == "Backpack")
    assert backpack["price_from"] == "193.38" and backpack["available"] is True


def test_price_from_is_the_cheapest_available_variant_else_the_cheapest() -> None:
    def variant(item_id: str, price: str, available: bool) -> VariantView:
        return VariantView(item_id, {"size": item_id}, Decimal(price), available)

    lamp = ProductView("p1", "Lamp", (variant("a", "10.00", False), variant("b", "12.50", True)))
    assert product_entry(lamp)["price_from"] == "12.50"
    assert product_entry(lamp)["available"] is True
    sold_out = ProductView(
        "p2", "Desk", (variant("c", "99.90", False), variant("d", "80.00", False))
    )
    assert (product_entry(sold_out)["price_from"], product_entry(sold_out)["available"]) == (
        "80.00",
        False,
    )
    assert product_entry(ProductView("p3", "Nothing", ()))["price_from"] is None
