"""A product search over several turns, against the demo catalog: refining, relaxing, paging,
comparing, looking closer, and what happens when nothing matches."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.search.followups import magnitude
from assistant.search.index import CatalogIndex
from assistant.search.session import SearchSession
from assistant.search.state import Outcome, SearchState
from tests.demo_catalog import demo_products


@pytest.fixture(scope="module")
def search() -> SearchSession:
    return SearchSession(CatalogIndex(demo_products()), page_size=3)


def variants(**wanted: object) -> set[str]:
    """The demo catalog's item ids that meet the wanted facts, read straight from the data:
    `product`, `max_price`, `min_price`, `available`, and option values (a set means any)."""
    found = set()
    for product in demo_products():
        if "product" in wanted and product.name != wanted["product"]:
            continue
        for v in product.variants:
            if "max_price" in wanted and v.price > Decimal(str(wanted["max_price"])):
                continue
            if "min_price" in wanted and v.price < Decimal(str(wanted["min_price"])):
                continue
            if wanted.get("available") and not v.available:
                continue
            options = {k: w for k, w in wanted.items() if k.replace("_", " ") in v.options}
            if all(
                v.options[k.replace("_", " ")] in (w if isinstance(w, set) else {w})
                for k, w in options.items()
            ):
                missing = [
                    k
                    for k in wanted
                    if k not in {"product", "max_price", "min_price", "available"}
                    and k.replace("_", " ") not in v.options
                ]
                if not missing:
                    found.add(v.item_id)
    return found


def talk(search: SearchSession, *texts: str) -> list[Outcome]:
    state: SearchState | None = None
    outcomes = []
    for text in texts:
        outcome = search.turn(text, state)
        outcomes.append(outcome)
        state = outcome.state if outcome.state is not None else state
    return outcomes


def final_set(search: SearchSession, outcomes: list[Outcome]) -> set[str]:
    state = next(o.state for o in reversed(outcomes) if o.state is not None)
    assert state is not None
    return set(search.results(state.terms))


def test_a_search_is_refined_turn_by_turn(search: SearchSession) -> None:
    outcomes = talk(search, "show me t-shirts", "in black", "size XXL please", "under $50")
    assert [o.kind for o in outcomes] == ["results"] * 4
    assert final_set(search, outcomes) == variants(
        product="T-Shirt", color="black", size="XXL", max_price=50
    )
    assert [o.total for o in outcomes] == [12, 4, 2, 1]
    # A restated option replaces the earlier value instead of adding to it.
    blue = talk(search, "show me t-shirts in black", "what about blue")
    assert final_set(search, blue) == variants(product="T-Shirt", color="blue")
    assert blue[-1].total == len(variants(product="T-Shirt", color="blue"))


def test_pages_are_shown_in_turn_and_then_run_out(search: SearchSession) -> None:
    outcomes = talk(search, "backpacks", "show more", "more", "more", "more", "more")
    shown = [item for o in outcomes for item in o.item_ids]
    assert len(shown) == len(set(shown)) == len(variants(product="Backpack"))
    assert outcomes[1].kind == "more" and outcomes[-1].kind == "no_more"
    # In stock first.
    firsts = [search.index.find(item) for item in outcomes[0].item_ids]
    assert all(hit is not None and hit.variant.available for hit in firsts)


def test_cheaper_and_bigger_are_relative_to_what_was_shown(search: SearchSession) -> None:
    outcomes = talk(search, "water bottles", "cheaper")
    shown = [search.index.find(i) for i in outcomes[0].item_ids]
    cheapest_shown = min(h.variant.price for h in shown if h is not None)
    assert outcomes[1].state is not None
    assert outcomes[1].state.terms.max_price == cheapest_shown - Decimal("0.01")
    assert set(search.results(outcomes[1].state.terms)) == variants(
        product="Water Bottle", max_price=cheapest_shown - Decimal("0.01")
    )
    # "a bigger one" after looking closely at a 500ml bottle: only larger capacities.
    looked = talk(search, "water bottles with 500ml capacity", "tell me about the first one")
    assert looked[-1].kind == "details"
    bigger = search.turn("a bigger one", looked[-1].state)
    assert bigger.state is not None
    assert set(search.results(bigger.state.terms)) == variants(
        product="Water Bottle", capacity={"750ml", "1000ml"}
    )


def test_sizes_compare_across_units() -> None:
    assert magnitude("1.5 liters") == 1500 and magnitude("500ml") == 500
    assert magnitude("XL") > magnitude("L") > magnitude("medium") > magnitude("S")
    assert magnitude("13-inch") == 13 and magnitude("A4") is None


def test_relaxing_drops_what_the_shopper_lets_go(search: SearchSession) -> None:
    outcomes = talk(search, "black t-shirts in size XXL under $60", "any colour")
    last = outcomes[-1]
    assert last.dropped == ["option:color"]
    assert final_set(search, outcomes) == variants(product="T-Shirt", size="XXL", max_price=60)
    price = talk(search, "black t-shirts under $20", "forget the price")
    assert price[-1].dropped == ["price"]
    assert final_set(search, price) == variants(product="T-Shirt", color="black")


def test_nothing_matches_says_what_to_relax_and_shows_the_nearest(
    search: SearchSession,
) -> None:
    outcome = talk(search, "black t-shirts under $10")[-1]
    assert outcome.kind == "no_results" and outcome.hits == []
    # Dropping the price gives the black t-shirts; dropping the colour gives none under $10.
    assert [(r.constraint, r.count) for r in outcome.relaxations] == [
        ("max_price", len(variants(product="T-Shirt", color="black")))
    ]
    # The nearest matches are t-shirts, the black ones (one constraint met) first.
    nearest = [search.index.find(i) for i in (h.item_id for h in outcome.nearest)]
    assert nearest and all(h is not None and h.product.name == "T-Shirt" for h in nearest)
    assert nearest[0] is not None and nearest[0].variant.options["color"] == "black"
    # "relax" takes the first suggestion.
    relaxed = search.turn("relax", outcome.state)
    assert relaxed.kind == "results" and relaxed.dropped == ["max_price"]


def test_compare_and_details_point_at_the_cards_shown(search: SearchSession) -> None:
    outcomes = talk(search, "mechanical keyboards", "compare the first two")
    page = outcomes[0].item_ids
    assert outcomes[1].kind == "compare" and outcomes[1].item_ids == page[:2]
    third = talk(search, "mechanical keyboards", "compare the first and the third")[-1]
    assert third.item_ids == [page[0], page[2]]
    details = talk(search, "mechanical keyboards", "tell me more about the second")[-1]
    assert details.kind == "details" and details.item_ids == [page[1]]
    assert details.state is not None and details.state.focus == page[1]
    # The cards are the last page shown: after "show more", "the first" is its first.
    more = talk(search, "mechanical keyboards", "show more", "the first one")
    assert more[-1].item_ids == [more[1].item_ids[0]]
    assert talk(search, "mechanical keyboards", "the fifth one")[-1].kind == "out_of_range"


def test_follow_ups_need_a_search_and_a_new_product_starts_one(search: SearchSession) -> None:
    assert search.turn("compare the first two", None).kind in {"no_search", "unclear"}
    assert search.turn("hello", None).kind == "unclear"
    outcomes = talk(search, "black backpacks", "show me tea kettles")
    assert outcomes[-1].state is not None
    assert outcomes[-1].state.terms.products == {"Tea Kettle"}
    assert outcomes[-1].state.terms.options == {}


def test_a_state_survives_the_slot(search: SearchSession) -> None:
    outcome = talk(search, "black backpacks under $250", "tell me about the second")[-1]
    assert outcome.state is not None
    assert SearchState.from_dict(outcome.state.as_dict()) == outcome.state
    assert SearchState.from_dict({"terms": "nonsense"}) is None
    assert SearchState.from_dict(None) is None


# -- messy text and what no search is ----------------------------------------------------------


def test_typos_are_searched_as_the_catalog_spells_them(search: SearchSession) -> None:
    outcome = search.turn("shwo me blak backpaks undr 100", None)
    assert outcome.state is not None
    terms = outcome.state.terms
    assert terms.products == {"Backpack"}
    assert terms.options == {"color": {"black"}}
    assert terms.max_price == Decimal("100")
    assert ("blak", "black") in {(c.said, c.read) for c in outcome.read_as}
    assert ("undr", "under") in {(c.said, c.read) for c in outcome.read_as}


def test_run_together_product_names_keep_their_colour(search: SearchSession) -> None:
    outcome = search.turn("blak tshirts", None)
    assert outcome.kind == "results" and outcome.state is not None
    assert set(search.results(outcome.state.terms)) == variants(product="T-Shirt", color="black")
    assert [(c.said, c.read) for c in outcome.read_as] == [("blak", "black")]


def test_shouted_messages_are_the_same_search(search: SearchSession) -> None:
    quiet = search.turn("black t-shirts under $52", None)
    loud = search.turn("BLACK T-SHIRTS UNDER $52", None)
    assert loud.state == quiet.state and loud.read_as == ()


def test_a_message_in_the_catalogs_words_reads_nothing_as_something_else(
    search: SearchSession,
) -> None:
    assert search.turn("show me black backpacks under $100", None).read_as == ()


def test_a_price_alone_searches_nothing(search: SearchSession) -> None:
    # No product or option the catalog has: the store's items are no answer to a car.
    for text in ("i want to find a new car under $25000", "anything in stock under 30 dollars"):
        outcome = search.turn(text, None)
        assert (outcome.kind, outcome.state, outcome.hits) == ("unclear", None, []), text


def test_a_price_still_narrows_a_search_in_progress(search: SearchSession) -> None:
    started = search.turn("t-shirts", None)
    narrowed = search.turn("undr 50", started.state)
    assert narrowed.state is not None and narrowed.state.terms.max_price == Decimal("50")
    assert narrowed.state.terms.products == {"T-Shirt"}


def test_a_word_for_how_a_product_comes_names_no_product(search: SearchSession) -> None:
    # "set" is how the Dumbbell Set and the Luggage Set come, not what they are.
    assert search.read("set the timer for 10 minutes").products == set()
    assert search.read("show me dumbbell sets").products == {"Dumbbell Set"}
    assert search.read("adjustable dumbells").products == {"Dumbbell Set"}
    assert search.read("a luggage set").products == {"Luggage Set"}


def test_which_options_have_a_size_is_learned_from_the_values() -> None:
    from assistant.backends.orders import ProductView, VariantView
    from assistant.search.followups import sized

    assert sized(["250 ml", "500 ml", "1 l"]) and sized(["S", "M", "XL"])
    assert sized(["1000", "2000"]) and sized(["2-piece", "4-piece"])
    assert not sized(["4 hours", "10 hours"])  # a measure, not a size
    assert not sized(["basic", "professional"]) and not sized(["red", "blue"])
    assert not sized(["500 ml"])  # one size is no choice of sizes

    # Another store's option, named as no demo product names one: "a bigger one" still works.
    def kettle(item: str, volume: str, price: str) -> VariantView:
        return VariantView(item, {"body volume": volume, "finish": "steel"}, Decimal(price), True)

    catalog = [
        ProductView(
            "k1",
            "Tea Kettle",
            (
                kettle("a", "0.8 litre", "20"),
                kettle("b", "1.2 litres", "25"),
                kettle("c", "1.7 litres", "30"),
            ),
        )
    ]
    session = SearchSession(CatalogIndex(catalog), page_size=3)
    assert session.index.size_options == frozenset({"body volume"})
    looked = talk(session, "tea kettle, 1.2 litres", "tell me about the first one")
    bigger = session.turn("a bigger one", looked[-1].state)
    assert bigger.state is not None
    assert set(session.results(bigger.state.terms)) == {"c"}
