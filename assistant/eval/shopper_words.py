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
    return {w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in found}


def names_match(name: str, said: set[str]) -> bool:
    """Whether a product name is what the shopper's words name."""
    return bool({w for w in words(name) if w not in GENERIC and len(w) > 2} & said)


def order_in(title: str) -> str:
    found = re.search(r"#W\d{7}", title)
    return f"It's {found.group(0)}" if found else title


def order_score(title: str, said: set[str]) -> int:
    names = title.split(":", 1)[1] if ":" in title else title
    return sum(names_match(name, said) for name in names.split(", "))


def option_score(title: str, said: set[str]) -> float:
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
        elif words(name) & said:
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
    r"\b(bigger|larger|longer|taller|brighter|more (?:storage|capacity|zoom|pieces))\b"
)
_DOWN = re.compile(
    r"\b(smaller|shorter|dimmer|less bright|less (?:storage|capacity)|fewer pieces)\b"
)
_STEPS = (
    ("xs", "s", "m", "l", "xl", "xxl"),
    ("small", "medium", "large"),
    ("low", "medium", "high"),
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
