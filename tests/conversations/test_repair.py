"""Conversations that do not trap (DESIGN.md, the repair rules), through the real app: a
question mid-flow is answered and the flow resumes; "stop" ends it with nothing changed; a
person wins; a step never sends the same prompt a third time; a question about an order change
is answered before any sign-in. The shoppers are listed in conftest.py."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.engine.embeddings import SentenceEmbedder
from tests.conversations.conftest import YUSUF_EMAIL, Shopper, Store

ROOT = Path(__file__).resolve().parents[2]

SIGN_IN = ("email address of your account", "first name, last name and zip code")


@pytest.fixture(scope="module")
def knowledge_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory whose vector store holds the store's policies and FAQ (read-only for
    the tests here), indexed once for the module."""
    from assistant.config import load_settings
    from assistant.knowledge.documents import read_knowledge_base
    from assistant.knowledge.ingest import get_collection, ingest
    from assistant.knowledge.vector_store import vector_store_from_settings

    data_dir = tmp_path_factory.mktemp("repair-data")
    settings = load_settings(ROOT / "config.yml", environ={}, overrides={"data_dir": str(data_dir)})
    chunks, problems = read_knowledge_base(ROOT / "knowledge_base")
    assert problems == []
    collection = get_collection(
        vector_store_from_settings(settings), settings.vector_store.collection
    )
    ingest(collection, SentenceEmbedder(), chunks, scope="kb")
    return data_dir


@pytest.fixture
def settings(make_settings: Callable[..., Settings], knowledge_dir: Path) -> Settings:
    return make_settings(data_dir=str(knowledge_dir))


def asks_sign_in(text: str) -> bool:
    return any(words in text for words in SIGN_IN)


def cited(shopper: Shopper) -> bool:
    return any(card.get("sources") for card in shopper.cards("answer"))


def texts(replies: list[dict]) -> list[str]:
    return [reply["text"] for reply in replies if reply.get("text")]


@pytest.mark.parametrize(
    "question",
    [
        "can I return a used item?",
        "can I change my shipping address after ordering?",
        "is it possible to cancel an order after it ships?",
    ],
)
def test_a_question_about_an_order_change_is_answered_not_a_sign_in(
    shopper: Shopper, question: str
) -> None:
    shopper.say(question)
    assert not asks_sign_in(shopper.text), shopper.dump()
    assert cited(shopper) or "couldn't find that" in shopper.text, shopper.dump()
    assert "start that for one of your orders" in shopper.text
    # A yes starts the task, with its sign-in.
    shopper.say("yes please")
    assert asks_sign_in(shopper.text), shopper.dump()


def test_a_question_in_the_middle_of_sign_in_is_answered_and_the_sign_in_resumes(
    shopper: Shopper,
) -> None:
    shopper.say("where is my order?")
    assert asks_sign_in(shopper.text)
    shopper.say("wait, how long does shipping usually take?")
    assert cited(shopper), shopper.dump()
    assert "back to looking up your order" in shopper.text
    assert asks_sign_in(shopper.text)
    shopper.say(f"sure, it's {YUSUF_EMAIL}")
    assert "I've found your account" in shopper.text, shopper.dump()


@pytest.mark.parametrize("leave", ["never mind", "cancel", "stop", "forget it"])
def test_leaving_a_flow_ends_it_with_nothing_changed(
    shopper: Shopper, store: Store, leave: str
) -> None:
    before = store.snapshot()
    shopper.say("I want to cancel my order")
    assert asks_sign_in(shopper.text)
    shopper.say(YUSUF_EMAIL)
    shopper.say(leave)
    assert "stopped cancelling your order" in shopper.text, shopper.dump()
    assert "Nothing has been changed" in shopper.text
    # Nothing of the flow follows: an unrelated question is not met with the flow's prompt.
    shopper.say("do you sell backpacks?")
    assert "Which order" not in shopper.text, shopper.dump()
    assert store.changed_orders(before) == set()


def test_leaving_the_sign_in_step_is_not_met_with_the_sign_in_prompt(shopper: Shopper) -> None:
    shopper.say("i need to return something")
    assert asks_sign_in(shopper.text)
    shopper.say("never mind")
    assert not asks_sign_in(shopper.text), shopper.dump()
    shopper.say("you are useless")
    assert not asks_sign_in(shopper.text), shopper.dump()


