"""The NLU model trained on the project's nlu_data with the real all-MiniLM-L6-v2 embedder."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import pytest

from assistant.engine.embeddings import SentenceEmbedder
from assistant.engine.nlu.model import OUT_OF_SCOPE, NLUModel
from assistant.engine.nlu.training_data import load_training_data
from assistant.errors import ModelNotTrained

NLU_DATA = Path(__file__).parents[2] / "nlu_data"
THRESHOLD = 0.45

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def embedder() -> SentenceEmbedder:
    return SentenceEmbedder()


@pytest.fixture(scope="module")
def model(embedder: SentenceEmbedder) -> NLUModel:
    return NLUModel.train(load_training_data(NLU_DATA), embedder, threshold=THRESHOLD)


def test_embeddings_are_normalised(embedder: SentenceEmbedder) -> None:
    vectors = embedder.encode(["hello", "where is my parcel"])
    assert vectors.shape == (2, embedder.dimension) == (2, 384)
    assert str(vectors.dtype) == "float32"
    assert abs(float((vectors**2).sum(axis=1).max()) - 1.0) < 1e-4
    assert embedder.encode([]).shape == (0, 384)


def test_one_text_alone_gets_the_vector_it_gets_in_a_batch(embedder: SentenceEmbedder) -> None:
    """A single text takes the traced path; a batch takes sentence-transformers' own."""
    texts = ["hi", "where is my parcel #W2378156?", "  spaced   out  ", "return " * 400]
    batch = embedder.encode(texts)
    assert embedder._single is not None  # tracing reproduced the model on this machine
    for text, row in zip(texts, batch, strict=True):
        single = embedder.encode([text])
        assert single.shape == (1, 384) and str(single.dtype) == "float32"
        assert np.allclose(single[0], row, atol=1e-5)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("good morning to you!", "greet"),
        ("heyo, anybody around?", "greet"),
        ("ok I'm heading out now, bye for now", "goodbye"),
        ("catch ya later", "goodbye"),
        ("I'd like to speak with one of your staff", "human_handoff"),
        ("can you put me in touch with a real human being", "human_handoff"),
        ("i need to talk to customer service asap", "human_handoff"),
        ("what sort of things can you handle?", "help"),
        ("what are you capable of", "help"),
        ("thank you kindly", "thanks"),
        ("is a real person reading this?", "bot_challenge"),
    ],
)
def test_unseen_phrasings(model: NLUModel, text: str, intent: str) -> None:
    result = model.parse(text)
    assert result.intent == intent, result.ranking[:3]
    assert result.confidence >= THRESHOLD


@pytest.mark.parametrize(
    "text",
    [
        "what's the weather in Paris",
        "write me a python script",
        "who won the basketball finals",
        "give me a recipe for pancakes",
    ],
)
def test_out_of_scope(model: NLUModel, text: str) -> None:
    result = model.parse(text)
    assert result.intent == OUT_OF_SCOPE
    assert result.ranking, "the ranking is kept for out-of-scope messages"


def test_below_threshold_becomes_out_of_scope_but_keeps_ranking(model: NLUModel) -> None:
    strict = NLUModel(
        classifier=model.classifier,
        extractor=model.extractor,
        embedder=model.embedder,
        fingerprint=model.fingerprint,
        threshold=1.0,
    )
    result = strict.parse("hello there")
    assert result.intent == OUT_OF_SCOPE
    assert result.ranking[0][0] == "greet"
    assert result.confidence == result.ranking[0][1] < 1.0


def test_result_shape_and_entities(model: NLUModel) -> None:
    result = model.parse("hi, I want a person to look at order #W2378156, I'm ann@shop.com")
    parse_data = result.as_rasa_dict()
    assert parse_data["text"] == result.text
    assert parse_data["intent"] == {"name": result.intent, "confidence": result.confidence}
    assert [(e["entity"], e["value"], e["extractor"]) for e in parse_data["entities"]] == [
        ("order_id", "#W2378156", "regex"),
        ("email", "ann@shop.com", "regex"),
    ]
    ranking = parse_data["intent_ranking"]
    assert len(ranking) == min(10, len(model.intents))
    assert [r["confidence"] for r in ranking] == sorted(
        (r["confidence"] for r in ranking), reverse=True
    )
    # The ten best of a distribution over every intent.
    assert 0.5 < sum(r["confidence"] for r in ranking) <= 1.0 + 1e-6


def test_payloads_skip_the_classifier(model: NLUModel) -> None:
    result = model.parse("/greet")
    assert (result.intent, result.confidence, result.entities) == ("greet", 1.0, ())

    result = model.parse('/inform{"email": "a@b.com", "zip": "12345"}')
    parse_data = result.as_rasa_dict()
    assert parse_data["intent"] == {"name": "inform", "confidence": 1.0}
    assert parse_data["entities"] == [
        {"entity": "email", "value": "a@b.com", "start": None, "end": None, "extractor": "payload"},
        {"entity": "zip", "value": "12345", "start": None, "end": None, "extractor": "payload"},
    ]


@pytest.mark.parametrize("text", ['/inform{"email": }', "/inform[1]", '/inform["a"]', "/ hello"])
def test_malformed_payload_is_plain_text(model: NLUModel, text: str) -> None:
    result = model.parse(text)
    assert result.intent != "inform"
    assert all(e.extractor != "payload" for e in result.entities)


