"""Reading messy text against a known vocabulary: typos, shorthand, any case.

A `Speller` holds one vocabulary: the words of the intents' examples (the NLU's), or the
catalog's product names, option values and the words any search uses (the search's). It reads
a message word by word and changes only a word that is neither in that vocabulary nor a real
English word, to the vocabulary word closest to it (symspellpy: Damerau–Levenshtein distance,
ties going to the word the vocabulary uses most). Real words are never changed, so "under"
stays "under" and "car" stays "car"; what the store does not sell stays unknown instead of
being bent into something it does. Chat shorthand ("pls", "u") is read as the words it stands
for; a shop's shorthand ("tee") only where the vocabulary has the thing it stands for.

Why symspellpy: it ships an English frequency dictionary (82,765 words), which is what tells a
real word from a typo, and its symmetric-delete lookup finds every vocabulary word within the
allowed distance in one call, ranked by distance and then frequency.

Words with digits, e-mail addresses, order numbers and anything with symbols are left as they
are: they are values, not words to correct.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from symspellpy import SymSpell, Verbosity

# Chat spellings, read as the words they stand for wherever they appear.
SHORTHAND: dict[str, str] = {
    "pls": "please",
    "plz": "please",
    "u": "you",
    "ur": "your",
    "thx": "thanks",
    "thnx": "thanks",
    "ty": "thank you",
    "abt": "about",
    "bc": "because",
    "cuz": "because",
    "wanna": "want to",
    "gimme": "give me",
    "lemme": "let me",
    "wat": "what",
    "hv": "have",
    "smth": "something",
    "sth": "something",
    "addr": "address",
    "acct": "account",
    "qty": "quantity",
}
# A shop's shorthand for what it sells: read so only where the vocabulary has the thing ("tee"
# is a T-shirt in a store that sells T-shirts, and a golf tee elsewhere).
PRODUCT_SHORTHAND: dict[str, str] = {
    "tee": "t-shirt",
    "tees": "t-shirts",
    "tshirt": "t-shirt",
    "tshirts": "t-shirts",
}

# Shorter words are not corrected: too many real words lie one edit away from them.
MIN_LENGTH = 4
# Words up to this length may be one edit off; longer ones two.
ONE_EDIT_UP_TO = 5
# A word of the vocabulary's own texts that is no English word, one edit from exactly one
# English word of the vocabulary used at least this many times as often, is a typo the texts
# hold on purpose ("retrun policy"), not a word to read messages as.
TYPO_RATIO = 3
_CHUNK = re.compile(r"\S+")
_CORE = re.compile(r"^(\W*)([A-Za-z]+(?:'[A-Za-z]+)?)(\W*)$")
_VOCABULARY_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """symspellpy's English frequency dictionary, as a set of words."""
    source = resources.files("symspellpy").joinpath("frequency_dictionary_en_82_765.txt")
    with source.open(encoding="utf-8") as lines:
        return frozenset(line.split(" ", 1)[0] for line in lines if line.strip())


@dataclass(frozen=True)
class Correction:
    """One word of the message read as another."""

    said: str
    read: str


@dataclass(frozen=True)
class Reading:
    """A message as the speller read it."""

    text: str
    corrections: tuple[Correction, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.corrections)


def vocabulary_counts(texts: Iterable[str]) -> Counter[str]:
    """Every word of the texts (lowercased), how often; a hyphenated word also counts run
    together ("t-shirt" as "tshirt"), since shoppers type it so."""
    counts: Counter[str] = Counter()
    for text in texts:
        for word in _VOCABULARY_WORD.findall(text.lower()):
            if "-" in word:
                counts[word.replace("-", "")] += 1
                counts.update(word.split("-"))
            else:
                counts[word] += 1
    return counts


