"""`assistant eval answers`: the grounding guard and the answers shoppers are shown, judged
against answer sentences labelled by reading the store's documents.

The labels (`data/answer_sentences.yml`) were written from the documents alone, never by
running the guard: for each question, the sections that hold its answer and sentences a
model might write over them, each `supported` or `unsupported`. Two measurements:

- **The guard against the labels** (no model needed). Every labelled sentence is given to
  the guard as a cited one-sentence draft over its labelled sections. A sentence the guard
  accepts would be shown as final; an unsupported one accepted is the failure that counts.
  Figures, with "unsupported" as the class to catch: unsupported shown as final (count and
  share), recall (share of unsupported rejected), precision (share of rejections that were
  unsupported) and supported sentences thrown away. Beside it, in the same run: no guard
  (every draft final), and each of the guard's checks alone (words, meaning, facts).
- **The model's answers** (with a provider). Each labelled question is answered as the
  assistant answers it: retrieval and the extractive answer, then the model's draft over the
  same passages, which stands only if the guard accepts it. Counted as before: the draft
  stood, was replaced (why), or the model failed; whether the answer cites a labelled
  section. Each final answer's sentences are then looked up among the question's labelled
  sentences (case, spacing, citations and end punctuation aside): a final with a sentence
  labelled unsupported is an unsupported answer shown as final; one whose every sentence is
  labelled supported is supported; anything else is listed as unjudged, with its text, for a
  person to read. The extractive answers are judged the same way, as the baseline.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.config import LLMProvider, Settings
from assistant.engine.embeddings import CachingEmbedder, Embedder, embedder_from_settings
from assistant.errors import AisleError
from assistant.eval.retrieval import DATA, temporary_index
from assistant.knowledge.answer import sentences
from assistant.knowledge.documents import Chunk, read_knowledge_base
from assistant.knowledge.grounded import GroundedAnswerer
from assistant.knowledge.grounding import (
    MIN_MEANING_SUPPORT,
    MIN_WORD_SUPPORT,
    GroundingGuard,
    Passage,
    SentenceCheck,
    citations,
    passages_of,
)
from assistant.knowledge.service import Knowledge
from assistant.llm import build_measured_model, with_llm

LABELS = DATA / "answer_sentences.yml"
# Each judge decides whether one sentence's checks let it stand.
JUDGES: dict[str, Callable[[SentenceCheck], bool]] = {
    "guard": lambda c: c.supported,
    "no guard": lambda c: True,
    "words only": lambda c: c.word_support >= MIN_WORD_SUPPORT,
    "meaning only": lambda c: c.meaning_support >= MIN_MEANING_SUPPORT,
    "facts only": lambda c: not c.missing_facts,
}


class AnswerLabelError(AisleError):
    """The labelled answer sentences are malformed or name a section that does not exist."""

    status_code = 422
    code = "invalid_answer_labels"


@dataclass(frozen=True)
class LabelledQuestion:
    question: str
    passages: tuple[Passage, ...]
    # The chunk ids of the labelled sections, for "cites a labelled section".
    sections: frozenset[str]
    supported: tuple[str, ...]
    unsupported: tuple[str, ...]


def load_labels(knowledge_base: Path, path: Path = LABELS) -> list[LabelledQuestion]:
    """The labelled questions, their sections read from the documents as chunks."""
    chunks, problems = read_knowledge_base(knowledge_base)
    if problems:
        raise AnswerLabelError(f"unreadable documents: {problems}")
    by_section: dict[tuple[str, str], list[Chunk]] = {}
    for chunk in chunks:
        by_section.setdefault((chunk.doc_id, chunk.section), []).append(chunk)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries = raw["items"]
        assert isinstance(entries, list) and entries
    except (OSError, yaml.YAMLError, KeyError, TypeError, AssertionError) as exc:
        raise AnswerLabelError(f"{path}: expected a non-empty list `items`") from exc
    labelled = []
    for number, entry in enumerate(entries, 1):
        where = f"{path}: item {number}"
        try:
            keys = [(str(p["document"]), str(p["section"])) for p in entry["passages"]]
            supported = tuple(str(s) for s in entry.get("supported") or ())
            unsupported = tuple(str(s) for s in entry.get("unsupported") or ())
            question = str(entry["question"])
        except (KeyError, TypeError) as exc:
            raise AnswerLabelError(f"{where}: needs question, passages and sentences") from exc
        missing = [key for key in keys if key not in by_section]
        if missing or not keys:
            raise AnswerLabelError(f"{where}: no section {missing or 'named'}")
        if not supported and not unsupported:
            raise AnswerLabelError(f"{where}: no labelled sentences")
        found = [chunk for key in keys for chunk in by_section[key]]
        passages = tuple(
            Passage(n, c.title, c.section, c.text) for n, c in enumerate(found, start=1)
        )
        sections = frozenset(c.id for c in found)
        labelled.append(LabelledQuestion(question, passages, sections, supported, unsupported))
    return labelled


def cited(sentence: str) -> str:
    """The sentence as a model cites it: "… [1]." (the guard checks the citation exists)."""
    body = sentence.rstrip()
    end = body[-1] if body and body[-1] in ".!?" else "."
    return f"{body.rstrip('.!?')} [1]{end}"


def plain(sentence: str) -> str:
    """A sentence without citations, case, quotes, extra spaces or end punctuation, for
    lookup."""
    text = re.sub(r"\[\d+\]", "", sentence).replace("…", " ")
    return re.sub(r"\s+", " ", text.lower()).strip(" .!?\"'“”")


# An extractive answer's line: “quoted sentences” — Title, Section.
_QUOTE_LINE = re.compile(r"“([^”]*)”\s*—[^\n]*")


# -- the guard against the labels ----------------------------------------------------------


def judge_guard(guard: GroundingGuard, labelled: Sequence[LabelledQuestion]) -> dict[str, Any]:
    """Every labelled sentence through the guard; the figures of each judge."""
    rows: list[tuple[bool, SentenceCheck]] = []
    missed: list[dict[str, str]] = []
    for item in labelled:
        for text, supported in [(s, True) for s in item.supported] + [
            (s, False) for s in item.unsupported
        ]:
            verdict = guard.check(cited(text), item.passages)
            # One labelled sentence is one claim; a guard that split it would judge the parts.
            for check in verdict.checks:
                rows.append((supported, check))
            if not supported and verdict.supported:
                missed.append({"question": item.question, "sentence": text})
    return {
        "sentences": len(rows),
        "supported": sum(label for label, _ in rows),
        "unsupported": sum(not label for label, _ in rows),
        "judges": {name: detection(rows, judge) for name, judge in JUDGES.items()},
        # The unsupported sentences the guard let through, for a person to read.
        "unsupported_accepted": missed,
    }


def detection(
    rows: Sequence[tuple[bool, SentenceCheck]], accepts: Callable[[SentenceCheck], bool]
) -> dict[str, Any]:
    """How one judge fares on (label, checks) rows, catching unsupported sentences."""
    unsupported = [check for label, check in rows if not label]
    supported = [check for label, check in rows if label]
    shown = sum(accepts(check) for check in unsupported)
    caught = len(unsupported) - shown
    thrown_away = sum(not accepts(check) for check in supported)
    rejected = caught + thrown_away
    return {
        "unsupported_shown_as_final": shown,
        "unsupported_shown_share": _ratio(shown, len(unsupported)),
        "recall": _ratio(caught, len(unsupported)),
        "precision": _ratio(caught, rejected),
        "supported_rejected": thrown_away,
        "supported_rejected_share": _ratio(thrown_away, len(supported)),
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# -- the model's answers -------------------------------------------------------------------


def sentence_labels(item: LabelledQuestion, text: str) -> list[bool | None]:
    """Each sentence of an answer looked up among the question's labelled sentences: True
    (supported), False (unsupported) or None (not labelled)."""
    labels = {plain(s): True for s in item.supported} | {plain(s): False for s in item.unsupported}
    # Quotes are read without their attribution, and sentences a quote skips between ("…")
    # as separate sentences.
    quoted = _QUOTE_LINE.sub(lambda m: m.group(1), text).replace(" … ", " ")
    return [labels.get(plain(s)) for s in sentences(quoted) if plain(s)]


def judge_final(item: LabelledQuestion, text: str) -> str:
    """supported, unsupported or unjudged: a final answer with a sentence labelled
    unsupported is unsupported; one whose every sentence is labelled supported is supported."""
    found = sentence_labels(item, text)
    if any(label is False for label in found):
        return "unsupported"
    if found and all(label is True for label in found):
        return "supported"
    return "unjudged"


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


async def _answer_all(
    settings: Settings,
    embedder: Embedder,
    labelled: Sequence[LabelledQuestion],
    *,
    max_tokens: int,
    progress: Callable[[str], None] | None,
) -> dict[str, Any]:
    chunks, _ = read_knowledge_base(settings.path("knowledge_base"))
    documents = [c for c in chunks if c.metadata.get("type") != "product"]
    model = await build_measured_model(settings)
    outcomes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    right_section = {"extractive": 0, "final": 0}
    judged: dict[str, Counter[str]] = {"final": Counter(), "extractive": Counter()}
    # The same, sentence by sentence: an extractive quote is rarely labelled whole.
    by_sentence: dict[str, Counter[str]] = {"final": Counter(), "extractive": Counter()}
    unjudged: list[dict[str, Any]] = []
    seconds: list[float] = []
    try:
        with temporary_index(documents, embedder, "eval-answers") as index:
            knowledge = Knowledge(index, embedder)
            guard = GroundingGuard(embedder)
            name = settings.assistant.name
            answerer = GroundedAnswerer(model, guard, store_name=name, max_tokens=max_tokens)
            for number, item in enumerate(labelled, start=1):
                if progress:
                    progress(f"question {number}/{len(labelled)}")
                extractive = knowledge.answer(item.question)
                if extractive is None:
                    outcomes["not answered (no model call)"] += 1
                    continue
                right_section["extractive"] += extractive.sources[0].chunk_id in item.sections
                passages = passages_of(extractive.passages)
                began = time.perf_counter()
                result = await answerer.answer(item.question, passages, fallback=extractive.text)
                seconds.append(time.perf_counter() - began)
                if result.generated:
                    outcomes["model's draft stood"] += 1
                    hits = [
                        extractive.passages[n - 1].id
                        for n in set(citations(result.text))
                        if 0 < n <= len(passages)
                    ]
                    right_section["final"] += any(h in item.sections for h in hits)
                elif result.verdict is not None:
                    outcomes["replaced by the guard"] += 1
                    reasons.update(_reason_kinds(result.reason))
                else:
                    outcomes["model failed (extractive sent)"] += 1
                    reasons.update(["model failure"])
                if not result.generated:
                    right_section["final"] += extractive.sources[0].chunk_id in item.sections
                kind = "stood" if result.generated else "extractive"
                verdict = judge_final(item, result.text)
                judged["final"][f"{kind} {verdict}"] += 1
                judged["extractive"][judge_final(item, extractive.text)] += 1
                for side, text in (("final", result.text), ("extractive", extractive.text)):
                    by_sentence[side].update(
                        {True: "supported", False: "unsupported", None: "unlabelled"}[label]
                        for label in sentence_labels(item, text)
                    )
                if result.generated and verdict == "unjudged":
                    unjudged.append({"question": item.question, "final": result.text[:400]})
    finally:
        state = await model.state()
        await model.aclose()
    drafts = outcomes["model's draft stood"] + outcomes["replaced by the guard"]
    return {
        "provider": state.provider,
        "model": state.model,
        "first_token_timeout_s": settings.llm.first_token_timeout_s,
        "answered": sum(v for k, v in outcomes.items() if not k.startswith("not answered")),
        "outcomes": dict(outcomes),
        "replaced_share": round(outcomes["replaced by the guard"] / drafts, 3) if drafts else None,
        "rejection_reasons": dict(reasons),
        "right_section": right_section,
        # The model's drafts that stood, judged by the labels.
        "unsupported_shown_as_final": judged["final"]["stood unsupported"],
        "finals": dict(judged["final"]),
        "extractive": dict(judged["extractive"]),
        "sentences": {side: dict(counts) for side, counts in by_sentence.items()},
        "unjudged_drafts": unjudged,
        "median_answer_seconds": round(statistics.median(seconds), 2) if seconds else None,
    }


def evaluate_answers(
    settings: Settings,
    *,
    provider: LLMProvider | None = LLMProvider.llamacpp,
    limit: int | None = None,
    max_tokens: int = 96,
    first_token_timeout_s: float | None = None,
    embedder: Embedder | None = None,
    labels: Path = LABELS,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The guard against the labels, then (unless the provider, given or configured, is
    `none`) the model's answers.
    `first_token_timeout_s` overrides the configured one: the guard is measured on the
    model's drafts, so a small CPU model should not time out before it writes them."""
    started = time.perf_counter()
    cached = CachingEmbedder(embedder if embedder is not None else embedder_from_settings(settings))
    labelled = load_labels(settings.path("knowledge_base"), labels)[:limit]
    figures: dict[str, Any] = {
        "questions": len(labelled),
        "labels": str(labels),
        "max_tokens": max_tokens,
        "guard": judge_guard(GroundingGuard(cached), labelled),
        "model": None,
    }
    if (provider or settings.llm.provider) != LLMProvider.none:
        figures["model"] = asyncio.run(
            _answer_all(
                _with_model(settings, provider, first_token_timeout_s),
                cached,
                labelled,
                max_tokens=max_tokens,
                progress=progress,
            )
        )
    figures["seconds"] = round(time.perf_counter() - started, 1)
    return figures
