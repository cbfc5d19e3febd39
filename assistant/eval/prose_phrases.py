"""The prose shopper's phrasings: the words it looks for in its scenario, its requests and
the assistant's replies (how a summary names each change, ways to pay, places' short names,
"everything", "the same size", "a person"), and the things a request keeps to itself.
"""

from __future__ import annotations

import re

from assistant.eval.scenario import Request

SUMMARY_VERBS = {
    "cancel": ("cancel",),
    "return": ("return",),
    "exchange": ("exchange", "change"),
    "modify": ("change", "exchange"),
    "order_address": ("ship order",),
    "default_address": ("default address",),
    "payment": ("pay order",),
}
PAYMENT_WORDS = (
    ("paypal", re.compile(r"\bpay ?pal\b")),
    ("gift card", re.compile(r"\bgift ?card\b|\bgc\b")),
    ("credit card", re.compile(r"\b(credit card|visa|mastercard|amex|discover|card)\b")),
)
PLACES = {
    "nyc": "new york",
    "big apple": "new york",
    "la": "los angeles",
    "dc": "washington",
    "washington dc": "washington",
}
MAX_ORDERS_PER_REQUEST = 6
# "Return everything", "cancel all my pending orders" — not "all bookshelves", which names them.
WANTS_ALL = re.compile(
    r"\b(everything|whole|entire|all (?:the |my |of )?(?:things|items|it|them|\w* ?orders?))\b"
)
# Requests that name an item by comparison, which a summary alone cannot confirm.
COMPARED = re.compile(r"\b(more|less) expensive\b|\bcheaper\b|\bpricier\b")
# Words that ask to keep an option as it is: "same size", "keep the material".
SAME = (
    r"\b(?:same|keep (?:the |my )?|unchanged) ?{option}\b(?! as\b)|"
    r"\b{option} (?:the same|unchanged)\b(?! as\b)"
)
# Requests that leave the new options to the assistant's search.
RELATIVE = re.compile(
    r"\b(cheapest|most expensive|least expensive|any|whatever|do not care|don't care|"
    r"not important)\b"
)
# "Change the user address back to the original address": where it lives.
BACK_HOME = re.compile(r"\bback to (?:the |my )?(?:original|old|previous)\b")
PERSON = re.compile(r"\b(human|person|representative|transfer)\b")
PERSON_IF_NOT = re.compile(
    r"\bif (?:this is |that is |it is |it's )?not possible\b[^.]*"
    r"\b(?:human|person|representative)\b"
)


def kept_things(request: Request) -> tuple[list[str], bool]:
    """The things it knows but keeps to itself, and whether they are the ones left out:
    "it's just a keyboard and a mouse", "everything except a keyboard and a mouse"."""
    text = request.known
    if not text:
        return [], False
    excluded = re.search(r"\b(?:except|but not|other than|apart from)\b", text, re.I)
    listing = re.match(r"(?:it'?s|it is|they are|they're)\s+(?:just\s+|only\s+)?", text, re.I)
    if not excluded and not listing:
        return [], False
    rest = text[excluded.end() :] if excluded else text[listing.end() :]  # type: ignore[union-attr]
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+", rest)
    things = [re.sub(r"^(?:a|an|the|my|two|both)\s+", "", p.strip(" ."), flags=re.I) for p in parts]
    return [t for t in things if 0 < len(t.split()) <= 3], excluded is not None


def among(said: set[str], done: set[str]) -> bool:
    """Whether a thing's words are among those of the items done ("watch" in Wristwatch)."""
    return any(w == d or (len(w) > 3 and d.endswith(w)) for w in said for d in done)
