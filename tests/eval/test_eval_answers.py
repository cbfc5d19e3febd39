"""`assistant eval answers`: the labelled answer sentences, how a judge is scored against
them, the guard run on them, and the model's final answers judged by them (the model is the
queue-driven fake behind a real HTTP server)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.config import LLMProvider, Settings, load_settings
from assistant.engine.embeddings import SentenceEmbedder
from assistant.eval.answers import (
    LABELS,
    AnswerLabelError,
    LabelledQuestion,
    cited,
    detection,
    evaluate_answers,
    judge_final,
    load_labels,
)
from assistant.knowledge.grounding import SentenceCheck
from tests.fake_llm import FakeModelServer, Reply

ROOT = Path(__file__).parents[2]
KB = ROOT / "knowledge_base"


def test_every_labelled_question_has_its_sections_and_sentences() -> None:
    raw = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["items"]
    labelled = load_labels(KB)
    assert len(labelled) == len(raw) >= 30
    assert sum(len(q.supported) + len(q.unsupported) for q in labelled) >= 150
    for item in labelled:
        assert item.passages and item.unsupported, item.question
        # The passages are the named sections, numbered from 1 as a prompt shows them.
        assert [p.number for p in item.passages] == list(range(1, len(item.passages) + 1))
    refunds = next(q for q in labelled if q.question.startswith("how long does a refund"))
    assert "5 to 7 business days" in refunds.passages[0].text


def write_labels(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump({"items": items}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"question": "q", "passages": [{"document": "faq", "section": "Nope"}],
          "supported": ["x"]}, "no section"),
        ({"question": "q", "passages": [{"document": "warranty",
                                          "section": "What the warranty covers"}]},
         "no labelled sentences"),
        ({"question": "q", "supported": ["x"]}, "needs question, passages"),
    ],
)  # fmt: skip
def test_malformed_labels_raise_the_typed_error(
    tmp_path: Path, item: dict[str, Any], message: str
) -> None:
    with pytest.raises(AnswerLabelError, match=message):
        load_labels(KB, write_labels(tmp_path / "labels.yml", [item]))
    with pytest.raises(AnswerLabelError, match="list `items`"):
        load_labels(KB, write_labels(tmp_path / "empty.yml", []))


def check(words: float, meaning: float, *missing: str) -> SentenceCheck:
    return SentenceCheck("s", word_support=words, meaning_support=meaning, missing_facts=missing)


def test_a_judge_is_scored_on_catching_the_unsupported() -> None:
    rows = [
        (True, check(1.0, 0.9)),  # supported, accepted
        (True, check(0.4, 0.9)),  # supported, thrown away
        (False, check(1.0, 0.9, "30")),  # unsupported, caught
        (False, check(1.0, 0.9)),  # unsupported, shown as final
        (False, check(0.2, 0.3)),  # unsupported, caught
    ]
    figures = detection(rows, lambda c: c.supported)
    assert figures == {
        "unsupported_shown_as_final": 1,
        "unsupported_shown_share": 0.3333,
        "recall": 0.6667,
        "precision": 0.6667,  # two of the three rejections were unsupported
        "supported_rejected": 1,
        "supported_rejected_share": 0.5,
    }
    everything = detection(rows, lambda c: True)
    assert everything["unsupported_shown_as_final"] == 3 and everything["precision"] is None


def test_a_final_answer_is_judged_by_its_labelled_sentences() -> None:
    item = LabelledQuestion(
        "q", (), frozenset(), ("Shipping is free.", "We ship in 2 days."), ("Shipping costs $5.",)
    )
    assert judge_final(item, "shipping is FREE [1]") == "supported"
    assert judge_final(item, "Shipping is free [1]. We ship in 2 days [2].") == "supported"
    # One unsupported sentence makes the answer unsupported, whatever else it says.
    assert judge_final(item, "Shipping is free [1]. Shipping costs $5 [1].") == "unsupported"
    # A sentence nobody labelled leaves the answer for a person to judge.
    assert judge_final(item, "Shipping is free. Also we love you.") == "unjudged"
    assert judge_final(item, "") == "unjudged"
    # An extractive quote, with its attribution and a skip between two sentences.
    quote = "“Shipping is free. … We ship in 2 days.” — Shipping and Delivery, Shipping costs"
    assert judge_final(item, quote) == "supported"
    assert cited("Shipping is free.") == "Shipping is free [1]."
    assert cited("Is it free?") == "Is it free [1]?"


@pytest.mark.slow
def test_the_guard_is_measured_against_the_labels(tmp_path: Path) -> None:
    labels = write_labels(
        tmp_path / "labels.yml",
        [
            {
                "question": "how long does a refund take?",
                "passages": [
                    {"document": "returns-and-refunds", "section": "When you'll get your refund"}
                ],
                "supported": ["We issue the refund once your returned items reach us."],
                # A number the section does not have: the facts check must catch it.
                "unsupported": ["A refund to a credit card shows up within 30 business days."],
            }
        ],
    )
    settings = load_settings(environ={}, overrides={"root": str(ROOT)})
    figures = evaluate_answers(
        settings, provider=LLMProvider.none, embedder=SentenceEmbedder(), labels=labels
    )
    assert figures["model"] is None
    guard = figures["guard"]
    assert (guard["sentences"], guard["supported"], guard["unsupported"]) == (2, 1, 1)
    assert guard["judges"]["guard"]["unsupported_shown_as_final"] == 0
    assert guard["judges"]["guard"]["supported_rejected"] == 0
    assert guard["judges"]["facts only"]["recall"] == 1.0
    # Without the guard the unsupported sentence is final.
    assert guard["judges"]["no guard"]["unsupported_shown_as_final"] == 1
    assert guard["unsupported_accepted"] == []


def _labelled_reply(pick: str) -> Callable[[dict[str, Any]], str]:
    """A model that answers each labelled question with its first `pick` sentence, cited."""
    by_question = {q.question: q for q in load_labels(KB)}

    def write(body: dict[str, Any]) -> str:
        prompt = body["messages"][-1]["content"]
        question = re.search(r"<question>\s*(.*?)\s*</question>", prompt, re.S)
        assert question is not None
        item = by_question[question.group(1)]
        sentences = item.unsupported if pick == "unsupported" else item.supported
        return cited(sentences[0])

    return write


@pytest.mark.slow
def test_the_model_finals_are_judged_by_the_labels(
    fake: FakeModelServer, fake_settings: Callable[..., Settings]
) -> None:
    fake.script(
        Reply(status=500),
        *[Reply(_labelled_reply("unsupported")) for _ in range(5)],
    )
    figures = evaluate_answers(fake_settings(), provider=LLMProvider.openai, limit=6)
    model = figures["model"]
    outcomes = model["outcomes"]
    assert figures["questions"] == 6 and sum(outcomes.values()) == 6
    assert model["answered"] == len(fake.requests)
    assert outcomes["model failed (extractive sent)"] == 1
    stood = outcomes.get("model's draft stood", 0)
    # Every draft was a sentence labelled unsupported: each one that stood is counted.
    assert model["unsupported_shown_as_final"] == stood
    assert model["finals"].get("stood unsupported", 0) == stood
    assert model["unjudged_drafts"] == []
    assert model["sentences"]["final"].get("unsupported", 0) == stood
    assert sum(model["finals"].values()) == sum(model["extractive"].values()) == model["answered"]
    assert stood + outcomes.get("replaced by the guard", 0) == model["answered"] - 1
