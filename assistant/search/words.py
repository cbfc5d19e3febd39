"""Reading the shopper's words against the catalog's own: which product a text names ("the
smart watch", "t shirts"), and which option values it asks for ("clicky", "size L", "1000 ml",
"no backlight").

Plain functions, so the order actions (actions/catalog.py) and the catalog search read words
the same way. `ValueReader` is `mentioned_values` with its patterns compiled once, for a
catalog searched on every turn.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")

CHEAPEST = re.compile(r"\b(cheapest|least expensive|lowest price|cheaper|less expensive)\b")
PRICIEST = re.compile(r"\b(most expensive|priciest|highest price|best one|top of the line)\b")

_SIZE_WORDS = {"xs": "extra small", "s": "small", "m": "medium", "l": "large", "xl": "extra large"}


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


_IRREGULAR = {"mice": "mouse", "men": "man", "women": "woman", "feet": "foot", "teeth": "tooth"}


def singular(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("shelves"):
        return word[:-3] + "f"
    if len(word) > 4 and word.endswith(("ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 2 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def squash(text: str) -> str:
    """ "T-Shirt", "t shirt" and "tshirt" all become "tshirt"; "1000 ml" becomes "1000ml"."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


# Last words that say how a product comes, not what it is: a Dumbbell Set is dumbbells, and
# "set" alone names no product ("set a timer" is no search), so the word before is the head.
_COLLECTIVE_HEADS = {"set", "kit", "pack", "bundle", "pair", "combo", "collection"}


def name_keys(name: str) -> tuple[str, str]:
    """A product's full name and its head noun, squashed and singular."""
    tokens = [singular(w) for w in words(name)]
    if not tokens:
        return "", ""
    head = tokens[-2] if tokens[-1] in _COLLECTIVE_HEADS and len(tokens) > 1 else tokens[-1]
    return squash("".join(tokens)), squash(head)


def grams(text: str, size: int = 3) -> set[str]:
    """Every run of up to `size` words, singular and squashed: what a name key is looked up in."""
    tokens = [singular(w) for w in words(text)]
    found: set[str] = set()
    for n in range(1, size + 1):
        for start in range(len(tokens) - n + 1):
            found.add(squash("".join(tokens[start : start + n])))
    return found


def names_product(text: str, product_name: str) -> bool:
    """Whether the text names the product, by its full name or its head noun."""
    full, head = name_keys(product_name)
    found = grams(text)
    return full in found or (bool(head) and head in found)


def option_vocabulary(options: Iterable[dict[str, Any]]) -> dict[str, set[str]]:
    vocabulary: dict[str, set[str]] = {}
    for option in options:
        for name, value in option.items():
            vocabulary.setdefault(name, set()).add(str(value))
    return vocabulary


def value_pattern(value: str, option: str) -> re.Pattern[str]:
    """How a text spells an option value: "1000 ml" for "1000ml", "half-zip" for "half zip".
    Values that say nothing alone are read only beside their option's name: a one- or
    two-letter value ("L", "XS") as "size L"; a bare number as "size 10" or "2000 pieces";
    "yes" as the option itself ("waterproof", "waterproof yes"), "no" as "not waterproof" or
    "waterproof: no"."""
    label = _label(option)
    lowered = value.lower()
    if lowered == "yes":
        return re.compile(rf"(?<!not )(?<!non)(?<!non-)\b{label}\b(?![:\s]+no\b)")
    if lowered == "no":
        return re.compile(rf"\b(?:not|non)[\s-]?{label}\b|\bno {label}\b|\b{label}[:\s]+no\b")
    spelled = re.escape(lowered).replace(r"\ ", r"[\s-]?").replace(r"\-", r"[\s-]?")
    spelled = re.sub(r"(\d)([a-z])", r"\1\\s?\2", spelled)
    # "4 foot" or "4 feet" for "4 ft", "28 inches" for "28 inch".
    spelled = re.sub(r"ft$", "(?:ft|foot|feet)", spelled)
    spelled = re.sub(r"inch$", "(?:inch|inches)", spelled)
    if value.isalpha() and len(value) <= 2:
        return re.compile(rf"(?:\b{label}\s+{spelled}\b|\b{spelled}\s+{label}\b|^\s*{spelled}\s*$)")
    if value.isdigit():
        return re.compile(rf"(?:\b{label}\s+{spelled}\b|\b{spelled}[\s-]?{label}\b)")
    if lowered.endswith("s") and not lowered.endswith("ss") and len(lowered) > 4:
        # "animal" for "animals" (a theme).
        spelled += "?"
    elif lowered[-1:].isalpha() and len(lowered) > 3:
        # "beginners" for "beginner"; "glasses" is not "glass" (a material) but is "glass"+"es".
        spelled += "(?:s|es)?"
    return re.compile(rf"(?<![a-z0-9]){spelled}(?![a-z0-9])")