def test_asking_for_a_person_wins_over_the_flow_and_no_prompt_follows(
    shopper: Shopper,
) -> None:
    shopper.say("I'd like to return my headphones")
    assert asks_sign_in(shopper.text)
    replies = shopper.say("can I talk to a real person please")
    assert "connecting you with a person" in shopper.text, shopper.dump()
    assert not any(asks_sign_in(text) for text in texts(replies)), shopper.dump()
    assert shopper.cards("handoff")


def test_frustration_gets_an_apology_and_a_person_and_yes_hands_off(shopper: Shopper) -> None:
    shopper.say("where is my package")
    assert asks_sign_in(shopper.text)
    shopper.say("this is useless")
    assert "sorry" in shopper.text.lower(), shopper.dump()
    assert not asks_sign_in(shopper.text), shopper.dump()
    assert "Talk to a person" in shopper.titles
    shopper.say("yes")
    assert "connecting you with a person" in shopper.text, shopper.dump()


def test_a_step_never_sends_the_same_prompt_a_third_time(shopper: Shopper) -> None:
    shopper.say("check my order status")
    sent = [shopper.text]
    for nonsense in ("purple monkey dishwasher", "blorp", "zzzz qqq"):
        shopper.say(nonsense)
        sent.append(shopper.text)
    assert all(a != b for a, b in itertools.pairwise(sent)), sent
    # The third try is worded anew and offers a way out.
    assert sent[0] in sent[1] and sent[0] not in sent[2], sent
    assert {"Stop here", "Talk to a person"} <= set(shopper.titles), shopper.dump()
    shopper.click("Stop here")
    assert "stopped looking up your order" in shopper.text, shopper.dump()


def test_the_same_refusal_is_not_sent_twice_in_a_row(shopper: Shopper) -> None:
    first = texts(shopper.say("what's the weather like in paris tomorrow"))
    second = texts(shopper.say("who won the football last night"))
    assert first and second
    assert first[-1] != second[0], (first, second)


def test_two_requests_in_one_message_are_both_handled_the_task_last(shopper: Shopper) -> None:
    replies = shopper.say("where is my order, and also how long does delivery usually take?")
    assert cited(shopper), shopper.dump()
    said = texts(replies)
    assert asks_sign_in(said[-1]), shopper.dump()
    assert not any(asks_sign_in(text) for text in said[:-1]), shopper.dump()


def test_two_questions_in_one_message_get_two_answers(shopper: Shopper) -> None:
    shopper.say("how long does shipping take and can I pay with paypal?")
    answers = shopper.cards("answer")
    assert len(answers) >= 2, shopper.dump()
    quoted = " ".join(texts(shopper.last)).lower()
    assert "business days" in quoted and "paypal" in quoted, shopper.dump()


def test_a_request_said_in_frustration_gets_an_apology_and_is_still_handled(
    shopper: Shopper,
) -> None:
    shopper.say("omg I've asked three times already, where is my order???")
    assert "sorry" in shopper.text.lower(), shopper.dump()
    assert "Talk to a person" in shopper.titles
    assert asks_sign_in(shopper.text), shopper.dump()


def test_going_on_to_a_fact_of_the_offered_task_takes_the_offer(
    shopper: Shopper, store: Store
) -> None:
    """Asked whether an order can be cancelled, the assistant answers and offers to start;
    "I don't need it anymore" is the cancellation's reason: a yes with the fact, not a
    message out of scope."""
    shopper.say("where is my order #W6247578?")
    shopper.say(YUSUF_EMAIL)
    shopper.say("can I cancel it? and how long do refunds take?")
    assert "Yes, start it" in shopper.titles, shopper.transcript
    before = store.snapshot()
    shopper.say("i dont need it anymore")
    assert not shopper.cards("unanswered"), json.dumps(shopper.transcript, indent=1)
    if "Which order" in shopper.text:
        shopper.say("#W6247578")
    assert "#W6247578" in shopper.text and "no longer needed" in shopper.text, shopper.transcript
    assert store.changed_orders(before) == set()
    shopper.say("yes")
    assert store.order("#W6247578").status == "cancelled", shopper.transcript
