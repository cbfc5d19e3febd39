"""A store's own catalog from a CSV file: one product chunk per row, through a column mapping.

The mapping names which CSV column holds each field (`id`, `name` are required; `category`,
`price`, `description`, `brand`, `available`, `url`, `image`, `options` are optional). It is
checked against the file's header before anything is written: an unknown field or a missing
column is a `CatalogMappingError`, a file that cannot be read at all an `UnreadableCatalog`.

A row that cannot become a product (no id, no name, a repeated id, a price or availability
that does not parse) is reported with its row number and skipped; the others are imported.
Rows are numbered as a spreadsheet shows them: the header is row 1, the first product row 2.

Values are read leniently, since exports differ:
- category: a Flipkart-style tree (`["Clothing >> Women's Clothing >> Tops"]`, or a list of
  levels `['clothing', 'womens clothing', ...]`) or a plain `A > B` path; the metadata keeps
  the top level, stripped, and the text the whole path;
- price: `499`, `1,299.00`, `Rs. 499`, `$19.99`, `19,99 €`; 0 means "no price" (no metadata,
  so the product never meets a price bound);
- available: yes/no, true/false, 1/0, in stock/out of stock, or a stock count;
- options: Flipkart's `{"product_specification"=>[{"key"=>"Type", "value"=>"Analog"}, ...]}`,
  the same as a Python or JSON list of key/value objects, a plain mapping, or `Key: value; ...`
  text; pairs become text and `opt_<key>` metadata. Specifications that do not parse are
  dropped without failing the row.

Chunks are ingested with scope `catalog:<name>`, so a re-import embeds only changed rows,
deletes rows no longer in the file, and never touches the knowledge base ("kb") or another
catalog. Chunk ids are `<name>:<row id>`; a catalog name cannot contain ":", so two catalogs
never share an id.
"""

from __future__ import annotations

import ast
import csv
import difflib
import io
import json
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.engine.embeddings import Embedder
from assistant.errors import InvalidInput
from assistant.knowledge.documents import Chunk, slug
from assistant.knowledge.ingest import IngestReport, ingest

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
# Specifications: at most this many pairs, each value cut to this many characters in the text;
# longer values are not filter values and stay out of the metadata.
MAX_OPTIONS = 40
OPTION_TEXT_CHARS = 120
OPTION_METADATA_CHARS = 100
# Parsing a specification string longer than this is not attempted.
MAX_SPEC_CHARS = 50_000
MAX_ID_CHARS = 200
# How many skipped rows a report lists (all are counted).
REPORTED_SKIPS = 20
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


@dataclass
class CatalogImportReport:
    name: str
    rows: int
    imported: int
    skipped: list[SkippedRow]
    ingest: IngestReport
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        kinds = Counter(skip.kind for skip in self.skipped)
        return {
            "catalog": self.name,
            "scope": self.ingest.scope,
            "rows": self.rows,
            "imported": self.imported,
            "skipped": len(self.skipped),
            "skipped_by_reason": dict(sorted(kinds.items())),
            "skipped_rows": [skip.as_dict() for skip in self.skipped[:REPORTED_SKIPS]],
            "added": self.ingest.added,
            "updated": self.ingest.updated,
            "unchanged": self.ingest.unchanged,
            "deleted": self.ingest.deleted,
            "embedded": self.ingest.embedded,
            "seconds": round(self.seconds, 2),
            "rows_per_s": round(self.rows_per_second, 1),
        }


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


