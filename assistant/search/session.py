"""A product search over several turns: what the shopper asked for so far, what they were
shown, and what each new message does to it.

A message starts a search ("black backpacks under $100"), narrows it ("in blue", "only in
stock", "cheaper", "a bigger one"), widens it ("any colour", "forget the price"), pages on
("show more"), or points at what was shown ("compare the first two", "tell me more about the
second"). `SearchSession.turn` reads which, applies it to the `SearchState` the conversation
keeps, and returns an `Outcome`: the cards to show and what to say about them. When nothing
matches, the outcome names the constraints whose removal would give results, and the nearest
matches. Deterministic: the same state and message give the same outcome.

Every message is first read against the catalog's own words and a search's (`Speller`):
"shwo me blak backpaks undr 100" is searched as "show me black backpacks under 100", and the
outcome says which words were read as which, so the reply can show it. A new search needs a
product type or an option value the catalog has: a price alone ("a new car under $25000")
searches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

import numpy as np

from assistant.engine.nlu.spelling import Correction, Reading, Speller
from assistant.search.followups import (
    ALL,
    BIGGER,
    CHEAPER,
    COMPARE,
    DETAILS,
    FIRST_N,
    MORE,
    NUMBERS,
    PRICE_WORDS,
    PRICIER,
    RELAX_ANY,
    RELAX_WORDS,
    RESET,
    SEARCH_WORDS,
    SIZE_OPTIONS,
    SMALLER,
    STOCK_WORDS,
    WORDS_OF_FOLLOWUPS,
    magnitude,
    names_option,
    pointed_at,
)
from assistant.search.index import CatalogIndex, Hit, IntArray
from assistant.search.learned import LearnedType, ProductTypeReader
from assistant.search.terms import WORDS_OF_TERMS, SearchTerms, read_terms
from assistant.search.words import singular, words

PAGE_SIZE = 3
# Nearest matches shown when nothing matches.
NEAREST = 3

Kind = Literal[
    "results",  # a new or changed search, with its first page
    "more",  # the next page
    "no_more",  # everything was shown already
    "no_results",  # nothing matches: relaxations and nearest matches instead
    "details",  # one item, in full
    "compare",  # two or more items side by side
    "unclear",  # a search with nothing to search for yet
    "no_search",  # a follow-up with no search to follow
    "out_of_range",  # "the fifth" of three cards
]


@dataclass(frozen=True)
class SearchState:
    """What a conversation keeps of its search between turns (as a slot: `as_dict`)."""

    terms: SearchTerms
    # How many of the ranked results the shopper has been shown.
    shown: int = 0
    # The item ids of the cards last shown, numbered from 1 ("the second").
    page: tuple[str, ...] = ()
    # The item last looked at closely ("tell me more about the second").
    focus: str | None = None
    # After a suggestion: its whole ranked list as (item id, reason) pairs, which "show more"
    # pages through instead of the terms' matches, and what it was ("to go with the Laptop").
    suggested: tuple[tuple[str, str], ...] = ()
    about: str = ""
    # A question the suggestion asked ("What does your dad like?"): its kind and what the
    # answer completes (recipient, budget), read with the shopper's next message.
    asked: Mapping[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "terms": self.terms.as_dict(),
            "shown": self.shown,
            "page": list(self.page),
            "focus": self.focus,
        }
        if self.suggested:
            found["suggested"] = [list(pair) for pair in self.suggested]
            found["about"] = self.about
        if self.asked:
            found["asked"] = dict(self.asked)
        return found

    @classmethod
    def from_dict(cls, data: Any) -> SearchState | None:
        """The kept state; None for no search or a malformed one."""
        if not isinstance(data, Mapping) or not isinstance(data.get("terms"), Mapping):
            return None
        shown = data.get("shown")
        page = data.get("page")
        focus = data.get("focus")
        suggested = data.get("suggested")
        pairs = tuple(
            (str(pair[0]), str(pair[1]))
            for pair in (suggested if isinstance(suggested, list) else [])
            if isinstance(pair, list | tuple) and len(pair) == 2
        )
        about = data.get("about")
        asked = data.get("asked")
        return cls(
            terms=SearchTerms.from_dict(data["terms"]),
            shown=shown if isinstance(shown, int) and shown >= 0 else 0,
            page=tuple(str(i) for i in page) if isinstance(page, list) else (),
            focus=focus if isinstance(focus, str) else None,
            suggested=pairs,
            about=about if isinstance(about, str) else "",
            asked=dict(asked) if isinstance(asked, Mapping) else None,
        )

    def reason(self, item_id: str) -> str | None:
        return dict(self.suggested).get(item_id)


@dataclass(frozen=True)
class Relaxation:
    """A constraint whose removal gives results: how `SearchTerms.without` names it, and how
    many results there would then be."""

    constraint: str
    count: int


@dataclass(frozen=True)
class Outcome:
    kind: Kind
    state: SearchState | None
    # The cards to show: a page of results, the compared items, the item in detail.
    hits: list[Hit] = field(default_factory=list)
    # How many results the search has in all.
    total: int = 0
    relaxations: list[Relaxation] = field(default_factory=list)
    nearest: list[Hit] = field(default_factory=list)
    # Constraints this turn removed ("any colour"), as `SearchTerms.without` names them.
    dropped: list[str] = field(default_factory=list)
    # A relative request that found no reference ("bigger" of a product with no sizes).
    unmet: str = ""
    # The message's words read as others ("blak" as "black").
    read_as: tuple[Correction, ...] = ()

    @property
    def item_ids(self) -> list[str]:
        return [hit.item_id for hit in self.hits]


class SearchSession:
    """Applies each message of a conversation to its search, over one catalog index."""

    def __init__(
        self,
        index: CatalogIndex,
        *,
        page_size: int = PAGE_SIZE,
        types: ProductTypeReader | None = None,
    ) -> None:
        self.index = index
        self.page_size = page_size
        # Reads product types the catalog's words miss, by meaning (None: words only).
        self.types = types
        self.speller = Speller.from_texts(
            [
                *index.vocabulary.product_types,
                *index.vocabulary.options,
                *(value for values in index.vocabulary.options.values() for value in values),
                *SEARCH_WORDS,
                *WORDS_OF_FOLLOWUPS,
                *WORDS_OF_TERMS,
            ]
        )

    def spelled(self, text: str) -> Reading:
        """The message read against the catalog's words and a search's."""
        return self.speller.read(text)

    def learned(self, text: str) -> LearnedType | None:
        """The product a message names in other words than the catalog's ("a road bike"),
        when the catalog's words name none. Blocking (it embeds)."""
        if self.types is None:
            return None
        spelled = self.spelled(text).text
        return self.types.read(spelled, known=SEARCH_WORDS | self.index.catalog_words)

    def read_with(self, text: str, learned: LearnedType) -> SearchTerms:
        """The message's terms with the learned products, its option values read as theirs."""
        terms = self.read(text)
        spelled = " ".join(self.spelled(text).text.lower().split())
        values = self.index.mentioned_values(spelled, within=learned.products)
        return replace(
            terms,
            products=learned.products,
            options={name: frozenset(found) for name, found in sorted(values.items())},
        )

    def read(self, text: str) -> SearchTerms:
        return read_terms(self.spelled(text).text, self.index)

    def explained(self, text: str, *, also: Iterable[str] = ()) -> float:
        """The share of a message's words that are the catalog's own or a search's ("purple
        backpacks" 1.0, "my keyboard broke, what now?" 0.5): how surely a message the NLU
        did not place is a search."""
        said = [w for w in words(self.spelled(text).text) if not any(c.isdigit() for c in w)]
        content = [singular(w) for w in said if w not in SEARCH_WORDS]
        if not content:
            return 1.0 if said else 0.0
        known = self.index.catalog_words | {singular(w) for w in also}
        return sum(w in known for w in content) / len(content)

    def results(self, terms: SearchTerms) -> list[str]:
        """Every matching item id, in the order they are shown."""
        return self._ids(self._ranked(terms))

    def _ranked(self, terms: SearchTerms) -> IntArray:
        return self.index.ranked(self.index.matches(terms), terms.sort)

    def _ids(self, rows: IntArray) -> list[str]:
        return [self.index.item_ids[int(row)] for row in rows]

    def turn(
        self,
        text: str,
        state: SearchState | None,
        *,
        terms: SearchTerms | None = None,
        item_id: str | None = None,
        relax: str | None = None,
    ) -> Outcome:
        """Apply one message. `terms` are its constraints when already read (with the
        model's help); `item_id` and `relax` come from a clicked button."""
        reading = self.spelled(text)
        outcome = self._turn(reading.text, state, terms=terms, item_id=item_id, relax=relax)
        return replace(outcome, read_as=reading.corrections) if reading.changed else outcome

    def _turn(
        self,
        text: str,
        state: SearchState | None,
        *,
        terms: SearchTerms | None,
        item_id: str | None,
        relax: str | None,
    ) -> Outcome:
        lowered = " ".join(text.lower().split())
        read = terms if terms is not None else read_terms(lowered, self.index)
        if item_id is not None:
            return self._details(state, item_id)
        if relax is not None:
            return self._relax(state, [relax]) if state else Outcome("no_search", None)
        if RESET.search(lowered):
            return self._start(read)
        if state is None or (read.products and read.products != state.terms.products):
            return self._start(read)
        if not read.products and state.terms.products:
            # A refinement's option values are read as the searched products'.
            values = self.index.mentioned_values(lowered, within=state.terms.products)
            read = replace(read, options={n: frozenset(v) for n, v in sorted(values.items())})
        if COMPARE.search(lowered):
            return self._compare(state, lowered)
        positions = pointed_at(lowered)
        if positions and (DETAILS.search(lowered) or read.empty):
            return self._details(state, None, positions[0])
        if MORE.search(lowered) and read.empty:
            return self._more(state)
        dropped = self._relaxed(lowered, state)
        if dropped:
            return self._relax(state, dropped, then=read)
        relative = self._relative(lowered, state)
        if relative is not None:
            if isinstance(relative, str):
                return Outcome("no_results", state, unmet=relative)
            return self._show(state.terms.merged(read).merged(relative), state)
        if read.empty:
            return Outcome("unclear", state)
        return self._show(state.terms.merged(read), state)

    # -- turns -------------------------------------------------------------------------------

    def _start(self, terms: SearchTerms) -> Outcome:
        if not (terms.products or _names_a_value(terms)):
            # A price, "in stock" or a feature alone names nothing the store sells ("a new
            # car under $25000", "set a timer"): listing the catalog would answer a question
            # nobody asked.
            return Outcome("unclear", None)
        return self._show(terms, None)

    def _show(self, terms: SearchTerms, previous: SearchState | None) -> Outcome:
        # Only the page's rows become item ids: a search may match 100k variants.
        ranked = self._ranked(terms)
        focus = previous.focus if previous is not None else None
        if not len(ranked):
            state = SearchState(terms, 0, (), focus)
            return Outcome(
                "no_results",
                state,
                relaxations=self.relaxations(terms),
                nearest=self.nearest(terms),
            )
        page = tuple(self._ids(ranked[: self.page_size]))
        state = SearchState(terms, len(page), page, None)
        return Outcome("results", state, self.index.hits(page), len(ranked))

    def _more(self, state: SearchState) -> Outcome:
        if state.suggested:
            # "Show more" after a suggestion goes on with the same suggestion.
            listed = [item for item, _ in state.suggested]
            page = tuple(listed[state.shown : state.shown + self.page_size])
            if not page:
                return Outcome("no_more", state, total=len(listed))
            moved = replace(state, shown=state.shown + len(page), page=page)
            return Outcome("more", moved, self.index.hits(page), len(listed))
        ranked = self._ranked(state.terms)
        page = tuple(self._ids(ranked[state.shown : state.shown + self.page_size]))
        if not page:
            return Outcome("no_more", state, total=len(ranked))
        moved = replace(state, shown=state.shown + len(page), page=page)
        return Outcome("more", moved, self.index.hits(page), len(ranked))

    def _details(
        self, state: SearchState | None, item_id: str | None, position: int = 1
    ) -> Outcome:
        if item_id is None:
            if state is None or not state.page:
                return Outcome("no_search", state)
            item_id = _card(state, position)
            if item_id is None:
                return Outcome("out_of_range", state, total=len(state.page))
        hit = self.index.find(item_id)
        if hit is None:
            return Outcome("out_of_range", state, total=len(state.page) if state else 0)
        kept = state or SearchState(SearchTerms(products=frozenset({hit.product.name})))
        return Outcome("details", replace(kept, focus=hit.item_id), [hit])

    def _compare(self, state: SearchState, text: str) -> Outcome:
        if not state.page:
            return Outcome("no_search", state)
        first_n = FIRST_N.search(text)
        if first_n is not None:
            count = NUMBERS.get(first_n.group(1)) or int(first_n.group(1))
            positions = list(range(1, count + 1))
        elif ALL.search(text) and not pointed_at(text):
            positions = list(range(1, len(state.page) + 1))
        else:
            positions = pointed_at(text) or [1, 2]
        if len(positions) == 1:
            # "compare it with the first": the item in focus against the one named.
            focus = state.focus if state.focus in state.page else state.page[0]
            positions = [state.page.index(focus) + 1, positions[0]]
        picked: list[str] = []
        for position in positions:
            item = _card(state, position)
            if item is None:
                return Outcome("out_of_range", state, total=len(state.page))
            if item not in picked:
                picked.append(item)
        if len(picked) < 2:
            return Outcome("out_of_range", state, total=len(state.page))
        return Outcome("compare", state, self.index.hits(picked))

    def _relax(
        self, state: SearchState | None, dropped: Sequence[str], *, then: SearchTerms | None = None
    ) -> Outcome:
        if state is None:
            return Outcome("no_search", None)
        terms = state.terms
        if list(dropped) == ["*"]:
            # "relax": the first constraint whose removal gives results.
            found = self.relaxations(terms)
            dropped = [found[0].constraint] if found else terms.constraints()[-1:]
        for constraint in dropped:
            terms = terms.without(constraint)
        if then is not None:
            # "any colour but under 50": the rest of the message still counts.
            kept = then
            for constraint in dropped:
                kept = kept.without(constraint)
            terms = terms.merged(kept)
        outcome = self._show(terms, state)
        return replace(outcome, dropped=list(dropped))

    # -- reading follow-ups ------------------------------------------------------------------

    def _relaxed(self, text: str, state: SearchState) -> list[str]:
        """The constraints a message lets go of: "any colour", "forget the price"."""
        if RELAX_ANY.search(text):
            return ["*"]
        if not RELAX_WORDS.search(text):
            return []
        dropped: list[str] = []
        said = set(words(text))
        for name in state.terms.options:
            if names_option(name, said):
                dropped.append(f"option:{name}")
        if PRICE_WORDS.search(text) and (
            state.terms.min_price is not None or state.terms.max_price is not None
        ):
            dropped.append("price")
        if STOCK_WORDS.search(text) and state.terms.in_stock:
            dropped.append("in_stock")
        if re.search(
            r"\b(?:any|whatever|don'?t care|doesn'?t matter)\b.*\b(?:product|kind|type)\b", text
        ):
            dropped.append("products")
        return dropped

    def _relative(self, text: str, state: SearchState) -> SearchTerms | str | None:
        """ "cheaper", "pricier", "bigger", "smaller", relative to the item in focus or to
        the cards last shown; a string says why there is nothing to compare with."""
        cheaper, pricier = CHEAPER.search(text), PRICIER.search(text)
        bigger, smaller = BIGGER.search(text), SMALLER.search(text)
        if not (cheaper or pricier or bigger or smaller):
            return None
        reference = self._reference(state)
        if not reference:
            return "nothing was shown yet to compare with"
        if cheaper or pricier:
            cent = Decimal("0.01")
            if state.focus is not None:
                price = reference[0].variant.price
            else:
                prices = [hit.variant.price for hit in reference]
                price = min(prices) if cheaper else max(prices)
            if cheaper:
                return SearchTerms(max_price=price - cent)
            return SearchTerms(min_price=price + cent)
        anchor = reference[0]
        product = anchor.product
        said = set(words(text))
        # "a bigger screen": the size the shopper names first, else the usual order.
        options = sorted(_size_options(anchor), key=lambda o: not (set(words(o)) & said))
        for option in options:
            current = magnitude(str(anchor.variant.options[option]))
            if current is None:
                continue
            values = {str(v.options.get(option)) for v in product.variants if option in v.options}
            sizes = {value: magnitude(value) for value in values}
            if bigger:
                wanted = {v for v, m in sizes.items() if m is not None and m > current}
            else:
                wanted = {v for v, m in sizes.items() if m is not None and m < current}
            if not wanted:
                word = "bigger" if bigger else "smaller"
                than = anchor.variant.options[option]
                return f"no {word} {option} of the {product.name} than {than}"
            return SearchTerms(
                products=frozenset({product.name}), options={option: frozenset(wanted)}
            )
        return f"the {product.name} comes in one size only"

    def _reference(self, state: SearchState) -> list[Hit]:
        if state.focus is not None:
            hit = self.index.find(state.focus)
            if hit is not None:
                return [hit]
        return self.index.hits(state.page)

    # -- when nothing matches ----------------------------------------------------------------

    def relaxations(self, terms: SearchTerms) -> list[Relaxation]:
        """Each constraint (but the product) whose removal alone gives results, the one
        giving most first."""
        found = []
        for constraint in terms.constraints():
            if constraint == "products" and len(terms.constraints()) > 1:
                continue
            count = int(self.index.matches(terms.without(constraint)).sum())
            if count:
                found.append(Relaxation(constraint, count))
        return sorted(found, key=lambda r: -r.count)

    def nearest(self, terms: SearchTerms, k: int = NEAREST) -> list[Hit]:
        """The items that meet most of the constraints (the product always), nearest in price
        to the asked range among equals."""
        scope = SearchTerms(products=terms.products)
        candidates = self.index.matches(scope)
        if not candidates.any():
            return []
        met = np.zeros(len(self.index), dtype=np.float64)
        for constraint in terms.constraints():
            if constraint == "products":
                continue
            single = _only(terms, constraint)
            met += self.index.matches(single)
        distance = np.zeros(len(self.index), dtype=np.float64)
        if terms.max_price is not None:
            distance += np.maximum(self.index.price - float(terms.max_price), 0.0)
        if terms.min_price is not None:
            distance += np.maximum(float(terms.min_price) - self.index.price, 0.0)
        rows = np.flatnonzero(candidates)
        picked: list[int] = []
        for level in np.unique(met[rows])[::-1]:
            tier = rows[met[rows] == level]
            need = k - len(picked)
            if len(tier) > need:
                # Only the nearest `need` (and any tied with the last) are sorted.
                cutoff = np.partition(distance[tier], need - 1)[need - 1]
                tier = tier[distance[tier] <= cutoff]
            order = np.lexsort((self.index.item_ids_array[tier], distance[tier]))
            picked += [int(row) for row in tier[order][:need]]
            if len(picked) >= k:
                break
        return [self.index.hit(row) for row in picked]


def _names_a_value(terms: SearchTerms) -> bool:
    """Whether the terms ask for an option value that says what is wanted ("black", "size
    L"), not only that a feature is there or not ("timer": yes)."""
    return any(
        value.lower() not in ("yes", "no") for values in terms.options.values() for value in values
    )


def _only(terms: SearchTerms, constraint: str) -> SearchTerms:
    """The one constraint of `terms` that `constraint` names."""
    if constraint.startswith("option:"):
        name = constraint.removeprefix("option:")
        return SearchTerms(options={name: terms.options[name]})
    if constraint == "min_price":
        return SearchTerms(min_price=terms.min_price)
    if constraint == "max_price":
        return SearchTerms(max_price=terms.max_price)
    if constraint == "in_stock":
        return SearchTerms(in_stock=True)
    return SearchTerms(products=terms.products)


def _card(state: SearchState, position: int) -> str | None:
    """The item on card `position` (from 1; -1 the last) of the last page."""
    index = position - 1 if position > 0 else len(state.page) + position
    return state.page[index] if 0 <= index < len(state.page) else None


def _size_options(hit: Hit) -> list[str]:
    names = {name.lower(): name for name in hit.variant.options}
    return [names[option] for option in SIZE_OPTIONS if option in names]
