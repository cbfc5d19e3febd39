"""The language model's prompts, one text file each (str.format placeholders)."""

from __future__ import annotations

import re
from importlib import resources


def load_prompt(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text("utf-8")


def as_data(text: str, *blocks: str) -> str:
    """`text` without the tags of the prompt's data blocks (`<message>`, `</passages>` …), so
    data put inside a block cannot close it and write outside."""
    names = "|".join(re.escape(block) for block in blocks)
    return re.sub(rf"</?\s*({names})\s*>", "", text, flags=re.IGNORECASE)