def without_typos(counts: Mapping[str, int]) -> Counter[str]:
    """The vocabulary without the misspellings its own texts hold: training examples carry
    typos ("refund polcy") so the classifier learns them, but a speller that knew "polcy" as
    a word would never read "polcy" as "policy". A word that merely extends another
    ("clicky", "tshirts", "cancell") is not taken for a typo of it, nor is a word near two
    ("helo": "hello" or "help"?)."""
    english = english_words()
    lookup = SymSpell(max_dictionary_edit_distance=1, prefix_length=7)
    for word, count in counts.items():
        if len(word) >= MIN_LENGTH - 1 and word in english:
            lookup.create_dictionary_entry(word, count)
    kept: Counter[str] = Counter()
    for word, count in counts.items():
        if len(word) >= MIN_LENGTH and word not in english:
            near = [
                s
                for s in lookup.lookup(word, Verbosity.ALL, max_edit_distance=1)
                if s.term != word and s.term[0] == word[0] and not word.startswith(s.term)
            ]
            if len(near) == 1 and near[0].count >= TYPO_RATIO * count:
                continue
        kept[word] = count
    return kept


def with_plurals(counts: Mapping[str, int]) -> Counter[str]:
    """The words with their plural spellings too, so "backpaks" is one edit from
    "backpacks" as "backpak" is from "backpack"."""
    found: Counter[str] = Counter(counts)
    for word, count in counts.items():
        if len(word) < MIN_LENGTH - 1:
            continue
        if word.endswith("y") and word[-2:-1] not in set("aeiou"):
            plural = word[:-1] + "ies"
        elif word.endswith(("s", "x", "z", "ch", "sh")):
            plural = word + "es"
        else:
            plural = word + "s"
        found[plural] += count
    return found


class Speller:
    """Corrects a message's unknown words to the closest words of one vocabulary."""

    def __init__(self, counts: Mapping[str, int]) -> None:
        self.counts = {w: int(c) for w, c in counts.items() if w.isalpha() and c > 0}
        self.known = frozenset(self.counts)
        self._english = english_words()
        self._lookup = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word, count in self.counts.items():
            if len(word) >= MIN_LENGTH - 1:
                self._lookup.create_dictionary_entry(word, count)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Speller:
        return cls(with_plurals(without_typos(vocabulary_counts(texts))))

    def read(self, text: str) -> Reading:
        """The message with its unknown words corrected, and what was corrected."""
        corrections: list[Correction] = []

        def chunk(match: re.Match[str]) -> str:
            parts = _CORE.match(match.group(0))
            if parts is None:
                return match.group(0)
            before, word, after = parts.groups()
            read = self.word(word)
            if read is None:
                return match.group(0)
            if _letters(read) != _letters(word):
                # "tshirts" for "t-shirts" is the same word, not a reading to point out.
                corrections.append(Correction(word, read))
            return before + read + after

        corrected = _CHUNK.sub(chunk, text)
        return Reading(corrected, tuple(corrections))

    def word(self, word: str) -> str | None:
        """What one word is read as; None when it stands as it is."""
        lowered = word.lower()
        if lowered in SHORTHAND:
            return SHORTHAND[lowered]
        expansion = PRODUCT_SHORTHAND.get(lowered)
        if expansion is not None:
            needed = expansion.replace("-", "")
            if needed in self.known or needed.removesuffix("s") in self.known:
                return expansion
            return None
        if len(lowered) < MIN_LENGTH or self.is_known(lowered):
            return None
        distance = 1 if len(lowered) <= ONE_EDIT_UP_TO else 2
        suggestions = self._lookup.lookup(lowered, Verbosity.CLOSEST, max_edit_distance=distance)
        # A typo rarely changes the first letter; a word that does is more likely another word.
        candidates = [s for s in suggestions if s.term[0] == lowered[0] and s.term != lowered]
        if not candidates:
            return None
        best = max(candidates, key=lambda s: (-s.distance, s.count, s.term))
        tied = [s for s in candidates if s.distance == best.distance and s.count == best.count]
        if len(tied) > 1:
            # Two words as close and as common: no reading is better than a guess.
            return None
        return str(best.term)

    def is_known(self, word: str) -> bool:
        """In the vocabulary or a real English word, as it is or in the singular."""
        lowered = word.lower()
        forms = {lowered}
        if lowered.endswith("s") and len(lowered) > 3:
            forms |= {lowered[:-1], lowered[:-2] if lowered.endswith("es") else lowered}
        return any(form in self.known or form in self._english for form in forms)


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())
