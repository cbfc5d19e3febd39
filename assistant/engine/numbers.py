"""The facts a text states as numbers: what a generated text may not invent (a grounded
answer's prices and durations, a summary's amounts and order numbers, a filter's budget)."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\$?\d+(?:[.,]\d+)*%?")
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "fourteen": "14",
    "fifteen": "15", "twenty": "20", "thirty": "30", "sixty": "60", "ninety": "90",
}  # fmt: skip


def facts_in(text: str) -> set[str]:
    """Numbers as digits, without currency signs or thousands separators ("$1,000" → "1000");
    number words count as their digits ("three" → "3")."""
    found: set[str] = set()
    for match in _NUMBER.findall(text):
        value = match.strip("$%").replace(",", "")
        found.add(value.rstrip("0").rstrip(".") if "." in value else value)
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in _NUMBER_WORDS:
            found.add(_NUMBER_WORDS[word])
    return found
