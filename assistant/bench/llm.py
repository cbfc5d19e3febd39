"""`assistant bench llm`: time to first token and tokens/s of a RAG turn through the
assistant, beside the same request sent straight to the model server in the same run.

Through the assistant: a whole engine turn for a policy question on a new conversation, with
the embedding cache emptied first (`llm_engine.py`): the NLU's parse, the flow, retrieval over
the store's documents and the extractive answer, the grounded prompt, the model's reply
streamed through the client (LangChain, timeouts, breaker) as drafts, the grounding guard's
check, the reply — timed from the question to the first draft and to the reply. Direct: the
prompt that turn sends, posted to the server's `/chat/completions` with httpx, streamed, timed
from the request to the first and the last piece. Each pair uses the same question; each
prompt starts with its own run number, so the server's prompt cache helps neither side, and
the order inside a pair alternates.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx

from assistant.bench.llm_engine import FreshEmbedder, MeasuredModel, engine_turns, numbered
from assistant.config import LLMProvider, Settings
from assistant.engine.embeddings import embedder_from_settings
from assistant.eval.retrieval import DATA, policies_set, temporary_index
from assistant.knowledge.service import Knowledge
from assistant.llm import ChatMessage, build_measured_model, with_llm
from assistant.llm.openai_compat import fold_system_prompt

TARGET_OVERHEAD = 0.10


def _summary(samples: list[dict[str, float]]) -> dict[str, float]:
    return {
        "ttft_p50_ms": round(statistics.median(s["ttft"] for s in samples) * 1000, 1),
        "ttft_mean_ms": round(statistics.fmean(s["ttft"] for s in samples) * 1000, 1),
        "tokens_per_s_p50": round(statistics.median(s["rate"] for s in samples), 1),
        "tokens_p50": statistics.median(s["tokens"] for s in samples),
        "total_p50_ms": round(statistics.median(s["total"] for s in samples) * 1000, 1),
    }


async def _direct(
    client: httpx.AsyncClient, base_url: str, payload: dict[str, Any]
) -> dict[str, float]:
    started = time.perf_counter()
    first = 0.0
    tokens = 0
    async with client.stream("POST", f"{base_url}/chat/completions", json=payload) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            delta = json.loads(line[6:])["choices"][0].get("delta", {}).get("content")
            if delta:
                tokens += 1
                if not first:
                    first = time.perf_counter() - started
    total = time.perf_counter() - started
    return _sample(first, total, tokens)


def _sample(first: float, total: float, tokens: int) -> dict[str, float]:
    rate = (tokens - 1) / (total - first) if tokens > 1 and total > first else 0.0
    return {"ttft": first or total, "total": total, "rate": rate, "tokens": float(tokens)}


def ttft_verdict(
    assistant_ms: float, direct_ms: float, target: float = TARGET_OVERHEAD
) -> tuple[float | None, bool | None]:
    """The assistant's overhead on the time to first token, as a share of the direct time,
    and whether it is within `target`; (None, None) when the direct side measured nothing."""
    if direct_ms <= 0:
        return None, None
    overhead = round(assistant_ms / direct_ms - 1, 4)
    return overhead, overhead <= target


async def run_benchmark(
    settings: Settings,
    *,
    provider: LLMProvider | None = LLMProvider.llamacpp,
    pairs: int = 12,
    max_tokens: int = 48,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    settings = with_llm(
        settings,
        first_token_timeout_s=120.0,
        timeout_s=300.0,
        max_retries=0,
        **({"provider": provider} if provider is not None else {}),
    )
    embedder = FreshEmbedder(embedder_from_settings(settings))
    eval_set = policies_set(settings.path("knowledge_base"), DATA / "policy_questions.yml")
    model = MeasuredModel(await build_measured_model(settings), max_tokens=max_tokens)
    base_url = str(getattr(model, "base_url", settings.llm.base_url))
    headers = {"Authorization": f"Bearer {settings.llm.api_key or 'none'}"}
    through: list[dict[str, float]] = []
    direct: list[dict[str, float]] = []
    mismatches = 0
    started = time.perf_counter()
    try:
        with (
            temporary_index(eval_set.chunks, embedder, "bench-llm") as index,
            engine_turns(settings, model, index, embedder) as turns,
        ):
            knowledge = Knowledge(index, embedder)
            # Questions the documents answer and whose turn sends the model one prompt.
            prompts: dict[str, list[ChatMessage]] = {}
            for query in eval_set.queries:
                if len(prompts) > pairs:
                    break
                if knowledge.answer(query.text) is None:
                    continue
                if (prompt := await turns.prompt_of(query.text)) is not None:
                    prompts[query.text] = prompt
            questions = list(prompts)
            if not questions:
                raise ValueError("no policy question's turn sends the model a prompt")

            async def assistant(question: str, run: int) -> dict[str, float]:
                nonlocal mismatches
                found = await turns.turn(question, run)
                mismatches += found["prompts"] != [prompts[question]]
                return {key: found[key] for key in ("ttft", "total", "rate", "tokens")}

            async def straight(question: str, run: int) -> dict[str, float]:
                messages = numbered(prompts[question], run)
                if getattr(model, "fold_system", False):
                    messages = fold_system_prompt(messages)
                payload = {
                    "model": model.model,
                    "messages": [{"role": m.role, "content": m.content} for m in messages],
                    "max_tokens": max_tokens,
                    "temperature": settings.llm.temperature,
                    "stream": True,
                }
                return await _direct(http, base_url, payload)

            async with httpx.AsyncClient(timeout=300.0, headers=headers) as http:
                for i in range(pairs + 1):  # the first pair warms both paths up
                    if progress:
                        progress(f"pair {i}/{pairs}")
                    question = questions[i % len(questions)]
                    order = (assistant, straight) if i % 2 == 0 else (straight, assistant)
                    results = {}
                    for side in order:
                        results[side] = await side(question, 2 * i + (side is straight))
                    if i > 0:
                        through.append(results[assistant])
                        direct.append(results[straight])
    finally:
        state = await model.state()
        await model.aclose()
    mine, theirs = _summary(through), _summary(direct)
    overhead, met = ttft_verdict(mine["ttft_p50_ms"], theirs["ttft_p50_ms"])
    return {
        "provider": state.provider,
        "model": state.model,
        "pairs": pairs,
        "max_tokens": max_tokens,
        "questions": len(questions),
        "assistant": mine,
        "direct": theirs,
        "ttft_overhead": overhead,
        "target_overhead": TARGET_OVERHEAD,
        "met": met,
        "prompt_mismatches": mismatches,
        "seconds": round(time.perf_counter() - started, 1),
    }
