"""Reading what a follow-up to a search asks: which cards it points at ("the second", "the
first two"), whether it compares, details, pages, relaxes or resets, and the relative requests
("cheaper", "a bigger one") with the sizes they compare. Patterns and small functions only;
`session.py` (with `relaxing.py` and `relative.py`) decides what to do with them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.search.words import pattern_words, words

# Words any search may use that name nothing in the catalog.
_SEARCH_WORDS = """
a an the some any me my i im i'm show find looking look for want need do does you
have got please in on with of and or to under over below above between from less
more than up at most least max dollars dollar bucks usd price priced prices cheap
cheaper cheapest expensive stock available only one ones it them that this these
those what which about something anything is are there sell carry search buy get can
could would like new pair size color colour kind type sort all your us see let store
shop actually prefer rather instead maybe perhaps also just really i'd id thing
things good nice great best
"""
SEARCH_WORDS = frozenset(_SEARCH_WORDS.split())

ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "sixth": 6,
    "6th": 6,
    "last": -1,
}
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
POSITION = re.compile(
    r"\b(?:(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|6th|last)\b"
    r"|(?:#|number |no\.? ?|option |item |card )([1-9])\b)"
)
FIRST_N = re.compile(r"\b(?:first|top) (two|three|four|five|[2-5])\b")
ALL = re.compile(r"\b(?:all (?:of )?(?:them|these|three|two)|these|both)\b")

RESET = re.compile(r"\b(?:start over|new search|clear (?:the |my )?(?:search|filters))\b")
COMPARE = re.compile(r"\b(?:compare|comparison|differences?|differ|versus|vs\.?)\b")
DETAILS = re.compile(
    r"\b(?:tell me (?:more )?about|more (?:about|on|info)|details?|describe|info(?:rmation)?"
    r"|what about|how about|show me|what is|what's|specs?|look at)\b"
)
MORE = re.compile(
    r"\b(?:(?:show|see|any|got|have) (?:me )?(?:some |any )?(?:more|others|other ones)"
    r"|more (?:results|options|ones|of them|please)|next(?: page| ones| few)?|what else"
    r"|anything else|other options|keep going)\b|^\s*more\s*[.!?]*\s*$"
)
RELAX_WORDS = re.compile(
    r"\b(?:any|forget|drop|remove|ignore|without the|no matter|regardless of|don'?t care"
    r"|doesn'?t matter|not important|whatever|skip)\b"
)
RELAX_ANY = re.compile(r"\b(?:relax|broaden|widen|loosen|fewer filters|less strict)\b")
PRICE_WORDS = re.compile(r"\b(?:price|prices|budget|cost|limit|max|maximum|minimum)\b")
STOCK_WORDS = re.compile(r"\b(?:stock|available|availability|sold out)\b")
CHEAPER = re.compile(
    r"\b(?:cheaper|less expensive|lower price[d]?|more affordable|less money|not so expensive"
    r"|too expensive|too pricey)\b"
)
PRICIER = re.compile(r"\b(?:pricier|more expensive|higher[- ]end|fancier|more premium|too cheap)\b")
BIGGER = re.compile(
    r"\b(?:bigger|larger|greater|more (?:capacity|storage|memory|pieces)|longer|taller|thicker"
    r"|wider|heavier)\b"
)
SMALLER = re.compile(
    r"\b(?:smaller|tinier|less (?:capacity|storage)|shorter|more compact|lighter|thinner"
    r"|narrower|fewer pieces)\b"
)

# Among a product's options that have a size, the ones a plain "bigger" means first; the
# rest follow in the product's own order. Which options have a size is learned from the
# catalog's values (`sized`), not listed.
SIZE_FIRST = ("size", "capacity", "storage")
_SIZE_WORDS = {
    "xxs": 0.0,
    "xs": 1.0,
    "extra small": 1.0,
    "s": 2.0,
    "small": 2.0,
    "compact": 2.0,
    "m": 3.0,
    "medium": 3.0,
    "regular": 3.0,
    "standard": 3.0,
    "l": 4.0,
    "large": 4.0,
    "professional": 4.0,
    "xl": 5.0,
    "extra large": 5.0,
    "xxl": 6.0,
}
_UNITS = {
    "ml": 1.0,
    "l": 1000.0,
    "liter": 1000.0,
    "liters": 1000.0,
    "litre": 1000.0,
    "litres": 1000.0,
    "mb": 0.001,
    "gb": 1.0,
    "tb": 1000.0,
    "mm": 1.0 / 25.4,
    "cm": 1.0 / 2.54,
    "inch": 1.0,
    "inches": 1.0,
    '"': 1.0,
    "ft": 12.0,
    "feet": 12.0,
    "kg": 2.2046,
    "lb": 1.0,
    "lbs": 1.0,
}
# Units of size: length, volume, memory, weight, and counts ("2-piece", "1 cup", "1000").
_SIZE_UNITS = {*_UNITS, "", "piece", "pieces", "pc", "pcs", "cup", "cups"}
_MAGNITUDE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*-?\s*([a-z\"]*)")


def magnitude(value: str) -> float | None:
    """How big an option value is, comparable within one option: "1.5 liters" 1500, "500ml"
    500, "XL" 5, "13-inch" 13; None when it has no size."""
    measured = _measure(value.strip().lower())
    return None if measured is None else measured[0]


def sized(values: Iterable[str]) -> bool:
    """Whether an option's values are sizes: nearly all of them a size word ("XL",
    "medium") or a number in a unit of size ("1.5 liters", "13-inch", "2-piece", "1000"),
    at least two different. Hours, degrees or bars are measures, not sizes."""
    found = [_measure(value.strip().lower()) for value in values]
    sizes = [size for size, of_size in filter(None, found) if of_size]
    return bool(found) and len(sizes) >= 0.8 * len(found) and len(set(sizes)) >= 2


def _measure(lowered: str) -> tuple[float, bool] | None:
    """A stripped, lowercased value's magnitude and whether it is a size (a size word, or a
    number in a unit of size); None when it has no magnitude."""
    if lowered in _SIZE_WORDS:
        return _SIZE_WORDS[lowered], True
    match = _MAGNITUDE.match(lowered)
    if match is None:
        return None
    number, unit = float(match.group(1)), match.group(2)
    return number * _UNITS.get(unit, 1.0), unit in _SIZE_UNITS


def pointed_at(text: str) -> list[int]:
    """The cards a message points at, in its order: "the second" [2], "#1 and #3" [1, 3],
    "the last" [-1]."""
    found: list[int] = []
    for match in POSITION.finditer(text):
        word, digit = match.group(1), match.group(2)
        position = ORDINALS[word] if word else int(digit)
        if position not in found:
            found.append(position)
    return found


def names_option(name: str, said: set[str]) -> bool:
    tokens = words(name)
    spellings = {*tokens, *(t + "s" for t in tokens)}
    if {"color", "colour"} & set(tokens):
        spellings |= {"color", "colour", "colors", "colours"}
    # "frame color" is named by "frame" or by "colour"; "size" by "size".
    return bool(spellings & said)


# Every word the follow-up patterns spell out.
WORDS_OF_FOLLOWUPS = pattern_words(
    POSITION,
    FIRST_N,
    ALL,
    RESET,
    COMPARE,
    DETAILS,
    MORE,
    RELAX_WORDS,
    RELAX_ANY,
    PRICE_WORDS,
    STOCK_WORDS,
    CHEAPER,
    PRICIER,
    BIGGER,
    SMALLER,
)
