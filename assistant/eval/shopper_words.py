"""Reading a shopper's own words against what the assistant shows: product names, option
values, prices, and the lines of a change summary. Used by the prose shopper."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Words in product names that do not say which product it is.
GENERIC = {
    "smart", "wireless", "electric", "digital", "portable", "mechanical", "the", "and", "with",
    "set", "pro", "kit", "for",
}  # fmt: skip


def words(text: str) -> set[str]:
    """Lower-case words with plural endings and hyphens taken off ("T-Shirts" → "tshirt")."""
    lowered = re.sub(r"\bno (\w+)", r"\1 none", text.lower())  # "no backlight": backlight none
    found = re.findall(r"[a-z0-9]+", lowered.replace("-", ""))
    said = {_singular(w) for w in found}
    # A size said in full is its letter too ("small tshirt": size S).
    return said | {SIZE_LETTERS[w] for w in said if w in SIZE_LETTERS}


SIZE_LETTERS = {"small": "s", "medium": "m", "large": "l"}


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ves"):
        return word[:-3] + "f"  # "bookshelves"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def names_match(name: str, said: set[str]) -> bool:
    """Whether a product name is what the shopper's words name."""
    own = {w for w in words(name) if w not in GENERIC and len(w) > 2}
    # "watch" names the Wristwatch: a said word that ends a compound name.
    return bool(own & said) or any(n.endswith(w) for n in own for w in said if len(w) > 3)


def order_in(title: str) -> str:
    found = re.search(r"#W\d{7}", title)
    return f"It's {found.group(0)}" if found else title


def order_score(title: str, said: set[str]) -> int:
    names = title.split(":", 1)[1] if ":" in title else title
    return sum(names_match(name, said) for name in names.split(", "))


def option_score(title: str, said: set[str], *, as_said: Iterable[str] = ()) -> float:
    """How well a choice's changed options fit the shopper's words: a value it names counts
    (half for one distinctive word of it, "Google Home" for Google Assistant); changing an
    option it talks about to a value it does not name counts against."""
    options = title.split(" · ")[0]
    score = 0.0
    for part in options.split(", "):
        name, _, value = part.partition(": ")
        value_words = words(value) - GENERIC
        if value_words and value_words <= said:
            score += 1
        elif value_words & said:
            score += 0.5
        elif words(name) & said and name not in as_said:
            score -= 1
    return score


def price(title: str) -> float:
    found = re.search(r"\$([\d,]+\.?\d*)", title)
    return float(found.group(1).replace(",", "")) if found else 0.0


def segment(text: str, item_name: str) -> str:
    """The part of a request about one item: from its name to the next item named."""
    lowered = text.lower()
    keys = [w for w in words(item_name) if w not in GENERIC and len(w) > 2]
    starts = [m.start() for k in keys for m in re.finditer(rf"\b{re.escape(k)}", lowered)]
    if not starts:
        return text
    start = min(starts)
    rest = text[start:]
    # Up to the next "and the <noun>" that starts another item's wish.
    end = re.search(r"\band (?:the|my) (?!same\b)", rest[len(keys[0]) :])
    return rest[: len(keys[0]) + end.start()] if end else rest


def asked_and_kept(text: str) -> tuple[set[str], set[str]]:
    """The words of what a request asks about, and of what it says to leave alone
    ("return everything except the coffee machine", "cancel the boot and keep the kettle")."""
    parts = re.split(r"\b(?:except|but not|keep|other than|apart from)\b", text.lower(), maxsplit=1)
    kept = words(re.split(r"[.;(]", parts[1])[0]) if len(parts) > 1 else set()
    return words(parts[0]), kept


def new_values(summary: str) -> Iterable[tuple[str, str]]:
    """The new (option, value) pairs a change summary proposes ("• Grill: type: gas → type:
    charcoal" gives ("type", "charcoal"))."""
    for line in summary.splitlines():
        if line.startswith("• ") and " → " in line:
            after = line.split(" → ", 1)[1].split(" ($")[0]
            for part in after.split(", "):
                name, _, value = part.partition(": ")
                yield (name, value) if value else ("", part)


