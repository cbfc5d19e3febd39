"""The widget protocol's JSON Schema (docs/protocol.schema.json) for tests that speak it, and
`Chat`, a client that checks every frame it sends and receives against it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from starlette.testclient import WebSocketTestSession

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "docs" / "protocol.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text())
ORIGIN = {"origin": "http://127.0.0.1:8000"}


def check(frame: dict[str, Any], kind: str) -> dict[str, Any]:
    """`frame`, validated against the protocol's schema of `kind` (ClientFrame, ServerFrame)."""
    schema = {k: v for k, v in SCHEMA.items() if k != "oneOf"}
    schema["$ref"] = f"#/$defs/{kind}"
    jsonschema.validate(frame, schema, cls=jsonschema.Draft202012Validator)
    return frame


class Chat:
    """A protocol-checking client."""

    def __init__(self, ws: WebSocketTestSession) -> None:
        self.ws = ws

    def send(self, frame: dict[str, Any]) -> None:
        check(frame, "ClientFrame")
        self.ws.send_text(json.dumps(frame))

    def receive(self) -> dict[str, Any]:
        return check(self.ws.receive_json(), "ServerFrame")

    def until(self, predicate: Any, limit: int = 30) -> list[dict[str, Any]]:
        frames = []
        for _ in range(limit):
            frame = self.receive()
            frames.append(frame)
            if predicate(frame):
                return frames
        raise AssertionError(f"no matching frame in {frames}")

    def hello(
        self, session: str | None = None, last_seq: int = 0, customer_token: str | None = None
    ) -> dict[str, Any]:
        frame: dict[str, Any] = {"type": "hello", "last_seq": last_seq}
        if session:
            frame["session"] = session
        if customer_token:
            frame["customer_token"] = customer_token
        self.send(frame)
        return self.receive()

    def say(self, client_id: str, text: str, payload: str | None = None) -> list[dict[str, Any]]:
        frame = {"type": "message", "client_id": client_id, "text": text}
        if payload:
            frame["payload"] = payload
        self.send(frame)
        return self.until(lambda f: f["type"] == "typing" and not f["active"])
