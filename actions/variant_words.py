"""Which of a shopper's words are about which item, when one message asks for several.

"Exchange the helmet for a medium red one, and the luggage set for a black two-piece": the
helmet's new options come from the words about the helmet, never the luggage set's black.
"Size 8, I don't care about waterproof or not": an option the shopper is indifferent to is
not a wish. A shopper who types back an offered choice ("color: black, ventilation: medium")
picks that choice, whatever was asked for before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from assistant.search.words import names_product

# Clause boundaries: sentences, and "and the …" / ", the …" that start another item's words.
_CLAUSES = re.compile(
    r"(?<=[.;!?])\s+|\s*,?\s+\b(?:and|while|but|plus)\s+(?=(?:also\s+)?(?:the|my|a|an)\b)"
    r"|,\s+but\s+"
)
_ASIDE = re.compile(r"\(([^()]*)\)")
# "I don't care about waterproof or not", "color is not important", "any brand is fine".
_INDIFFERENT = re.compile(
    r"\b(?:(?:do ?n'?t|do not|does ?n'?t|does not) (?:really )?care (?:about|for|what|which|if|"
    r"whether)|no matter (?:the |what |which )?|regardless of|whatever)\b[^,.;()]*"
    r"|\b[\w ]{1,30}? (?:is|are) (?:not important|unimportant|irrelevant)\b"
    r"|\b[\w ]{1,30}? do(?:es)?n'?t matter\b",
    re.IGNORECASE,
)


def indifferent_to(text: str, options: Iterable[str]) -> set[str]:
    """The options the shopper says they do not care about ("waterproof or not")."""
    said = " ".join(_INDIFFERENT.findall(text.replace("’", "'"))).lower()
    return {option for option in options if option.lower() in said}


def without_indifference(text: str) -> str:
    """The text without the options the shopper says it does not care about."""
    return _INDIFFERENT.sub(" ", text.replace("’", "'"))


def words_about(text: str, name: str, other_names: Iterable[str]) -> str:
    """The clauses of the text about the product `name`: those that name it, and those that
    name no other product (shared wishes: "prefer polyester"). The whole text when no clause
    names it."""
    # An aside in parentheses is a clause of its own; the sentence around it stays whole.
    pieces = [_ASIDE.sub(" ", text), *_ASIDE.findall(text)]
    clauses = [c for piece in pieces for c in _CLAUSES.split(piece) if c and c.strip()]
    others = [o for o in other_names if o.lower() != name.lower()]
    naming_others = [any(names_product(c, o) for o in others) for c in clauses]
    if not any(naming_others):
        return text
    kept = [
        clause
        for clause, other in zip(clauses, naming_others, strict=True)
        if names_product(clause, name) or not other
    ]
    return " ".join(kept) if kept else text


def _normal(text: str) -> str:
    kept = re.sub(r"[^a-z0-9:%\". ]+", " ", text.lower())
    return " " + " ".join(re.sub(r"\.(?=\s|$)", " ", kept).split()) + " "


def typed_option(text: str, labels: Sequence[tuple[str, Any]]) -> Any | None:
    """The offered choice whose label the text repeats ("The one with color: black,
    ventilation: medium."), the longest when several labels fit."""
    said = _normal(text)
    best: tuple[int, Any] | None = None
    for label, value in labels:
        wanted = _normal(label)
        if wanted.strip() and wanted in said and (best is None or len(wanted) > best[0]):
            best = (len(wanted), value)
    return best[1] if best is not None else None
