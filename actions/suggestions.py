"""Suggestions in the conversation, by kind, each card with the reason that fits its kind.

- "More like this" (a card's button) or "something similar to the backpack": the same kind
  of product — other versions of it ("same type, cheaper") and the products the store's table
  calls alike — never a complement.
- "Something to go with my keyboard": complements, from the store's table and from real
  co-purchases ("goes with your Mechanical Keyboard", "often bought with …").
- "A gift for my dad who likes coffee": products for that interest ("for coffee lovers"),
  within any budget given. Without an interest the assistant asks one question ("What does
  your dad like?") and reads the answer from the next message.
- "What would you recommend for me?": complements of what the shopper bought or looked at,
  latest first; with nothing to go on, what is popular, and one question.

The whole ranked list is kept in the `search` slot, so "show more" goes on with the same
suggestion and "compare the first two" or "tell me more about the second" work as after a
search. The kinds themselves are `assistant/recs/kinds.py`, the plan of each kind
`suggestion_plans.py`.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.cards import show_suggestions
from actions.common import call, latest_text, part, payload_value
from actions.suggestion_plans import Plan, alike, complement, gift, personal, popular
from assistant.recs.kinds import Kinds
from assistant.search.followups import pointed_at
from assistant.search.index import Hit
from assistant.search.session import SearchSession
from assistant.search.state import SearchState
from assistant.search.terms import SearchTerms

_ALIKE = re.compile(
    r"\b(?:simil\w*|alternatives?|look-?alikes?|instead of|other (?:kinds?|types?|versions?)|"
    r"more like|(?:is|are|anything|something|one|ones|else|items?|products?) like|"
    r"like (?:the|my|this|that|it|these|those)\b)"
)
_WANT = re.compile(r"\b(?:would|'d|wd|do|you|i|we|they|he|she) like\b")
# "w/" alone is no cue: "a keyboard w/ rgb" is a search.
_COMPLEMENT = re.compile(
    r"(?:\b(?:go(?:es)?|goe?s|works?|pairs?|fits?)(?: (?:well|nicely|great|best|together))? "
    r"(?:with|w/)|\bmatch(?:es)?\b|\bto use with|\baccess?or|\bcomplements?\b|"
    r"\b(?:get|buy|need) (?:with|for)\b|\b(?:with|for) my\b|\btogether with|"
    r"\bwhat else (?:should|do|would|can|could) (?:i|we) (?:get|buy|need|use))"
)
_GIFT = re.compile(
    r"\b(?:gifts?|presents?|birthday|christmas|xmas|anniversary|stocking|surprise for)\b"
)
_RECIPIENT = re.compile(
    r"\b(?:my|our|for (?:a|an|the))\s+((?:little |big |best |new )?(?:dad|father|mum|mom|mother|"
    r"parents?|sister|brother|wife|husband|son|daughter|friend|boss|partner|girlfriend|"
    r"boyfriend|grandma|grandpa|grandmother|grandfather|uncle|aunt|colleague|coworker|"
    r"niece|nephew|teacher|kids?|child|children|teenager|teen|fianc[ée]e?|neighbou?r|"
    r"roommate|in-laws?|family|gamer|runner|traveller|traveler|cook|student))\b"
)
# A gift without the word: "my grandma loves gardening", "what do you get a bookworm".
_GIFT_ASK = re.compile(
    r"\b(?:what (?:do|should|can|could) (?:you|i|we) (?:get|buy|give) (?:a|an|my|our|her|him|"
    r"them|for)\b|what to (?:get|buy|give) (?:a|an|my|our|her|him|them|for)\b|"
    r"(?:get|buy) (?:her|him|them)\b|something for (?:a|an|my|our)\b)"
)
# With someone named: "my husband is really into cycling", "my grandma loves gardening".
_GIFT_CUE = re.compile(
    r"\b(?:(?:is|he's|she's|they're|are) (?:really |very |so )?(?:into|a fan of|mad about|"
    r"crazy about)|likes?|loves?|enjoys?|is a|fan of)\b"
)
# Not a request for a gift: questions about gift cards, wrapping, receipts, returns.
_GIFT_SERVICE = re.compile(
    r"\bgift ?(?:cards?|wrap\w*|receipts?|messages?|notes?|options?|boxe?s?)\b|\bwrap|"
    r"\breturn|\brefund|\bexchange|\bship|\bdeliver|\bcancel|\border\b"
)
_POPULAR = re.compile(r"\b(?:popular|best ?sell(?:ers?|ing)|trending|top sellers?|hot right)\b")


class ActionRecommend(Action):
    """Suggestions by kind: look-alikes, complements, gifts, or for this shopper."""

    def name(self) -> str:
        return "action_recommend"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return await suggest(dispatcher, tracker)


async def suggest(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Read what is asked for, plan it by its kind, and show it (or ask one question)."""
    shopping = services.current().shopping
    recommender = shopping.recommender
    if recommender is None:
        dispatcher.utter_message(response="utter_no_suggestions")
        return []
    session = await shopping.catalog.current()
    kinds = await call(recommender.kinds)
    state = SearchState.from_dict(tracker.get_slot("search"))
    text = latest_text(tracker)
    like = payload_value(tracker, "like")
    if like is not None:
        hit = session.index.find(str(like))
        if hit is None:
            dispatcher.utter_message(response="utter_suggestion_item_gone")
            return []
        plan = alike(session, kinds, hit.product.id, SearchTerms(), anchor=hit)
    elif state is not None and _answering(tracker, state):
        assert state.asked is not None
        terms = SearchTerms.from_dict(state.asked.get("terms") or {})
        recipient = str(state.asked.get("recipient") or "")
        plan = gift(session, kinds, text, terms, recipient, asked_again=True)
    else:
        plan = await _plan(tracker, text, session, kinds, state)
    if plan.asked is not None:
        plan.asked["turn"] = _user_turns(tracker)
    return _say(dispatcher, session, plan)


