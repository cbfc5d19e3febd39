"""JSON off the wire, bounded before it is parsed: size, nesting depth, numbers and text.

Every body and frame the server reads itself goes through `decode_json`, which answers each
way it can be bad with a typed error: too large (`message_too_large`), not UTF-8 or with text
no database stores — a NUL character, a lone surrogate — (`undecodable_message`), not JSON
(`malformed_json`), nested too deep or with a number out of range (`invalid_input`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import AfterValidator

from assistant.errors import InvalidInput, MalformedJSON, MessageTooLarge, UndecodableMessage

# Deeper than any frame or body of the protocol (three levels at most, metadata included).
MAX_DEPTH = 32
# JSON numbers beyond what every JSON reader holds exactly (2**53) are refused.
MAX_SAFE_INTEGER = 2**53 - 1
# The largest sequence number, offset or count a client may send: a signed 32-bit integer,
# as the database stores them.
MAX_INT32 = 2**31 - 1

# A JSON string (with its escapes) or a bracket outside of one.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
# Text that no database column holds: NUL, and UTF-16 surrogates standing alone.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def nesting_depth(text: str, *, limit: int = MAX_DEPTH) -> int:
    """How deep the arrays and objects of `text` nest (brackets inside strings not counted),
    counted up to one past `limit`. Linear, and without parsing, so a hostile document is
    refused before `json.loads` could recurse into it."""
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        elif token in "]}":
            depth -= 1
    return deepest


def unstorable(text: str) -> str | None:
    """Why `text` cannot be stored, or None: a NUL character or a lone surrogate."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    return "a NUL character" if found.group() == "\x00" else "a lone UTF-16 surrogate"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _field(path: tuple[str | int, ...]) -> str:
    return wire_text(".".join(str(p) for p in path))[:200] or "the frame"


def _check_value(value: Any, path: tuple[str | int, ...]) -> None:
    """Every string (keys too) storable, every number finite and within the safe range."""
    if isinstance(value, str):
        reason = unstorable(value)
        if reason is not None:
            field = _field(path)
            raise UndecodableMessage(f"{field} contains {reason}", details={"field": field})
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        if not (isinstance(value, int) or math.isfinite(value)) or abs(value) > MAX_SAFE_INTEGER:
            field = _field(path)
            raise InvalidInput(
                f"{field} is out of range: a number is finite and at most 2**53 - 1 in size",
                details={"field": field},
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_value(key, (*path, key))
            _check_value(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(item, (*path, index))


def decode_json(raw: bytes | str, *, max_bytes: int) -> Any:
    """Bytes or text off the wire to JSON, with a typed error for each way it can be bad."""
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise MessageTooLarge(
            f"the frame is {size} bytes; the limit is {max_bytes}",
            details={"limit": max_bytes, "size": size},
        )
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UndecodableMessage("the frame is not valid UTF-8") from exc
    depth = nesting_depth(raw)
    if depth > MAX_DEPTH:
        raise InvalidInput(
            f"the JSON nests {depth} levels deep; the limit is {MAX_DEPTH}",
            details={"limit": MAX_DEPTH},
        )
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise MalformedJSON(f"the frame is not valid JSON: {exc}") from exc
    _check_value(data, ())
    return data


def _storable(text: str) -> str:
    reason = unstorable(text)
    if reason is not None:
        raise ValueError(f"the text contains {reason}")
    return text


# A string that a database can store: no NUL character, no lone surrogate.
StorableStr = Annotated[str, AfterValidator(_storable)]


def wire_text(value: Any) -> str:
    """`value` as text that is safe to send back: NUL and lone surrogates escaped."""
    text = str(value).encode("utf-8", "backslashreplace").decode("utf-8")
    return text.replace("\x00", "\\x00")


def validation_details(errors: Sequence[Any]) -> dict[str, Any]:
    """Pydantic's errors as `{"errors": [{"field", "message"}]}` for the wire."""
    return {
        "errors": [
            {
                "field": ".".join(wire_text(p) for p in item["loc"]),
                "message": wire_text(item["msg"]),
            }
            for item in errors
        ]
    }
