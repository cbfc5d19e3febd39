"""`assistant eval answers`: the language model's answers to policy questions, and how often
the grounding guard had to replace them.

The 89 shopper questions written for the demo store's policies (`policy_questions.yml`) are
answered over the store's documents as the assistant answers them: the extractive answer
first (the reference, from the same run), then the model's rewrite of the same passages,
checked by the guard. For each question the run records whether the model's draft stood,
was replaced by the guard (and why), or the model failed (timeout, error); and whether the
answer cites the section the question is labelled with. Every final answer is checked once
more: it must be a draft the guard accepted or the extractive quote — "ungrounded finals"
must be 0.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from assistant.config import LLMProvider, Settings
from assistant.engine.embeddings import CachingEmbedder, Embedder, embedder_from_settings
from assistant.eval.retrieval import DATA, policies_set, temporary_index
from assistant.knowledge.answer import Knowledge
from assistant.llm import build_measured_model, with_llm
from assistant.llm.answers import GroundedAnswerer
from assistant.llm.grounding import GroundingGuard, citations, passages_of


def _with_model(
    settings: Settings, provider: LLMProvider | None, first_token_timeout_s: float | None
) -> Settings:
    update: dict[str, Any] = {}
    if provider is not None:
        update["provider"] = provider
    if first_token_timeout_s is not None:
        update["first_token_timeout_s"] = first_token_timeout_s
        update["timeout_s"] = max(settings.llm.timeout_s, first_token_timeout_s * 2)
    return with_llm(settings, **update)


def _reason_kinds(reason: str) -> list[str]:
    kinds = []
    for kind, marker in (
        ("words", "words "),
        ("meaning", "meaning "),
        ("facts", "not in the sources"),
        ("citations", "no passage"),
        ("empty", "empty answer"),
    ):
        if marker in reason:
            kinds.append(kind)
    return kinds or ["other"]


async def _evaluate(
    settings: Settings,
    embedder: Embedder,
    *,
    limit: int | None,
    max_tokens: int,
    progress: Callable[[str], None] | None,
) -> dict[str, Any]:
    eval_set = policies_set(settings.path("knowledge_base"), DATA / "policy_questions.yml")
    queries = eval_set.queries[:limit] if limit else eval_set.queries
    model = await build_measured_model(settings)
    outcomes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    right_section = {"extractive": 0, "final": 0}
    ungrounded = 0
    seconds: list[float] = []
    examples: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        with temporary_index(eval_set.chunks, embedder, "eval-answers") as index:
            knowledge = Knowledge(index, embedder)
            guard = GroundingGuard(embedder)
            answerer = GroundedAnswerer(
                model, guard, store_name=settings.assistant.name, max_tokens=max_tokens
            )
            for number, query in enumerate(queries, start=1):
                if progress:
                    progress(f"question {number}/{len(queries)}")
                extractive = knowledge.answer(query.text)
                if extractive is None:
                    outcomes["not answered (no model call)"] += 1
                    continue
                if extractive.sources[0].chunk_id in query.relevant:
                    right_section["extractive"] += 1
                passages = passages_of(extractive.passages)
                began = time.perf_counter()
                result = await answerer.answer(query.text, passages, fallback=extractive.text)
                seconds.append(time.perf_counter() - began)
                if result.generated:
                    outcomes["model's draft stood"] += 1
                    cited = set(citations(result.text))
                    hits = [extractive.passages[n - 1].id for n in cited if n <= len(passages)]
                    right_section["final"] += any(h in query.relevant for h in hits)
                    # Checked again, independently of the answerer's own verdict.
                    ungrounded += not guard.check(result.text, passages).supported
                else:
                    right_section["final"] += extractive.sources[0].chunk_id in query.relevant
                    ungrounded += result.text != extractive.text
                    if result.verdict is not None:
                        outcomes["replaced by the guard"] += 1
                        reasons.update(_reason_kinds(result.reason))
                    else:
                        outcomes["model failed (extractive sent)"] += 1
                        reasons.update(["model failure"])
                # Every draft that stood, and the first few that did not.
                if result.generated or len(examples) - outcomes["model's draft stood"] < 8:
                    examples.append(
                        {
                            "question": query.text,
                            "draft": result.draft[:300],
                            "final": result.text[:300],
                            "generated": result.generated,
                            "reason": result.reason[:200],
                        }
                    )
    finally:
        state = await model.state()
        await model.aclose()
    answered = sum(v for k, v in outcomes.items() if not k.startswith("not answered"))
    drafts = outcomes["model's draft stood"] + outcomes["replaced by the guard"]
    return {
        "provider": state.provider,
        "model": state.model,
        "first_token_timeout_s": settings.llm.first_token_timeout_s,
        "questions": len(queries),
        "answered": answered,
        "outcomes": dict(outcomes),
        "replaced_share": round(outcomes["replaced by the guard"] / drafts, 3) if drafts else None,
        "rejection_reasons": dict(reasons),
        "right_section": right_section,
        "ungrounded_finals": ungrounded,
        "median_answer_seconds": round(statistics.median(seconds), 2) if seconds else None,
        "max_tokens": max_tokens,
        "examples": examples,
        "seconds": round(time.perf_counter() - started, 1),
    }


def evaluate_answers(
    settings: Settings,
    *,
    provider: LLMProvider | None = LLMProvider.llamacpp,
    limit: int | None = None,
    max_tokens: int = 96,
    first_token_timeout_s: float | None = None,
    embedder: Embedder | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """`first_token_timeout_s` overrides the configured one: the guard is measured on the
    model's drafts, so a small CPU model should not time out before it writes them."""
    cached = CachingEmbedder(embedder if embedder is not None else embedder_from_settings(settings))
    return asyncio.run(
        _evaluate(
            _with_model(settings, provider, first_token_timeout_s),
            cached,
            limit=limit,
            max_tokens=max_tokens,
            progress=progress,
        )
    )