def summary_items(summary: str) -> Iterable[str]:
    for line in summary.splitlines():
        cancelled = re.match(r"cancel order \S+ \((.+)\)$", line.strip(), re.IGNORECASE)
        if cancelled:
            yield from cancelled.group(1).split(", ")
        if line.startswith("• "):
            yield line[2:].split(":")[0]
        elif line.lower().startswith("return from order"):
            for part in line.split(": ", 1)[-1].split("; "):
                yield part.split(" (")[0]


# How a shopper says a new option goes past the old one, and which way.
_UP = re.compile(
    r"\b(bigger|larger|longer|taller|brighter|more (?:storage|capacity|zoom|pieces)|"
    r"max(?:imum)?|highest)\b"
)
_DOWN = re.compile(
    r"\b(smaller|shorter|dimmer|less bright|less (?:storage|capacity)|fewer pieces|fewest|"
    r"min(?:imum)?|lowest|easiest)\b"
)
_STEPS = (
    ("xs", "s", "m", "l", "xl", "xxl"),
    ("small", "medium", "large"),
    ("low", "medium", "high"),
    ("beginner", "intermediate", "advanced", "expert"),
)


def _step(value: str) -> float | None:
    lowered = value.lower().strip()
    for steps in _STEPS:
        if lowered in steps:
            return float(steps.index(lowered))
    number = re.search(r"\d+(?:\.\d+)?", lowered)
    return float(number.group()) if number else None


def goes_as_said(text: str, old: str, new: str) -> bool:
    """Whether a change of one option from `old` to `new` goes the way the words compare
    ("a shorter one": 31 inch to 28 inch)."""
    before, after = _step(old), _step(new)
    if before is None or after is None or before == after:
        return False
    lowered = text.lower()
    return bool(_UP.search(lowered)) if after > before else bool(_DOWN.search(lowered))


def changed_values(summary: str) -> Iterable[tuple[str, str, str]]:
    """The (option, old value, new value) of each option a change summary changes ("•
    Skateboard: length: 31 inch → length: 28 inch" gives ("length", "31 inch", "28 inch"))."""
    for line in summary.splitlines():
        if line.startswith("• ") and " → " in line:
            before, after = line[2:].split(" → ", 1)
            old = dict(part.partition(": ")[::2] for part in before.split(": ", 1)[-1].split(", "))
            for part in after.split(" ($")[0].split(", "):
                name, _, value = part.partition(": ")
                if value and name in old:
                    yield name, old[name], value


# "If there is no keyboard that is clicky, RGB backlight, full size, ...": what an item must be.
_MUST_BE = re.compile(
    r"\bif (?:there is|there's|there are) no (?P<item>[a-z ]+?) (?:that is|that's|that are|with|"
    r"in) (?P<values>[^.;]+?)(?:, (?:you|I)\b|[.;]|$)",
    re.IGNORECASE,
)


def must_be(text: str, item_name: str) -> tuple[set[str], str]:
    """The words an item's new variant must have, when the scenario makes the change of
    that item depend on them, and what it says to do otherwise ("you'd go for no
    backlight", "you'd rather only exchange the thermostat")."""
    for found in _MUST_BE.finditer(text):
        if names_match(item_name, words(found.group("item"))):
            then = text[found.end() :].split(".")[0]
            return words(found.group("values")) - GENERIC - {"and", "or", "a", "an"}, then
    return set(), ""


def compared_score(current: str, title: str, text: str) -> float:
    """How a choice's changes go the way the words compare ("a brighter one": medium to high
    counts for it, medium to low against it)."""
    old = dict(part.partition(": ")[::2] for part in current.split(", "))
    score = 0.0
    for part in title.split(" · ")[0].split(", "):
        name, _, new = part.partition(": ")
        if name not in old:
            continue
        if goes_as_said(text, old[name], new):
            score += 1.5
        elif goes_as_said(text, new, old[name]):
            score -= 2
    return score


