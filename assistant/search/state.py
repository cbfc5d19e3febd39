"""What a search keeps between turns and what a turn gives back.

`SearchState` is what the conversation keeps of its search (as the `search` slot:
`as_dict`/`from_dict`): the terms, what was shown, the item in focus, and after a
suggestion its whole ranked list. `Outcome` is one turn's answer: the cards to show and
what to say about them (`session.py` makes them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.engine.nlu.spelling import Correction
from assistant.search.index import Hit
from assistant.search.terms import SearchTerms

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
