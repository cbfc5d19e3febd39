"""`assistant protocol-schema`: print the JSON Schema of the widget protocol."""

from __future__ import annotations

import json

import typer


def register(app: typer.Typer) -> None:
    @app.command("protocol-schema")
    def protocol_schema() -> None:
        """Print the JSON Schema of the WebSocket frames."""
        from assistant.server.protocol import protocol_schema as schema

        typer.echo(json.dumps(schema(), indent=2))
