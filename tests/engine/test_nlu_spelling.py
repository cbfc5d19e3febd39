"""Reading messy text against a vocabulary: typos are read as its words, real words and
values never are, shorthand only where the vocabulary has what it stands for."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.engine.nlu.spelling import Correction, Speller, without_typos
from assistant.engine.nlu.training_data import load_training_data

ROOT = Path(__file__).resolve().parents[2]

STORE_WORDS = [
    "show me black backpacks under $100",
    "looking for a cotton t-shirt",
    "ultra wide monitor",
    "add it to my cart",
    "wireless headphones",
]


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller.from_texts(STORE_WORDS)


def test_typos_are_read_as_the_vocabulary_words(speller: Speller) -> None:
    reading = speller.read("shwo me blak backpaks undr 100")
    assert reading.text == "show me black backpacks under 100"
    assert reading.corrections == (
        Correction("shwo", "show"),
        Correction("blak", "black"),
        Correction("backpaks", "backpacks"),
        Correction("undr", "under"),
    )


def test_case_and_punctuation_are_kept_around_a_corrected_word(speller: Speller) -> None:
    assert speller.read("BLAK backpacks, pls!").text == "black backpacks, please!"
    assert not speller.read("SHOW ME BLACK BACKPACKS").changed


def test_real_words_are_never_bent_into_store_words(speller: Speller) -> None:
    # "under" is one letter from nothing here, but "car" is one from "cart" and "ultra" two
    # from "under": real English words stand as they are.
    reading = speller.read("i want to find a new car under $25000")
    assert reading.text == "i want to find a new car under $25000"
    assert not reading.changed


def test_short_words_and_values_are_left_alone(speller: Speller) -> None:
    for text in ("bak", "yusuf.rossi7301@example.com", "#W2378156", "16gb", "size XL"):
        assert speller.read(text).text == text


def test_shorthand_counts_only_where_the_vocabulary_has_its_meaning(speller: Speller) -> None:
    assert speller.read("blak tee").text == "black t-shirt"
    # Run together, a hyphenated word is the same word: read, but not pointed out.
    reading = speller.read("blak tshirts")
    assert reading.text == "black t-shirts"
    assert reading.corrections == (Correction("blak", "black"),)
    golf = Speller.from_texts(["golf balls", "golf clubs"])
    assert golf.read("tee").text == "tee"


def test_a_tie_is_no_reading() -> None:
    # "bame" is one edit from "bake" and "bale", equally used: no guess.
    speller = Speller.from_texts(["bake", "bale"])
    assert speller.word("bame") is None
    assert Speller.from_texts(["bake", "bake", "bale"]).word("bame") == "bake"


def test_the_intents_vocabulary_reads_the_messy_messages_of_shoppers() -> None:
    data = load_training_data(ROOT / "nlu_data")
    speller = Speller(data.vocabulary())
    assert speller.read("shwo me blak backpaks undr 100").text == (
        "show me black backpacks under 100"
    )
    assert speller.read("wher is my ordr").text == "where is my order"
    assert speller.read("look up the conversion rate for the euro").corrections == ()


def test_typos_the_vocabulary_holds_on_purpose_are_not_words_of_it() -> None:
    # Training examples carry typos ("retrun policy") so the classifier sees them; the speller
    # still reads them as the word they miss, which its texts use far more often.
    texts = ["return policy"] * 5 + ["retrun policy", "refund polcy", "clicky keyboard", "click"]
    speller = Speller.from_texts(texts)
    assert speller.read("retrun polcy").text == "return policy"
    # A word that extends another is its own word, not a typo of it.
    assert speller.read("clicky").text == "clicky"


def test_a_vocabulary_typo_near_two_words_is_kept() -> None:
    counts = without_typos(Counter({"help": 9, "hello": 9, "helo": 1}))
    assert "helo" in counts


def test_the_intents_vocabulary_reads_its_own_typos() -> None:
    data = load_training_data(ROOT / "nlu_data")
    assert "retrun" not in data.vocabulary() and "return" in data.vocabulary()
    assert Speller(data.vocabulary()).read("wat is ur retrun polcy").text == (
        "what is your return policy"
    )
