"""`assistant eval suggestions`: are the suggestions ones a shopper would take? Judged
relevance on the demo catalog.

`data/suggestion_requests.yml` holds shopper requests of four kinds — complement ("something
to go with my keyboard"), alike ("more like this", a clicked button or typed), gift ("for my
dad who likes coffee", with or without a budget) and personal ("what would you recommend for
me?", signed in as a customer of the demo store) — each with the catalog's product types a
sensible shop assistant would accept, written from the catalog alone.

Every request is a fresh conversation with the real dialogue engine (trained NLU, flows,
actions) on a seeded temporary copy of the demo store, no language model; a personal request
is signed in as its customer first. The assistant's suggestions are the product cards of its
last reply. Two baselines in the same run get the same constraints (the budget as the catalog
reads it from the shopper's words, never the judged `max_price`):
- **popularity**: the best-selling products;
- **co-purchase**: the built-in recommender fitted on the store's orders alone (co-occurrence,
  the store's weights), its history the products the request names (the clicked card's
  product; for a personal request the customer's orders).

precision@3 = acceptable among the first three shown ÷ the number shown (at most 3; nothing
shown scores 0); a suggestion is acceptable when its product is listed and its price is
within `max_price`. `strict` divides by 3 whatever was shown. Means per kind and overall.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from assistant.errors import AisleError

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.engine.manager import DialogueEngine
    from assistant.recs.service import StoreRecommender
    from assistant.search.session import SearchSession

REQUESTS = Path(__file__).parent / "data" / "suggestion_requests.yml"
K = 3
KINDS = ("complement", "alike", "gift", "personal")
SYSTEMS = ("aisle", "popularity", "co_purchase")


class SuggestionDataError(AisleError):
    code = "invalid_suggestion_requests"


@dataclass(frozen=True)
class Request:
    id: str
    kind: str
    turns: tuple[str, ...]
    acceptable: frozenset[str]
    max_price: Decimal | None = None
    customer: str | None = None


Shown = list[tuple[str, Decimal]]


def load_requests(path: Path, products: set[str]) -> list[Request]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SuggestionDataError(f"{path}: {exc}") from exc
    requests = []
    for raw in data.get("requests") or []:
        try:
            request = Request(
                id=str(raw["id"]),
                kind=str(raw["kind"]),
                turns=tuple(str(t) for t in raw["turns"]),
                acceptable=frozenset(str(a) for a in raw["acceptable"]),
                max_price=Decimal(str(raw["max_price"])) if "max_price" in raw else None,
                customer=str(raw["customer"]) if raw.get("customer") else None,
            )
        except (KeyError, TypeError, ArithmeticError) as exc:
            raise SuggestionDataError(f"{path}: malformed request {raw!r}: {exc}") from exc
        unknown = request.acceptable - products
        if request.kind not in KINDS or unknown or not request.turns:
            raise SuggestionDataError(
                f"{path}: request {request.id}: kind {request.kind!r}, unknown products "
                f"{sorted(unknown)}"
            )
        requests.append(request)
    if not requests:
        raise SuggestionDataError(f"{path}: no requests")
    return requests


def precision(shown: Shown, request: Request, *, strict: bool = False) -> float:
    top = shown[:K]
    good = sum(
        1
        for name, price in top
        if name in request.acceptable and (request.max_price is None or price <= request.max_price)
    )
    if strict:
        return good / K
    return good / len(top) if top else 0.0


def evaluate_suggestions(
    settings: Settings,
    *,
    path: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    from assistant.backends.sql_orders import SqlOrderBackend
    from assistant.engine.embeddings import CachingEmbedder, embedder_from_settings
    from assistant.engine.nlu.model import train_from_settings
    from assistant.eval.demo_engine import demo_engine

    started = time.perf_counter()
    path = path or REQUESTS
    embedder = CachingEmbedder(embedder_from_settings(settings))
    if progress:
        progress("training the NLU model")
    parser = train_from_settings(settings, embedder)
    with tempfile.TemporaryDirectory(prefix="aisle-suggest-") as workdir:
        engine, session, shopping, sessions, dispose = demo_engine(
            settings, parser, embedder, Path(workdir)
        )
        try:
            products = {p.name for p in session.index.products}
            requests = load_requests(path, products)
            orders = SqlOrderBackend(sessions)
            plain = _co_purchase(shopping.recommender, orders, settings)
            results = []
            for number, request in enumerate(requests, 1):
                said, transcript = asyncio.run(_converse(engine, request))
                results.append(
                    {
                        "id": request.id,
                        "kind": request.kind,
                        "shown": {
                            "aisle": said,
                            "popularity": _popular(session, request),
                            "co_purchase": plain(session, request),
                        },
                        "transcript": transcript,
                    }
                )
                if progress and (number % 10 == 0 or number == len(requests)):
                    progress(f"{number}/{len(requests)} requests")
        finally:
            dispose()
    return _report(requests, results, path, time.perf_counter() - started)


def _report(
    requests: Sequence[Request], results: list[dict[str, Any]], path: Path, seconds: float
) -> dict[str, Any]:
    by_id = {r.id: r for r in requests}
    figures: dict[str, dict[str, dict[str, float]]] = {}
    cases: list[dict[str, Any]] = []
    for result in results:
        request = by_id[result["id"]]
        scored = {}
        for system in SYSTEMS:
            shown: Shown = result["shown"][system]
            scored[system] = {
                "precision@3": precision(shown, request),
                "strict": precision(shown, request, strict=True),
                "shown": [name for name, _ in shown[:K]],
            }
        cases.append(
            {
                "id": request.id,
                "kind": request.kind,
                "systems": scored,
                "transcript": result["transcript"],
            }
        )
    for group in (*KINDS, "overall"):
        members = [c for c in cases if group in (c["kind"], "overall")]
        figures[group] = {
            system: {
                metric: round(
                    sum(c["systems"][system][metric] for c in members) / max(len(members), 1), 3
                )
                for metric in ("precision@3", "strict")
            }
            for system in SYSTEMS
        }
        figures[group]["requests"] = {"count": float(len(members))}
    misses = [
        {
            "id": c["id"],
            "kind": c["kind"],
            "shown": c["systems"]["aisle"]["shown"],
            "transcript": c["transcript"],
        }
        for c in cases
        if c["systems"]["aisle"]["precision@3"] < 1
    ]
    return {
        "requests_file": str(path),
        "k": K,
        "systems": list(SYSTEMS),
        "figures": figures,
        "misses": misses,
        "seconds": round(seconds, 1),
    }


async def _converse(engine: DialogueEngine, request: Request) -> tuple[Shown, list[str]]:
    tracker = engine.new_tracker(f"suggest-{request.id}")
    if request.customer:
        tracker.slots["customer_id"] = request.customer
    shown: Shown = []
    transcript: list[str] = []
    for text in request.turns:
        result = await engine.handle(tracker, text)
        shown = []
        for message in (m.as_data() for m in result.messages):
            custom = message.get("custom") or {}
            if custom.get("type") == "product_cards":
                shown = [(c["name"], Decimal(str(c["price"]))) for c in custom["cards"]]
            transcript.append(f"{text} -> {str(message.get('text') or '')[:160]}")
    return shown, transcript


def _constraints(session: SearchSession, request: Request) -> Any:
    return session.read(request.turns[-1]).without("products")


def _one_per_product(session: SearchSession, ranked: Sequence[str] | None, terms: Any) -> Shown:
    hits = session.index.best_versions(ranked, terms, limit=K)
    return [(hit.product.name, hit.variant.price) for hit in hits]


def _popular(session: SearchSession, request: Request) -> Shown:
    return _one_per_product(session, None, _constraints(session, request))


def _co_purchase(
    recommender: StoreRecommender | None, orders: Any, settings: Settings
) -> Callable[[SearchSession, Request], Shown]:
    """Plain co-purchase: the store's recommender on its orders only, no kinds, no table."""
    from assistant.recs.engine import CoOccurrenceRecommender
    from assistant.recs.interface import Interaction

    assert recommender is not None and recommender.history is not None
    history_of = recommender.history
    bought = [i for i in history_of.all() if i.kind == "bought"]
    params = settings.recommendations.recs_params()
    model = CoOccurrenceRecommender.fit(bought, params)

    def suggest(session: SearchSession, request: Request) -> Shown:
        index = session.index
        anchors: list[str] = []
        for text in request.turns:
            if text.startswith("/") and '"like"' in text:
                item = text.split('"like"')[1].strip(' :}"')
                hit = index.find(item)
                anchors += [hit.product.id] if hit is not None else []
            else:
                names = session.read(text).products
                anchors += [p.id for n in sorted(names) for p in index.products_named(n)]
        history = [Interaction(a, "asked", float(n), "bought") for n, a in enumerate(anchors)]
        if request.customer:
            history = history_of.for_customer(request.customer) + history
        owned = {i.item for i in history}
        ranked = [s.item for s in model.recommend(history, k=len(model.index), exclude=owned)]
        return _one_per_product(session, ranked, _constraints(session, request))

    return suggest
