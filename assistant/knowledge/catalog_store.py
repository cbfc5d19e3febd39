"""A store to try the assistant on: a catalog CSV turned into the store's products, with
customers and orders made up around them (`assistant store from-catalog`).

A catalog lists one row a listing. The store groups the listings of one kind into a product
whose variants are the listings, so "a bigger one" or "in red" chooses among them. The kind is
the deepest category level that is not the listing itself, without the brand's words
("pet supplies > grooming > shampoo > sicons dog shampoo 500 ml" is a "Shampoo"). A variant's
options are its brand and its short specifications.

Customers, addresses, payment methods and orders are made up, the same for the same `seed`:
each customer buys mostly in one department, so what is bought together means something.
Nothing is written to a database: the result is a seed file (the demo store's format) for
`assistant store seed`, whose checks it passes.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from assistant.config.store import OrderIds
from assistant.knowledge.catalog_values import category_levels, parse_options, parse_price

# A variant shows at most this many options, each value at most this long: a card, not a
# specification sheet.
MAX_OPTIONS = 6
MAX_OPTION_CHARS = 30
# Specifications that identify or describe a listing rather than choose among listings.
_NOT_A_CHOICE = re.compile(
    r"\b(model|number|package|warranty|care|code|series|id|type of|ideal|in the box|sales)\b",
    re.IGNORECASE,
)
_STATUSES = (("pending", 40), ("processed", 15), ("delivered", 35), ("cancelled", 10))
_FIRST = [
    "Aarav",
    "Maya",
    "Rohan",
    "Priya",
    "Liam",
    "Sofia",
    "Arjun",
    "Emma",
    "Kabir",
    "Olivia",
    "Ishaan",
    "Ava",
    "Vikram",
    "Mia",
    "Noah",
    "Anika",
    "Ethan",
    "Diya",
    "Lucas",
    "Zara",
    "Omar",
    "Nina",
    "Dev",
    "Leah",
]
_LAST = [
    "Sharma",
    "Patel",
    "Brown",
    "Garcia",
    "Iyer",
    "Khan",
    "Nguyen",
    "Rossi",
    "Mehta",
    "Silva",
    "Kim",
    "Das",
    "Lopez",
    "Reddy",
    "Walker",
    "Costa",
    "Singh",
    "Moreau",
    "Bose",
    "Fischer",
    "Rao",
    "Novak",
    "Gupta",
    "Hughes",
]
_PLACES = (
    ("Austin", "TX", "787"),
    ("Denver", "CO", "802"),
    ("Seattle", "WA", "981"),
    ("Chicago", "IL", "606"),
    ("Boston", "MA", "021"),
    ("Phoenix", "AZ", "850"),
    ("Portland", "OR", "972"),
    ("Atlanta", "GA", "303"),
)
_STREETS = ("Maple Drive", "Oak Street", "Lake Road", "Hill Avenue", "Park Lane", "Elm Court")


@dataclass
class CatalogStore:
    """The store made from a catalog, and what was left out of it."""

    data: dict[str, Any]
    rows: int
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        products = self.data["products"].values()
        variants = sum(len(product["variants"]) for product in products)
        return (
            f"{len(self.data['products'])} products ({variants} listings), "
            f"{len(self.data['users'])} customers, {len(self.data['orders'])} orders "
            f"from {self.rows} rows; {len(self.skipped)} rows skipped"
        )


def product_kind(levels: list[str], listing: str, brand: str) -> str:
    """What a listing is, as a product name: the deepest category level that is not the
    listing itself, the brand's words taken out ("shilpkala tops" → "Tops")."""
    own = _words(listing)
    brand_words = _words(brand)
    for level in reversed(levels):
        words = _words(level)
        if not words or _is_listing(words, own):
            continue
        kept = [word for word in words if word not in brand_words] or words
        return " ".join(kept).title()
    kept = [word for word in own if word not in brand_words] or own
    return " ".join(kept).title()


def listing_options(brand: str, specifications: str) -> dict[str, str]:
    """The brand and the short specifications a shopper chooses by ("quantity": "500 ml")."""
    options: dict[str, str] = {}
    if brand:
        options["brand"] = brand
    for key, value in parse_options(specifications):
        name = " ".join(key.lower().split())
        if (
            not name
            or name in options
            or _NOT_A_CHOICE.search(name)
            or len(value) > MAX_OPTION_CHARS
            or name == "brand"
        ):
            continue
        options[name] = value.lower() if value.isupper() or value.istitle() else value
        if len(options) == MAX_OPTIONS:
            break
    return options


def store_from_catalog(
    rows: list[dict[str, str]], *, order_ids: OrderIds, customers: int = 24, seed: int = 7
) -> CatalogStore:
    """The store's seed data: products from the catalog rows (fields as `catalog_rows`
    maps them), with `customers` made-up customers and their orders."""
    rng = random.Random(seed)
    made = CatalogStore({"products": {}, "users": {}, "orders": {}}, rows=len(rows))
    departments: dict[str, list[tuple[str, str]]] = defaultdict(list)
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        listing = _listing(row)
        if isinstance(listing, str):
            made.skipped.append(f"row {number}: {listing}")
            continue
        kind, department, variant = listing
        product_id = "P" + hashlib.sha1(kind.lower().encode()).hexdigest()[:11]
        product = made.data["products"].setdefault(
            product_id, {"product_id": product_id, "name": kind, "variants": {}}
        )
        if variant["item_id"] in seen:
            made.skipped.append(f"row {number}: repeated id {variant['item_id']!r}")
            continue
        seen.add(variant["item_id"])
        # One listing in nine is out of stock, so availability means something.
        variant["available"] = number % 9 != 0
        product["variants"][variant["item_id"]] = variant
        departments[department].append((product_id, variant["item_id"]))
    if departments:
        for index in range(customers):
            _customer(made.data, index, rng, departments, order_ids)
    return made


