"""The widget protocol's JSON Schema (docs/protocol.schema.json) for tests that speak it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "docs" / "protocol.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text())
ORIGIN = {"origin": "http://127.0.0.1:8000"}


def check(frame: dict[str, Any], kind: str) -> dict[str, Any]:
    """`frame`, validated against the protocol's schema of `kind` (ClientFrame, ServerFrame)."""
    schema = {k: v for k, v in SCHEMA.items() if k != "oneOf"}
    schema["$ref"] = f"#/$defs/{kind}"
    jsonschema.validate(frame, schema, cls=jsonschema.Draft202012Validator)
    return frame
