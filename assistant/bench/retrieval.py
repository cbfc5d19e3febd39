"""`assistant bench retrieval`: how fast the knowledge base ingests and answers as the catalog
grows, beside a brute-force numpy scan over the same vectors, measured in one run.

- **Ingestion**: `ingest()` of 1,000 synthetic product chunks with the real embedder
  (documents/s), and of the same chunks with precomputed vectors (the upsert alone).
- **Query latency**: p50/p99 of `KnowledgeIndex.search` in hybrid mode at each catalog size,
  unfiltered and with two filters: a broad one (in-stock products up to $50) and a narrow one
  (the query's category and one of its option values, as the dialogue fills them in). The query
  is embedded for real inside the timed call: that is what a shopper's turn costs. The index is
  built with `cache_size=0`, so no answer comes from the cache.
- **Reference**: the same queries as a numpy scan (embed, `matrix @ q`, top-10 with
  `np.argpartition`; a filter is a boolean mask, and a narrow one scores only its rows), with
  one BLAS thread, and the query embedding alone.
- With `breakdown`, each side of the hybrid search alone, to see where its time goes.

The catalog is synthetic and seeded: products drawn from a vocabulary of product types, their
options and values (modelled on the demo store's catalog), brands and made-up product-line
names, described by `describe_variant` with metadata shaped like the real catalog chunks.
Embedding 100k descriptions for real would take about 40 minutes on 2 cores, so a product's
vector is composed: each distinct vocabulary phrase (the type, the brand, "color red", …) is
embedded once for real, and a product's vector is the L2-normalised sum of its phrases'
vectors plus a small seeded random part (so that products with the same phrases are not
identical points). These vectors are for timing only; the 1k ingestion figure and every query
use real embeddings.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from assistant.engine.embeddings import Embedder
from assistant.knowledge.documents import Chunk, describe_variant, slug
from assistant.knowledge.index import Filters, KnowledgeIndex, Mode, words
from assistant.knowledge.ingest import chunk_metadata, get_collection, ingest

DEFAULT_SIZES = (1_000, 10_000, 100_000)
DEFAULT_QUERIES = 200
DEFAULT_SEED = 20240601
INGEST_DOCUMENTS = 1_000
# Queries run before the timed ones, for every system (model, HNSW index and caches loaded).
WARMUP = 5
K = 10
# The project's target: hybrid search p50 at 100k products, filtered and unfiltered.
TARGET_P50_MS = 30.0
TARGET_SIZE = 100_000
# Norm of the random part of a synthetic vector; the phrase part is a sum of about five unit
# vectors before normalisation.
NOISE = 0.5
PRICE_FILTER = Filters(type="product", max_price=50.0, available=True)
SCOPE = "bench"
# Chunks per upsert when the catalog sizes are loaded.
BULK_BATCH = 5_000
SYSTEMS = (
    "hybrid",
    "hybrid_price",
    "hybrid_category",
    "numpy",
    "numpy_price",
    "numpy_category",
    "embedding",
)
# With `breakdown`: each side of the hybrid search alone (`mode="vector"`, `mode="lexical"`).
BREAKDOWN = tuple(
    f"{mode}{suffix}" for mode in ("vector", "lexical") for suffix in ("", "_price", "_category")
)
VECTORS_NOTE = (
    "Synthetic product vectors (timing only): each vocabulary phrase embedded once for real, "
    "a product's vector is the L2-normalised sum of its phrases' vectors plus a small seeded "
    "random part. The 1k ingestion and every query are embedded for real."
)

Options = dict[str, tuple[str, ...]]
# Product type, its options and their values, and its price range in dollars.
TYPES: tuple[tuple[str, Options, float, float], ...] = (
    (
        "T-Shirt",
        {
            "color": ("black", "white", "blue", "red", "green", "purple", "grey"),
            "size": ("XS", "S", "M", "L", "XL", "XXL"),
            "material": ("cotton", "polyester", "linen", "bamboo"),
            "style": ("crew neck", "v-neck", "henley"),
        },
        9,
        60,
    ),
    (
        "Hoodie",
        {
            "color": ("black", "grey", "navy", "olive", "burgundy"),
            "size": ("S", "M", "L", "XL", "XXL"),
            "material": ("cotton", "fleece", "polyester"),
            "fit": ("regular", "oversized", "slim"),
        },
        25,
        95,
    ),
    (
        "Fleece Jacket",
        {
            "color": ("black", "navy", "red", "forest green"),
            "size": ("XS", "S", "M", "L", "XL"),
            "zipper": ("full", "half"),
        },
        40,
        160,
    ),
    (
        "Running Shoes",
        {
            "color": ("black", "red", "white", "yellow", "blue"),
            "size": ("7", "8", "9", "10", "11", "12"),
            "material": ("mesh", "synthetic", "leather"),
            "sole": ("EVA", "rubber"),
        },
        45,
        180,
    ),
    (
        "Hiking Boots",
        {
            "size": ("7", "8", "9", "10", "11", "12"),
            "material": ("leather", "synthetic", "suede"),
            "waterproof": ("yes", "no"),
        },
        60,
        260,
    ),
    (
        "Backpack",
        {
            "color": ("black", "green", "grey", "navy", "orange"),
            "size": ("small", "medium", "large"),
            "material": ("leather", "nylon", "polyester", "canvas"),
            "compartment": ("camera", "hydration", "laptop"),
        },
        20,
        180,
    ),
    (
        "Water Bottle",
        {
            "color": ("black", "blue", "green", "red", "white", "pink"),
            "capacity": ("500ml", "750ml", "1000ml"),
            "material": ("stainless steel", "glass", "plastic"),
        },
        8,
        45,
    ),
    (
        "Yoga Mat",
        {
            "color": ("purple", "blue", "black", "pink", "teal"),
            "thickness": ("4mm", "6mm", "8mm"),
            "material": ("PVC", "TPE", "natural rubber", "cork"),
        },
        15,
        120,
    ),
    (
        "Mechanical Keyboard",
        {
            "switch type": ("linear", "tactile", "clicky"),
            "backlight": ("RGB", "white", "none"),
            "size": ("60%", "80%", "full size"),
        },
        40,
        260,
    ),
    (
        "Gaming Mouse",
        {
            "color": ("black", "white", "RGB"),
            "connectivity": ("wired", "wireless"),
            "sensor type": ("optical", "laser"),
        },
        20,
        150,
    ),
    (
        "Headphones",
        {
            "color": ("black", "white", "blue", "red"),
            "connectivity": ("wired", "wireless"),
            "type": ("in-ear", "on-ear", "over-ear"),
        },
        20,
        400,
    ),
    (
        "Wireless Earbuds",
        {
            "color": ("black", "white", "blue"),
            "battery life": ("4 hours", "6 hours", "8 hours"),
            "water resistance": ("IPX4", "IPX7", "none"),
        },
        25,
        250,
    ),
    (
        "Bluetooth Speaker",
        {
            "color": ("black", "blue", "green", "red"),
            "battery life": ("10 hours", "20 hours"),
            "water resistance": ("yes", "no"),
        },
        25,
        300,
    ),
    (
        "Smart Watch",
        {
            "color": ("black", "gold", "silver", "rose gold"),
            "band material": ("leather", "metal", "silicone"),
            "display": ("AMOLED", "LCD"),
        },
        80,
        450,
    ),
    (
        "Laptop",
        {
            "color": ("black", "silver", "space grey"),
            "processor": ("i5", "i7", "i9"),
            "ram": ("8GB", "16GB", "32GB"),
            "screen size": ("13-inch", "15-inch", "17-inch"),
            "storage": ("256GB SSD", "512GB SSD", "1TB SSD"),
        },
        450,
        2800,
    ),
    (
        "Tablet",
        {
            "color": ("black", "silver", "gold"),
            "storage": ("64GB", "128GB", "256GB"),
            "screen size": ("8-inch", "10-inch", "12-inch"),
        },
        120,
        1100,
    ),
    (
        "Action Camera",
        {
            "color": ("black", "silver"),
            "resolution": ("1080p", "4K", "5K"),
            "waterproof": ("yes", "no"),
        },
        90,
        500,
    ),
    (
        "Desk Lamp",
        {
            "color": ("black", "silver", "white", "brass"),
            "brightness": ("low", "medium", "high"),
            "power source": ("AC adapter", "USB", "battery"),
        },
        15,
        150,
    ),
    (
        "Office Chair",
        {
            "color": ("black", "blue", "gray", "red"),
            "material": ("fabric", "leather", "mesh"),
            "armrest": ("adjustable", "fixed", "none"),
        },
        80,
        650,
    ),
    (
        "Bookshelf",
        {
            "color": ("black", "brown", "white", "oak"),
            "material": ("glass", "metal", "wood"),
            "height": ("3 ft", "4 ft", "5 ft", "6 ft"),
        },
        40,
        400,
    ),
    (
        "Coffee Maker",
        {
            "color": ("black", "stainless steel", "white"),
            "capacity": ("1 cup", "4 cups", "8 cups", "12 cups"),
            "type": ("drip", "pour over", "french press"),
        },
        20,
        250,
    ),
    (
        "Electric Kettle",
        {
            "color": ("black", "silver", "white"),
            "capacity": ("1L", "1.5L", "2L"),
            "material": ("glass", "plastic", "stainless steel"),
        },
        18,
        120,
    ),
    (
        "Air Purifier",
        {
            "room size": ("small", "medium", "large"),
            "filter type": ("HEPA", "carbon", "ionic"),
            "features": ("night mode", "quiet operation", "smart sensors"),
        },
        60,
        600,
    ),
    (
        "Vacuum Cleaner",
        {
            "type": ("upright", "canister", "robotic", "cordless stick"),
            "bagged": ("bagged", "bagless"),
            "color": ("red", "grey", "black"),
        },
        60,
        700,
    ),
    (
        "Pet Bed",
        {
            "color": ("beige", "brown", "grey"),
            "size": ("small", "medium", "large"),
            "material": ("fleece", "memory foam", "polyester"),
        },
        15,
        160,
    ),
    (
        "Cycling Helmet",
        {
            "color": ("black", "blue", "red", "white"),
            "size": ("S", "M", "L"),
            "ventilation": ("low", "medium", "high"),
        },
        30,
        250,
    ),
    (
        "Skateboard",
        {
            "deck material": ("bamboo", "maple", "plastic"),
            "design": ("custom", "graphic", "plain"),
            "length": ("28 inch", "31 inch", "34 inch"),
        },
        30,
        200,
    ),
    (
        "Dumbbell Set",
        {
            "material": ("iron", "rubber", "urethane"),
            "set type": ("adjustable", "fixed"),
            "weight range": ("5-25 lbs", "30-50 lbs", "55-75 lbs"),
        },
        40,
        500,
    ),
    (
        "Sunglasses",
        {
            "color": ("black", "brown", "tortoise", "gold"),
            "lens type": ("polarized", "non-polarized", "mirrored"),
            "frame material": ("plastic", "metal", "acetate"),
        },
        15,
        300,
    ),
    (
        "Luggage Set",
        {
            "color": ("black", "blue", "red", "silver"),
            "material": ("hardshell", "softshell"),
            "piece count": ("2-piece", "3-piece", "4-piece"),
        },
        90,
        700,
    ),
    (
        "Garden Hose",
        {
            "color": ("black", "blue", "green"),
            "length": ("25ft", "50ft", "100ft"),
            "material": ("latex", "rubber", "vinyl"),
        },
        15,
        110,
    ),
    (
        "Perfume",
        {
            "scent family": ("fresh", "oriental", "woody", "floral"),
            "size": ("30ml", "50ml", "100ml"),
            "gender": ("men", "women", "unisex"),
        },
        25,
        300,
    ),
    (
        "Jigsaw Puzzle",
        {
            "pieces": ("500", "1000", "1500", "2000"),
            "theme": ("animals", "art", "fantasy", "landscape"),
            "difficulty level": ("beginner", "intermediate", "expert"),
        },
        10,
        60,
    ),
    (
        "Portable Charger",
        {
            "color": ("black", "blue", "white"),
            "capacity": ("5000mAh", "10000mAh", "20000mAh"),
            "output": ("USB-A", "USB-C", "Wireless"),
        },
        15,
        120,
    ),
    (
        "Espresso Machine",
        {
            "pressure": ("9 bar", "15 bar", "19 bar"),
            "capacity": ("1L", "1.5L", "2L"),
            "type": ("automatic", "capsule", "manual"),
        },
        80,
        1200,
    ),
)
BRANDS = (
    "Northwind", "Alderway", "Bluecrest", "Copperfield", "Driftwood", "Everpeak", "Foxglove",
    "Graniteline", "Harborview", "Ironbark", "Juniper", "Kestrel", "Lumen", "Marlowe",
    "Nimbus", "Oakhurst", "Pinecone", "Quayside", "Redwood", "Silverline", "Tidewater",
    "Umbra", "Vantage", "Westbrook", "Yarrow", "Zephyr", "Arcadia", "Brightwater", "Cedarloft",
    "Dunmore",
)  # fmt: skip
_ONSETS = ("b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br",
           "tr", "st", "gr", "pl", "kr", "sh", "th", "fl")  # fmt: skip
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "io", "ou")
_CODAS = ("", "n", "r", "l", "s", "x", "m", "nd", "rt", "st", "k")
_TEMPLATES = (
    "{value} {type}",
    "{type} {value}",
    "do you have {type} with {key} {value}",
    "i'm looking for {brand} {type}, {value}",
    "{value} {type} under ${price}",
    "cheap {type} in {value}",
    "which {type} come with {key} {value}?",
    "{brand} {type} {value} {value2}",
    "best {type} for {key} {value}",
    "show me {value} {type} that are in stock",
    "{type} {key} {value} {value2} please",
    "i need a {value} {type} for my trip",
)


@dataclass(frozen=True)
class Product:
    chunk: Chunk
    # The vocabulary phrases its synthetic vector is composed of.
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class BenchQuery:
    text: str
    category: str
    # Option key as in the metadata without `opt_`, and its value.
    option: tuple[str, str]

    @property
    def narrow(self) -> Filters:
        return Filters(type="product", category=self.category, options=dict([self.option]))


def _option_key(key: str) -> str:
    return slug(key).replace("-", "_")


def _line_names(count: int, rng: random.Random) -> list[str]:
    """Made-up product-line names ("Brolaix"), distinct: the vocabulary grows with the catalog."""
    names: set[str] = set()
    ordered: list[str] = []
    while len(ordered) < count:
        syllables = rng.choice((2, 2, 3))
        name = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)
        ).capitalize()
        if name not in names:
            names.add(name)
            ordered.append(name)
    return ordered


def synthetic_catalog(size: int, seed: int = DEFAULT_SEED) -> list[Product]:
    """`size` product variants, in groups of 3 to 15 variants of one product."""
    rng = random.Random(seed)
    lines = _line_names(size // 3 + 1, rng)
    products: list[Product] = []
    group = 0
    while len(products) < size:
        kind, options, low, high = rng.choice(TYPES)
        brand = rng.choice(BRANDS)
        name = f"{brand} {lines[group]} {kind}"
        product_id = f"{7_000_000_000 + group}"
        base = rng.uniform(low, high)
        for _ in range(min(rng.randint(3, 15), size - len(products))):
            chosen = {key: rng.choice(values) for key, values in options.items()}
            price = Decimal(f"{base * rng.uniform(0.9, 1.15):.2f}")
            available = rng.random() < 0.8
            item_id = f"{8_000_000_000 + len(products)}"
            metadata: dict[str, str | int | float | bool] = {
                "type": "product",
                "source": "bench/synthetic",
                "category": kind,
                "product_id": product_id,
                "item_id": item_id,
                "price": float(price),
                "available": available,
            }
            for key, value in chosen.items():
                metadata[f"opt_{_option_key(key)}"] = value
            chunk = Chunk(
                id=f"product-{item_id}",
                doc_id=f"product-{product_id}",
                title=name,
                section=", ".join(chosen.values()),
                text=describe_variant(name, chosen, price, available),
                metadata=metadata,
            )
            phrases = (kind, brand, *(f"{key} {value}" for key, value in chosen.items()))
            products.append(Product(chunk, phrases))
        group += 1
    return products


def _typo(text: str, rng: random.Random) -> str:
    """One transposition of two inner letters in one longer word: "keyboard" → "keybaord"."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if w.isalpha() and len(w) >= 5]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    j = rng.randint(1, len(word) - 3)
    words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(words)


