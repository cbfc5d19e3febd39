"""The plans of each kind of suggestion: what to show, each card with the reason that fits
its kind, or the one question to ask instead.

- `alike`: other versions of the product and the products the store's table calls alike;
- `complement`: what goes with the products named, from the table and from co-purchases;
- `gift`: products for the interest the message states, within its budget;
- `personal`: complements and look-alikes of what this shopper bought or looked at;
- `popular`: the best sellers.

`suggestions.py` reads which kind a message asks for and shows the plan.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker

from actions import services
from actions.cards import describe_terms
from actions.common import call
from assistant.recs.interface import Interaction
from assistant.recs.kinds import Kinds, Pick
from assistant.search.index import Hit
from assistant.search.session import SearchSession
from assistant.search.terms import SearchTerms
from assistant.search.words import singular

# How many suggestions a list keeps for "show more".
MAX_LISTED = 24
# How deep the store's recommender ranks for a shopper before its order is fused in.
RANKED = 100


@dataclass
class Plan:
    """What to show: the picks (a card and its reason each) and what they are, or else a
    question to ask (and what its answer completes). `intro` and `question` are responses,
    filled with `values`."""

    picks: list[tuple[Hit, str]] = field(default_factory=list)
    about: str = ""
    intro: str | None = None
    question: str | None = None
    asked: dict[str, Any] | None = None
    values: dict[str, Any] = field(default_factory=dict)


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
        return Plan(question="utter_suggest_nothing_alike", values={"name": name})
    return Plan(picks, about=f"like the {name}", intro="utter_suggest_alike", values={"name": name})


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
                question="utter_suggest_complement_filtered",
                values={"name": what, "terms": describe_terms(terms)},
            )
        return Plan(question="utter_suggest_complement_unknown", values={"name": what})
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
    if not found:
        if asked_again:
            question = "utter_suggest_gift_none" if recipient else "utter_suggest_gift_none_they"
        else:
            question = "utter_suggest_gift_ask" if recipient else "utter_suggest_gift_ask_they"
        return Plan(
            question=question,
            asked=None
            if asked_again
            else {"kind": "gift", "recipient": recipient, "terms": terms.as_dict()},
            values={"recipient": recipient},
        )
    picks = _cards(session, found, terms, kinds)
    if not picks:
        return Plan(
            question="utter_suggest_gift_filtered",
            values={"interest": interest, "terms": describe_terms(terms)},
        )
    about = f"for {recipient} ({interest})" if recipient else f"for someone into {interest}"
    return Plan(picks, about=about)


async def personal(
    tracker: Tracker,
    session: SearchSession,
    kinds: Kinds,
    terms: SearchTerms,
    *,
    talked: Sequence[str] = (),
) -> Plan:
    """For this shopper: complements of what they bought (their account's orders) or looked
    at, and look-alikes of what they looked at, in the order the store's recommender and the
    complements' own order agree on; never what they already bought. The products this
    conversation is about (`talked`: searched, looked at, named) are their latest interest."""
    recommender = services.current().shopping.recommender
    assert recommender is not None
    customer = tracker.get_slot("customer_id")
    history = await call(
        recommender.shopper_history,
        customer_id=customer or None,
        session_id=None if customer else tracker.sender_id,
    )
    now = max((i.at for i in history), default=0.0)
    history = [
        *history,
        *(Interaction(p, "conversation", now + 1.0 + n, "viewed") for n, p in enumerate(talked)),
    ]
    latest = list(reversed(history))
    bought = {i.item for i in history if i.kind == "bought"}
    viewed = {i.item for i in history if i.kind == "viewed"} - bought
    # What the conversation is about, then what they bought, then what they looked at.
    recent = list(
        dict.fromkeys(
            [p for p in talked if p not in bought]
            + [i.item for i in latest if i.kind == "bought"]
            + [i.item for i in latest if i.kind == "viewed"]
        )
    )
    ranked = await call(recommender.suggest, history, k=RANKED, exclude=bought) if history else []
    found = kinds.for_shopper(recent, ranked, viewed=viewed, exclude=bought)
    picks = _cards(session, found, terms, kinds)
    if picks:
        return Plan(picks, about="for you")
    # Nothing to pair with what they bought or looked at: the best sellers, never what they
    # bought, and without pretending not to know them.
    known = bought or viewed
    intro = "utter_suggest_popular_unpaired" if known else "utter_suggest_popular_unknown_taste"
    return popular(session, terms, intro=intro, exclude=bought)


def popular(
    session: SearchSession, terms: SearchTerms, *, intro: str, exclude: Collection[str] = ()
) -> Plan:
    """The best sellers, one of each product (less the `exclude`d products), after `intro`
    (a response)."""
    hits = session.index.best_versions(None, terms, limit=MAX_LISTED, exclude=exclude)
    if not hits:
        return Plan(
            question="utter_suggest_popular_filtered", values={"terms": describe_terms(terms)}
        )
    return Plan(
        [(hit, "popular in the store") for hit in hits], about="from what's popular", intro=intro
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
