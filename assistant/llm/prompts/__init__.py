"""The language model's prompts, one text file each, with `str.format` placeholders.

Each file's placeholders are declared here (`PLACEHOLDERS`). A prompt is loaded into a
`Prompt`, which refuses a file whose placeholders differ from the declared ones and a
rendering that leaves one out or adds one; `check_prompts()` loads every prompt at start-up,
so an edited file with a misspelt placeholder stops the assistant before any shopper sees it.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from importlib import resources
from typing import Any, ClassVar

from assistant.errors import AisleError

PLACEHOLDERS: dict[str, frozenset[str]] = {
    "commands.txt": frozenset({"store", "state", "flows", "slots", "max_commands"}),
    "filters.txt": frozenset({"types", "options"}),
    "grounded_answer.txt": frozenset({"store"}),
    "grounded_answer_user.txt": frozenset({"passages", "question"}),
    "message_user.txt": frozenset({"message"}),
    "summary.txt": frozenset({"store"}),
    "summary_user.txt": frozenset({"transcript"}),
}


class PromptError(AisleError):
    code: ClassVar[str] = "invalid_prompt"


def placeholders(text: str) -> frozenset[str]:
    """The `{names}` a format string fills (`{{` and `}}` are literal braces)."""
    try:
        return frozenset(field for _, field, _, _ in string.Formatter().parse(text) if field)
    except ValueError as exc:
        raise PromptError(f"not a format string: {exc}") from exc


@dataclass(frozen=True)
class Prompt:
    """A prompt's text and the placeholders it must be given, all of them and no others."""

    name: str
    text: str
    fields: frozenset[str]

    def format(self, **values: Any) -> str:
        missing, extra = self.fields - set(values), set(values) - self.fields
        if missing or extra:
            raise PromptError(
                f"prompt {self.name}: missing {sorted(missing)}, unexpected {sorted(extra)}"
            )
        return self.text.format(**values)


def load_prompt(name: str) -> Prompt:
    if name not in PLACEHOLDERS:
        raise PromptError(f"no prompt {name!r} is declared")
    text = resources.files(__name__).joinpath(name).read_text("utf-8")
    found = placeholders(text)
    if found != PLACEHOLDERS[name]:
        raise PromptError(
            f"prompt {name}: its placeholders are {sorted(found)}, "
            f"the code fills {sorted(PLACEHOLDERS[name])}"
        )
    return Prompt(name, text, found)


def check_prompts() -> list[Prompt]:
    """Every declared prompt, loaded and checked (at start-up)."""
    return [load_prompt(name) for name in sorted(PLACEHOLDERS)]


def as_data(text: str, *blocks: str) -> str:
    """`text` without the tags of the prompt's data blocks (`<message>`, `</passages>` …), so
    data put inside a block cannot close it and write outside."""
    names = "|".join(re.escape(block) for block in blocks)
    return re.sub(rf"</?\s*({names})\s*>", "", text, flags=re.IGNORECASE)
