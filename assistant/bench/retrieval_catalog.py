"""The synthetic catalog and queries of `assistant bench retrieval`, and their vectors.

The catalog is synthetic and seeded: products drawn from a vocabulary of product types, their
options and values (modelled on the demo store's catalog), brands and made-up product-line
names, described by `describe_variant` with metadata shaped like the real catalog chunks. The
vocabulary is data, `data/retrieval_vocabulary.yml`, read at first use.

Embedding 100k descriptions for real would take about 40 minutes on 2 cores, so a product's
vector is composed: each distinct vocabulary phrase (the type, the brand, "color red", …) is
embedded once for real, and a product's vector is the L2-normalised sum of its phrases'
vectors plus a small seeded random part (so that products with the same phrases are not
identical points). These vectors are for timing only; the 1k ingestion figure and every query
use real embeddings.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

import numpy as np
import yaml

from assistant.engine.embeddings import Embedder
from assistant.knowledge.documents import Chunk, describe_variant, slug
from assistant.knowledge.index import Filters

DEFAULT_SEED = 20240601
# Norm of the random part of a synthetic vector; the phrase part is a sum of about five unit
# vectors before normalisation.
NOISE = 0.5
VOCABULARY = "data/retrieval_vocabulary.yml"

Options = dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Vocabulary:
    """The words the catalog and the queries are drawn from, in the file's order (part of the
    seeded draw)."""

    # Product type, its options and their values, and its price range in dollars.
    types: tuple[tuple[str, Options, float, float], ...]
    brands: tuple[str, ...]
    # A made-up product-line name's syllable: an onset, a vowel and a coda.
    onsets: tuple[str, ...]
    vowels: tuple[str, ...]
    codas: tuple[str, ...]
    templates: tuple[str, ...]


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{VOCABULARY}: {what} must be a list of quoted strings")
    return tuple(value)


@functools.cache
def vocabulary() -> Vocabulary:
    """The vocabulary file, read once."""
    text = resources.files("assistant.bench").joinpath(VOCABULARY).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    types = []
    for entry in data["types"]:
        name = entry["name"]
        low, high = entry["price"]
        options = {
            str(key): _strings(values, f"{name} {key}") for key, values in entry["options"].items()
        }
        types.append((str(name), options, low, high))
    syllables = data["syllables"]
    return Vocabulary(
        types=tuple(types),
        brands=_strings(data["brands"], "brands"),
        onsets=_strings(syllables["onsets"], "onsets"),
        vowels=_strings(syllables["vowels"], "vowels"),
        codas=_strings(syllables["codas"], "codas"),
        templates=_strings(data["templates"], "templates"),
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
    words = vocabulary()
    names: set[str] = set()
    ordered: list[str] = []
    while len(ordered) < count:
        syllables = rng.choice((2, 2, 3))
        name = "".join(
            rng.choice(words.onsets) + rng.choice(words.vowels) + rng.choice(words.codas)
            for _ in range(syllables)
        ).capitalize()
        if name not in names:
            names.add(name)
            ordered.append(name)
    return ordered


def synthetic_catalog(size: int, seed: int = DEFAULT_SEED) -> list[Product]:
    """`size` product variants, in groups of 3 to 15 variants of one product."""
    words = vocabulary()
    rng = random.Random(seed)
    lines = _line_names(size // 3 + 1, rng)
    products: list[Product] = []
    group = 0
    while len(products) < size:
        kind, options, low, high = rng.choice(words.types)
        brand = rng.choice(words.brands)
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
    words = vocabulary()
    rng = random.Random(seed + 1)
    seen: set[str] = set()
    queries: list[BenchQuery] = []
    while len(queries) < count:
        kind, options, low, high = rng.choice(words.types)
        keys = list(options)
        key = rng.choice(keys)
        value = rng.choice(options[key])
        other = rng.choice([k for k in keys if k != key])
        text = rng.choice(words.templates).format(
            type=kind.lower(),
            key=key,
            value=value,
            value2=rng.choice(options[other]),
            brand=rng.choice(words.brands),
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


class Precomputed:
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
