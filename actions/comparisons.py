"""Wishes said by comparison with the item the shopper has: "a bigger one", "less bright",
"a shorter board", "the one with more storage".

The option a comparison speaks of is found among the product's own options by the word's
meaning (bigger: size, capacity…; brighter: brightness; longer: length…), and its values are
ordered by the number they hold ("500ml" < "750ml", "28 inch" < "31 inch") or by a known
ladder ("S" < "M" < "L", "low" < "medium" < "high"). The wish is the nearest value past the
current one, among the variants that can be had.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_MORE = re.compile(
    r"\b(bigger|larger|more (?:capacity|storage|space|room|zoom|pieces)|longer|taller|"
    r"higher (?:capacity|zoom|resolution)|brighter|more bright|"
    r"more powerful|one size (?:up|bigger|larger))\b"
)
_LESS = re.compile(
    r"\b(smaller|less capacity|shorter|less bright|dimmer|not as bright|less storage|"
    r"fewer pieces|more compact|one size (?:down|smaller)|lower (?:capacity|resolution))\b"
)
# Which options a comparison may speak of, by the words that say it, most likely first.
_OPTIONS_FOR = (
    (re.compile(r"bright|dim"), ("brightness",)),
    (re.compile(r"zoom"), ("zoom",)),
    (re.compile(r"storage"), ("storage",)),
    (re.compile(r"resolution"), ("resolution",)),
    (re.compile(r"pieces"), ("pieces", "piece count")),
    (re.compile(r"long|short"), ("length", "height")),
    (re.compile(r"tall"), ("height",)),
    (
        re.compile(r"big|large|small|compact|capacity|space|room|size"),
        ("size", "capacity", "screen size", "frame size", "length", "height", "piece count"),
    ),
    (re.compile(r"powerful"), ("power", "pressure")),
    (re.compile(r"eas|hard|difficult"), ("difficulty level",)),
)
_LADDERS = (
    ("xs", "s", "m", "l", "xl", "xxl"),
    ("small", "medium", "large"),
    ("low", "medium", "high"),
    ("portable", "medium", "large"),
    ("beginner", "intermediate", "advanced", "expert"),
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# "The maximum zoom", "the largest frame", "zoom ... has to be maximized", "fewest pieces":
# the end of the option's range, not the next step.
_MOST = re.compile(
    r"\b(?:max(?:imum|imal)?|highest|largest|biggest|greatest|most) (?:possible )?[a-z]+"
    r"(?: [a-z]+)?|\b[a-z]+ (?:\w+ ){0,5}(?:be )?maximi[sz]ed\b|\bhardest\b"
)
_LEAST = re.compile(
    r"\b(?:min(?:imum|imal)?|lowest|smallest|fewest|least) (?:possible )?[a-z]+(?: [a-z]+)?|"
    r"\b[a-z]+ (?:\w+ ){0,5}(?:be )?minimi[sz]ed\b|\beasiest\b"
)


def rank(value: str) -> float | None:
    """Where a value stands among its option's values: its number, or its ladder step."""
    lowered = value.lower().strip()
    for ladder in _LADDERS:
        if lowered in ladder:
            return float(ladder.index(lowered))
    found = _NUMBER.search(lowered)
    if found is None:
        return None
    number = float(found.group())
    # "1.5L" beside "500ml": litres as millilitres.
    if re.search(r"\d\s*l\b", lowered):
        number *= 1000
    return number


def compared_values(
    text: str, variants: Iterable[dict[str, Any]], current: dict[str, Any]
) -> dict[str, set[str]]:
    """The values a comparison in the text asks for: {"capacity": {"750ml"}} for "a bigger
    bottle" when the current one holds 500ml; empty when the text compares nothing the
    product has."""
    lowered = text.lower()
    wishes: dict[str, set[str]] = {}
    options = list(variants)
    for pattern, sign in ((_MORE, 1), (_LESS, -1)):
        for match in pattern.finditer(lowered):
            option = _option_for(match.group(), current)
            if option is None or option in wishes:
                continue
            now = rank(str(current[option]))
            if now is None:
                continue
            # How far past the current value each value to be had lies, the right way.
            past = {
                str(o[option]): (r - now) * sign
                for o in options
                if option in o and (r := rank(str(o[option]))) is not None
            }
            past = {value: step for value, step in past.items() if step > 0}
            if past:
                nearest = min(past.values())
                wishes[option] = {value for value, step in past.items() if step == nearest}
    for pattern, sign in ((_MOST, 1), (_LEAST, -1)):
        for match in pattern.finditer(lowered):
            option = _option_for(match.group(), current)
            ranked = {
                str(o[option]): r * sign
                for o in options
                if option is not None and option in o and (r := rank(str(o[option]))) is not None
            }
            if option is not None and ranked:
                top = max(ranked.values())
                wishes[option] = {value for value, step in ranked.items() if step == top}
    return wishes


def _option_for(words: str, current: dict[str, Any]) -> str | None:
    for pattern, names in _OPTIONS_FOR:
        if pattern.search(words):
            for name in names:
                if name in current:
                    return name
    return None


# "1000 more pieces", "2 fewer pieces", "500 ml more".
_COUNTED = re.compile(
    r"\b(?P<n>\d+(?:\.\d+)?)\s*(?P<way>more|fewer|less|extra)\s+(?P<what>[a-z]+)\b"
)


def counted_values(
    text: str, variants: Iterable[Any], current: dict[str, Any]
) -> dict[str, set[str]]:
    """The values a count moves the current one to ("1000 more pieces" from 500: 1500), for
    options whose name the words name and whose values hold numbers."""
    wanted: dict[str, set[str]] = {}
    for found in _COUNTED.finditer(text.lower()):
        what = found.group("what").rstrip("s")
        sign = -1 if found.group("way") in ("fewer", "less") else 1
        for option, value in current.items():
            if what not in option.lower():
                continue
            now = _number(str(value))
            if now is None:
                continue
            target = now + sign * float(found.group("n"))
            matching = {
                str(v.options[option])
                for v in variants
                if option in v.options and _number(str(v.options[option])) == target
            }
            if matching:
                wanted[option] = matching
    return wanted


def _number(value: str) -> float | None:
    found = _NUMBER.search(value.replace(",", ""))
    return float(found.group()) if found else None
