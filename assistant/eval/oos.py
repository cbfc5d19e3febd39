"""`assistant eval oos`: what messages from other domains start, on CLINC150.

Every CLINC150 message of the chosen splits (the headline: `val` and `oos_val`) goes through
the real dialogue engine as the first message of a fresh conversation, with the demo store,
its catalog search and its documents behind it. The judge reads only what the turn left on
the tracker: it *started something* when it pushed an order flow (one that collects the
shopper's identity or an order), ran a search (the `search` slot set, or product cards
shown), or gave a policy answer (a message of type `answer` with sources). An assistant for a
store should do none of these for "what's the exchange rate for the euro".

CLINC150's `order` and `order_status` intents are shopping ("where is my package"): they are
left out of the headline and reported on their own line.

Beside it, in the same run, a TF-IDF + logistic-regression intent classifier trained on
`nlu_data/`, its regularisation and threshold tuned on `nlu_data/` alone
(`nlu_tuning.tune`); for it, a message starts something when the intent it predicts triggers
a flow that does. The false out-of-scope rate is measured on Bitext's requests that map to
such an intent: the share that either system puts out of scope (the NLU alone, which is
cheap).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.engine.flows import FlowSet, load_flows
from assistant.engine.manager import Parser
from assistant.engine.nlu.model import OUT_OF_SCOPE, NLUModel
from assistant.engine.nlu.result import ParseResult
from assistant.eval.nlu import BaselineClassifier, EvalDataError, load_bitext, load_intent_map
from assistant.eval.nlu_tuning import tune

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.engine.embeddings import Embedder

DEFAULT_DATA = "../shared/data/clinc150/train_val.json"
DEFAULT_BITEXT = "../shared/data/bitext/intents.csv"
HEADLINE_SPLITS = ("val", "oos_val")
# CLINC150 intents a store assistant is right to act on.
SHOPPING_INTENTS = frozenset({"order", "order_status"})
KINDS = ("order", "search", "policy")
# Slots only a task on the shopper's own orders collects.
ORDER_SLOTS = frozenset({"customer_id", "order_id"})
SEARCH_ACTIONS = frozenset({"action_search_products", "action_recommend"})
POLICY_ACTIONS = frozenset({"action_answer_question"})
CARD_TYPES = frozenset({"product_cards", "product_comparison"})
TARGET = 0.02


@dataclass(frozen=True)
class Message:
    text: str
    intent: str
    split: str


@dataclass(frozen=True)
class OOSReport:
    data: str
    splits: list[str]
    messages: int
    # System -> share of the headline messages that start something.
    started_share: dict[str, float]
    # System -> kind -> messages.
    started_by_kind: dict[str, dict[str, int]]
    # System -> split -> share.
    by_split: dict[str, dict[str, float]]
    shopping_messages: int
    shopping_started_share: dict[str, float]
    # System -> share of in-scope Bitext requests put out of scope (None: not measured).
    false_out_of_scope: dict[str, float | None]
    in_scope_rows: int
    baseline_tuning: dict[str, Any]
    target: float
    examples: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_clinc(path: Path, splits: Sequence[str]) -> list[Message]:
    if not path.is_file():
        raise EvalDataError(f"{path}: CLINC150 data not found")
    data = json.loads(path.read_text(encoding="utf-8"))
    missing = [name for name in splits if name not in data]
    if missing:
        raise EvalDataError(f"{path}: no split {', '.join(missing)}")
    return [
        Message(str(text), str(intent), name)
        for name in splits
        for text, intent in data[name]
        if str(text).strip()
    ]


def flow_kinds(flows: FlowSet) -> dict[str, set[str]]:
    """What each flow starts: an order task, a search, a policy answer (or nothing)."""
    kinds: dict[str, set[str]] = {}
    for name, flow in flows.flows.items():
        found: set[str] = set()
        for step in flow.steps:
            if step.collect in ORDER_SLOTS:
                found.add("order")
            if step.action in SEARCH_ACTIONS:
                found.add("search")
            if step.action in POLICY_ACTIONS:
                found.add("policy")
        kinds[name] = found
    return kinds


def started(events: Sequence[dict[str, Any]], kinds: dict[str, set[str]]) -> set[str]:
    """What one turn's events show it started."""
    found: set[str] = set()
    for event in events:
        kind = event.get("event")
        if kind == "active_loop" and "order" in kinds.get(str(event.get("name")), set()):
            found.add("order")
        elif kind == "slot" and event.get("name") == "search" and event.get("value"):
            found.add("search")
        elif kind == "bot":
            custom = (event.get("data") or {}).get("custom") or {}
            if not isinstance(custom, dict):
                continue
            if custom.get("type") in CARD_TYPES and (custom.get("cards") or custom.get("items")):
                found.add("search")
            elif custom.get("type") == "answer" and custom.get("sources"):
                found.add("policy")
    return found