def full_options(current: str, title: str) -> set[str]:
    """The words of every option of a choice: the current item's options ("switch type:
    linear, backlight: RGB") with the ones the choice's title changes."""
    options = dict(part.partition(": ")[::2] for part in current.split(", "))
    for part in title.split(" · ")[0].split(", "):
        name, _, value = part.partition(": ")
        options[name] = value
    return words(" ".join(f"{n} {v}" for n, v in options.items()))


_PREFER = re.compile(r"\bprefer\w* ([\w ]+(?:\s*>\s*[\w ]+)+)", re.IGNORECASE)


def preference_score(options: set[str], text: str) -> float:
    """How high a choice's options rank in a stated order of preference ("prefer battery >
    USB > AC"): 1 for the first, less for each after it."""
    found = _PREFER.search(text)
    if found is None:
        return 0.0
    ranked = [words(choice) - GENERIC for choice in found.group(1).split(">")]
    for rank, wanted in enumerate(ranked):
        if wanted and wanted <= options:
            return 2.0 * (len(ranked) - rank) / len(ranked)
    return 0.0


def without_preferences(text: str) -> str:
    return _PREFER.sub(" ", text)


def clauses_about(text: str, item_name: str) -> str:
    """The clauses of a request that name one item ("... the water bottle to a bigger one,
    and the desk lamp to a less bright one" gives the lamp's clause for the lamp)."""
    clauses = re.split(r"[.;]\s+|,?\s+and (?=the |my )", text)
    return " ".join(c for c in clauses if names_match(item_name, words(c)))


_OBJECTS = re.compile(
    r"\b(?:return|exchange|cancel|modify|change|swap|no longer need|do ?n'?t need)(?:s|ing)?\s+"
    r"(?:(?:the|my|your|a|an|all)\s+)?"
    r"([a-z][a-z -]*(?:,\s*(?:and\s+)?(?:the\s+)?[a-z][a-z -]*)*)",
    re.IGNORECASE,
)
_AFTER_NAME = r"(?:^|\s+)(?:i|you|that|which|for|to|from|in|with|of|into|as|because|but|so)\b"
_NOT_THINGS = {
    "refund",
    "return",
    "exchange",
    "cancel",
    "pay",
    "keep",
    "use",
    "get",
    "ask",
    "check",
    "it",
    "them",
    "one",
    "everything",
    "all",
    "order",
    "orders",
    "items",
    "item",
}


def named_things(text: str) -> list[str]:
    """The things a request names after its verb ("return the skateboard, garden hose, and
    bed" gives skateboard, garden hose, bed), each cut at its first word that is not part
    of a name ("garden hose I received for ...")."""
    things: list[str] = []
    for found in _OBJECTS.finditer(text):
        for part in re.split(r",\s*(?:and\s+)?|\s+and\s+", found.group(1)):
            cut = re.search(_AFTER_NAME, part.strip(), flags=re.IGNORECASE)
            if cut is not None and cut.start() == 0:
                break
            name = re.split(_AFTER_NAME, part.strip(), maxsplit=1, flags=re.IGNORECASE)[0]
            name = re.sub(
                r"^(?:(?:then|also|first|and|the|my|your|a|an)\s+)+", "", name.strip(), flags=re.I
            )
            first = name.split()[0].lower() if name else ""
            if first in {"are", "is", "was", "were", "be", "it", "them", "this", "that"}:
                continue
            if name.split()[-1].lower() in {"one", "ones"}:
                continue  # "the more expensive one": which one, not a thing's name
            if name and name.lower() not in _NOT_THINGS and len(name.split()) <= 3:
                things.append(name)
            if cut is not None:
                break  # "the helmet for a medium, red one": what follows describes it
    return list(dict.fromkeys(things))


def changes_as_said(current: str, title: str, text: str) -> set[str]:
    """The options a choice changes the way the words compare ("one size smaller")."""
    old = dict(part.partition(": ")[::2] for part in current.split(", "))
    found = set()
    for part in title.split(" · ")[0].split(", "):
        name, _, new = part.partition(": ")
        if name in old and goes_as_said(text, old[name], new):
            found.add(name)
    return found
