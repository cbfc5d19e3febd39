"""Rule-based entities: the project's regexes, lookup tables and synonyms."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.engine.nlu.entities import EntityExtractor
from assistant.engine.nlu.training_data import (
    EntitySpan,
    TrainingData,
    TrainingExample,
    load_training_data,
)


@pytest.fixture(scope="module")
def extractor() -> EntityExtractor:
    data = load_training_data(Path(__file__).parents[2] / "nlu_data")
    return EntityExtractor.from_training_data(data)


def _values(extractor: EntityExtractor, text: str) -> list[tuple[str, str]]:
    return [(e.entity, e.value) for e in extractor.extract(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("where is #W2378156?", "#W2378156"),
        ("order W2378156 please", "#W2378156"),
        ("it's w2378156", "#W2378156"),
    ],
)
def test_order_ids_in_the_store_format(
    extractor: EntityExtractor, text: str, expected: str
) -> None:
    assert _values(extractor, text) == [("order_id", expected)]


def test_order_id_span_and_extractor(extractor: EntityExtractor) -> None:
    (entity,) = extractor.extract("track W2378156 now")
    assert (entity.start, entity.end, entity.text, entity.extractor) == (6, 14, "W2378156", "regex")


def test_not_an_order_id(extractor: EntityExtractor) -> None:
    assert _values(extractor, "code W23781567 and xW2378156") == []


def test_email_and_zip(extractor: EntityExtractor) -> None:
    found = _values(extractor, "I'm Mei.Kovacs+shop@Example.co.uk, zip 90210-1234.")
    assert found == [("email", "mei.kovacs+shop@example.co.uk"), ("zip", "90210")]


def test_zip_is_not_taken_from_longer_numbers_or_emails(extractor: EntityExtractor) -> None:
    assert _values(extractor, "call 5551234567 or mail ann12345@shop.com") == [
        ("email", "ann12345@shop.com")
    ]


def test_lookup_is_whole_word_case_insensitive_with_synonyms(extractor: EntityExtractor) -> None:
    assert _values(extractor, "Can I pay with PayPal or my VISA?") == [
        ("payment_method", "paypal"),
        ("payment_method", "credit_card"),
    ]
    assert _values(extractor, "my gift card balance") == [("payment_method", "gift_card")]
    assert _values(extractor, "visionary paypalish") == []


def test_annotated_values_are_implicit_lookups() -> None:
    data = TrainingData(
        examples=[
            TrainingExample("I want it in navy", "choose", (EntitySpan(13, 17, "blue", "color"),)),
            TrainingExample("red please", "choose", (EntitySpan(0, 3, "red", "color"),)),
        ],
        synonyms={"navy": "blue"},
    )
    extractor = EntityExtractor.from_training_data(data)
    found = extractor.extract("Navy or RED, not reddish")
    assert [(e.value, e.text, e.extractor) for e in found] == [
        ("blue", "Navy", "lookup"),
        ("red", "RED", "lookup"),
    ]


def test_longest_match_wins_overlaps() -> None:
    extractor = EntityExtractor(
        regexes={"number": [r"\d+"]},
        lookups={"product": ["t-shirt", "t-shirt 2000"]},
        synonyms={},
    )
    assert [(e.entity, e.value) for e in extractor.extract("a T-shirt 2000 and 7")] == [
        ("product", "t-shirt 2000"),
        ("number", "7"),
    ]
