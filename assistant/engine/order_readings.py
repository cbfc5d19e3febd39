"""Which order task a message that the classifier misplaces is about.

A request the NLU puts out of scope may still name an order ("change the lamp in #W9300146")
or ask to change what the shopper bought ("modify the grill I just ordered"); one it reads as
a search may ask to change the shopper's own items ("cancel the hiking boots and the watch").
Both are read as the likeliest intent whose flow works on an order. Never while a step waits
for an answer, and never for a question about doing it ("can I return a used item?").
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.engine.flows import FlowSet
from assistant.engine.nlu.result import OUT_OF_SCOPE, ParseResult
from assistant.engine.readings import (
    acts_on_own_items,
    asks_about,
    asks_for_person,
    changes_named_thing,
    changes_own_purchase,
    names_own_order,
)
from assistant.engine.tracker import DialogueTracker

ORDER_ENTITY = "order_id"
# How far down the ranking an order task may be to stand for a search.
MAX_RANK = 3


def order_reading_of(flows: FlowSet, tracker: DialogueTracker, parse: ParseResult) -> ParseResult:
    """A request the NLU puts out of scope that names an order number ("change the lamp
    in #W9300146 for the cheapest one") or speaks of the shopper's own orders ("modify
    the pending boots to a size 8") is about an order: its likeliest intent whose flow
    works on an order. (To a step that waits, such words are the step's answer.)"""
    ranking = parse.ranking
    # Out of scope only for want of confidence: the classifier's likeliest label is a task.
    unsure = parse.intent == OUT_OF_SCOPE and bool(ranking) and ranking[0][0] != OUT_OF_SCOPE
    if tracker.active is not None and tracker.active.waiting is not None:
        return _another_task(flows, tracker, parse) if unsure else parse
    numbered = names_order_number(parse)
    if changes_own_purchase(parse.text) and not asks_about(parse.text, names_order=numbered):
        # "Return everything I bought": only when the likeliest reading is an order task.
        ranking = tuple(pair for pair in ranking if pair[0] != parse.intent)[:1]
    elif numbered or (names_own_order(parse.text) and not asks_about(parse.text)):
        pass  # an order of theirs: its likeliest order task, however far down
    elif (
        unsure
        and changes_named_thing(parse.text)
        and not asks_about(parse.text, names_order=numbered)
    ):
        # "Exchange my camera to a lower resolution": the likeliest reading, an order task.
        ranking = ranking[:1]
    else:
        return parse
    for intent, confidence in ranking:
        flow = flows.for_intent(intent)
        if flow is not None and ORDER_ENTITY in flows.collects(flow):
            return replace(parse, intent=intent, confidence=confidence)
    return parse


def _another_task(flows: FlowSet, tracker: DialogueTracker, parse: ParseResult) -> ParseResult:
    """While a step waits: "then I'd like to cancel the bookshelf" in the middle of changing
    it asks for another order task, when that is the likeliest reading, another flow's."""
    active = tracker.active.flow if tracker.active is not None else None
    if (
        active is None
        or not changes_named_thing(parse.text)
        or asks_about(parse.text, names_order=names_order_number(parse))
    ):
        return parse
    # The first order task among the two likeliest ("stop" may stand before "cancel").
    for intent, confidence in parse.ranking[:2]:
        flow = flows.for_intent(intent)
        if flow is not None and ORDER_ENTITY in flows.collects(flow):
            if flow == active:
                return parse
            return replace(parse, intent=intent, confidence=confidence)
    return parse


# "Change the address of the order to my default one": the default is where it goes.
_TO_DEFAULT = re.compile(
    r"\bto (?:my|the) default\b|\bto the (?:address|one) (?:on|in) my (?:account|profile)\b",
    re.IGNORECASE,
)
_OF_ORDER = re.compile(
    r"\baddress (?:of|for|on) (?:the|my|this|that) (?:\w+ )?order\b|"
    r"\border'?s? (?:shipping )?address\b",
    re.IGNORECASE,
)


def default_as_destination(flows: FlowSet, parse: ParseResult) -> ParseResult:
    """ "Change the address of the order to my default Chicago home" read as changing the
    default address: an order's address, the likeliest reading whose flow changes one."""
    if not (_TO_DEFAULT.search(parse.text) and _OF_ORDER.search(parse.text)):
        return parse
    for intent, confidence in parse.ranking[:MAX_RANK]:
        flow = flows.for_intent(intent)
        if flow is not None and {ORDER_ENTITY, "address"} <= flows.collects(flow):
            return replace(parse, intent=intent, confidence=confidence)
    return parse


def order_task_over_search(
    flows: FlowSet, tracker: DialogueTracker, parse: ParseResult, search_flow: str
) -> ParseResult:
    """ "I want to modify the skateboard to maple, 34 inch" or "cancel the hiking boots
    and the watch" read as a search, because they name products and options, are about
    the shopper's own items: the likeliest reading whose flow works on an order."""
    if tracker.active is not None and tracker.active.waiting is not None:
        return parse
    ranked = [intent for intent, _ in parse.ranking if intent != OUT_OF_SCOPE]
    # Out of scope, the likeliest reading stands in for the parse: a search it may replace.
    top = ranked[0] if parse.intent == OUT_OF_SCOPE and ranked else parse.intent
    if flows.for_intent(top) != search_flow:
        return parse  # only a search stands aside for the shopper's own items
    if not acts_on_own_items(parse.text) or asks_about(
        parse.text, names_order=names_order_number(parse)
    ):
        return parse
    if asks_for_person(parse.text):
        return parse  # a person wins over any task
    for intent, confidence in parse.ranking[:MAX_RANK]:
        other = flows.for_intent(intent)
        if other is not None and ORDER_ENTITY in flows.collects(other):
            return replace(parse, intent=intent, confidence=confidence)
    return parse


def names_order_number(parse: ParseResult) -> bool:
    """Whether the message names an order by its number."""
    return any(entity.entity == ORDER_ENTITY for entity in parse.entities)