class _Parsed:
    """The NLU with every message parsed in one batch beforehand (the same results)."""

    def __init__(self, model: NLUModel, texts: Sequence[str]) -> None:
        self.model = model
        self.results = dict(zip(texts, model.parse_many(list(texts)), strict=True))

    def parse(self, text: str) -> ParseResult:
        found = self.results.get(text)
        return found if found is not None else self.model.parse(text)


def evaluate_oos(
    settings: Settings,
    *,
    data_path: Path | None = None,
    splits: Sequence[str] = HEADLINE_SPLITS,
    limit: int | None = None,
    model: NLUModel | None = None,
    embedder: Embedder | None = None,
    bitext_path: Path | None = None,
    in_scope: bool = True,
    folds: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> OOSReport:
    """`limit`: only the first N messages of each split (a quick look, or a test)."""
    from assistant.engine.embeddings import CachingEmbedder, embedder_from_settings
    from assistant.engine.nlu.model import train_from_settings
    from assistant.engine.nlu.training_data import load_training_data

    began = time.perf_counter()
    path = (data_path if data_path is not None else settings.path(DEFAULT_DATA)).resolve()
    messages: list[Message] = []
    for name in splits:
        messages += load_clinc(path, [name])[:limit] if limit else load_clinc(path, [name])
    cached = CachingEmbedder(embedder if embedder is not None else embedder_from_settings(settings))
    if model is None:
        model = train_from_settings(settings, cached)
    flows = load_flows(settings.path(settings.dialogue.flows))
    kinds = flow_kinds(flows)
    training = load_training_data(settings.path(settings.nlu.training_data))
    texts = [e.text for e in training.examples]
    labels = [e.intent for e in training.examples]

    def fit_baseline(train: Sequence[int], c: float) -> Any:
        fitted = BaselineClassifier(threshold=0.0, regularisation=c).fit_texts(
            [texts[i] for i in train], [labels[i] for i in train]
        )
        return lambda test: (fitted.classes, fitted.predict_proba([texts[i] for i in test]))

    if progress:
        progress("tuning the baseline on nlu_data/")
    tuned = tune(labels, fit_baseline, folds=folds) if folds else tune(labels, fit_baseline)
    baseline = BaselineClassifier(
        threshold=tuned.threshold, regularisation=tuned.regularisation
    ).fit(training)

    def baseline_starts(intents: Sequence[str]) -> list[set[str]]:
        return [kinds.get(flows.for_intent(i) or "", set()) for i in intents]

    if progress:
        progress(f"{len(messages)} messages through the dialogue engine")
    aisle = asyncio.run(_through_engine(settings, model, cached, messages, kinds, progress))
    base = baseline_starts(baseline.predict([m.text for m in messages]))
    outcomes = {"aisle": aisle, "baseline": base}

    headline = [i for i, m in enumerate(messages) if m.intent not in SHOPPING_INTENTS]
    shopping = [i for i, m in enumerate(messages) if m.intent in SHOPPING_INTENTS]
    false_oos: dict[str, float | None] = {"aisle": None, "baseline": None}
    in_scope_rows = 0
    if in_scope:
        bitext = bitext_path if bitext_path is not None else settings.path(DEFAULT_BITEXT)
        false_oos, in_scope_rows = _false_out_of_scope(model, baseline, bitext, kinds, flows)
    examples = [
        {"text": messages[i].text, "intent": messages[i].intent, "started": sorted(aisle[i])}
        for i in headline
        if aisle[i]
    ]
    return OOSReport(
        data=str(path),
        splits=list(splits),
        messages=len(headline),
        started_share={s: _share([bool(o[i]) for i in headline]) for s, o in outcomes.items()},
        started_by_kind={
            system: {k: sum(k in o[i] for i in headline) for k in KINDS}
            for system, o in outcomes.items()
        },
        by_split={
            system: {
                name: _share([bool(o[i]) for i in headline if messages[i].split == name])
                for name in splits
            }
            for system, o in outcomes.items()
        },
        shopping_messages=len(shopping),
        shopping_started_share={
            s: _share([bool(o[i]) for i in shopping]) for s, o in outcomes.items()
        },
        false_out_of_scope=false_oos,
        in_scope_rows=in_scope_rows,
        baseline_tuning={"regularisation": tuned.regularisation, "threshold": tuned.threshold},
        target=TARGET,
        examples=examples,
        seconds=round(time.perf_counter() - began, 1),
    )


async def _through_engine(
    settings: Settings,
    model: NLUModel,
    embedder: Embedder,
    messages: Sequence[Message],
    kinds: dict[str, set[str]],
    progress: Callable[[str], None] | None,
) -> list[set[str]]:
    """Each message as the first of its own conversation; what each started."""
    from assistant.eval.demo_engine import demo_engine
    from assistant.eval.retrieval import temporary_index
    from assistant.knowledge.documents import read_knowledge_base
    from assistant.services import SEARCH_FLOW

    chunks, _ = read_knowledge_base(settings.path("knowledge_base"))
    parser: Parser = _Parsed(model, [m.text for m in messages])
    with (
        tempfile.TemporaryDirectory(prefix="aisle-oos-") as workdir,
        temporary_index(chunks, embedder, "eval-oos") as index,
    ):
        engine, _, _, _, dispose = demo_engine(
            settings, parser, embedder, Path(workdir), documents=index, search_flow=SEARCH_FLOW
        )
        try:
            found: list[set[str]] = []
            for number, message in enumerate(messages, 1):
                tracker = engine.new_tracker(f"oos-{number}")
                await engine.handle(tracker, message.text)
                found.append(started(tracker.events, kinds))
                if progress and number % 250 == 0:
                    progress(f"{number}/{len(messages)} messages")
            return found
        finally:
            dispose()


def _false_out_of_scope(
    model: NLUModel,
    baseline: BaselineClassifier,
    bitext: Path,
    kinds: dict[str, set[str]],
    flows: FlowSet,
) -> tuple[dict[str, float | None], int]:
    """The share of Bitext requests for an intent that starts something which each system's
    NLU puts out of scope."""
    mapping = load_intent_map()
    rows = [
        text
        for text, intent in load_bitext(bitext)
        if mapping.get(intent) and kinds.get(flows.for_intent(str(mapping[intent])) or "")
    ]
    if not rows:
        return {"aisle": None, "baseline": None}, 0
    aisle = [r.intent == OUT_OF_SCOPE for r in model.parse_many(rows)]
    base = [p == OUT_OF_SCOPE for p in baseline.predict(rows)]
    return {"aisle": _share(aisle), "baseline": _share(base)}, len(rows)


def _share(flags: Sequence[bool]) -> float:
    return round(sum(flags) / len(flags), 4) if flags else 0.0
