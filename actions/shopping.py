"""Shopping by conversation: searching the catalog over several turns (suggestions are
`suggestions.py`, the cart `cart.py`, the cards all of them show `cards.py`).

The search itself (reading constraints, refining, relaxing, paging, comparing) lives in
`assistant/search/`; these actions keep its state in the `search` slot, say what happened,
and show product cards (`custom.type == "product_cards"`), comparisons
(`"product_comparison"`) and cart additions (`"add_to_cart"`, which the widget passes on to
the store's page). What the shopper does here is recorded as shopper events, like the
store's own pages record theirs.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.cards import (
    card,
    card_line,
    comparison,
    constraint_label,
    describe_terms,
    record,
    show_suggestions,
)
from actions.common import button, latest_text, part, payload_value
from actions.payments import money
from actions.suggestions import answers_a_question, reads_as_suggestion, suggest
from assistant.search.index import Hit
from assistant.search.session import SearchSession
from assistant.search.state import Outcome, Relaxation, SearchState
from assistant.search.terms import SearchTerms

logger = logging.getLogger(__name__)


# -- search ----------------------------------------------------------------------------------


def _state(tracker: Tracker) -> SearchState | None:
    return SearchState.from_dict(tracker.get_slot("search"))


async def _answers_a_suggestion(tracker: Tracker) -> bool:
    """A reply to the question a suggestion just asked ("What does your dad like?"), or a
    request for a suggestion the NLU took for a search ("anything to go with my keyboard")."""
    if answers_a_question(tracker):
        return True
    if payload_value(tracker, "item_id") is not None or payload_value(tracker, "relax"):
        return False
    session = await services.current().shopping.catalog.current()
    return reads_as_suggestion(latest_text(tracker), session, _state(tracker))


class ActionSearchProducts(Action):
    """A search turn: start, refine, relax, page, compare or detail."""

    def name(self) -> str:
        return "action_search_products"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if await _answers_a_suggestion(tracker):
            return await suggest(dispatcher, tracker)
        catalog = services.current().shopping.catalog
        session = await catalog.current()
        text = latest_text(tracker)
        state = _state(tracker)
        item_id = payload_value(tracker, "item_id")
        relax = payload_value(tracker, "relax")
        if item_id is None and relax is None:
            # The model helps read a new search, not a follow-up ("in black").
            terms = await catalog.read(text, session) if state is None else session.read(text)
            outcome = session.turn(text, state, terms=terms)
            if outcome.kind == "unclear" and state is None and session.explained(text) < 1:
                # Words the catalog does not know and no product it does ("a new car"):
                # say so, rather than ask what they are looking for as if they had not said.
                dispatcher.utter_message(response="utter_search_unknown_words")
                return []
        else:
            outcome = session.turn(
                text,
                state,
                item_id=str(item_id) if item_id is not None else None,
                relax=str(relax) if relax is not None else None,
            )
        return await answer(
            dispatcher, tracker, outcome, session, state, clicked=item_id is not None
        )


async def answer(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    outcome: Outcome,
    session: SearchSession,
    state: SearchState | None,
    *,
    clicked: bool = False,
) -> list[EventType]:
    """Say a search turn's outcome, record it as a shopper event, keep the new state."""
    say(dispatcher, outcome, session)
    if outcome.kind == "details":
        await record(tracker, "chat_product_click" if clicked else "view", hit=outcome.hits[0])
    elif outcome.kind in ("results", "no_results") and outcome.state is not None:
        await record(tracker, "search", query=latest_text(tracker))
    if outcome.state is None or outcome.state == state:
        return []
    return [SlotSet("search", outcome.state.as_dict())]


# How much of a message the NLU did not place must be the catalog's words for it to be
# taken as a search ("purple backpacks", "desk lamps").
SEARCH_LIKE = 0.6