def import_catalog(
    path: Path,
    mapping: Mapping[str, str],
    *,
    collection: Any,
    embedder: Embedder,
    name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CatalogImportReport:
    """Read the CSV and ingest its products into `collection` under scope `catalog:<name>`."""
    read = read_catalog(path, mapping, name=name)
    return ingest_catalog(read, collection=collection, embedder=embedder, progress=progress)


def ingest_catalog(
    read: CatalogRead,
    *,
    collection: Any,
    embedder: Embedder,
    progress: Callable[[int, int], None] | None = None,
) -> CatalogImportReport:
    """Embed what changed in a read catalog; delete its rows that are no longer there.

    Refuses (`UnreadableCatalog`, nothing written) when no row could be imported: an empty
    catalog would otherwise delete the whole catalog from the index.
    """
    started = time.perf_counter()
    if not read.chunks:
        reasons = "; ".join(f"row {s.row}: {s.reason}" for s in read.skipped[:3])
        raise UnreadableCatalog(
            f"{read.path}: no product could be imported from {read.rows} rows"
            + (f" ({reasons})" if reasons else ""),
            details={"path": read.path, "rows": read.rows},
        )
    chunks = _without_foreign_ids(collection, read)
    report = ingest(collection, embedder, chunks, scope=read.scope, progress=progress)
    return CatalogImportReport(
        name=read.name,
        rows=read.rows,
        imported=len(chunks),
        skipped=sorted(read.skipped, key=lambda s: s.row),
        ingest=report,
        seconds=read.seconds + time.perf_counter() - started,
    )


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


def _without_foreign_ids(collection: Any, read: CatalogRead) -> list[Chunk]:
    """Drop (and report) chunks whose id another scope already holds: never overwrite it."""
    foreign: set[str] = set()
    ids = [chunk.id for chunk in read.chunks]
    for start in range(0, len(ids), 1000):
        stored = collection.get(ids=ids[start : start + 1000], include=["metadatas"])
        for chunk_id, metadata in zip(stored["ids"], stored["metadatas"] or [], strict=True):
            if (metadata or {}).get("scope") != read.scope:
                foreign.add(chunk_id)
    if not foreign:
        return read.chunks
    for chunk in read.chunks:
        if chunk.id in foreign:
            read.skipped.append(
                SkippedRow(
                    read.row_of[chunk.id],
                    "id in use",
                    f"chunk id {chunk.id!r} already belongs to another source in the index",
                    str(chunk.metadata["product_id"]),
                )
            )
    return [chunk for chunk in read.chunks if chunk.id not in foreign]


def option_key(key: str) -> str:
    """The metadata key of a specification: "Outer Material" → "opt_outer_material"."""
    words = re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")
    return f"opt_{words}" if words else ""


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return (cut if len(cut) > limit // 2 else text[:limit]).rstrip(" ,;:") + "…"


# -- values ------------------------------------------------------------------------------------


def _literal(text: str) -> Any:
    """A JSON or Python literal (Ruby's `=>` read as `:`), or None when it is neither."""
    if len(text) > MAX_SPEC_CHARS:
        return None
    for candidate in (text, text.replace("=>", ":")):
        try:
            return json.loads(candidate)
        except ValueError:
            pass
        try:
            return ast.literal_eval(candidate)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            pass
    return None


def category_levels(raw: str) -> list[str]:
    """The category path's levels: `["A >> B"]`, `['a', 'b']`, `A > B` → ["A", "B"]."""
    raw = raw.strip()
    if not raw:
        return []
    items: list[str] = [raw]
    if raw.startswith("["):
        parsed = _literal(raw)
        if isinstance(parsed, list | tuple):
            items = [str(item) for item in parsed if isinstance(item, str | int | float)]
        else:
            items = [raw.strip("[]").strip().strip("'\"")]
    if len(items) == 1:
        separator = ">>" if ">>" in items[0] else (" > " if " > " in items[0] else None)
        if separator:
            items = items[0].split(separator)
    return [level.strip() for level in items if level.strip()]


# A number with an optional currency before or after it ("Rs.", "$", "USD", "€").
_CURRENCY = r"(?:[^\d\s.,+-]+\.?)?"
_NUMBER = re.compile(
    _CURRENCY
    + r"\s*(?P<number>[+-]?(?:\d{1,3}(?:\.\d{3})+,\d{1,2}|\d[\d,]*(?:\.\d+)?|\.\d+))\s*"
    + _CURRENCY
)


def parse_price(raw: str) -> float:
    """`499`, `1,299.00`, `Rs. 499`, `$19.99`, `19,99 €`, `1.299,00` → a float; else ValueError."""
    match = _NUMBER.fullmatch(raw.strip())
    if match is None:
        raise ValueError("not a number")
    number = match.group("number")
    if re.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+,\d{1,2}", number):
        number = number.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"[+-]?\d+,\d{1,2}", number):
        number = number.replace(",", ".")
    else:
        number = number.replace(",", "")
    value = float(number)
    if not math.isfinite(value):
        raise ValueError("not a number")
    if value < 0:
        raise ValueError("negative")
    return value


_YES = {"yes", "y", "true", "t", "1", "in stock", "instock", "in_stock", "available"}
_NO = {
    "no", "n", "false", "f", "0", "out of stock", "outofstock", "out_of_stock", "unavailable",
    "sold out", "not available",
}  # fmt: skip


def parse_available(raw: str) -> bool | None:
    """yes/no, true/false, 1/0, in stock/out of stock, or a stock count; None otherwise."""
    value = " ".join(raw.strip().lower().replace("-", " ").split())
    if value in _YES:
        return True
    if value in _NO:
        return False
    if re.fullmatch(r"\d+(?:\.0+)?", value):
        return float(value) > 0
    return None


def first_link(raw: str) -> str:
    """The value, or the first string of a list of them (Flipkart's `image` column)."""
    raw = raw.strip()
    if raw.startswith("["):
        parsed = _literal(raw)
        if isinstance(parsed, list | tuple):
            return next((str(item).strip() for item in parsed if str(item).strip()), "")
        return ""
    return raw


_PAIR = re.compile(
    r"""["']key["']\s*(?:=>|:)\s*(["'])(?P<key>.*?)\1\s*,\s*"""
    r"""["']value["']\s*(?:=>|:)\s*(["'])(?P<value>.*?)\3\s*\}"""
)


def parse_options(raw: str) -> list[tuple[str, str]]:
    """Specification pairs (key, value); key "" for a value without one. Bad input → []."""
    raw = raw.strip()
    if not raw or raw in {"[]", "{}"}:
        return []
    pairs: list[tuple[str, str]] = []
    if raw[0] in "[{":
        parsed = _literal(raw)
        if parsed is not None:
            pairs = list(_walk_options(parsed))
        else:
            pairs = [(m.group("key"), m.group("value")) for m in _PAIR.finditer(raw)]
    else:
        pairs = _text_options(raw)
    cleaned: list[tuple[str, str]] = []
    for key, value in pairs:
        key, value = " ".join(key.split()), " ".join(value.split())
        if value:
            cleaned.append((key, value))
    return cleaned[:MAX_OPTIONS]


def _walk_options(node: Any, depth: int = 0) -> Iterable[tuple[str, str]]:
    if depth > 4:
        return
    if isinstance(node, list | tuple):
        for item in node:
            yield from _walk_options(item, depth + 1)
    elif isinstance(node, dict):
        if "value" in node and set(node) <= {"key", "value"}:
            value = node["value"]
            if isinstance(value, str | int | float | bool):
                yield str(node.get("key") or ""), str(value)
        elif len(node) == 1 and isinstance(next(iter(node.values())), list | tuple | dict):
            yield from _walk_options(next(iter(node.values())), depth + 1)
        else:
            for key, value in node.items():
                if isinstance(value, str | int | float | bool):
                    yield str(key), str(value)


def _text_options(raw: str) -> list[tuple[str, str]]:
    """`Color: red; Size: M` (or comma- or line-separated): a part without ':' continues the
    previous value."""
    separator = ";" if ";" in raw else ("\n" if "\n" in raw else ",")
    pairs: list[tuple[str, str]] = []
    for part in raw.split(separator):
        key, colon, value = part.partition(":")
        if colon and key.strip():
            pairs.append((key.strip(), value.strip()))
        elif pairs and part.strip():
            previous_key, previous_value = pairs[-1]
            pairs[-1] = (previous_key, f"{previous_value}{separator} {part.strip()}")
    return pairs
