"""The kinds of suggestion: the store's table read from Markdown, co-purchase support with
its thresholds, complements (and when they may say "often bought with"), look-alikes and
interests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.backends.orders import ProductView, VariantView
from assistant.recs.interface import Interaction
from assistant.recs.kinds import Kinds, stem
from assistant.recs.table import co_purchases, read_table


def product(pid: str, name: str, **options: str) -> ProductView:
    variant = VariantView(f"{pid}-1", dict(options), Decimal("10"), True)
    return ProductView(pid, name, (variant,))


PRODUCTS = [
    product("kb", "Mechanical Keyboard", backlight="RGB"),
    product("mouse", "Gaming Mouse", connectivity="wireless"),
    product("lamp", "Desk Lamp", color="black"),
    product("mug", "Coffee Maker", type="drip"),
    product("espresso", "Espresso Machine", type="capsule"),
    product("mat", "Yoga Mat", material="rubber"),
]
TABLE = """
| Product | Goes with | Alike | For people who like |
|---|---|---|---|
| Mechanical keyboard | Gaming Mouse, Desk Lamp, Hover Board | | gaming, typing |
| Coffee Maker | | Espresso Machine | coffee, working from home |
| Unicorn | Desk Lamp |
"""


def test_the_table_is_read_by_name_and_reports_what_the_catalog_lacks() -> None:
    table = read_table(TABLE, PRODUCTS)
    assert table.goes_with["kb"] == ("mouse", "lamp")
    assert table.alike["mug"] == ("espresso",)
    assert table.interests["mug"] == ("coffee", "working from home")
    assert set(table.unknown) == {"Hover Board", "Unicorn"}
    # A row with fewer columns reads the missing ones as empty; no header row is a product.
    assert "Product" not in table.goes_with and table.goes_with["mug"] == ()


def baskets(pairs: list[tuple[str, ...]]) -> list[Interaction]:
    return [Interaction(item, f"b{n}") for n, items in enumerate(pairs) for item in items]


def test_co_purchases_need_the_count_and_the_lift() -> None:
    # kb + mouse together 12 times in 40 baskets; lamp and mug everywhere (no lift).
    data = baskets(
        [("kb", "mouse", "lamp")] * 12
        + [("lamp", "mug")] * 20
        + [("kb", "mug")] * 2
        + [("mat",)] * 6
    )
    pairs = co_purchases(data, min_count=10, min_lift=2.0)
    assert pairs["kb"]["mouse"].count == 12
    assert pairs["kb"]["mouse"].lift == pytest.approx(12 * 40 / (14 * 12), abs=0.01)
    assert "lamp" not in pairs.get("kb", {})  # 12 together, but lamp is in 32 of 40
    assert "mug" not in pairs.get("kb", {})  # too few
    assert co_purchases(data, min_count=13, min_lift=1.0).get("kb", {}).get("mouse") is None


def test_often_bought_with_only_with_support() -> None:
    table = read_table(TABLE, PRODUCTS)
    data = baskets([("kb", "mat")] * 12 + [("lamp",)] * 30 + [("mouse",)] * 10)
    kinds = Kinds(PRODUCTS, table, co_purchases(data, min_count=10, min_lift=2.0))
    picks = kinds.to_go_with(["kb"])
    reasons = {p.product: p.reason for p in picks}
    assert reasons["mouse"] == {"kind": "goes_with", "item": "kb"}
    assert reasons["mat"]["kind"] == "bought_with" and reasons["mat"]["count"] == "12"
    assert "kb" not in reasons
    # Nothing in the table and no support: nothing to suggest (the assistant asks instead).
    unsupported = Kinds(PRODUCTS, table, co_purchases(data, min_count=50, min_lift=2.0))
    assert unsupported.to_go_with(["lamp"]) == []


def test_alike_and_interests() -> None:
    kinds = Kinds(PRODUCTS, read_table(TABLE, PRODUCTS), {})
    assert [p.product for p in kinds.alike("mug")] == ["espresso"]
    assert kinds.alike("kb") == []
    picks, label = kinds.for_interest("a gift for my dad who loves coffee")
    assert label == "coffee" and picks[0].product == "mug"
    picks, label = kinds.for_interest("my colleague works from home")
    assert label == "working from home" and [p.product for p in picks] == ["mug"]
    # A word of a product's name counts too ("yoga"), a generic one ("set") does not.
    picks, _ = kinds.for_interest("she is into yoga")
    assert [p.product for p in picks] == ["mat"]
    assert kinds.for_interest("a gift set") == ([], None)


def test_stems_meet_across_word_forms() -> None:
    assert stem("hiking") == stem("hikers") == stem("hike")
    assert stem("runner") == stem("running") == stem("run")
    assert stem("gamer") == stem("gaming")


def test_for_a_shopper_the_recommender_orders_the_complements() -> None:
    from assistant.recs.interface import Suggestion

    table = read_table(TABLE + "| Yoga Mat | Desk Lamp, Gaming Mouse | |\n", PRODUCTS)
    kinds = Kinds(PRODUCTS, table, {})
    # Alone, the table's order: the keyboard's mouse, then its lamp.
    assert [p.product for p in kinds.for_shopper(["kb"], [])] == ["mouse", "lamp"]
    # The recommender ranks the lamp far above the mouse: the fused order follows it.
    ranked = [
        Suggestion("lamp", 3.0, {"kind": "bought_with", "item": "kb"}),
        Suggestion("mug", 2.0, {"kind": "popular"}),
        Suggestion("espresso", 1.5, {"kind": "similar", "item": "mug"}),
        Suggestion("mouse", 1.0, {"kind": "bought_with", "item": "kb"}),
        # Alike by the recommender's content similarity only: too loose to say "like the".
        Suggestion("mat", 0.9, {"kind": "similar", "item": "mug"}),
    ]
    found = kinds.for_shopper(["kb"], ranked)
    assert [p.product for p in found] == ["lamp", "mouse"]
    # Its reason stays the complement's: the recommender's weak "bought with" is not said.
    assert found[0].reason == {"kind": "goes_with", "item": "kb"}
    # A product it ranks for a reason that cannot be shown (popular) is left out; a look-alike
    # of something only viewed comes in, of something bought does not.
    viewed = kinds.for_shopper(["kb", "mug"], ranked, viewed={"mug"})
    assert [p.product for p in viewed] == ["lamp", "mouse", "espresso"]
    assert viewed[-1].reason == {"kind": "alike", "item": "mug"}  # the table's alike column
    assert "espresso" not in {p.product for p in kinds.for_shopper(["kb", "mug"], ranked)}
    # Never what they bought, nor what they already have in view.
    assert [p.product for p in kinds.for_shopper(["kb", "mat"], ranked, exclude={"lamp"})] == [
        "mouse"
    ]