class ActionContinueSearch(Action):
    """A message no flow took is a search when it reads as one: a follow-up to the search in
    progress ("in black", "the second one"), or a request mostly in the catalog's words that
    names a product ("purple backpacks"). Then the flow ends here; otherwise the next step
    answers."""

    def name(self) -> str:
        return "action_continue_search"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if await _answers_a_suggestion(tracker):
            return [*await suggest(dispatcher, tracker), ActiveLoop(None)]
        state = _state(tracker)
        catalog = services.current().shopping.catalog
        session = await catalog.current()
        text = latest_text(tracker)
        terms = session.read(text)
        also: list[str] = []
        if state is None and not terms.products:
            learned = await catalog.learned(text, session)
            if learned is not None:
                terms, also = session.read_with(text, learned), learned.span.split()
        new = state is None or (terms.products and terms.products != state.terms.products)
        # A message the NLU did not take for a search starts one only when it names a
        # product: an option word alone ("set the timer": a feature) is too little to go on.
        if new and (not terms.products or session.explained(text, also=also) < SEARCH_LIKE):
            return []
        outcome = session.turn(text, state, terms=terms)
        if outcome.kind in ("unclear", "no_search"):
            return []
        return [*await answer(dispatcher, tracker, outcome, session, state), ActiveLoop(None)]


def say(
    dispatcher: CollectingDispatcher,
    outcome: Outcome,
    session: SearchSession,
) -> None:
    """What a search turn tells the shopper."""
    state = outcome.state
    if outcome.kind == "unclear":
        dispatcher.utter_message(response="utter_search_unclear")
    elif outcome.kind == "no_search":
        dispatcher.utter_message(response="utter_search_nothing_yet")
    elif outcome.kind == "out_of_range":
        dispatcher.utter_message(
            response="utter_search_shown_one" if outcome.total == 1 else "utter_search_shown",
            total=outcome.total,
        )
    elif outcome.kind in ("results", "more") and state is not None:
        _results(dispatcher, outcome, state)
    elif outcome.kind == "no_more" and state is not None and state.suggested:
        dispatcher.utter_message(response="utter_suggestions_exhausted", about=state.about)
    elif outcome.kind == "no_more" and state is not None:
        dispatcher.utter_message(
            response="utter_search_exhausted",
            total=outcome.total,
            terms=describe_terms(state.terms),
        )
    elif outcome.kind == "no_results":
        _no_results(dispatcher, outcome, session)
    elif outcome.kind == "details":
        _details(dispatcher, outcome.hits[0], session)
    elif outcome.kind == "compare":
        _compare(dispatcher, outcome.hits)


def _results(dispatcher: CollectingDispatcher, outcome: Outcome, state: SearchState) -> None:
    start = state.shown - len(outcome.hits) + 1
    if outcome.kind == "more" and state.suggested:
        show_suggestions(dispatcher, outcome.hits, state, total=outcome.total)
        return
    if outcome.kind == "more":
        head = part("utter_search_page", first=start, last=state.shown, total=outcome.total)
    else:
        one = outcome.total == 1
        if outcome.read_as:
            # Some words were read as others ("blak"): the reading is said once, up front,
            # so a wrong guess shows at once.
            name = "utter_search_read_match" if one else "utter_search_read_matches"
        else:
            name = "utter_search_match" if one else "utter_search_matches"
        head = part(name, total=outcome.total, terms=describe_terms(state.terms))
        if outcome.dropped:
            dropped = ", ".join(_dropped_label(c) for c in outcome.dropped)
            head = part("utter_search_without", dropped=dropped, result=head)
    more = outcome.total > state.shown
    dispatcher.utter_message(
        response="utter_search_results_more" if more else "utter_search_results",
        head=head,
        json_message={
            "type": "product_cards",
            "text_form": "\n".join(card_line(start + n, hit) for n, hit in enumerate(outcome.hits)),
            "cards": [card(hit) for hit in outcome.hits],
            "total": outcome.total,
            "shown": state.shown,
            "search": state.terms.as_dict(),
        },
    )


