"""The store's catalog for the demo store page: `GET /api/catalog/products` (public, read-only).

Products and their variants come from the order backend the assistant answers from, so the
page shows the same names, prices and stock as the chat. Prices are decimal strings.
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter

from assistant.backends.orders import ProductView
from assistant.server.deps import ComponentsDep

router = APIRouter(prefix="/api/catalog", tags=["catalog"])


def product_entry(product: ProductView) -> dict[str, Any]:
    """A product as the page shows it; `price_from` is the lowest price of its available
    variants (of all of them when none is available)."""
    available = [v for v in product.variants if v.available]
    priced = available or list(product.variants)
    return {
        "product_id": product.id,
        "name": product.name,
        "price_from": str(min(v.price for v in priced)) if priced else None,
        "available": bool(available),
        "variants": [
            {
                "item_id": v.item_id,
                "options": dict(v.options),
                "price": str(v.price),
                "available": v.available,
            }
            for v in product.variants
        ],
    }


@router.get("/products")
async def list_products(components: ComponentsDep) -> dict[str, Any]:
    products = await anyio.to_thread.run_sync(components.orders.list_products)
    return {"products": [product_entry(p) for p in products]}
