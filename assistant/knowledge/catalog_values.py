"""A catalog's cell values, read leniently, since exports differ:

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

A value that does not parse is a `ValueError` (price) or None (availability); the row reader
(`catalog_read.py`) reports the row.
"""

from __future__ import annotations

import ast
import json
import math
import re
from collections.abc import Iterable
from typing import Any

# Specifications: at most this many pairs.
MAX_OPTIONS = 40
# Parsing a specification string longer than this is not attempted.
MAX_SPEC_CHARS = 50_000


def option_key(key: str) -> str:
    """The metadata key of a specification: "Outer Material" → "opt_outer_material"."""
    words = re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")
    return f"opt_{words}" if words else ""


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
