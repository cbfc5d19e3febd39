"""Reading Rasa 3.x NLU YAML: annotations, synonyms, lookups, regexes, errors, fingerprint."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.engine.nlu.training_data import (
    EntitySpan,
    TrainingDataError,
    load_training_data,
)
from assistant.errors import AisleError

INTENTS = """\
version: "3.1"
nlu:
- intent: check_order
  metadata:
    author: tests
  examples: |
    - where is order [#W2378156](order_id)
    - send it to [my work address](address:work)
    - I paid with [visa]{"entity": "payment_method", "value": "credit_card", "role": "old", \
"group": "1"}
    - swap [blue][{"entity": "color"}, {"entity": "option", "role": "new"}] please
- intent: greet
  examples: |
    - hello
    - hi there
"""

RULES = """\
version: "3.1"
nlu:
- synonym: credit_card
  examples: |
    - Credit Card
    - mastercard
- lookup: color
  examples: |
    - red
    - navy blue
- regex: zip
  examples: |
    - \\b\\d{5}\\b
"""


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_all_three_annotation_forms(tmp_path: Path) -> None:
    data = load_training_data(_write(tmp_path, "intents.yml", INTENTS))
    by_text = {example.text: example for example in data.examples}

    order = by_text["where is order #W2378156"]
    assert order.intent == "check_order"
    assert order.entities == (EntitySpan(15, 24, "#W2378156", "order_id"),)

    address = by_text["send it to my work address"]
    assert address.entities == (EntitySpan(11, 26, "work", "address"),)

    paid = by_text["I paid with visa"]
    assert paid.entities == (
        EntitySpan(12, 16, "credit_card", "payment_method", role="old", group="1"),
    )

    swap = by_text["swap blue please"]
    assert swap.entities == (
        EntitySpan(5, 9, "blue", "color"),
        EntitySpan(5, 9, "blue", "option", role="new"),
    )
    # An annotated value that differs from its text is a synonym, as in Rasa.
    assert data.synonyms["my work address"] == "work"
    assert data.synonyms["visa"] == "credit_card"
    assert data.intents == ["check_order", "greet"]


def test_reads_synonyms_lookups_regexes_across_files(tmp_path: Path) -> None:
    _write(tmp_path, "b/intents.yml", INTENTS)
    _write(tmp_path, "a/rules.yaml", RULES)
    _write(tmp_path, "notes.txt", "not training data")
    data = load_training_data(tmp_path)

    assert len(data.examples) == 6
    assert data.synonyms["credit card"] == "credit_card"
    assert data.synonyms["mastercard"] == "credit_card"
    assert data.lookups == {"color": ["red", "navy blue"]}
    assert data.regexes == {"zip": [r"\b\d{5}\b"]}


def test_list_form_examples_are_accepted(tmp_path: Path) -> None:
    text = 'nlu:\n- intent: greet\n  examples:\n  - text: hello\n  - text: "hey [Ann](name)"\n'
    text += "- intent: bye\n  examples: |\n    - bye\n"
    data = load_training_data(_write(tmp_path, "list.yml", text))
    assert [e.text for e in data.examples] == ["hello", "hey Ann", "bye"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("nlu:\n- intent: greet\n  examples: |\n    hello\n", "nlu item 1 (intent 'greet')"),
        ("nlu:\n- intent: greet\n", "nlu item 1 (intent 'greet')"),
        ("nlu:\n- regex: zip\n  examples: |\n    - ([0-9]\n", "invalid regex"),
        ("nlu:\n- greeting: hi\n", "nlu item 1"),
        ("nlu:\n- intent: a\n  synonym: b\n  examples: |\n    - x\n", "exactly one"),
        ('nlu:\n- intent: a\n  examples: |\n    - [x]{"entity": }\n', "nlu item 1 (intent 'a')"),
        ("nlu: [\n", "not valid YAML"),
        ("- just a list\n", "top level"),
        ("version: '1.0'\nnlu: []\n", "unsupported format version"),
        (
            "nlu:\n- intent: a\n  examples: |\n    - same\n"
            "- intent: b\n  examples: |\n    - Same\n",
            "also an example of 'a'",
        ),
    ],
)
def test_errors_name_the_file_and_item(tmp_path: Path, text: str, fragment: str) -> None:
    path = _write(tmp_path, "broken.yml", text)
    with pytest.raises(TrainingDataError) as caught:
        load_training_data(path)
    assert str(path) in caught.value.message
    assert fragment in caught.value.message
    assert isinstance(caught.value, AisleError)
    assert caught.value.code == "invalid_training_data"


def test_missing_path_and_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(TrainingDataError, match="not found"):
        load_training_data(tmp_path / "absent")
    with pytest.raises(TrainingDataError, match=r"no \*\.yml"):
        load_training_data(tmp_path)


def test_fingerprint_is_stable_and_follows_the_content(tmp_path: Path) -> None:
    path = _write(tmp_path, "intents.yml", INTENTS)
    first = load_training_data(path).fingerprint()
    assert load_training_data(path).fingerprint() == first

    path.write_text(INTENTS.replace("- hi there", "- hi there!"), encoding="utf-8")
    assert load_training_data(path).fingerprint() != first

    # Splitting the same content over two files does not change it.
    split = tmp_path / "split"
    _write(split, "one.yml", INTENTS.split("- intent: greet")[0])
    _write(split, "two.yml", "nlu:\n- intent: greet\n  examples: |\n    - hello\n    - hi there\n")
    path.write_text(INTENTS, encoding="utf-8")
    assert load_training_data(split).fingerprint() == first


def test_project_nlu_data_loads() -> None:
    data = load_training_data(Path(__file__).parents[2] / "nlu_data")
    assert {
        "greet",
        "goodbye",
        "thanks",
        "affirm",
        "deny",
        "help",
        "human_handoff",
        "out_of_scope",
        "bot_challenge",
    } <= set(data.intents)
    assert {"email", "zip"} <= set(data.regexes)
    # Order numbers follow the store's format (store.order_ids), not the training data.
    assert "order_id" not in data.regexes
