"""`assistant eval retrieval`: the scoring, the question sets, and a small end-to-end run."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.engine.embeddings import SentenceEmbedder
from assistant.eval.retrieval import DATA, EvalSet, Query, evaluate_set, policies_set, score
from assistant.knowledge.documents import Chunk

ROOT = Path(__file__).parents[2]


def test_scores_follow_their_definitions() -> None:
    figures = score(["a", "x", "b", "y"], frozenset({"b", "c"}))
    assert figures["recall@1"] == 0.0
    assert figures["recall@5"] == figures["recall@10"] == 0.5
    assert figures["mrr"] == pytest.approx(1 / 3)
    # One hit at rank 3 of an ideal two at ranks 1 and 2.
    assert figures["ndcg@10"] == pytest.approx((1 / 2) / (1 + 1 / 1.5849625007211563))
    assert score([], frozenset({"a"}))["mrr"] == 0.0


def test_the_policy_questions_point_at_real_sections() -> None:
    eval_set = policies_set(ROOT / "knowledge_base", DATA / "policy_questions.yml")
    assert len(eval_set.queries) >= 60
    chunk_ids = {chunk.id for chunk in eval_set.chunks}
    assert all(query.relevant and query.relevant <= chunk_ids for query in eval_set.queries)
    assert {chunk.metadata["type"] for chunk in eval_set.chunks} <= {"policy", "faq"}


def test_the_product_queries_are_judged() -> None:
    raw = yaml.safe_load((DATA / "flipkart_queries.yml").read_text(encoding="utf-8"))
    assert raw["key"] == "pid" and len(raw["queries"]) >= 60
    assert all(entry["query"].strip() and entry["relevant"] for entry in raw["queries"])


@pytest.mark.slow
def test_a_small_run_reports_every_mode() -> None:
    texts = {
        "a": "Standard delivery takes three to five business days.",
        "b": "Refunds go back to the original payment method.",
        "c": "Gift cards never expire.",
    }
    chunks = [Chunk(k, k, "Policy", "", v, {"type": "policy"}) for k, v in texts.items()]
    queries = [
        Query("how long does shipping take", frozenset({"a"})),
        Query("where does my refund go", frozenset({"b"})),
        Query("do gift cards expire", frozenset({"c"})),
    ]
    result = evaluate_set(EvalSet("tiny", chunks, queries), SentenceEmbedder())
    assert set(result["systems"]) == {"hybrid", "lexical", "vector"}
    assert result["systems"]["hybrid"]["recall@1"] == 1.0
    assert result["systems"]["vector"]["mrr"] == 1.0
    assert (result["chunks"], result["queries"]) == (3, 3)
