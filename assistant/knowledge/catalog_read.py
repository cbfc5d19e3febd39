"""A store's catalog CSV read through a column mapping: one product chunk per row.

The mapping names which CSV column holds each field (`id`, `name` are required; `category`,
`price`, `description`, `brand`, `available`, `url`, `image`, `options` are optional). It is
checked against the file's header before anything is written: an unknown field or a missing
column is a `CatalogMappingError`, a file that cannot be read at all an `UnreadableCatalog`.

A row that cannot become a product (no id, no name, a repeated id, a price or availability
that does not parse) is reported with its row number and skipped; the others are imported.
Rows are numbered as a spreadsheet shows them: the header is row 1, the first product row 2.
Its values are read leniently (`catalog_values.py`).

Chunk ids are `<name>:<row id>`; a catalog name cannot contain ":", so two catalogs never
share an id.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import InvalidInput
from assistant.knowledge.catalog_values import (
    category_levels,
    first_link,
    option_key,
    parse_available,
    parse_options,
    parse_price,
)
from assistant.knowledge.documents import Chunk, slug

REQUIRED_FIELDS = ("id", "name")
OPTIONAL_FIELDS = (
    "category",
    "price",
    "description",
    "brand",
    "available",
    "url",
    "image",
    "options",
)
FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
# The description is cut (at a word) to this many characters: the embedding model reads
# about 256 word pieces, and the chunk text is what a hit shows.
DESCRIPTION_CHARS = 600
# Specifications (at most `MAX_OPTIONS` pairs): each value cut to this many characters in the
# text; longer values are not filter values and stay out of the metadata.
OPTION_TEXT_CHARS = 120
OPTION_METADATA_CHARS = 100
MAX_ID_CHARS = 200
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_DELIMITERS = ",;\t|"


class CatalogImportError(InvalidInput):
    """A catalog CSV cannot be imported; nothing was written."""

    code = "catalog_import"


class CatalogMappingError(CatalogImportError):
    """The column mapping is wrong: an unknown field, a missing column, no id or name."""

    code = "invalid_catalog_mapping"


class UnreadableCatalog(CatalogImportError):
    """The file cannot be read as CSV at all (missing, not UTF-8, no header, no products)."""

    code = "unreadable_catalog"


@dataclass(frozen=True)
class SkippedRow:
    row: int
    # A short, fixed label for counting ("no name", "duplicate id", "bad price", ...).
    kind: str
    reason: str
    id: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "id": self.id, "reason": self.reason}


@dataclass
class CatalogRead:
    """The chunks made from a catalog file, and the rows that could not become one."""

    name: str
    rows: int = 0
    chunks: list[Chunk] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    # The row each chunk came from, by chunk id.
    row_of: dict[str, int] = field(default_factory=dict)
    path: str = ""
    seconds: float = 0.0

    @property
    def scope(self) -> str:
        return catalog_scope(self.name)


def catalog_scope(name: str) -> str:
    return f"catalog:{name}"


def catalog_chunk_id(name: str, row_id: str) -> str:
    return f"{name}:{row_id}"


def catalog_name(path: Path, name: str | None = None) -> str:
    """The given name, checked, or one made from the file's stem."""
    if name is None:
        made = slug(path.stem)[:64].strip("-")
        return made if _NAME.fullmatch(made) else "catalog"
    if not _NAME.fullmatch(name):
        raise CatalogMappingError(
            f"catalog name {name!r} must be 1-64 letters, digits, '_', '.' or '-' "
            "(starting with a letter or digit)",
            details={"name": name},
        )
    return name


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """`["id=pid", "name=product_name"]` → `{"id": "pid", "name": "product_name"}`."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        field_name, sep, column = pair.partition("=")
        field_name, column = field_name.strip(), column.strip()
        if not sep or not field_name or not column:
            raise CatalogMappingError(
                f"mapping {pair!r} must look like FIELD=COLUMN, e.g. name=product_name",
                details={"mapping": pair},
            )
        if field_name in mapping:
            raise CatalogMappingError(
                f"field {field_name!r} is mapped twice ({mapping[field_name]!r} and {column!r})",
                details={"field": field_name},
            )
        mapping[field_name] = column
    return mapping


def check_mapping(mapping: Mapping[str, str], columns: Sequence[str]) -> None:
    """Every field known, id and name present, every column in the header."""
    for field_name in mapping:
        if field_name not in FIELDS:
            raise CatalogMappingError(
                f"unknown field {field_name!r}: the fields are {', '.join(FIELDS)}",
                details={"field": field_name},
            )
    for field_name in REQUIRED_FIELDS:
        if field_name not in mapping:
            raise CatalogMappingError(
                f"field {field_name!r} must be mapped to a column (--map {field_name}=COLUMN)",
                details={"field": field_name},
            )
    for field_name, column in mapping.items():
        if column not in columns:
            close = difflib.get_close_matches(column, list(columns), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            shown = ", ".join(repr(c) for c in list(columns)[:30])
            raise CatalogMappingError(
                f"column {column!r} (mapped to {field_name!r}) is not in the CSV{hint}; "
                f"its columns are: {shown}",
                details={"field": field_name, "column": column},
            )


def read_catalog(path: Path, mapping: Mapping[str, str], *, name: str | None = None) -> CatalogRead:
    """Every row of the CSV as a product chunk; bad rows reported and skipped.

    Raises `CatalogMappingError` or `UnreadableCatalog` before any row is used.
    """
    started = time.perf_counter()
    name = catalog_name(path, name)
    header, records = _read_csv(path)
    check_mapping(mapping, header)
    result = CatalogRead(name=name, rows=len(records), path=str(path))
    for number, record in enumerate(records, start=2):
        values = {f: (record.get(column) or "").strip() for f, column in mapping.items()}
        row_id = values["id"]
        try:
            if not row_id:
                raise _BadRow("no id", "no id")
            if len(row_id) > MAX_ID_CHARS:
                raise _BadRow("bad id", f"id longer than {MAX_ID_CHARS} characters")
            chunk = _product_chunk(name, values)
            if chunk.id in result.row_of:
                first = result.row_of[chunk.id]
                raise _BadRow("duplicate id", f"duplicate id (first on row {first})")
        except _BadRow as bad:
            result.skipped.append(SkippedRow(number, bad.kind, bad.reason, row_id[:MAX_ID_CHARS]))
            continue
        result.chunks.append(chunk)
        result.row_of[chunk.id] = number
    result.seconds = time.perf_counter() - started
    return result


def catalog_rows(path: Path, mapping: Mapping[str, str]) -> list[dict[str, str]]:
    """Each row's mapped fields as text (field -> value, "" when empty), after the mapping is
    checked against the header; for a caller that builds something other than chunks."""
    header, records = _read_csv(path)
    check_mapping(mapping, header)
    return [
        {f: (record.get(column) or "").strip() for f, column in mapping.items()}
        for record in records
    ]


# -- reading -----------------------------------------------------------------------------------


class _BadRow(Exception):
    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str | None]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
        first = text.split("\n", 1)[0]
        if not first.strip():
            raise UnreadableCatalog(
                f"{path}: the file is empty (no header row)", details={"path": str(path)}
            )
        # Spreadsheets export with ',' or ';' (or tabs): the header line tells which.
        delimiter = max(_DELIMITERS, key=first.count)
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = [(column or "").strip() for column in reader.fieldnames or []]
        reader.fieldnames = header
        records: list[dict[str, str | None]] = list(reader)
    except FileNotFoundError as exc:
        raise UnreadableCatalog(f"{path}: no such file", details={"path": str(path)}) from exc
    except IsADirectoryError as exc:
        raise UnreadableCatalog(f"{path}: is a directory", details={"path": str(path)}) from exc
    except UnicodeDecodeError as exc:
        raise UnreadableCatalog(
            f"{path}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8",
            details={"path": str(path)},
        ) from exc
    except csv.Error as exc:
        raise UnreadableCatalog(
            f"{path}: not a readable CSV: {exc}", details={"path": str(path)}
        ) from exc
    except OSError as exc:
        raise UnreadableCatalog(
            f"{path}: cannot be read: {exc.strerror or exc}", details={"path": str(path)}
        ) from exc
    if not any(header):
        raise UnreadableCatalog(f"{path}: no header row", details={"path": str(path)})
    return header, records


def _product_chunk(name: str, values: Mapping[str, str]) -> Chunk:
    row_id, title = values["id"], values["name"]
    if not title:
        raise _BadRow("no name", "no name")
    metadata: dict[str, str | int | float | bool] = {
        "type": "product",
        "source": catalog_scope(name),
        "product_id": row_id,
    }
    levels = category_levels(values.get("category", ""))
    if levels:
        metadata["category"] = levels[0]
    if values.get("price"):
        try:
            price = parse_price(values["price"])
        except ValueError as exc:
            raise _BadRow("bad price", f"price {values['price'][:40]!r}: {exc}") from None
        if price > 0:
            metadata["price"] = price
    if values.get("available"):
        available = parse_available(values["available"])
        if available is None:
            raise _BadRow(
                "bad availability", f"availability {values['available'][:40]!r} is not yes/no"
            )
        metadata["available"] = available
    brand = values.get("brand", "")
    if brand:
        metadata["brand"] = brand
    for key in ("url", "image"):
        link = first_link(values.get(key, ""))
        if link:
            metadata[key] = link
    options = parse_options(values.get("options", ""))
    for key, value in options:
        metadata_key = option_key(key)
        if metadata_key and metadata_key not in metadata and len(value) <= OPTION_METADATA_CHARS:
            metadata[metadata_key] = value
    parts = [title]
    if levels:
        parts.append(f"Category: {' > '.join(levels)}")
    if brand:
        parts.append(f"Brand: {brand}")
    description = _cut(values.get("description", ""), DESCRIPTION_CHARS)
    if description:
        parts.append(description)
    if options:
        rendered = "; ".join(
            f"{key}: {_cut(value, OPTION_TEXT_CHARS)}" if key else _cut(value, OPTION_TEXT_CHARS)
            for key, value in options
        )
        parts.append(f"Specifications: {rendered}")
    chunk_id = catalog_chunk_id(name, row_id)
    return Chunk(chunk_id, chunk_id, title, "", "\n".join(parts), metadata)


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return (cut if len(cut) > limit // 2 else text[:limit]).rstrip(" ,;:") + "…"
