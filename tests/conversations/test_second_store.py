"""A second store: the Flipkart catalog (a sample of ../shared/data/flipkart kept in
`tests/conversations/data`, see its README) made into a store with
`assistant store from-catalog`, seeded with `assistant store seed`, imported into the knowledge
base with `assistant kb import-catalog`, and order numbers in its own format ("OD" and twelve
digits). Nothing of the demo store is used: the same assistant searches it, finds "a bigger
one", suggests, and tells an order's status.

The catalog's first 120 rows keep the test quick: they hold footwear, pet supplies (dog
shampoos of 200 ml and 500 ml), bottles, clothing and more.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.cli import kb, store
from assistant.config import Settings
from tests.cli_runner import command_runner
from tests.conversations.conftest import RestTransport, Shopper

SAMPLE = Path(__file__).parent / "data" / "flipkart_sample.csv"
ROWS = 120
MAPPING = (
    "id=pid",
    "name=product_name",
    "category=product_category_tree",
    "price=discounted_price",
    "description=description",
    "brand=brand",
    "options=product_specifications",
)
ORDER_IDS = {"prefix": "", "letters": "OD", "digits": 12}


@pytest.fixture(scope="module")
def catalog() -> Path:
    """The catalog's header and first rows, as a store would export them."""
    return SAMPLE


@pytest.fixture
def second_store(
    make_settings: Callable[..., Settings], catalog: Path, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    from assistant.server.app import create_app

    seed_file = tmp_path / "store.json"
    settings = make_settings(**{"store.seed_path": str(seed_file), "store.order_ids": ORDER_IDS})
    maps = [part for pair in MAPPING for part in ("--map", pair)]
    made = command_runner(store.app, "store", settings)(
        "from-catalog", str(catalog), "--out", str(seed_file), *maps, "--customers", "12"
    )
    assert made.exit_code == 0, made.output
    seeded = command_runner(store.app, "store", settings)("seed")
    assert seeded.exit_code == 0 and "seeded" in seeded.output, seeded.output
    imported = command_runner(kb.app, "kb", settings)(
        "import-catalog", str(catalog), *maps, "--name", "flipkart", "--quiet"
    )
    assert imported.exit_code == 0 and f"{ROWS} rows" in imported.output, imported.output
    data = json.loads(seed_file.read_text(encoding="utf-8"))
    with TestClient(create_app(settings)) as client:
        yield client, data


def _cards(shopper: Shopper) -> list[dict[str, Any]]:
    found = shopper.cards("product_cards")
    assert found, json.dumps(shopper.transcript, indent=1)
    return [card for payload in found for card in payload["cards"]]


def test_the_made_store_follows_its_own_formats(
    second_store: tuple[TestClient, dict[str, Any]],
) -> None:
    _, data = second_store
    assert data["orders"] and all(
        len(order_id) == 14 and order_id.startswith("OD") and order_id[2:].isdigit()
        for order_id in data["orders"]
    )
    shampoo = [p for p in data["products"].values() if p["name"] == "Shampoo"]
    assert len(shampoo) == 1
    sizes = sorted(v["options"]["quantity"] for v in shampoo[0]["variants"].values())
    assert sizes == ["200 ml", "500 ml"]


def test_search_and_a_bigger_one(second_store: tuple[TestClient, dict[str, Any]]) -> None:
    client, _ = second_store
    shopper = Shopper(RestTransport(client))
    shopper.say("do you have dog shampoo?")
    found = _cards(shopper)
    assert {card["name"] for card in found} == {"Shampoo"}, shopper.transcript
    assert {card["options"]["quantity"] for card in found} == {"200 ml", "500 ml"}
    small = next(card for card in found if card["options"]["quantity"] == "200 ml")
    ordinal = ("first", "second", "third")[found.index(small)]
    shopper.say(f"tell me more about the {ordinal} one")
    assert [card["item_id"] for card in _cards(shopper)] == [small["item_id"]]
    shopper.say("do you have a bigger one?")
    bigger = _cards(shopper)
    assert [card["options"]["quantity"] for card in bigger] == ["500 ml"], shopper.transcript


def test_order_status_and_suggestions_for_a_customer(
    second_store: tuple[TestClient, dict[str, Any]],
) -> None:
    client, data = second_store
    user = next(u for u in data["users"].values() if len(u["orders"]) >= 2)
    order = data["orders"][user["orders"][0]]
    shopper = Shopper(RestTransport(client))
    shopper.say(f"where is my order {order['order_id'].lower()}?")
    shopper.say(user["email"])
    assert order["order_id"] in shopper.text, shopper.transcript
    assert order["status"] in shopper.text.lower(), shopper.transcript

    shopper.say("what would you recommend for me?")
    suggested = _cards(shopper)
    bought = {item["item_id"] for o in user["orders"] for item in data["orders"][o]["items"]}
    assert suggested and not {card["item_id"] for card in suggested} & bought, json.dumps(
        shopper.transcript, indent=1
    )
