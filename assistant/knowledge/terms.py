"""What a question is about — its key terms — and whether a passage addresses them.

A passage that is merely *similar* to a question can answer a different one: "is there a
restocking fee?" is close to "Is there a fee to cancel an order?", and "can I return a
final-sale item?" to "Can I return something I've already used? Yes, …". So an answer needs
more than similarity.

- **Key terms** are the question's content words, stemmed, without stop words and without
  the words that say how something is asked rather than what about ("how long", "tell me",
  "policy", "guys").
- **Conditions** are the key terms that change what a policy says: a kind of sale (final
  sale, clearance, refurbished), a charge (fee, restocking, cost), a state of the item (used,
  damaged), a way to pay or ship (cash, bitcoin, express, international), a programme
  (loyalty, student discount). A passage answers only if it addresses each condition: a
  general rule does not say whether its exception applies. Other key terms ("door",
  "warehouse", "already") only help to choose between passages, since shoppers paraphrase.
- A text **addresses** a term when it contains the term's stem or a longer or shorter form of
  it ("returnable", "return"); a misspelling of one of its words; a synonym from the store
  vocabulary below ("guarantee" for "warranty", "abroad" for "international"); for a kind of
  product ("electronics", "headphones"), a word that speaks of every product; or — for terms
  other than conditions — a word whose embedding is close to the term's ("canada" and
  "countries").

The conditions no passage addresses are reported, so the caller can say what the documents
do not cover.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from assistant.engine.embeddings import Embedder
from assistant.knowledge.index import stems, words


def _word_list(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that say how a question is asked, not what it is about.
GENERIC = _word_list(
    """
    how what whats what's when where why who whom which long much many often soon take takes
    took taking work works working get gets got getting need needs want wants wanna know tell
    please pls plz like would could should might must may can guys actually really still ever
    way happen happens happened possible allowed okay ok hi hello hey thanks thank here did
    doing done let able yes yeah exactly policy policies rule rules store shop you're i'd i've
    i'll im id ive something anything thing things stuff kind sort etc some one question
    wondering wonder curious make makes made going say said see give help mean means usually
    typically normally generally now today even else there's isn't aren't don't doesn't
    can't cannot won't anyone someone anybody somebody info details explain show
    ve ll re wait though anyway anyways quick hmm um oh after before just
    """
)
# Words shoppers and the store's documents use for the same thing: each group is one term.
_SYNONYM_GROUPS = (
    "ship shipping shipped shipment deliver delivery delivered",
    "refund refunds reimburse reimbursement money",
    "cancel cancellation cancelling canceling cancelled canceled",
    "warranty warranties guarantee guaranteed",
    "fee fees charge charges charged cost costs price prices free surcharge",
    "pay paying paid payment payments",
    "exchange exchanges swap switch trade",
    "international internationally abroad overseas countries country",
    "express overnight expedited expedite rush faster",
    "used opened open tried worn",
    "damaged broken faulty defective defect defects",
    "person human agent representative rep someone staff team",
    "order orders purchase purchased bought buy",
    "item items product products",
    "email mail",
    "address addresses",
    "track tracking",
    "expire expiry expiration expires",
    "account profile",
    "password login sign",
    # An item's option is what a shopper calls its size or colour.
    "option options size sizes variant variants",
    "deadline deadlines window",
    "again once twice",
    "method methods kind kinds",
    "surname name",
)
SYNONYMS = tuple(frozenset(group.split()) for group in _SYNONYM_GROUPS)
# Words a shopper uses for something narrower than the store's word: "postage" is a
# shipping charge, so a passage about shipping addresses it, but a question about shipping
# is not one about postage.
NARROWER: dict[str, frozenset[str]] = {
    word: frozenset(broader.split())
    for word, broader in (
        ("postage", "ship shipping shipment"),
        ("courier", "carrier carriers ship shipping"),
        # How long something lasts or may take: a deadline, or a number of days.
        (
            "deadline",
            "deadline window day days week weeks month months year years hour hours "
            "immediately immediate",
        ),
    )
}
# Phrases that say one thing in several words, read as one key term: the term's word as
# the shopper wrote it, addressed like the store word given. "how long" says what is asked
# about a thing, not which thing (`Term.about`).
PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), store_word)
    for pattern, store_word in (
        # How long a shopper has, or how long something takes.
        (
            r"\bhow long\b|\btime ?limits?\b|\bhow many days\b|\bhow soon\b|\bby when\b"
            r"|(?:(?<=return )|(?<=refund )|(?<=exchange ))(?:window|period)\b"
            r"|^\W*when\b(?=.*\bby\W*$)",
            "deadline",
        ),
        # Sending something back is returning it.
        (
            r"\bsen(?:d|t|ding|ds)\b(?:\s+(?:it|them|this|that|something|stuff|things|items?|\w+))?"
            r"\s+back\b",
            "return",
        ),
        (r"\bp\.?\s?o\.?\s?box(?:es)?\b|\bpost office box(?:es)?\b", "pobox"),
    )
)
# Key terms that change what a policy says (their synonyms above count as conditions too).
CONDITIONS = _word_list(
    """
    final sale sales clearance outlet discount discounted discounts refurbished restocking
    restock custom customized personalized engraved monogrammed preorder backorder
    backordered bulk wholesale subscription membership loyalty rewards points student military
    senior veteran coupon coupons promo voucher layaway installment installments financing
    klarna afterpay bitcoin crypto cryptocurrency venmo zelle cheque cash cod fee
    international express insurance insured signature wrap wrapping tax taxes duty duties
    customs deposit rental rent lease recycle recycling lifetime nonrefundable used opened
    worn washed match adjustment postage courier pobox
    """
)
# Kinds of product, besides the catalog's own product names: addressed by a passage about
# every product.
PRODUCT_KINDS = _word_list(
    """
    electronics electronic gadget gadgets appliance appliances clothes clothing apparel
    shoes furniture toys jewelry jewellery accessories cosmetics beauty sports outdoor
    kitchen home garden tools toy book books device devices
    """
)
# A passage speaks of every product when it says one of these.
ALL_PRODUCTS = _word_list("product products everything item items")
# Closest spelling among a passage's words, and closest meaning (cosine of word embeddings).
SPELLING_SCORE = 85
NEIGHBOUR_SIMILARITY = 0.55
WORD_CACHE = 20_000


@functools.cache
def _synonyms() -> dict[str, frozenset[str]]:
    """Each stem's group of synonym stems."""
    by_stem: dict[str, frozenset[str]] = {}
    for group in SYNONYMS:
        stemmed = frozenset(stems(group))
        for stem in stemmed:
            by_stem[stem] = by_stem.get(stem, frozenset()) | stemmed
    return by_stem


