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
search. The kinds themselves are `assistant/recs/kinds.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.cards import describe_terms, show_suggestions
from actions.common import call, latest_text, payload_value
from assistant.recs.kinds import Kinds, Pick
from assistant.search.followups import pointed_at
from assistant.search.index import Hit
from assistant.search.session import SearchSession, SearchState
from assistant.search.terms import SearchTerms
from assistant.search.words import singular

# How many suggestions a list keeps for "show more".
MAX_LISTED = 24
# How deep the store's recommender ranks for a shopper before its order is fused in.
RANKED = 100
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
_PRONOUN = {"dad": "he", "father": "he", "mum": "she", "mom": "she", "mother": "she"}


@dataclass
class Plan:
    """What to show: the picks (a card and its reason each) and what they are, or else a
    question to ask (and what its answer completes)."""

    picks: list[tuple[Hit, str]] = field(default_factory=list)
    about: str = ""
    intro: str | None = None
    question: str | None = None
    asked: dict[str, Any] | None = None


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
        dispatcher.utter_message(text="I have no suggestions to offer right now.")
        return []
    session = await shopping.catalog.current()
    kinds = await call(recommender.kinds)
    state = SearchState.from_dict(tracker.get_slot("search"))
    text = latest_text(tracker)
    like = payload_value(tracker, "like")
    if like is not None:
        hit = session.index.find(str(like))
        if hit is None:
            dispatcher.utter_message(text="I can't find that item any more.")
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
        return popular(session, constraints, intro="Here's what's popular in the store")
    return await personal(tracker, session, kinds, constraints)


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


def alike(
    session: SearchSession,
    kinds: Kinds,
    product_id: str,
    terms: SearchTerms,
    *,
    anchor: Hit | None = None,
) -> Plan:
    """Other versions of the product, closest first, taking turns with the products the table
    calls alike."""
    index = session.index
    name = kinds.products[product_id].name if product_id in kinds.products else "item"
    mask = index.matches(terms) & index.available & index.of_product(product_id)
    versions = [index.hit(int(row)) for row in index.ranked(mask)]
    versions = [hit for hit in versions if anchor is None or hit.item_id != anchor.item_id]
    if anchor is not None:
        versions.sort(key=lambda hit: (_differences(hit, anchor), _price_gap(hit, anchor)))
    same = [(hit, _same_type(hit, anchor)) for hit in versions]
    others = _cards(session, kinds.alike(product_id), terms, kinds)
    picks = _alternate(same, others)
    if not picks:
        return Plan(
            question=f"I have nothing else quite like the {name}. What would you like it to "
            "do differently?"
        )
    return Plan(picks, about=f"like the {name}", intro=f"Here's more like the {name}:")


def complement(
    session: SearchSession, kinds: Kinds, anchors: list[str], terms: SearchTerms
) -> Plan:
    names = [kinds.products[a].name for a in anchors if a in kinds.products]
    found = kinds.to_go_with(anchors)
    picks = _cards(session, found, terms, kinds)
    what = names[0] if names else "that"
    if not picks:
        if found:
            return Plan(
                question=f"Nothing to go with the {what} fits {describe_terms(terms)}. "
                "Could you loosen it a little?"
            )
        return Plan(
            question=f"I don't know what goes with the {what} yet. What would you like to "
            "use with it?"
        )
    return Plan(picks, about=f"to go with your {what}")


def gift(
    session: SearchSession,
    kinds: Kinds,
    text: str,
    terms: SearchTerms,
    recipient: str,
    *,
    named: list[str] | None = None,
    asked_again: bool = False,
) -> Plan:
    """Products for the interest the text states; one question when it states none."""
    found, interest = kinds.for_interest(text)
    if not found and named:
        # The catalog's words (or their meaning) named products: the interest is those.
        label = " and ".join(kinds.products[p].name for p in named[:2] if p in kinds.products)
        found = [Pick(p, 1.0, {"kind": "interest", "interest": label}) for p in named]
        interest = label
    who = recipient or "they"
    if not found:
        does = f"does {recipient}" if recipient else "do they"
        question = f"What {does} like? Tell me a hobby or an interest and I'll find a gift."
        if asked_again:
            question = (
                f"I have nothing I'd pick for that. What else {does} enjoy? Or say what "
                "you're looking for and I'll search the catalog."
            )
        return Plan(
            question=question,
            asked=None
            if asked_again
            else {"kind": "gift", "recipient": recipient, "terms": terms.as_dict()},
        )
    picks = _cards(session, found, terms, kinds)
    if not picks:
        return Plan(
            question=f"Nothing for {interest} lovers fits {describe_terms(terms)}. Could "
            "you go a little higher?"
        )
    about = f"for {who} ({interest})" if recipient else f"for someone into {interest}"
    return Plan(picks, about=about)


async def personal(
    tracker: Tracker, session: SearchSession, kinds: Kinds, terms: SearchTerms
) -> Plan:
    """For this shopper: complements of what they bought (their account's orders) or looked
    at, and look-alikes of what they looked at, in the order the store's recommender and the
    complements' own order agree on; never what they already bought."""
    recommender = services.current().shopping.recommender
    assert recommender is not None
    customer = tracker.get_slot("customer_id")
    history = await call(
        recommender.shopper_history,
        customer_id=customer or None,
        session_id=None if customer else tracker.sender_id,
    )
    latest = list(reversed(history))
    bought = {i.item for i in history if i.kind == "bought"}
    viewed = {i.item for i in history if i.kind == "viewed"} - bought
    # What they bought first, then what they looked at, each latest first.
    recent = list(
        dict.fromkeys(
            [i.item for i in latest if i.kind == "bought"]
            + [i.item for i in latest if i.kind == "viewed"]
        )
    )
    ranked = await call(recommender.suggest, history, k=RANKED, exclude=bought) if history else []
    found = kinds.for_shopper(recent, ranked, viewed=viewed, exclude=bought)
    picks = _cards(session, found, terms, kinds)
    if picks:
        return Plan(picks, about="for you")
    return popular(
        session,
        terms,
        intro="I don't know your taste yet, so here's what's popular. What are you shopping "
        "for, or who is it for?",
    )


def popular(session: SearchSession, terms: SearchTerms, *, intro: str) -> Plan:
    """The best sellers, one of each product."""
    hits = session.index.best_versions(None, terms, limit=MAX_LISTED)
    if not hits:
        return Plan(question=f"Nothing fits {describe_terms(terms)}. Could you loosen it?")
    return Plan(
        [(hit, "popular in the store") for hit in hits],
        about="from what's popular",
        intro=intro if intro[-1] in "?.:" else intro + ":",
    )


def _cards(
    session: SearchSession, picks: list[Pick], terms: SearchTerms, kinds: Kinds
) -> list[tuple[Hit, str]]:
    """Each pick's best version within the terms (in stock first), with its reason."""
    reasons = {pick.product: _reason(pick, kinds) for pick in reversed(picks)}
    hits = session.index.best_versions([p.product for p in picks], terms, limit=MAX_LISTED)
    return [(hit, reasons[hit.product.id]) for hit in hits]


def _reason(pick: Pick, kinds: Kinds) -> str:
    reason = pick.reason
    product = kinds.products.get(reason.get("item", ""))
    name = product.name if product is not None else ""
    kind = reason.get("kind")
    if kind == "bought_with":
        return f"often bought with the {name}"
    if kind == "goes_with":
        return f"goes with your {name}"
    if kind == "alike":
        return f"like the {name}"
    if kind == "interest":
        # "for dog lovers", not "for dogs lovers"; a phrase stays as it is.
        interest = reason.get("interest") or "this"
        return f"for {singular(interest) if ' ' not in interest else interest} lovers"
    return "popular in the store"


def _differences(hit: Hit, anchor: Hit) -> int:
    theirs = anchor.variant.options
    return sum(1 for name, value in hit.variant.options.items() if theirs.get(name) != value)


def _price_gap(hit: Hit, anchor: Hit) -> float:
    return abs(float(hit.variant.price) - float(anchor.variant.price))


def _same_type(hit: Hit, anchor: Hit | None) -> str:
    """ "same type, black, cheaper": what sets this version apart from the one liked."""
    parts = ["same type"]
    if anchor is not None:
        theirs = anchor.variant.options
        changed = [str(v) for n, v in hit.variant.options.items() if theirs.get(n) != v]
        parts.extend(changed[:2])
        if hit.variant.price < anchor.variant.price:
            parts.append("cheaper")
        elif hit.variant.price > anchor.variant.price:
            parts.append("pricier")
    else:
        parts.extend(str(v) for v in list(hit.variant.options.values())[:2])
    return ", ".join(parts)


def _alternate(
    first: list[tuple[Hit, str]], second: list[tuple[Hit, str]]
) -> list[tuple[Hit, str]]:
    merged: list[tuple[Hit, str]] = []
    for n in range(max(len(first), len(second))):
        merged.extend(pair[n] for pair in (first, second) if n < len(pair))
    return merged[:MAX_LISTED]


def _say(dispatcher: CollectingDispatcher, session: SearchSession, plan: Plan) -> list[EventType]:
    if plan.question is not None:
        dispatcher.utter_message(text=plan.question)
        if plan.asked is None:
            return [SlotSet("search", None)]
        return [SlotSet("search", SearchState(SearchTerms(), asked=plan.asked).as_dict())]
    listed = tuple((hit.item_id, reason) for hit, reason in plan.picks)
    page = tuple(item for item, _ in listed[: session.page_size])
    state = SearchState(SearchTerms(), len(page), page, None, listed, plan.about)
    hits = session.index.hits(page)
    intro = plan.intro or f"Here's what I'd suggest {plan.about}:"
    show_suggestions(dispatcher, hits, state, total=len(listed), intro=intro)
    return [SlotSet("search", state.as_dict())]