def synthetic_queries(count: int, seed: int = DEFAULT_SEED) -> list[BenchQuery]:
    """`count` distinct shopper queries, a quarter of them with a typo."""
    rng = random.Random(seed + 1)
    seen: set[str] = set()
    queries: list[BenchQuery] = []
    while len(queries) < count:
        kind, options, low, high = rng.choice(TYPES)
        keys = list(options)
        key = rng.choice(keys)
        value = rng.choice(options[key])
        other = rng.choice([k for k in keys if k != key])
        text = rng.choice(_TEMPLATES).format(
            type=kind.lower(),
            key=key,
            value=value,
            value2=rng.choice(options[other]),
            brand=rng.choice(BRANDS),
            price=int(rng.uniform(low, high)),
        )
        if rng.random() < 0.25:
            text = _typo(text, rng)
        if text in seen:
            continue
        seen.add(text)
        queries.append(BenchQuery(text, kind, (_option_key(key), value)))
    return queries


def compose_vectors(
    products: Sequence[Product], embedder: Embedder, seed: int = DEFAULT_SEED
) -> np.ndarray:
    """Each distinct phrase embedded once; a product is the normalised sum of its phrases."""
    phrases = sorted({phrase for product in products for phrase in product.phrases})
    position = {phrase: i for i, phrase in enumerate(phrases)}
    table = np.vstack(
        [embedder.encode(phrases), np.zeros((1, embedder.dimension), dtype=np.float32)]
    )
    width = max(len(product.phrases) for product in products)
    pad = len(phrases)
    rows = np.full((len(products), width), pad, dtype=np.int64)
    for i, product in enumerate(products):
        rows[i, : len(product.phrases)] = [position[p] for p in product.phrases]
    matrix = np.zeros((len(products), table.shape[1]), dtype=np.float32)
    for slot in range(width):
        matrix += table[rows[:, slot]]
    noise = np.random.default_rng(seed).standard_normal(matrix.shape).astype(np.float32)
    matrix += noise * (NOISE / np.sqrt(matrix.shape[1]))
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.ascontiguousarray(matrix, dtype=np.float32)


