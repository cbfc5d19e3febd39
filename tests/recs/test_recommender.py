"""The built-in recommender and the baselines on small hand-made orders and sessions."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.recs import CoOccurrenceRecommender, Interaction, RecsParams, VectorSimilarity
from assistant.recs.baselines import ItemKNNRecommender, PopularityRecommender


def orders(*baskets: Sequence[str], shopper: str = "") -> list[Interaction]:
    """One interaction per item, one basket per argument, a day apart."""
    return [
        Interaction(item, f"{shopper}o{number}", at=number * 86_400.0, shopper=shopper)
        for number, basket in enumerate(baskets)
        for item in basket
    ]


def views(session: str, *items: str) -> list[Interaction]:
    return [
        Interaction(item, session, at=float(step), kind="viewed") for step, item in enumerate(items)
    ]


STORE = orders(
    ["tent", "stove"],
    ["tent", "stove", "lamp"],
    ["tent", "stove", "mat"],
    ["tent", "mat"],
    ["socks", "hat"],
    ["socks", "hat"],
    ["socks"],
    ["socks", "scarf"],
)


def test_the_item_bought_with_another_comes_first_with_its_reason() -> None:
    model = CoOccurrenceRecommender.fit(STORE)
    history = orders(["tent"], shopper="ann")
    suggestions = model.recommend(history, k=3, exclude={"tent"})
    assert suggestions[0].item == "stove"
    assert suggestions[0].reason == {"kind": "bought_with", "item": "tent"}
    assert [s.item for s in suggestions[:2]] == ["stove", "mat"]
    assert all(s.reason["kind"] for s in suggestions)


def test_a_shopper_with_no_known_history_gets_popular_items() -> None:
    model = CoOccurrenceRecommender.fit(STORE)
    for history in ([], orders(["unknown-item"], shopper="bob")):
        suggestions = model.recommend(history, k=2)
        assert [s.item for s in suggestions] == ["socks", "tent"]
        assert all(s.reason == {"kind": "popular"} for s in suggestions)


def test_excluded_items_are_never_suggested() -> None:
    model = CoOccurrenceRecommender.fit(STORE)
    owned = {"tent", "stove", "socks"}
    for k in (1, 5, 50):
        suggestions = model.recommend(orders(["tent", "stove"]), k=k, exclude=owned)
        assert not owned & {s.item for s in suggestions}
    everything = {i.item for i in STORE}
    assert model.recommend([], k=10, exclude=everything) == []


def test_recent_orders_weigh_more_than_old_ones() -> None:
    data = orders(["a", "a-mate"], ["a", "a-mate"], ["b", "b-mate"], ["b", "b-mate"])
    model = CoOccurrenceRecommender.fit(data, RecsParams(decay=0.5, popularity=0.0))
    history = orders(["a"], ["b"], shopper="cy")  # "b" was bought last
    assert [s.item for s in model.recommend(history, k=2, exclude={"a", "b"})] == [
        "b-mate",
        "a-mate",
    ]
    history = orders(["b"], ["a"], shopper="cy")
    assert model.recommend(history, k=1, exclude={"a", "b"})[0].item == "a-mate"


def test_in_a_session_the_next_view_follows_the_path() -> None:
    data = [v for n in range(4) for v in views(f"s{n}", "x", "y", "z")]
    model = CoOccurrenceRecommender.fit(data, RecsParams(sequence=2.0, popularity=0.0))
    suggestions = model.recommend(views("now", "y"), k=2, exclude={"y"})
    # x and z are viewed with y equally often; only z comes after it.
    assert [s.item for s in suggestions] == ["z", "x"]
    assert suggestions[0].reason == {"kind": "viewed_after", "item": "y"}
    assert suggestions[1].reason == {"kind": "viewed_with", "item": "y"}


def test_diversity_and_a_category_cap_let_an_unlike_item_in() -> None:
    data = orders(*([["h", "a1"]] * 3), *([["h", "a2"]] * 2), ["h", "b1"])
    content = VectorSimilarity({"h": [1, 1], "a1": [1, 0], "a2": [1, 0.05], "b1": [0, 1]})
    history = orders(["h"], shopper="dee")

    def top_two(diversity: float = 0.0, max_per_category: int | None = None) -> list[str]:
        settings = RecsParams(
            content=0.0,
            popularity=0.0,
            diversity=diversity,
            max_per_category=max_per_category,
        )
        model = CoOccurrenceRecommender.fit(
            data, settings, content=content, categories={"a1": "A", "a2": "A", "b1": "B"}
        )
        return [s.item for s in model.recommend(history, k=2, exclude={"h"})]

    assert top_two() == ["a1", "a2"]
    assert top_two(diversity=0.7) == ["a1", "b1"]
    assert top_two(max_per_category=1) == ["a1", "b1"]


def test_content_similarity_reaches_an_item_nobody_bought_yet() -> None:
    content = VectorSimilarity({"tent": [1, 0, 0], "new-tent": [0.9, 0.1, 0], "hat": [0, 0, 1]})
    model = CoOccurrenceRecommender.fit(
        STORE, RecsParams(content=1.0), content=content, catalog=["new-tent"]
    )
    suggestions = model.recommend(orders(["tent"]), k=3, exclude={"tent"})
    assert suggestions[0].item == "new-tent"
    assert suggestions[0].reason == {"kind": "similar", "item": "tent"}


def test_money_spent_weighs_an_item_of_the_profile() -> None:
    data = orders(["cheap", "cheap-mate"], ["dear", "dear-mate"])
    model = CoOccurrenceRecommender.fit(data, RecsParams(monetary=1.0, popularity=0.0))
    history = [
        Interaction("cheap", "h1", at=0.0, value=1.0),
        Interaction("dear", "h1", at=0.0, value=500.0),
    ]
    profile = model.profile(history)
    position = model.index.position
    assert profile[position["dear"]] > profile[position["cheap"]]
    assert model.recommend(history, k=1, exclude={"cheap", "dear"})[0].item == "dear-mate"


def test_similar_baskets_suggest_what_the_most_alike_order_held() -> None:
    # "a" and "b" are each bought with "y" more often, but only one order holds both.
    data = orders(["a", "b", "x"], *([["a", "y"]] * 3), *([["b", "y"]] * 3))
    history = orders(["a", "b"], shopper="eve")
    plain = CoOccurrenceRecommender.fit(data, RecsParams(popularity=0.0))
    assert plain.recommend(history, k=1, exclude={"a", "b"})[0].item == "y"
    settings = RecsParams(together=0.0, popularity=0.0, similar_baskets=1.0, similar_baskets_k=1)
    model = CoOccurrenceRecommender.fit(data, settings)
    suggestions = model.recommend(history, k=2, exclude={"a", "b"})
    assert suggestions[0].item == "x"
    assert suggestions[0].reason == {"kind": "similar_baskets"}
    assert suggestions[0].score == 1.0
    assert suggestions[1].reason == {"kind": "popular"}


def test_buy_again_brings_back_what_the_shopper_bought_often_and_lately() -> None:
    # hat in the last two orders, tent once before them.
    history = orders(["tent"], ["hat"], ["hat"], shopper="fay")
    model = CoOccurrenceRecommender.fit(STORE, RecsParams(repeat=2.0, decay=0.7))
    suggestions = model.recommend(history, k=3)
    assert [s.item for s in suggestions[:2]] == ["hat", "tent"]
    assert [s.reason for s in suggestions[:2]] == [{"kind": "bought_before"}] * 2
    profile = model.profile(history)
    position = model.index.position
    assert suggestions[0].score > suggestions[1].score
    assert profile[position["hat"]] == 0.7 + 1.0 and profile[position["tent"]] == 0.7**2
    # Off by default: the history's items only get what other signals give them.
    plain = CoOccurrenceRecommender.fit(STORE).recommend(history, k=3)
    assert plain[0].item not in {"hat", "tent"}
    assert all(s.reason != {"kind": "bought_before"} for s in plain)


def test_exclude_wins_over_buy_again() -> None:
    history = orders(["tent"], ["hat"], ["hat"], shopper="fay")
    model = CoOccurrenceRecommender.fit(STORE, RecsParams(repeat=10.0))
    suggestions = model.recommend(history, k=5, exclude={"hat", "tent"})
    assert not {"hat", "tent"} & {s.item for s in suggestions}
    assert all(s.reason != {"kind": "bought_before"} for s in suggestions)


def test_a_viewed_item_is_not_bought_before() -> None:
    data = [v for n in range(4) for v in views(f"s{n}", "x", "y", "z")]
    model = CoOccurrenceRecommender.fit(data, RecsParams(repeat=10.0, popularity=0.0))
    suggestions = model.recommend(views("now", "y"), k=3)
    assert suggestions[0].item != "y"
    assert all(s.reason != {"kind": "bought_before"} for s in suggestions)


def test_popularity_ranks_by_count_and_honours_exclusion() -> None:
    model = PopularityRecommender(STORE)
    assert [s.item for s in model.recommend([], k=3)] == ["socks", "tent", "stove"]
    assert [s.item for s in model.recommend([], k=2, exclude={"socks"})] == ["tent", "stove"]
    assert model.recommend([], k=1)[0].reason == {"kind": "popular"}


def test_item_knn_scores_by_cosine_neighbours() -> None:
    model = ItemKNNRecommender(STORE, neighbours=None)
    suggestions = model.recommend(orders(["socks"]), k=2, exclude={"socks"})
    # hat: 2 of socks' 4 baskets, in 2 baskets itself -> cos 2/sqrt(8); scarf 1/sqrt(4).
    assert [s.item for s in suggestions] == ["hat", "scarf"]
    assert suggestions[0].score > suggestions[1].score
    # With one neighbour per item only hat is reached; popularity fills the rest.
    narrow = ItemKNNRecommender(STORE, neighbours=1)
    assert [s.item for s in narrow.recommend(orders(["socks"]), k=2, exclude={"socks"})] == [
        "hat",
        "tent",
    ]


def test_the_baselines_leave_the_history_in_unless_told() -> None:
    popular = PopularityRecommender(STORE)
    assert popular.recommend(orders(["socks"]), k=1)[0].item == "socks"
    assert popular.recommend(orders(["socks"]), k=1, exclude={"socks"})[0].item == "tent"
    knn = ItemKNNRecommender(STORE, neighbours=None)
    # An item is not its own neighbour; each of two history items is the other's.
    assert "socks" not in {s.item for s in knn.recommend(orders(["socks"]), k=2)}
    assert {s.item for s in knn.recommend(orders(["socks", "hat"]), k=2)} == {"socks", "hat"}
