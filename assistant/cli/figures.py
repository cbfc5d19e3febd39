"""What `eval` and `bench` commands share: the `--json` and `--output` options, and writing
their figures out (a table for people, one JSON object on stdout for machines)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print one JSON object on stdout, nothing else.")
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Also write the JSON to this file.")
]


def emit_json(figures: dict[str, Any], *, as_json: bool, output: Path | None) -> bool:
    """Write the figures to `output` if given, print them as one JSON line with `as_json`;
    True when printed (the caller then prints nothing else)."""
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(figures))
    return as_json