def _label(option: str) -> str:
    """An option's name as a text spells it: "pieces" or "piece", "piece count" or "pieces"."""
    tokens = words(option)
    if not tokens:
        return re.escape(option.lower())
    head = [re.escape(singular(t)) for t in tokens]
    gap = r"[\s-]?"
    spelled = gap.join([*head[:-1], head[-1] + "s?"])
    # "piece count" is also said "pieces".
    if len(tokens) > 1 and tokens[-1] in {"count", "number", "type", "size", "level"}:
        spelled = f"(?:{spelled}|{gap.join(head[:-1])}s?)"
    return spelled


@dataclass(frozen=True, slots=True)
class Mention:
    """An option value found in a text, and where."""

    option: str
    value: str
    start: int
    end: int


class ValueReader:
    """Finds the option values a text names, among a fixed vocabulary."""

    def __init__(self, vocabulary: dict[str, set[str]]) -> None:
        self._checks: list[tuple[str, str, list[re.Pattern[str]]]] = []
        for option in sorted(vocabulary):
            for value in sorted(vocabulary[option]):
                patterns = [value_pattern(value, option)]
                spelled = _SIZE_WORDS.get(value.lower())
                if spelled and option.lower() == "size":
                    patterns.append(re.compile(rf"(?<!extra )\b{spelled}\b"))
                if option.lower() == "size" and value.isalpha() and len(value) <= 3:
                    # "do you have it in M?", "exchange it for an XL"
                    patterns.append(
                        re.compile(rf"\b(?:in|an?) {re.escape(value.lower())}\b(?!['-])")
                    )
                if value.lower() == "none":
                    # "no backlight", "without backlight" for {"backlight": "none"}.
                    patterns.append(re.compile(rf"\b(?:no|without)\s+{_label(option)}\b"))
                self._checks.append((option, value, patterns))

    def find(self, text: str) -> list[Mention]:
        """Every value the text names, with its place; a longer value hides the shorter ones
        of the same option it contains ("extra large" hides "large")."""
        lowered = text.lower()
        found: list[Mention] = []
        for option, value, patterns in self._checks:
            for pattern in patterns:
                match = pattern.search(lowered)
                if match is not None:
                    found.append(Mention(option, value, match.start(), match.end()))
                    break
        return [
            m
            for m in found
            if not any(
                o.option == m.option and o.value != m.value and m.value.lower() in o.value.lower()
                for o in found
            )
        ]

    def read(self, text: str) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for mention in self.find(text):
            found.setdefault(mention.option, set()).add(mention.value)
        return found


def mentioned_values(text: str, options: Iterable[dict[str, Any]]) -> dict[str, set[str]]:
    """Option values the text names, per option: {"switch type": {"clicky"}}."""
    return ValueReader(option_vocabulary(options)).read(text)


def pattern_words(*patterns: re.Pattern[str]) -> frozenset[str]:
    """The plain words a set of regular expressions spells out ("cheaper", "compare"): what
    the speller reads a typo of one of them as."""
    return frozenset(w for p in patterns for w in re.findall(r"[a-z]{3,}", p.pattern))
