"""The store's documents as chunks: Markdown and text split by headings and paragraphs, and
the catalog's products as one chunk per variant.

A chunk's id is stable — the document id, the section's slug and the paragraph's position in
the section — so re-reading an unchanged file yields the same ids, and its `digest` (of the
text and metadata) tells ingestion whether it must be embedded again. A file that cannot be
read is reported as a `SourceProblem` and skipped; it never stops the others.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

TEXT_SUFFIXES = {".md", ".markdown", ".txt"}
# Paragraphs are merged up to this size, so tiny lines do not become chunks of their own.
MAX_CHUNK_CHARS = 900
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Chunk:
    id: str
    doc_id: str
    title: str
    section: str
    text: str
    # Flat metadata for filters: type, category, price, availability, option values, source.
    metadata: dict[str, str | int | float | bool] = field(default_factory=dict)
    # Its place in the document, for showing the document in order. Not part of the digest:
    # a paragraph inserted above moves the chunk but does not change what it says.
    position: int = 0

    @property
    def digest(self) -> str:
        body = json.dumps([self.text, self.title, self.section, self.metadata], sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()[:24]

    @property
    def link(self) -> str:
        """Where the widget can open the source: the document's page at the section."""
        return f"/kb/{self.doc_id}#{slug(self.section)}" if self.section else f"/kb/{self.doc_id}"


@dataclass(frozen=True)
class SourceProblem:
    path: str
    reason: str


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def read_markdown(path: Path, *, root: Path) -> list[Chunk]:
    relative = path.relative_to(root)
    return markdown_chunks(
        path.read_text(encoding="utf-8"),
        source=str(relative),
        default_id=slug(str(relative.with_suffix(""))),
        default_title=path.stem.replace("-", " ").title(),
        default_type="text" if path.suffix == ".txt" else "policy",
    )


def markdown_chunks(
    raw: str, *, source: str, default_id: str, default_title: str, default_type: str = "policy"
) -> list[Chunk]:
    """A Markdown document's chunks: its front matter (id, title, type, updated) over the
    defaults, split by headings and paragraphs. `ValueError` when it has no text."""
    meta: dict[str, Any] = {}
    match = _FRONT_MATTER.match(raw)
    if match:
        loaded = yaml.safe_load(match.group(1))
        if loaded is not None and not isinstance(loaded, dict):
            raise ValueError("front matter must be a mapping")
        meta = loaded or {}
        raw = raw[match.end() :]
    doc_id = str(meta.get("id") or default_id)
    title = str(meta.get("title") or _first_heading(raw) or default_title)
    kind = str(meta.get("type") or default_type)
    base: dict[str, str | int | float | bool] = {
        "type": kind,
        "source": source,
        "updated": str(meta.get("updated") or ""),
    }
    chunks: list[Chunk] = []
    for section, paragraphs in _sections(raw):
        for number, text in enumerate(_merge(paragraphs)):
            chunk_id = f"{doc_id}#{slug(section) if section else 'intro'}-{number}"
            chunks.append(
                Chunk(chunk_id, doc_id, title, section, text, dict(base), position=len(chunks))
            )
    if not chunks:
        raise ValueError("no text in the document")
    return chunks


def _first_heading(text: str) -> str | None:
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match and len(match.group(1)) == 1:
            return match.group(2)
    return None