def _listing(row: dict[str, str]) -> tuple[str, str, dict[str, Any]] | str:
    """(kind, department, variant) of one row, or why it cannot be sold."""
    item_id, name = row.get("id", ""), " ".join(row.get("name", "").split())
    if not item_id or len(item_id) > 32:
        return "no id, or one longer than 32 characters"
    if not name:
        return "no name"
    try:
        price = parse_price(row.get("price", ""))
    except ValueError:
        return f"price {row.get('price', '')[:20]!r} is not a number"
    if price <= 0:
        return "no price"
    levels = category_levels(row.get("category", ""))
    brand = " ".join(row.get("brand", "").split())
    kind = product_kind(levels, name, brand)[:128]
    options = {
        "listing": name[: MAX_OPTION_CHARS * 2],
        **listing_options(brand, row.get("options", "")),
    }
    variant = {"item_id": item_id, "options": options, "price": str(_cents(price))}
    return kind, (levels[0] if levels else kind).lower(), variant


def _customer(
    data: dict[str, Any],
    index: int,
    rng: random.Random,
    departments: dict[str, list[tuple[str, str]]],
    order_ids: OrderIds,
) -> None:
    first, last = _FIRST[index % len(_FIRST)], _LAST[(index * 7) % len(_LAST)]
    user_id = f"{first}_{last}_{1000 + index}".lower()
    city, state, zip_head = _PLACES[index % len(_PLACES)]
    address = {
        "address1": f"{rng.randint(10, 999)} {rng.choice(_STREETS)}",
        "address2": "",
        "city": city,
        "country": "USA",
        "state": state,
        "zip": f"{zip_head}{rng.randint(10, 99)}",
    }
    card = f"credit_card_{rng.randint(10**6, 10**7 - 1)}"
    methods: dict[str, Any] = {
        card: {
            "source": "credit_card",
            "id": card,
            "brand": rng.choice(("visa", "mastercard")),
            "last_four": f"{rng.randint(0, 9999):04d}",
        }
    }
    if index % 3 == 0:
        gift = f"gift_card_{rng.randint(10**6, 10**7 - 1)}"
        methods[gift] = {"source": "gift_card", "id": gift, "balance": f"{rng.randint(20, 900)}.00"}
    user: dict[str, Any] = {
        "user_id": user_id,
        "name": {"first_name": first, "last_name": last},
        "address": address,
        "email": f"{first}.{last}{index + 1}@example.com".lower(),
        "payment_methods": methods,
        "orders": [],
    }
    data["users"][user_id] = user
    # Mostly one department, as a shopper has interests; now and then anything.
    names = sorted(departments)
    home = rng.choices(names, weights=[len(departments[name]) for name in names])[0]
    everything = [pair for name in names for pair in departments[name]]
    for _ in range(rng.randint(1, 3)):
        picks: list[tuple[str, str]] = []
        for _ in range(rng.randint(1, 3)):
            pool = departments[home] if rng.random() < 0.8 else everything
            pair = rng.choice(pool)
            if pair not in picks:
                picks.append(pair)
        order_id = _new_order_id(data, rng, order_ids)
        data["orders"][order_id] = _order(data, order_id, user, picks, rng)
        user["orders"].append(order_id)


def _order(
    data: dict[str, Any],
    order_id: str,
    user: dict[str, Any],
    picks: list[tuple[str, str]],
    rng: random.Random,
) -> dict[str, Any]:
    items = []
    for product_id, item_id in picks:
        product = data["products"][product_id]
        variant = product["variants"][item_id]
        items.append(
            {
                "name": product["name"],
                "product_id": product_id,
                "item_id": item_id,
                "price": variant["price"],
                "options": variant["options"],
            }
        )
    status = rng.choices([s for s, _ in _STATUSES], weights=[w for _, w in _STATUSES])[0]
    total = sum((Decimal(item["price"]) for item in items), Decimal("0"))
    method = rng.choice(sorted(user["payment_methods"]))
    history = [{"transaction_type": "payment", "amount": str(total), "payment_method_id": method}]
    if status == "cancelled":
        history.append(
            {"transaction_type": "refund", "amount": str(total), "payment_method_id": method}
        )
    fulfilments = []
    if status in ("processed", "delivered"):
        tracking = f"{rng.randint(10**11, 10**12 - 1)}"
        fulfilments.append({"tracking_id": [tracking], "item_ids": [i["item_id"] for i in items]})
    return {
        "order_id": order_id,
        "user_id": user["user_id"],
        "address": dict(user["address"]),
        "items": items,
        "status": status,
        "fulfillments": fulfilments,
        "payment_history": history,
    }


def _new_order_id(data: dict[str, Any], rng: random.Random, order_ids: OrderIds) -> str:
    while True:
        order_id = order_ids.make(rng.randrange(10 ** (order_ids.digits - 1), 10**order_ids.digits))
        if order_id not in data["orders"]:
            return order_id


def _is_listing(level: list[str], listing: list[str]) -> bool:
    """Whether a category level names the listing itself ("aw bellies" for "aw bellies")."""
    shared = len(set(level) & set(listing))
    return (shared >= max(1, round(0.6 * len(level))) and len(level) >= 2) or level == listing


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _cents(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))