class _Precomputed:
    """An embedder that looks the vectors up: ingestion without the model, i.e. the upsert."""

    def __init__(self, products: Sequence[Product], vectors: np.ndarray, dimension: int) -> None:
        self.dimension = dimension
        self._rows = {
            f"{p.chunk.title}. {p.chunk.section}. {p.chunk.text}": i for i, p in enumerate(products)
        }
        self._vectors = vectors

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._vectors[[self._rows[text] for text in texts]]


@dataclass
class _Scan:
    """The reference: every vector scored against the query, in numpy."""

    matrix: np.ndarray
    type: np.ndarray
    category: np.ndarray
    price: np.ndarray
    available: np.ndarray
    options: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def of(cls, products: Sequence[Product], matrix: np.ndarray) -> _Scan:
        metadata = [p.chunk.metadata for p in products]
        keys = sorted({k[4:] for m in metadata for k in m if k.startswith("opt_")})
        return cls(
            matrix=matrix,
            type=np.array([str(m["type"]) for m in metadata]),
            category=np.array([str(m["category"]) for m in metadata]),
            price=np.array([float(m["price"]) for m in metadata], dtype=np.float64),
            available=np.array([bool(m["available"]) for m in metadata]),
            options={k: np.array([str(m.get(f"opt_{k}", "")) for m in metadata]) for k in keys},
        )

    def mask(self, filters: Filters) -> np.ndarray:
        keep = np.ones(len(self.matrix), dtype=bool)
        if filters.type is not None:
            keep &= self.type == filters.type
        if filters.category is not None:
            keep &= self.category == filters.category
        if filters.max_price is not None:
            keep &= self.price <= filters.max_price
        if filters.min_price is not None:
            keep &= self.price >= filters.min_price
        if filters.available is not None:
            keep &= self.available == filters.available
        for key, value in filters.options.items():
            column = self.options.get(key)
            keep &= (column == value) if column is not None else False
        return keep

    def top(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> np.ndarray:
        """Positions of the `k` best rows (allowed by `mask`), best first. A narrow filter
        scores only its rows; a broad one scores all and masks the rest out."""
        if mask is not None and mask.mean() < 0.5:
            rows = np.flatnonzero(mask)
            if len(rows) == 0:
                return rows
            scores = self.matrix[rows] @ query
            picked: np.ndarray = rows[_best(scores, k)]
            return picked
        scores = self.matrix @ query
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        best = _best(scores, k)
        return best if mask is None else best[mask[best]]


def _best(scores: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(scores))
    best = np.argpartition(-scores, k - 1)[:k]
    return best[np.argsort(-scores[best])]


def _bulk_load(collection: Any, products: Sequence[Product], vectors: np.ndarray) -> float:
    """Precomputed vectors upserted in large batches: the catalog sizes are set up faster than
    `ingest` would (128 per batch, each embedded). Returns the seconds taken."""
    started = time.perf_counter()
    for start in range(0, len(products), BULK_BATCH):
        batch = products[start : start + BULK_BATCH]
        collection.upsert(
            ids=[p.chunk.id for p in batch],
            embeddings=vectors[start : start + BULK_BATCH],
            documents=[p.chunk.text for p in batch],
            metadatas=[chunk_metadata(p.chunk, SCOPE) for p in batch],
        )
    return time.perf_counter() - started


def _refresh(collection: Any, embedder: Embedder) -> tuple[KnowledgeIndex, float]:
    """The index over the collection, refreshed, and the seconds the refresh took."""
    index = KnowledgeIndex(collection, embedder, cache_size=0)
    started = time.perf_counter()
    index.refresh()
    return index, time.perf_counter() - started


def _percentiles(seconds: Sequence[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1000.0
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
        "mean_ms": round(float(ms.mean()), 2),
    }


def _timed(call: Callable[[BenchQuery], object], queries: Sequence[BenchQuery]) -> dict[str, float]:
    for query in queries[:WARMUP]:
        call(query)
    seconds = []
    for query in queries[WARMUP:]:
        started = time.perf_counter()
        call(query)
        seconds.append(time.perf_counter() - started)
    return _percentiles(seconds)


def _measure_size(
    index: KnowledgeIndex,
    scan: _Scan,
    embedder: Embedder,
    queries: Sequence[BenchQuery],
    *,
    breakdown: bool = False,
) -> dict[str, dict[str, float]]:
    def embed(query: BenchQuery) -> np.ndarray:
        return np.asarray(embedder.encode([query.text])[0], dtype=np.float32)

    calls: dict[str, Callable[[BenchQuery], object]] = {
        "hybrid": lambda q: index.search(q.text, k=K),
        "hybrid_price": lambda q: index.search(q.text, k=K, filters=PRICE_FILTER),
        "hybrid_category": lambda q: index.search(q.text, k=K, filters=q.narrow),
        "numpy": lambda q: scan.top(embed(q), K),
        "numpy_price": lambda q: scan.top(embed(q), K, scan.mask(PRICE_FILTER)),
        "numpy_category": lambda q: scan.top(embed(q), K, scan.mask(q.narrow)),
        "embedding": embed,
    }
    if breakdown:
        modes: tuple[Mode, ...] = ("vector", "lexical")
        for mode in modes:
            calls.update(_side_calls(index, mode))
    timings: dict[str, dict[str, float]] = {}
    for name in calls:
        if name.startswith("numpy"):
            # One BLAS thread: OpenBLAS's threads keep spinning after a product and, on
            # 2 cores, slow the next query's embedding (torch's own threads) 2-3×.
            with _one_blas_thread():
                timings[name] = _timed(calls[name], queries)
        else:
            timings[name] = _timed(calls[name], queries)
    return timings


def _side_calls(index: KnowledgeIndex, mode: Mode) -> dict[str, Callable[[BenchQuery], object]]:
    def plain(query: BenchQuery) -> object:
        return index.search(query.text, k=K, mode=mode)

    def price(query: BenchQuery) -> object:
        return index.search(query.text, k=K, mode=mode, filters=PRICE_FILTER)

    def category(query: BenchQuery) -> object:
        return index.search(query.text, k=K, mode=mode, filters=query.narrow)

    return {mode: plain, f"{mode}_price": price, f"{mode}_category": category}


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn brings it
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _torch_threads() -> int | None:
    try:
        import torch
    except ImportError:
        return None
    return int(torch.get_num_threads())


def run_benchmark(
    embedder: Embedder,
    *,
    sizes: Sequence[int] = DEFAULT_SIZES,
    queries: int = DEFAULT_QUERIES,
    seed: int = DEFAULT_SEED,
    ingest_documents: int = INGEST_DOCUMENTS,
    breakdown: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Every figure of `assistant bench retrieval`, as one JSON-ready dict."""
    from assistant.knowledge.vector_store import open_vector_store

    def say(line: str) -> None:
        if progress is not None:
            progress(line)

    started = time.perf_counter()
    load_start = round(os.getloadavg()[0], 2)
    sizes = sorted({int(size) for size in sizes if int(size) > 0})
    if not sizes or queries < 1:
        raise ValueError("need at least one size and one query")
    catalog = synthetic_catalog(max(sizes[-1], ingest_documents), seed)
    bench_queries = synthetic_queries(queries + WARMUP, seed)
    embedder.encode(["warm up the model"])

    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="aisle-bench-") as directory:
        client = open_vector_store(directory)
        first = [p.chunk for p in catalog[:ingest_documents]]
        say(f"ingesting {len(first)} products with real embeddings")
        real = ingest(get_collection(client, "bench-ingest-real"), embedder, first, scope=SCOPE)

        phrases_started = time.perf_counter()
        vectors = compose_vectors(catalog, embedder, seed)
        phrase_seconds = time.perf_counter() - phrases_started
        phrases = len({phrase for product in catalog for phrase in product.phrases})
        precomputed = _Precomputed(catalog, vectors, embedder.dimension)
        upsert = ingest(
            get_collection(client, "bench-ingest-precomputed"), precomputed, first, scope=SCOPE
        )

        collection = get_collection(client, "bench")
        loaded = 0
        for size in sizes:
            say(f"{size} products: upserting {size - loaded} precomputed vectors")
            load_seconds = _bulk_load(collection, catalog[loaded:size], vectors[loaded:size])
            index, refresh_seconds = _refresh(collection, embedder)
            scan = _Scan.of(catalog[:size], vectors[:size])
            price_share = float(scan.mask(PRICE_FILTER).mean())
            category_share = float(np.mean([scan.mask(q.narrow).mean() for q in bench_queries]))
            vocabulary = {
                w for p in catalog[:size] for w in words(p.chunk.text) if w.isalpha() and len(w) > 3
            }
            say(f"{size} products: {queries} queries per system")
            systems = _measure_size(index, scan, embedder, bench_queries, breakdown=breakdown)
            results.append(
                {
                    "size": size,
                    "load_docs_per_s": round((size - loaded) / max(load_seconds, 1e-9), 1),
                    "refresh_seconds": round(refresh_seconds, 2),
                    # Distinct words the typo correction compares unknown query words with.
                    "vocabulary": len(vocabulary),
                    "filter_share": {
                        "price": round(price_share, 4),
                        "category": round(category_share, 5),
                    },
                    "systems": systems,
                }
            )
            loaded = size
        client.clear_system_cache()

    at_target = next((r for r in results if r["size"] == TARGET_SIZE), None)
    target: dict[str, Any] = {"size": TARGET_SIZE, "p50_ms": TARGET_P50_MS, "met": None}
    if at_target is not None:
        target["met"] = all(
            at_target["systems"][name]["p50_ms"] <= TARGET_P50_MS
            for name in ("hybrid", "hybrid_price", "hybrid_category")
        )
    return {
        "cpu_count": os.cpu_count(),
        "torch_threads": _torch_threads(),
        # 1-minute load average before and after: other work on the machine skews latency.
        "load_average": {"start": load_start, "end": round(os.getloadavg()[0], 2)},
        "seed": seed,
        "queries": queries,
        "warmup_queries": WARMUP,
        "k": K,
        "sizes": sizes,
        "systems": list(results[0]["systems"]),
        "filters": {
            "price": "type=product, max_price=50, available=true",
            "category": "type=product, the query's category and one option value",
        },
        "vectors": VECTORS_NOTE,
        "ingest": {
            "documents": len(first),
            "real_docs_per_s": round(len(first) / max(real.seconds, 1e-9), 1),
            "real_seconds": round(real.seconds, 2),
            "precomputed_docs_per_s": round(len(first) / max(upsert.seconds, 1e-9), 1),
            "precomputed_seconds": round(upsert.seconds, 2),
            "phrases": phrases,
            "phrase_seconds": round(phrase_seconds, 2),
        },
        "results": results,
        "target": target,
        "seconds": round(time.perf_counter() - started, 1),
    }