def test_empty_text(model: NLUModel) -> None:
    result = model.parse("   ")
    assert (result.intent, result.confidence, result.ranking) == (OUT_OF_SCOPE, 0.0, ())


def test_save_load_round_trip(model: NLUModel, embedder: SentenceEmbedder, tmp_path: Path) -> None:
    path = tmp_path / "models" / "nlu.joblib"
    model.save(path)
    loaded = NLUModel.load(path, embedder)
    assert loaded.fingerprint == model.fingerprint == load_training_data(NLU_DATA).fingerprint()
    assert loaded.intents == model.intents
    assert loaded.threshold == THRESHOLD
    text = "can I talk to someone at W2378156"
    assert loaded.parse(text) == model.parse(text)


def test_load_refuses_missing_or_incompatible_files(
    embedder: SentenceEmbedder, tmp_path: Path
) -> None:
    with pytest.raises(ModelNotTrained, match="assistant train"):
        NLUModel.load(tmp_path / "absent.joblib", embedder)
    garbage = tmp_path / "garbage.joblib"
    garbage.write_bytes(b"not a model")
    with pytest.raises(ModelNotTrained):
        NLUModel.load(garbage, embedder)
    old = tmp_path / "old.joblib"
    joblib.dump({"format_version": 0}, old)
    with pytest.raises(ModelNotTrained, match="incompatible"):
        NLUModel.load(old, embedder)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("shwo me blak backpaks undr 100", "search_products"),
        ("SHOW ME WIRELESS HEDPHONES", "search_products"),
        ("wher is my ordr #W2378156", "order_status"),
    ],
)
def test_messy_messages_are_ranked_as_they_read(model: NLUModel, text: str, intent: str) -> None:
    result = model.parse(text)
    assert result.intent == intent, (model.spelled(text), result.ranking[:3])
    # The text and its values stay as typed.
    assert result.text == text


@pytest.mark.parametrize(
    "text",
    ["look up the conversion rate for the euro", "has the bank approved my credit card yet"],
)
def test_other_businesses_requests_are_out_of_scope(model: NLUModel, text: str) -> None:
    assert model.parse(text).intent == OUT_OF_SCOPE, model.parse(text).ranking[:3]


def test_the_saved_model_reads_typos_as_the_trained_one(
    model: NLUModel, embedder: SentenceEmbedder, tmp_path: Path
) -> None:
    path = tmp_path / "nlu.joblib"
    model.save(path)
    loaded = NLUModel.load(path, embedder)
    assert loaded.vocabulary == model.vocabulary and "backpacks" in loaded.vocabulary
    assert loaded.spelled("blak backpaks") == model.spelled("blak backpaks") == "black backpacks"
    # An e-mail is a value, not a word to correct.
    result = loaded.parse("my emial is yusuf.rossi7301@example.com")
    assert [(e.entity, e.value) for e in result.entities] == [
        ("email", "yusuf.rossi7301@example.com")
    ]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # Typos the training data holds on purpose are still read as the words they miss.
        ("wat r ur retrun polcy for shoes", "policy_question"),
        ("hw lng is the warenty on electronics", "policy_question"),
        # A product named with what it should have, in shorthand, is a search.
        ("blutooth hedphones noise cancelling pls", "search_products"),
        ("stainles steel kettle 1.7l", "search_products"),
    ],
)
def test_messy_searches_and_questions_reach_their_intent(
    model: NLUModel, text: str, intent: str
) -> None:
    result = model.parse(text)
    assert result.intent == intent, (model.spelled(text), result.ranking[:3])


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # Order changes told as a situation, not as a command.
        (
            "I'm off to my new flat in Denver on monday, my pending order has to go there",
            "modify_order_address",
        ),
        (
            "the parcel I ordered needs to arrive at my work instead of my house, can you fix that",
            "modify_order_address",
        ),
        ("the hair dryer is much too loud, I'm tempted to send it back", "return_order"),
        (
            "my order is on paypal but I'd like my credit card to pay for it instead",
            "modify_order_payment",
        ),
        # Questions about fit and about the store's premises are questions, not searches.
        ("do the hiking boots come up a size small?", "policy_question"),
        ("can I try on the sneakers at one of your shops in Dallas?", "policy_question"),
        ("is this still under warranty? the lid of the kettle snapped", "policy_question"),
    ],
)
def test_requests_and_questions_in_prose(model: NLUModel, text: str, intent: str) -> None:
    result = model.parse(text)
    assert result.intent == intent, result.ranking[:3]


def test_changing_an_accounts_email_is_not_an_address_change(model: NLUModel) -> None:
    # Nothing here changes a login e-mail: the shopper is told so and offered a person.
    result = model.parse("please put a new e-mail address on my account, mine was compromised")
    assert result.intent == OUT_OF_SCOPE, result.ranking[:3]


def test_the_spelled_message_travels_with_the_parse(model: NLUModel) -> None:
    result = model.parse("wat is ur retrun polcy")
    assert result.text == "wat is ur retrun polcy"
    assert result.spelled == "what is your return policy"
    assert result.as_rasa_dict()["spelled_text"] == "what is your return policy"
    assert "spelled_text" not in model.parse("what is your return policy").as_rasa_dict()
