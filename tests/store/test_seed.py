"""Seeding the demo store: counts, exact content, idempotence, reset, bad sources, CLI."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.cli import store as store_cli
from assistant.config import load_settings
from assistant.persistence.db import transaction
from assistant.persistence.models import (
    Conversation,
    Customer,
    Order,
    PaymentMethod,
    Product,
    Variant,
)
from assistant.store.seed import STORE_MODELS, SeedError, seed_store
from tests.cli_runner import command_runner
from tests.fixtures.database import SEED_PATH

EXPECTED = {
    "products": 50,
    "variants": 591,
    "customers": 500,
    "addresses": 500,
    "payment_methods": 695,
    "orders": 1000,
    "order_items": 2978,
    "fulfilments": 577,
    "payment_transactions": 1102,
    "order_changes": 0,
}
# A cancelled order (payment then refund, five items) and one listing an item twice.
SPOT_ORDERS = ("#W4111294", "#W1840144")


@pytest.fixture(scope="module")
def source() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SEED_PATH.read_text(encoding="utf-8"))
    return data


def _counts(factory: sessionmaker[Session]) -> dict[str, int]:
    with factory() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in STORE_MODELS
        }


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_seed_loads_the_demo_store(session_factory: sessionmaker[Session]) -> None:
    report = seed_store(session_factory, SEED_PATH)
    assert report.written and not report.reset
    assert report.counts == EXPECTED
    assert _counts(session_factory) == EXPECTED
    assert "seeded" in report.summary() and "1000 orders" in report.summary()


@pytest.mark.parametrize("order_id", SPOT_ORDERS)
def test_orders_match_the_source(
    seeded_session_factory: sessionmaker[Session], source: dict[str, Any], order_id: str
) -> None:
    expected = source["orders"][order_id]
    with seeded_session_factory() as session:
        order = session.get_one(Order, order_id)
        assert order.customer_id == expected["user_id"]
        assert order.status == expected["status"]
        assert {key: getattr(order, key) for key in expected["address"]} == expected["address"]
        assert [(i.name, i.product_id, i.item_id, i.price, i.options) for i in order.items] == [
            (i["name"], i["product_id"], i["item_id"], _money(i["price"]), i["options"])
            for i in expected["items"]
        ]
        assert [(f.tracking_ids, f.item_ids) for f in order.fulfilments] == [
            (f["tracking_id"], f["item_ids"]) for f in expected["fulfillments"]
        ]
        assert [(p.transaction_type, p.amount, p.payment_method_id) for p in order.payments] == [
            (p["transaction_type"], _money(p["amount"]), p["payment_method_id"])
            for p in expected["payment_history"]
        ]
        assert order in order.customer.orders


def test_customers_and_catalog_match_the_source(
    seeded_session_factory: sessionmaker[Session], source: dict[str, Any]
) -> None:
    user = source["users"]["fatima_anderson_2157"]
    gift_cards = [
        (user_id, method)
        for user_id, data in source["users"].items()
        for method in data["payment_methods"].values()
        if method["source"] == "gift_card"
    ]
    owner, gift_card = gift_cards[0]
    product_id, product = next(iter(source["products"].items()))
    with seeded_session_factory() as session:
        customer = session.get_one(Customer, "fatima_anderson_2157")
        assert (customer.first_name, customer.last_name, customer.email) == (
            user["name"]["first_name"],
            user["name"]["last_name"],
            user["email"],
        )
        assert customer.address is not None and customer.address.zip == user["address"]["zip"]
        assert sorted(o.id for o in customer.orders) == sorted(user["orders"])

        card = session.get_one(PaymentMethod, gift_card["id"])
        assert (card.customer_id, card.source) == (owner, "gift_card")
        assert card.balance == _money(gift_card["balance"])
        assert isinstance(card.balance, Decimal)

        stored = session.get_one(Product, product_id)
        assert stored.name == product["name"]
        assert {v.item_id: (v.options, v.price, v.available) for v in stored.variants} == {
            item_id: (v["options"], _money(v["price"]), v["available"])
            for item_id, v in product["variants"].items()
        }


def test_a_second_seed_writes_nothing(session_factory: sessionmaker[Session]) -> None:
    seed_store(session_factory, SEED_PATH)
    with transaction(session_factory) as session:
        session.get_one(Order, SPOT_ORDERS[0]).status = "pending"

    report = seed_store(session_factory, SEED_PATH)

    assert not report.written
    assert report.counts == EXPECTED
    assert "nothing written" in report.summary()
    with session_factory() as session:
        # The shop's changes since the first seed survive.
        assert session.get_one(Order, SPOT_ORDERS[0]).status == "pending"


def test_reset_restores_the_pristine_store(
    seeded_session_factory: sessionmaker[Session], source: dict[str, Any]
) -> None:
    order_id = SPOT_ORDERS[0]
    with transaction(seeded_session_factory) as session:
        session.get_one(Order, order_id).status = "pending"
        session.get_one(Order, order_id).items[0].price = Decimal("1.00")
        session.get_one(
            Variant, source["orders"][order_id]["items"][0]["item_id"]
        ).available = False
        session.add(Conversation(id="c1", channel="rest", external_id="shopper-1"))

    report = seed_store(seeded_session_factory, SEED_PATH, reset=True)

    assert report.written and report.reset
    assert report.counts == EXPECTED
    expected_item = source["orders"][order_id]["items"][0]
    with seeded_session_factory() as session:
        order = session.get_one(Order, order_id)
        assert order.status == source["orders"][order_id]["status"]
        assert order.items[0].price == _money(expected_item["price"])
        variant = session.get_one(Variant, expected_item["item_id"])
        product = source["products"][expected_item["product_id"]]
        assert variant.available == product["variants"][expected_item["item_id"]]["available"]
        # The assistant's own tables are not the store's: untouched.
        assert session.get(Conversation, "c1") is not None


def _set(path: tuple[str, ...], value: Any) -> Any:
    def mutate(data: dict[str, Any]) -> dict[str, Any]:
        node = data
        for key in path[:-1]:
            node = node[key] if isinstance(node, dict) else node[int(key)]
        node[path[-1]] = value
        return data

    return mutate


# What makes each bad source bad: file text, or a change to a copy of the demo store.
BAD_SOURCES: dict[str, Any] = {
    "missing": None,
    "not_json": "{ not json",
    "not_a_store": "[1, 2, 3]",
    "wrong_type": _set(("products", "9523456873", "variants", "9612497925", "price"), "cheap"),
    "dangling_item": _set(("orders", "#W4111294", "items", "0", "item_id"), "0000000000"),
    "unknown_status": _set(("orders", "#W4111294", "status"), "lost"),
}


def _bad_source(kind: str, source: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / f"{kind}.json"
    spoil = BAD_SOURCES[kind]
    if isinstance(spoil, str):
        path.write_text(spoil, encoding="utf-8")
    elif spoil is not None:
        path.write_text(json.dumps(spoil(json.loads(json.dumps(source)))), encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", sorted(BAD_SOURCES))
def test_an_invalid_source_writes_nothing(
    session_factory: sessionmaker[Session],
    source: dict[str, Any],
    tmp_path: Path,
    kind: str,
) -> None:
    path = _bad_source(kind, source, tmp_path)
    with pytest.raises(SeedError) as caught:
        seed_store(session_factory, path)
    assert caught.value.code == "invalid_seed_data"
    assert caught.value.details["source"] == str(path)
    assert set(_counts(session_factory).values()) == {0}


def test_an_invalid_source_does_not_reset(
    seeded_session_factory: sessionmaker[Session], source: dict[str, Any], tmp_path: Path
) -> None:
    with transaction(seeded_session_factory) as session:
        session.get_one(Order, SPOT_ORDERS[0]).status = "pending"
    path = _bad_source("dangling_item", source, tmp_path)

    with pytest.raises(SeedError, match="inconsistent"):
        seed_store(seeded_session_factory, path, reset=True)

    assert _counts(seeded_session_factory) == EXPECTED
    with seeded_session_factory() as session:
        assert session.get_one(Order, SPOT_ORDERS[0]).status == "pending"


def test_store_seed_cli(database_url: str, tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("{}\n", encoding="utf-8")
    settings = load_settings(
        config,
        environ={},
        overrides={"database.url": database_url, "store.seed_path": str(SEED_PATH)},
    )
    run = command_runner(store_cli.app, "store", settings)

    first = run("seed")
    assert first.exit_code == 0, first.output
    assert "store seeded" in first.output and "1000 orders" in first.output

    again = run("seed")
    assert again.exit_code == 0, again.output
    assert "nothing written" in again.output

    reset = run("seed", "--reset")
    assert reset.exit_code == 0, reset.output
    assert "reset and reloaded" in reset.output
