"""`assistant eval retrieval`: recall@1/5/10, MRR and nDCG@10 of hybrid search, beside
lexical-only and vector-only search over the same index, in the same run.

Three sets:
- **policyqa** — questions over 11 websites' privacy policies (PolicyQA); the paragraphs are
  the corpus, and a question's relevant paragraphs are those whose answers it has.
- **policies** — shopper questions written for the demo store's documents
  (`assistant/eval/data/policy_questions.yml`), each labelled with the section answering it.
- **products** — shopper queries over the real Flipkart catalog
  (`assistant/eval/data/flipkart_queries.yml`) with the products judged relevant.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.config import Settings
from assistant.engine.embeddings import CachingEmbedder, Embedder, embedder_from_settings
from assistant.errors import AisleError
from assistant.eval.ranking import ndcg
from assistant.knowledge.catalog_read import catalog_chunk_id, read_catalog
from assistant.knowledge.documents import Chunk, read_knowledge_base
from assistant.knowledge.index import Filters, KnowledgeIndex, Mode
from assistant.knowledge.ingest import get_collection, ingest

DATA = Path(__file__).parent / "data"
POLICYQA = "../shared/data/policyqa/policyqa.json"
FLIPKART = "../shared/data/flipkart/products.csv"
MODES: tuple[Mode, ...] = ("hybrid", "lexical", "vector")
CUTOFFS = (1, 5, 10)


class RetrievalDataError(AisleError):
    status_code = 422
    code = "invalid_retrieval_data"


@dataclass(frozen=True)
class Query:
    text: str
    relevant: frozenset[str]
    # Where the question is asked: PolicyQA questions are about one website's policy.
    filters: Filters | None = None


@dataclass(frozen=True)
class EvalSet:
    name: str
    chunks: list[Chunk]
    queries: list[Query]


def policyqa_set(path: Path) -> EvalSet:
    try:
        websites = json.loads(path.read_text(encoding="utf-8"))["data"]
    except (OSError, ValueError, KeyError) as exc:
        raise RetrievalDataError(f"{path}: cannot read PolicyQA: {exc}") from exc
    chunks: list[Chunk] = []
    relevant: dict[tuple[str, str], set[str]] = {}
    for website in websites:
        title = str(website["title"])
        for position, paragraph in enumerate(website["paragraphs"]):
            chunk_id = f"{title}#{position}"
            metadata: dict[str, str | int | float | bool] = {"type": "policy", "category": title}
            chunks.append(Chunk(chunk_id, title, title, "", str(paragraph["context"]), metadata))
            for qa in paragraph["qas"]:
                relevant.setdefault((title, str(qa["question"])), set()).add(chunk_id)
    queries = [
        Query(question, frozenset(ids), Filters(category=title))
        for (title, question), ids in relevant.items()
    ]
    return EvalSet("policyqa", chunks, queries)


def policies_set(knowledge_base: Path, questions_path: Path) -> EvalSet:
    chunks, problems = read_knowledge_base(knowledge_base)
    if problems:
        raise RetrievalDataError(f"unreadable documents: {problems}")
    documents = [c for c in chunks if c.metadata.get("type") != "product"]
    by_section: dict[tuple[str, str], set[str]] = {}
    for chunk in documents:
        by_section.setdefault((chunk.doc_id, chunk.section), set()).add(chunk.id)
    raw = yaml.safe_load(questions_path.read_text(encoding="utf-8"))
    queries = []
    for entry in raw["questions"]:
        targets = [entry, *(entry.get("also") or [])]
        ids: set[str] = set()
        for target in targets:
            key = (str(target["document"]), str(target["section"]))
            if key not in by_section:
                raise RetrievalDataError(f"{questions_path}: no section {key}")
            ids |= by_section[key]
        queries.append(Query(str(entry["question"]), frozenset(ids)))
    return EvalSet("policies", documents, queries)


FLIPKART_MAPPING = {
    "id": "pid",
    "name": "product_name",
    "category": "product_category_tree",
    "price": "discounted_price",
    "description": "description",
    "brand": "brand",
    "options": "product_specifications",
}


def flipkart_chunks(path: Path) -> list[Chunk]:
    """The catalog as `assistant kb import-catalog` reads it, with the same mapping."""
    read = read_catalog(path, FLIPKART_MAPPING, name="flipkart")
    if read.skipped:
        raise RetrievalDataError(f"{path}: rows skipped: {read.skipped[:3]}")
    return read.chunks


def products_set(catalog: Path, queries_path: Path) -> EvalSet:
    chunks = flipkart_chunks(catalog)
    known = {chunk.id for chunk in chunks}
    raw = yaml.safe_load(queries_path.read_text(encoding="utf-8"))
    queries = []
    for entry in raw["queries"]:
        relevant = frozenset(catalog_chunk_id("flipkart", str(pid)) for pid in entry["relevant"])
        if not relevant or not relevant <= known:
            raise RetrievalDataError(f"{queries_path}: bad relevant set for {entry['query']!r}")
        queries.append(Query(str(entry["query"]), relevant))
    return EvalSet("products", chunks, queries)


def score(ranked: Sequence[str], relevant: frozenset[str]) -> dict[str, float]:
    figures = {f"recall@{k}": len(relevant & set(ranked[:k])) / len(relevant) for k in CUTOFFS}
    first = next((rank for rank, cid in enumerate(ranked, 1) if cid in relevant), None)
    figures["mrr"] = 1.0 / first if first else 0.0
    figures["ndcg@10"] = ndcg(ranked, relevant, 10)
    return figures


@contextmanager
def temporary_index(
    chunks: Sequence[Chunk], embedder: Embedder, name: str
) -> Iterator[KnowledgeIndex]:
    """The chunks ingested into a throw-away Chroma collection, searched without a cache."""
    from assistant.knowledge.vector_store import open_vector_store

    with tempfile.TemporaryDirectory(prefix="aisle-") as directory:
        client = open_vector_store(directory)
        ingest(get_collection(client, name), embedder, chunks, scope="eval")
        index = KnowledgeIndex(get_collection(client, name), embedder, cache_size=0)
        index.refresh()
        try:
            yield index
        finally:
            client.clear_system_cache()


def evaluate_set(
    eval_set: EvalSet,
    embedder: Embedder,
    *,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    started = time.perf_counter()
    if progress:
        progress(f"{eval_set.name}: embedding {len(eval_set.chunks)} chunks")
    with temporary_index(eval_set.chunks, embedder, f"eval-{eval_set.name}") as index:
        if progress:
            progress(f"{eval_set.name}: {len(eval_set.queries)} queries")
        # Embed every query once, in batches, before any search times are taken.
        embedder.encode([query.text for query in eval_set.queries])
        systems: dict[str, dict[str, float]] = {}
        for mode in MODES:
            totals: dict[str, float] = {}
            for query in eval_set.queries:
                hits = index.search(query.text, k=10, mode=mode, filters=query.filters)
                ranked = [hit.id for hit in hits]
                for name, value in score(ranked, query.relevant).items():
                    totals[name] = totals.get(name, 0.0) + value
            systems[mode] = {k: round(v / len(eval_set.queries), 4) for k, v in totals.items()}
    return {
        "set": eval_set.name,
        "chunks": len(eval_set.chunks),
        "queries": len(eval_set.queries),
        "systems": systems,
        "seconds": round(time.perf_counter() - started, 1),
    }


def evaluate_retrieval(
    settings: Settings,
    *,
    sets: Sequence[str] = ("policyqa", "policies", "products"),
    embedder: Embedder | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    cached = CachingEmbedder(embedder if embedder is not None else embedder_from_settings(settings))
    builders: dict[str, Callable[[], EvalSet]] = {
        "policyqa": lambda: policyqa_set(settings.path(POLICYQA)),
        "policies": lambda: policies_set(
            settings.path("knowledge_base"), DATA / "policy_questions.yml"
        ),
        "products": lambda: products_set(settings.path(FLIPKART), DATA / "flipkart_queries.yml"),
    }
    unknown = sorted(set(sets) - set(builders))
    if unknown:
        raise RetrievalDataError(f"unknown evaluation sets: {', '.join(unknown)}")
    results = [evaluate_set(builders[name](), cached, progress=progress) for name in sets]
    return {"sets": results, "modes": list(MODES), "cutoffs": list(CUTOFFS)}
