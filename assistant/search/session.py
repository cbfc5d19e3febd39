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

What a search keeps between turns is `state.py`; what a message lets go of, and what to
offer when nothing matches, `relaxing.py`; "cheaper" and "a bigger one", `relative.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from assistant.engine.nlu.spelling import Reading, Speller
from assistant.search.followups import (
    ALL,
    COMPARE,
    DETAILS,
    FIRST_N,
    MORE,
    NUMBERS,
    RESET,
    SEARCH_WORDS,
    WORDS_OF_FOLLOWUPS,
    pointed_at,
)
from assistant.search.index import CatalogIndex, Hit, IntArray
from assistant.search.learned import LearnedType, ProductTypeReader
from assistant.search.relative import relative
from assistant.search.relaxing import NEAREST, nearest, relaxations, relaxed
from assistant.search.state import Outcome, Relaxation, SearchState
from assistant.search.terms import WORDS_OF_TERMS, SearchTerms, read_terms
from assistant.search.words import singular, words

# The state and outcome are `state.py`'s; importable from here too.
__all__ = ["PAGE_SIZE", "SearchSession"]

PAGE_SIZE = 3


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
        dropped = relaxed(lowered, state)
        if dropped:
            return self._relax(state, dropped, then=read)
        wanted = relative(self.index, lowered, state)
        if wanted is not None:
            if isinstance(wanted, str):
                return Outcome("no_results", state, unmet=wanted)
            return self._show(state.terms.merged(read).merged(wanted), state)
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

    # -- when nothing matches ----------------------------------------------------------------

    def relaxations(self, terms: SearchTerms) -> list[Relaxation]:
        """Each constraint (but the product) whose removal alone gives results, the one
        giving most first (`relaxing.relaxations`)."""
        return relaxations(self.index, terms)

    def nearest(self, terms: SearchTerms, k: int = NEAREST) -> list[Hit]:
        """The items that meet most of the constraints (`relaxing.nearest`)."""
        return nearest(self.index, terms, k)


def _names_a_value(terms: SearchTerms) -> bool:
    """Whether the terms ask for an option value that says what is wanted ("black", "size
    L"), not only that a feature is there or not ("timer": yes)."""
    return any(
        value.lower() not in ("yes", "no") for values in terms.options.values() for value in values
    )


def _card(state: SearchState, position: int) -> str | None:
    """The item on card `position` (from 1; -1 the last) of the last page."""
    index = position - 1 if position > 0 else len(state.page) + position
    return state.page[index] if 0 <= index < len(state.page) else None
