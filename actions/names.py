"""Which customer a name belongs to: the candidate (first, last) name pairs in a message,
the words that carry no identity in a name left out.
"""

from __future__ import annotations

import re

from assistant.config.store import OrderIds

# Words that carry no identity in a product or person name.
_STOP = {
    "a",
    "an",
    "the",
    "my",
    "me",
    "i",
    "im",
    "i'm",
    "is",
    "am",
    "are",
    "and",
    "or",
    "of",
    "in",
    "on",
    "for",
    "to",
    "with",
    "it",
    "its",
    "this",
    "that",
    "one",
    "ones",
    "both",
    "all",
    "also",
    "name",
    "names",
    "zip",
    "zipcode",
    "code",
    "postal",
    "live",
    "living",
    "lives",
    "from",
    "hi",
    "hello",
    "hey",
    "yes",
    "no",
    "please",
    "thanks",
    "thank",
    "you",
    "here",
    "there",
    "it's",
    "called",
    "email",
    "mail",
    "order",
    "orders",
    "would",
    "like",
    "want",
    "just",
    "at",
    "by",
    "sure",
    "ok",
    "okay",
    "so",
    "be",
    "we",
    "our",
    "your",
    "first",
    "last",
    "city",
    "state",
    "was",
    "were",
    "do",
    "did",
    "not",
    "dont",
    "don't",
    "know",
    "remember",
    "can",
    "could",
    "you're",
    "youre",
    "customer",
    "user",
    "id",
    "account",
    "usa",
    "us",
    "new",
    "old",
}


def name_pairs(text: str, order_ids: OrderIds | None = None) -> list[tuple[str, str]]:
    """Candidate (first, last) name pairs in a message, most likely first; order numbers (in
    the store's format) and emails are not names."""
    numbers = (order_ids or OrderIds()).entity_regex()
    cleaned = re.sub(rf"\S+@\S+|{numbers}|\d+", " ", text, flags=re.IGNORECASE)
    tokens = re.findall(r"[A-Za-z][A-Za-z'\-]*", cleaned)
    kept = [t for t in tokens if t.lower() not in _STOP]
    pairs = [(kept[i], kept[i + 1]) for i in range(len(kept) - 1)]
    # Capitalised pairs first: "Yusuf Rossi" before "rossi zip".
    return sorted(pairs, key=lambda p: not (p[0][:1].isupper() and p[1][:1].isupper()))