def answers_a_question(tracker: Tracker) -> bool:
    """Whether this message answers the question a suggestion asked just before it."""
    state = SearchState.from_dict(tracker.get_slot("search"))
    return state is not None and _answering(tracker, state)


def _user_turns(tracker: Tracker) -> int:
    return sum(1 for event in tracker.events if event.get("event") == "user")


def _answering(tracker: Tracker, state: SearchState) -> bool:
    """Only the very next message answers the question; later ones are read afresh."""
    asked = state.asked or {}
    return (
        asked.get("kind") == "gift"
        and asked.get("turn") == _user_turns(tracker) - 1
        and payload_value(tracker, "item_id") is None
    )


def reads_as_suggestion(text: str, session: SearchSession, state: SearchState | None) -> bool:
    """Whether a message another action was given asks for a suggestion: something to go with
    or like a product it names (or the one in view), or a gift for someone."""
    lowered = " ".join(session.spelled(text).text.lower().split())
    if _GIFT_SERVICE.search(lowered):
        return False
    if _GIFT.search(lowered) or _GIFT_ASK.search(lowered):
        return True
    if _RECIPIENT.search(lowered) and _GIFT_CUE.search(lowered):
        return True
    named = bool(session.read(text).products) or (state is not None and bool(state.page))
    if _ALIKE.search(_WANT.sub(" ", lowered)) and named:
        return True
    # "black t-shirts for my son" stays a search: "for my" alone does not divert one.
    cue = _COMPLEMENT.search(re.sub(r"\bfor my\b", " ", lowered))
    return bool(cue) and bool(session.read(text).products)


