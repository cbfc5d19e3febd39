"""The language model's prompts, one text file each (str.format placeholders)."""

from __future__ import annotations

from importlib import resources


def load_prompt(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text("utf-8")
