"""Reading the engine's YAML files (domain, flows) into strict models, with one error type."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from assistant.errors import FlowError

M = TypeVar("M", bound=BaseModel)


def load_yaml_model(path: Path, model: type[M], what: str) -> M:
    """Parse `path` as `model`; unreadable or invalid files raise `FlowError` naming the file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise FlowError(f"cannot read {what} {path}: {exc}") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise FlowError(f"invalid {what} in {path}: {exc}") from exc