def _dropped_label(constraint: str) -> str:
    if constraint.startswith("option:"):
        return f"a {constraint.removeprefix('option:')} limit"
    return {
        "price": "a price limit",
        "min_price": "the minimum price",
        "max_price": "the price limit",
        "in_stock": "the in-stock filter",
        "products": "a product type",
        "*": "one filter",
    }.get(constraint, constraint)


def _no_results(dispatcher: CollectingDispatcher, outcome: Outcome, session: SearchSession) -> None:
    state = outcome.state
    if outcome.unmet:
        dispatcher.utter_message(response="utter_search_cannot", unmet=outcome.unmet)
        return
    if state is None:
        dispatcher.utter_message(response="utter_search_no_match")
        return
    terms = state.terms
    nothing = "utter_search_read_nothing" if outcome.read_as else "utter_search_nothing"
    lines: list[Any] = [part(nothing, terms=describe_terms(terms))]
    buttons = []
    for relaxation in outcome.relaxations[:3]:
        lines.append(_relax_line(terms, relaxation))
        buttons.append(
            button(
                f"Drop {constraint_label(terms, relaxation.constraint)}",
                "refine_search",
                relax=relaxation.constraint,
            )
        )
    if outcome.nearest:
        lines.append(part("utter_search_closest"))
    dispatcher.utter_message(
        response="utter_search_no_results",
        lines=lines,
        buttons=buttons,
        json_message={
            "type": "product_cards",
            "text_form": "\n".join(card_line(n + 1, hit) for n, hit in enumerate(outcome.nearest)),
            "cards": [card(hit) for hit in outcome.nearest],
            "total": 0,
            "nearest": True,
            "relax": [{"constraint": r.constraint, "count": r.count} for r in outcome.relaxations],
            "search": terms.as_dict(),
        },
    )


def _relax_line(terms: SearchTerms, relaxation: Relaxation) -> dict[str, Any]:
    return part(
        "utter_search_without_match" if relaxation.count == 1 else "utter_search_without_matches",
        dropped=constraint_label(terms, relaxation.constraint),
        count=relaxation.count,
    )


def _details(dispatcher: CollectingDispatcher, hit: Hit, session: SearchSession) -> None:
    variant, product = hit.variant, hit.product
    stock = "utter_product_in_stock" if variant.available else "utter_product_out_of_stock"
    lines: list[Any] = [part(stock, name=product.name, price=money(variant.price))]
    options = [f"• {name}: {value}" for name, value in variant.options.items()]
    others = [v for v in product.variants if v.item_id != variant.item_id and v.available]
    if others:
        low = min(v.price for v in others)
        high = max(v.price for v in others)
        span: Any = money(low)
        if low != high:
            span = part("utter_price_range", low=money(low), high=money(high))
        one = len(others) == 1
        versions = "utter_product_other_version" if one else "utter_product_other_versions"
        lines.append(part(versions, count=len(others), span=span))
    dispatcher.utter_message(
        response="utter_product_details",
        lines=lines,
        json_message={
            "type": "product_cards",
            "text_form": "\n".join(options),
            "cards": [card(hit)],
            "total": 1,
            "detail": True,
        },
    )


def _compare(dispatcher: CollectingDispatcher, hits: list[Hit]) -> None:
    table = comparison(hits)
    names = " | ".join(f"{n + 1}. {h.product.name}" for n, h in enumerate(hits))
    lines: list[Any] = [part("utter_compare_side_by_side", names=names)]
    rows: list[dict[str, Any]] = table["rows"]
    shown = []
    for row in rows:
        mark = " ←" if row["differs"] else ""
        shown.append(f"• {row['label']}: {' | '.join(row['values'])}{mark}")
    same = [row["label"] for row in rows if not row["differs"]]
    if same:
        lines.append(part("utter_compare_same", labels=", ".join(same)))
    dispatcher.utter_message(
        response="utter_comparison",
        lines=lines,
        json_message={**table, "text_form": "\n".join(shown)},
    )