def _sections(text: str) -> Iterator[tuple[str, list[str]]]:
    """(section heading, its paragraphs); a `#` title is not a section."""
    section = ""
    paragraphs: list[str] = []
    current: list[str] = []

    def flush_paragraph() -> None:
        if current:
            paragraphs.append(" ".join(line.strip() for line in current).strip())
            current.clear()

    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            flush_paragraph()
            if paragraphs:
                yield section, list(paragraphs)
                paragraphs.clear()
            if len(heading.group(1)) > 1:
                section = heading.group(2).strip()
            continue
        if not line.strip():
            flush_paragraph()
        elif line.lstrip().startswith(("- ", "* ", "+ ")) or re.match(r"\s*\d+\.\s", line):
            # List items keep their own lines inside one paragraph.
            current.append(("; " if current else "") + re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", line))
        else:
            current.append(line)
    flush_paragraph()
    if paragraphs:
        yield section, list(paragraphs)


def _merge(paragraphs: list[str]) -> list[str]:
    merged: list[str] = []
    for paragraph in paragraphs:
        paragraph = paragraph.replace(" ; ", "; ").strip()
        if not paragraph:
            continue
        if merged and len(merged[-1]) + len(paragraph) < MAX_CHUNK_CHARS // 2:
            merged[-1] = f"{merged[-1]} {paragraph}"
        else:
            merged.append(paragraph)
    return merged


# -- the catalog -------------------------------------------------------------------------------


def describe_variant(name: str, options: dict[str, Any], price: Decimal, available: bool) -> str:
    """A short description written from the variant's options."""
    details = ", ".join(f"{key} {value}" for key, value in options.items())
    stock = "in stock" if available else "currently unavailable"
    return f"{name} with {details}. Price ${price:.2f}, {stock}."


def read_store_catalog(path: Path, *, root: Path) -> list[Chunk]:
    """The demo store's products (τ²-bench `db.json`): one chunk per variant."""
    data = json.loads(path.read_text(encoding="utf-8"))
    products = data.get("products") if isinstance(data, dict) else None
    if not isinstance(products, dict):
        raise ValueError("expected a JSON object with a `products` mapping")
    chunks = []
    for product in products.values():
        name = str(product["name"])
        for position, variant in enumerate(product["variants"].values()):
            price = Decimal(str(variant["price"]))
            options = dict(variant.get("options") or {})
            metadata: dict[str, str | int | float | bool] = {
                "type": "product",
                "source": str(path.relative_to(root)),
                "category": name,
                "product_id": str(product["product_id"]),
                "item_id": str(variant["item_id"]),
                "price": float(price),
                "available": bool(variant["available"]),
            }
            for key, value in options.items():
                metadata[f"opt_{slug(key).replace('-', '_')}"] = str(value)
            chunks.append(
                Chunk(
                    id=f"product-{variant['item_id']}",
                    doc_id=f"product-{product['product_id']}",
                    title=name,
                    section=", ".join(str(v) for v in options.values()),
                    text=describe_variant(name, options, price, bool(variant["available"])),
                    metadata=metadata,
                    position=position,
                )
            )
    return chunks


# Documents of these types are read by other parts of the assistant (the table of what goes
# with what, for suggestions), not quoted in answers: they are never indexed.
NOT_FOR_ANSWERS = frozenset({"suggestions"})


def answerable(chunks: list[Chunk]) -> list[Chunk]:
    """The chunks answers may quote: those of documents not in `NOT_FOR_ANSWERS`."""
    return [chunk for chunk in chunks if chunk.metadata.get("type") not in NOT_FOR_ANSWERS]


def read_knowledge_base(root: Path) -> tuple[list[Chunk], list[SourceProblem]]:
    """Every document under `root`; unreadable ones are reported and skipped."""
    chunks: list[Chunk] = []
    problems: list[SourceProblem] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = str(path.relative_to(root))
        if path.name.startswith(".") or path.name in {"NOTICE.md", "README.md"}:
            continue
        try:
            if path.suffix in TEXT_SUFFIXES:
                if "store" in path.relative_to(root).parts:
                    continue  # the store's own policy text is rewritten in policies/
                chunks.extend(answerable(read_markdown(path, root=root)))
            elif path.name == "db.json":
                chunks.extend(read_store_catalog(path, root=root))
        except (
            OSError,
            UnicodeDecodeError,
            ValueError,
            KeyError,
            TypeError,
            yaml.YAMLError,
        ) as exc:
            problems.append(SourceProblem(relative, f"{type(exc).__name__}: {exc}"))
    seen: dict[str, str] = {}
    unique: list[Chunk] = []
    for chunk in chunks:
        if chunk.id in seen:
            problems.append(
                SourceProblem(
                    str(chunk.metadata.get("source")),
                    f"chunk id {chunk.id} repeats one from {seen[chunk.id]}; skipped",
                )
            )
            continue
        seen[chunk.id] = str(chunk.metadata.get("source"))
        unique.append(chunk)
    return unique, problems