@functools.cache
def _narrower() -> dict[str, frozenset[str]]:
    return {stems([word])[0]: frozenset(stems(broader)) for word, broader in NARROWER.items()}


@functools.cache
def _all_products() -> frozenset[str]:
    return frozenset(stems(ALL_PRODUCTS))


@functools.lru_cache(maxsize=8)
def _product_kinds(product_words: frozenset[str]) -> frozenset[str]:
    return frozenset(stems([*PRODUCT_KINDS, *product_words]))


def _literal(
    term: Term, passage_words: list[str], passage_stems: set[str], kinds: frozenset[str]
) -> bool:
    """Whether the passage uses the term, a synonym, a spelling of it, or (for a kind of
    product) a word about every product."""
    if term.stem in passage_stems:
        return True
    # A longer or shorter form the stemmer keeps apart ("returnable", "return").
    if len(term.stem) >= 5 and any(
        len(stem) >= 5 and (stem.startswith(term.stem) or term.stem.startswith(stem))
        for stem in passage_stems
    ):
        return True
    if _synonyms().get(term.stem, frozenset()) & passage_stems:
        return True
    if _narrower().get(term.stem, frozenset()) & passage_stems:
        return True
    if term.stem in kinds and _all_products() & passage_stems:
        return True
    # A misspelling of a word the passage uses ("warrenty").
    if len(term.word) >= 5 and term.word.isalpha():
        match = process.extractOne(
            term.word, passage_words, scorer=fuzz.ratio, score_cutoff=SPELLING_SCORE
        )
        if match is not None:
            return True
    return False


@functools.cache
def _conditions() -> frozenset[str]:
    stemmed = set(stems(CONDITIONS))
    return frozenset(stemmed.union(*(_synonyms().get(stem, frozenset()) for stem in stemmed)))


