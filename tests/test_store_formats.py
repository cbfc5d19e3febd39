"""The store's formats from configuration: order numbers (`store.order_ids`) and the reasons
it accepts to cancel (`store.cancel_reasons`), as the NLU, the backend and the summaries read
them."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import load_settings
from assistant.config.store import DEMO_CANCEL_REASONS, CancelReason, OrderIds, reason_in
from assistant.engine.nlu.entities import EntityExtractor
from assistant.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
DEMO = OrderIds()
FLIPKART = OrderIds(prefix="", letters="OD", digits=12)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("where is #W2378156?", ["#W2378156"]),
        ("order w2378156 please", ["#W2378156"]),
        ("it's # W2378156", ["#W2378156"]),
        ("#W2378156 and W4776164", ["#W2378156", "#W4776164"]),
        ("W23781567 has eight digits", []),
        ("AW2378156 is not one", []),
        ("zip 2378156", []),
    ],
)
def test_the_demo_format_finds_order_numbers_as_shoppers_write_them(
    text: str, found: list[str]
) -> None:
    assert DEMO.find_all(text) == found


def test_another_format_is_found_and_spelt_its_own_way() -> None:
    assert FLIPKART.find_all("my order od174810479771 hasn't come") == ["OD174810479771"]
    assert FLIPKART.find_all("#W2378156 or OD1748104797") == []
    assert FLIPKART.make(174810479771) == "OD174810479771"
    assert FLIPKART.normalise(" od174810479771 ") == "OD174810479771"
    with pytest.raises(ValueError):
        FLIPKART.make(10**12)


def test_the_nlu_extracts_the_configured_format_only() -> None:
    base = EntityExtractor(regexes={}, lookups={}, synonyms={})
    flipkart = base.with_regex("order_id", FLIPKART.entity_regex(), FLIPKART.normalise)
    (entity,) = flipkart.extract("status of od174810479771 please")
    assert (entity.entity, entity.value) == ("order_id", "OD174810479771")
    assert flipkart.extract("status of #W2378156") == []
    demo = flipkart.with_regex("order_id", DEMO.entity_regex(), DEMO.normalise)
    assert [e.value for e in demo.extract("status of w2378156 or od174810479771")] == ["#W2378156"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("I ordered it twice", "ordered by mistake"),
        ("bought the wrong size by accident", "ordered by mistake"),
        ("I don't need it anymore", "no longer needed"),
        ("changed my mind", "no longer needed"),
        ("No longer needed", "no longer needed"),
        ("where is my parcel", None),
    ],
)
def test_the_demo_reasons_are_heard(text: str, reason: str | None) -> None:
    assert reason_in(text, DEMO_CANCEL_REASONS) == reason


def test_a_store_configures_its_own_reasons_and_formats(tmp_path: Path) -> None:
    settings = load_settings(
        ROOT / "config.yml",
        environ={},
        overrides={
            "store.order_ids": {"prefix": "", "letters": "OD", "digits": 12},
            "store.cancel_reasons": [
                {"reason": "found it cheaper", "title": "Found it cheaper", "phrases": ["cheaper"]},
                {
                    "reason": "arrives too late",
                    "title": "Too late",
                    "phrases": [r"too (late|slow)"],
                },
            ],
        },
    )
    assert settings.store.order_ids == FLIPKART
    reasons = settings.store.cancel_reasons
    assert reason_in("it is too slow to arrive", reasons) == "arrives too late"
    assert reason_in("I found it cheaper elsewhere", reasons) == "found it cheaper"
    assert reason_in("ordered by mistake", reasons) is None


@pytest.mark.parametrize(
    ("store", "problem"),
    [
        ({"order_ids": {"letters": "O-D"}}, "order_ids.letters"),
        ({"order_ids": {"digits": 2}}, "order_ids.digits"),
        ({"cancel_reasons": []}, "cancel_reasons"),
        ({"cancel_reasons": [{"reason": "x", "title": "X", "phrases": ["(unclosed"]}]}, "regular"),
        (
            {"cancel_reasons": [{"reason": "x", "title": "X"}, {"reason": "x", "title": "Y"}]},
            "once",
        ),
    ],
)
def test_a_bad_store_section_is_a_config_error(store: dict, problem: str) -> None:
    overrides = {f"store.{key}": value for key, value in store.items()}
    with pytest.raises(ConfigError, match=problem.replace(".", r"\.")):
        load_settings(ROOT / "config.yml", environ={}, overrides=overrides)


def test_a_cancel_reason_matches_whole_words() -> None:
    reason = CancelReason(reason="too late", title="Too late", phrases=("late",))
    assert reason.heard_in("it came LATE")
    assert not reason.heard_in("chocolate cake")


def test_the_domain_buttons_must_give_configured_reasons() -> None:
    from assistant.engine.domain import load_domain
    from assistant.services import check_cancel_buttons

    domain = load_domain(ROOT / "actions" / "domain.yml")
    check_cancel_buttons(domain, DEMO_CANCEL_REASONS)
    only_mistakes = tuple(r for r in DEMO_CANCEL_REASONS if r.reason == "ordered by mistake")
    with pytest.raises(ConfigError, match="'no longer needed'"):
        check_cancel_buttons(domain, only_mistakes)
