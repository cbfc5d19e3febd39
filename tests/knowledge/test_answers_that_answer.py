"""Answers that answer: the quoted sentences address the question's key terms — in the
store's words for them ("postage" is a shipping cost, "time limit" a deadline, "swap" an
exchange, "size" an option) — rather than only its topic; a question whose key term no
passage addresses is not covered; a sentence saying the assistant cannot do something comes
with the one saying who can, and such an answer offers a person; each question of a message,
follow-ups included, gets its own answer. Real index over knowledge_base/, real embeddings."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import send_findings
from assistant.engine.domain import load_domain
from assistant.engine.embeddings import SentenceEmbedder
from assistant.knowledge.answer import Answer
from assistant.knowledge.questions import focus, split_questions
from assistant.knowledge.service import Knowledge
from assistant.knowledge.terms import TermMatcher, in_store_words, key_terms


def _answered(knowledge: Knowledge, question: str) -> Answer:
    answer = knowledge.answer(question)
    assert answer is not None, question
    return answer


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        # The key term is a shipping charge: a sentence about returns in general is not it.
        ("wait do i have to pay for the return postage?", "Return shipping is free"),
        ("do I have to pay postage when I exchange something?", "shipping is free"),
        # A time limit is a deadline; "you can return items from any order" does not say.
        ("Is there a time limit on returning an item?", "no fixed return deadline"),
        ("how long do I have to send something back?", "no fixed return deadline"),
        ("when do I have to return things by", "no fixed return deadline"),
        # The same product in another size, not a different product.
        ("how do I swap something for a different size?", "another available option"),
        (
            "what happens if i change the size on my order and then want to change it again",
            "only once",
        ),
        ("what payment methods do you take", "credit cards, PayPal"),
    ],
)
def test_the_quote_addresses_the_key_terms_not_only_the_topic(
    store_knowledge: Knowledge, question: str, fact: str
) -> None:
    assert fact in _answered(store_knowledge, question).text


def test_a_kind_of_destination_the_documents_never_name_is_not_covered(
    store_knowledge: Knowledge,
) -> None:
    """ "We deliver to addresses in the United States" does not say whether a PO box is one."""
    finding = store_knowledge.find("do you deliver to PO boxes?")
    assert finding.answer is None, finding.answer
    assert finding.missing == ("PO boxes",)


def test_what_the_assistant_cannot_do_is_quoted_with_who_can_and_offers_a_person(
    store_knowledge: Knowledge,
) -> None:
    answer = _answered(
        store_knowledge, "I've changed my surname, can I change the name on my account?"
    )
    assert "can't change the name" in answer.text
    assert "ask for a person" in answer.text
    assert len(answer.sources[0].sentences) == 2
    assert answer.needs_person


def test_a_request_beside_a_statement_is_answered_for_the_request(
    store_knowledge: Knowledge,
) -> None:
    """The kettle is context; the claim is what is asked, and a person handles claims."""
    answer = _answered(
        store_knowledge, "my kettle stopped heating after 3 months, I want to make a warranty claim"
    )
    assert "Warranty claims are handled by our support team" in answer.text
    assert answer.needs_person


def test_an_answer_that_needs_no_person_offers_none(store_knowledge: Knowledge) -> None:
    assert not _answered(store_knowledge, "how long do refunds take?").needs_person


def test_the_reply_offers_a_person_exactly_when_the_answer_says_one_handles_it(
    store_knowledge: Knowledge,
) -> None:
    claim = store_knowledge.find("I want to make a warranty claim")
    refunds = store_knowledge.find("how long do refunds take?")
    dispatcher = CollectingDispatcher()
    send_findings(dispatcher, [claim, refunds])
    first, second = dispatcher.messages
    domain = load_domain(Path(__file__).resolve().parents[2] / "actions" / "domain.yml")
    offered = [domain.render(m["response"], m).buttons for m in (first, second)]
    assert [b.payload for b in offered[0]] == ["/human_handoff"]
    assert not offered[1]


@pytest.mark.parametrize(
    ("message", "facts"),
    [
        ("return window and do you sell my data", ["no fixed return deadline", "never sell"]),
        ("is return shipping free? also do gift cards ever expire", ["free", "never expire"]),
        (
            "hi! two things: do you sell my data to anyone, and how long do you keep chat logs?",
            ["never sell", "12 months"],
        ),
        (
            "if I cancel does the refund go on a gift card right away? what about paypal?",
            ["immediately", "5 to 7 business days"],
        ),
    ],
)
def test_each_question_of_a_message_gets_its_own_fact(
    store_knowledge: Knowledge, message: str, facts: list[str]
) -> None:
    findings = asyncio.run(store_knowledge.respond_all(message))
    assert len(findings) == len(facts)
    for finding, fact in zip(findings, facts, strict=True):
        assert finding.answer is not None, finding.question
        text = finding.answer.text.replace("right away", "immediately")
        assert fact in text, (finding.question, text)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("return window and do you sell my data", ["return window", "do you sell my data"]),
        (
            "is express shipping an option, also do you ship internationally",
            ["is express shipping an option", "do you ship internationally"],
        ),
        (
            "is return shipping free? also do gift cards ever expire",
            ["is return shipping free?", "also do gift cards ever expire"],
        ),
        (
            "can I return a lamp? and how long do I have?",
            ["can I return a lamp? and how long do I have?"],
        ),
        (
            "does the refund go on a gift card right away? what about paypal?",
            [
                "does the refund go on a gift card right away?",
                "does the refund go on a gift card right away? what about paypal?",
            ],
        ),
    ],
)
def test_questions_named_as_topics_follow_ups_and_after_also_are_split(
    message: str, expected: list[str]
) -> None:
    assert split_questions(message) == expected


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        (
            "my kettle stopped heating after 3 months, I want to make a warranty claim",
            "I want to make a warranty claim",
        ),
        (
            "I've changed my surname, can I change the name on my account?",
            "can I change the name on my account?",
        ),
        ("does it go on a gift card right away? what about paypal?", "what about paypal?"),
        ("can I pay with paypal, or only cards?", "can I pay with paypal, or only cards?"),
    ],
)
def test_the_focus_of_a_question_is_what_it_asks(question: str, asked: str) -> None:
    assert focus(question) == asked


def test_phrases_are_read_as_the_store_words_for_them() -> None:
    terms = {t.word: t for t in key_terms("is there a time limit to send it back to a PO box?")}
    assert terms["time limit"].stem == "deadlin" and not terms["time limit"].about
    assert terms["send it back"].stem == "return"
    assert terms["PO box"].condition
    assert in_store_words("can I swap it or send it back?") == "can I exchange it or return?"


def test_postage_is_addressed_by_shipping_but_shipping_not_by_postage(
    sentence_embedder: SentenceEmbedder,
) -> None:
    matcher = TermMatcher(sentence_embedder)
    postage = key_terms("postage")
    assert postage[0].condition
    assert matcher.unaddressed(postage, "Return shipping is free.", literal_only=True) == []
    assert matcher.unaddressed(postage, "You pay the price difference.", literal_only=True)
    shipping = key_terms("shipping")
    assert matcher.unaddressed(shipping, "Postage is paid.", literal_only=True) == shipping