@dataclass(frozen=True)
class Term:
    """One key term: the word as the shopper wrote it and its stem."""

    word: str
    stem: str
    # Whether it changes what a policy says (`CONDITIONS`).
    condition: bool = False
    # Whether it names what the question is about, not only what it asks of it ("how long").
    about: bool = True


def key_terms(question: str) -> list[Term]:
    """The question's key terms, in order, each once: its phrases ("how long", "send it
    back"), each read as the store's word for it, then its other words."""
    found: dict[str, Term] = {}
    for pattern, store_word in PHRASES:
        for match in pattern.finditer(question):
            (stem,) = stems([store_word])
            term = Term(match.group(0), stem, stem in _conditions(), store_word != "deadline")
            found.setdefault(stem, term)
        question = pattern.sub(" ", question)
    for word in words(question):
        if word in GENERIC or not any(c.isalpha() for c in word):
            continue
        (stem,) = stems([word])
        found.setdefault(stem, Term(word, stem, stem in _conditions()))
    return list(found.values())


_WORD = re.compile(r"[A-Za-z]+")
# The store's words for what shoppers say otherwise, for searching its documents.
STORE_WORDS = {
    "swap": "exchange",
    "switch": "exchange",
    "trade": "exchange",
    "guarantee": "warranty",
    "abroad": "internationally",
    "overseas": "internationally",
    "postage": "shipping",
    "courier": "carrier",
    "surname": "name",
    "reimburse": "refund",
    "reimbursement": "refund",
    "window": "deadline",
}


def in_store_words(question: str) -> str:
    """The question said in the store's words, for searching: a phrase as its store word
    ("send it back" → "return"), a shopper's word as the store's ("swap" → "exchange")."""
    for pattern, store_word in PHRASES:
        if store_word == "return":
            question = pattern.sub(store_word, question)
    return _WORD.sub(lambda m: STORE_WORDS.get(m.group(0).lower(), m.group(0)), question)


class TermMatcher:
    """Decides which key terms a passage addresses; remembers word embeddings it needed."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def unaddressed(
        self,
        terms: Sequence[Term],
        passage: str,
        product_words: frozenset[str] = frozenset(),
        *,
        literal_only: bool = False,
    ) -> list[Term]:
        """The terms the passage does not address, in the question's order. `product_words`
        are the catalog's (kinds of product besides `PRODUCT_KINDS`); with `literal_only`,
        closeness in meaning does not count. A condition is never addressed by closeness in
        meaning alone ("sale" is close to "price")."""
        if not terms:
            return []
        passage_words = sorted({w for w in words(passage) if any(c.isalpha() for c in w)})
        passage_stems = set(stems(passage_words))
        kinds = _product_kinds(product_words)
        missing = [t for t in terms if not _literal(t, passage_words, passage_stems, kinds)]
        if literal_only:
            return missing
        others = [t for t in missing if not t.condition]
        far = set(self._far_in_meaning(others, passage_words)) if others else set()
        return [t for t in missing if t.condition or t in far]

    def _far_in_meaning(self, terms: list[Term], passage_words: list[str]) -> list[Term]:
        """The terms with no word of the passage close in meaning."""
        candidates = [w for w in passage_words if w not in GENERIC and len(w) > 2]
        if not candidates:
            return terms
        vectors = self._encode([t.word for t in terms] + candidates)
        term_vectors = vectors[: len(terms)]
        passage_vectors = vectors[len(terms) :]
        closest = (term_vectors @ passage_vectors.T).max(axis=1)
        return [t for t, score in zip(terms, closest, strict=True) if score < NEIGHBOUR_SIMILARITY]

    def _encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of the words, embedding only those not seen before."""
        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
        unknown = [t for t in dict.fromkeys(texts) if t not in known]
        if unknown:
            encoded = np.asarray(self.embedder.encode(unknown), dtype=np.float32)
            encoded /= np.maximum(np.linalg.norm(encoded, axis=1, keepdims=True), 1e-12)
            known.update(zip(unknown, encoded, strict=True))
            with self._lock:
                if len(self._vectors) + len(unknown) > WORD_CACHE:
                    self._vectors.clear()
                self._vectors.update(zip(unknown, encoded, strict=True))
        return np.vstack([known[t] for t in texts])