async def _plan(
    tracker: Tracker, text: str, session: SearchSession, kinds: Kinds, state: SearchState | None
) -> Plan:
    shopping = services.current().shopping
    # Typos read as the catalog's speller reads them ("go wiht my keybaord").
    lowered = " ".join(session.spelled(text).text.lower().split())
    terms = await shopping.catalog.read(text, session)
    named = [p.id for name in sorted(terms.products) for p in session.index.products_named(name)]
    shown = _pointed_at(lowered, session, state)
    # Only the budget and stock carry over: option words describe the product named.
    constraints = SearchTerms(
        min_price=terms.min_price, max_price=terms.max_price, in_stock=terms.in_stock
    )
    recipient = _RECIPIENT.search(lowered)
    wants_alike = bool(_ALIKE.search(_WANT.sub(" ", lowered)))
    wants_complement = bool(_COMPLEMENT.search(lowered))
    if wants_alike and shown is not None and not recipient:
        # "More like the first one": the card it points at, as its button would.
        return alike(session, kinds, shown.product.id, constraints, anchor=shown)
    if wants_complement and shown is not None and not named:
        named = [shown.product.id]
    if (wants_alike or wants_complement) and not named:
        named = _mentioned_before(tracker, session, state)
    if wants_alike and named and not recipient:
        return alike(session, kinds, named[0], constraints)
    if wants_complement and named and not recipient and not _GIFT.search(lowered):
        return complement(session, kinds, named, constraints)
    if recipient or _GIFT.search(lowered) or _GIFT_ASK.search(lowered):
        who = f"your {recipient.group(1)}" if recipient and "my " in recipient.group(0) else ""
        return gift(session, kinds, text, constraints, who, named=named)
    if _POPULAR.search(lowered):
        return popular(session, constraints, intro="utter_suggest_popular")
    talked = _mentioned_before(tracker, session, state)
    return await personal(tracker, session, kinds, constraints, talked=talked)


def _pointed_at(text: str, session: SearchSession, state: SearchState | None) -> Hit | None:
    """The card a message points at ("the first one", "#2") among those last shown."""
    positions = pointed_at(text)
    if not positions or state is None or not state.page:
        return None
    position = positions[0]
    if not -len(state.page) <= position <= len(state.page) or position == 0:
        return None
    item = state.page[position - 1 if position > 0 else position]
    return session.index.find(item)


def _mentioned_before(
    tracker: Tracker, session: SearchSession, state: SearchState | None
) -> list[str]:
    """What "it" is: the item last looked at, the product searched for, or a product the
    shopper named in one of their last few messages ("I just bought a laptop")."""
    index = session.index
    if state is not None and state.focus:
        hit = index.find(state.focus)
        if hit is not None:
            return [hit.product.id]
    if state is not None and state.terms.products:
        return [p.id for n in sorted(state.terms.products) for p in index.products_named(n)]
    said = [
        str(event.get("text") or "")
        for event in tracker.events
        if event.get("event") == "user" and not str(event.get("text") or "").startswith("/")
    ]
    for text in reversed(said[-4:-1]):
        products = session.read(text).products
        if products:
            return [p.id for n in sorted(products) for p in index.products_named(n)]
    return []


def _say(dispatcher: CollectingDispatcher, session: SearchSession, plan: Plan) -> list[EventType]:
    if plan.question is not None:
        dispatcher.utter_message(response=plan.question, **plan.values)
        if plan.asked is None:
            return [SlotSet("search", None)]
        return [SlotSet("search", SearchState(SearchTerms(), asked=plan.asked).as_dict())]
    listed = tuple((hit.item_id, reason) for hit, reason in plan.picks)
    page = tuple(item for item, _ in listed[: session.page_size])
    state = SearchState(SearchTerms(), len(page), page, None, listed, plan.about)
    hits = session.index.hits(page)
    intro = part(plan.intro or "utter_suggestions_intro", about=plan.about, **plan.values)
    show_suggestions(dispatcher, hits, state, total=len(listed), intro=intro)
    return [SlotSet("search", state.as_dict())]
