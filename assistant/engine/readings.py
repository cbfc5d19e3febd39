"""How conversation repair reads a message (assistant/engine/repair.py): whether it asks
about something or asks for it, leaves what is in progress, asks for a person, sounds upset,
or holds several requests. Plain patterns over the words, the same whatever the classifier
makes of the message: each is a rule a shopper would state, not a model.
"""

from __future__ import annotations

import re

_LEAD = r"^\s*(?:(?:so|and|but|hi|hello|hey|ok|okay|um+|quick question|question)[,!.:]?\s+)*"
_ASKS = re.compile(
    _LEAD + r"(?:can|could|may|do|does|did|is|are|am|will|would|should|shall|how|what|whats|"
    r"what's|when|where|why|which|who|if|any)\b",
    re.IGNORECASE,
)
# "can you cancel my order", "I want to return these": a request, not a question about it.
_REQUEST = re.compile(
    _LEAD + r"(?:can|could|would|will)\s+(?:you|u|ya)\s+(?:please\s+|pls\s+)?(?!tell|explain|let)"
    r"|\b(?:i\s*(?:want|wanna|need|'d like|would like|am trying|'m trying)|i'd like|please|pls|"
    r"plz)\b",
    re.IGNORECASE,
)
_WONDERS = re.compile(
    r"\b(?:wondering|want to know|wanna know|like to know|curious|tell me (?:if|whether|how))\b",
    re.IGNORECASE,
)


# A message that is nothing but a way out ("cancel", "ok never mind then") leaves whatever is
# in progress, whatever the classifier makes of a word that also starts tasks ("cancel").
_LEAVES = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|oh|ah|actually|no|nah|nope|hmm+|um+|please|pls)\W+)*"
    r"(?:cancel|stop|quit|abort|exit|never\s*mind|nvm|forget (?:it|about it|that)|leave it|"
    r"drop it|scratch that|cancel (?:it|that|this)|stop (?:it|that|this))"
    r"(?:\W+(?:then|please|pls|thanks|thank you|for now))*\W*$",
    re.IGNORECASE,
)


# Where one request may end and another begin: after a question mark or a sentence, at a
# semicolon, or at "and" / ", also" / ", plus" between clauses.
_BETWEEN_REQUESTS = re.compile(
    r"(?<=[?.!])\s+|\s*;\s*|,\s*(?:and\s+)?(?:also|plus)\s+|,?\s+and\s+(?:also\s+|then\s+)?",
    re.IGNORECASE,
)
MIN_REQUEST_WORDS = 2


def split_requests(text: str) -> list[str]:
    """The clauses a message may hold several requests in; a piece too short to be a
    request ("black and white") stays joined, word for word, to its neighbour."""
    pieces: list[str] = []
    joins: list[str] = []
    position = 0
    for match in _BETWEEN_REQUESTS.finditer(text):
        pieces.append(text[position : match.start()])
        joins.append(match.group(0))
        position = match.end()
    pieces.append(text[position:])
    merged = [pieces[0]]
    for join, piece in zip(joins, pieces[1:], strict=True):
        if (
            len(piece.split()) < MIN_REQUEST_WORDS
            or len(merged[-1].split()) < MIN_REQUEST_WORDS
            or _ends_list(merged[-1], join, piece)
        ):
            merged[-1] = f"{merged[-1]}{join}{piece}"
        else:
            merged.append(piece)
    return [piece.strip(" ,") for piece in merged if piece.strip(" ,")]


def _ends_list(before: str, join: str, piece: str) -> bool:
    """Whether "and <piece>" is the last of a list ("return the cleaner, headphone, and
    smart watch"), not another request."""
    if "and" not in join.lower() or len(piece.split()) > MAX_LIST_ITEM_WORDS:
        return False
    last = before.rsplit(",", 1)
    if len(last) == 2 and 0 < len(last[1].split()) <= MAX_LIST_ITEM_WORDS:
        return True
    # "Cancel the charger and the jacket and the running shoes": the things one change is for.
    return bool(_ORDER_CHANGE.search(before) and _THING.match(piece.strip()))


MAX_LIST_ITEM_WORDS = 3
_ORDER_CHANGE = re.compile(r"\b(?:cancel|return|exchange|modify|change|swap)\b", re.IGNORECASE)
_THING = re.compile(r"^(?:the|my|a|an|both)\s+[\w-]+(?:\s+[\w-]+)?[.!]?$", re.IGNORECASE)


# "No, the other one": a no that points at another choice answers the step.
_POINTS = re.compile(
    r"\b(?:other|another|instead|different|that one|this one|the one|first|second|last)\b",
    re.IGNORECASE,
)


# "Just get me a human", "forget it, get me someone who can actually help": a person wins,
# whatever else the message says and whatever the classifier makes of it.
_PERSON = re.compile(
    r"\b(?:human|real person|a person|actual person|(?:an?|your|live|real|support) agent|"
    r"representative|(?:someone|somebody|anyone) (?:real|who can|from)|manager|supervisor)\b",
    re.IGNORECASE,
)
_REACH = re.compile(
    r"\b(?:get|talk|speak|chat|connect|transfer|put|give|want|need|pass|let me)\b",
    re.IGNORECASE,
)


# Frustration said beside a request: "omg", "ugh", "3 times", "useless", "!!!".
_UPSET = re.compile(
    r"\b(?:omg|ugh+|wtf|ffs|useless|ridiculous|pathetic|terrible|awful|hopeless|annoying|"
    r"frustrat\w*|fed up|sick of|(?:asked|tried|told you) (?:\w+ )?(?:\d+|two|three|several|"
    r"many) times|again\?!?)|!{3,}|\?{3,}",
    re.IGNORECASE,
)


def points_elsewhere(text: str) -> bool:
    """Whether a "no" points at another choice ("no, the other one")."""
    return bool(_POINTS.search(text))


def without_upset(text: str) -> str:
    """The message without its clauses of frustration ("omg I've asked three times, where
    is my order???" → "where is my order"), for reading what is asked."""
    clauses = re.split(r"(?<=[,.;!?])\s+", re.sub(r"([!?])[!?]{2,}", r"\1", text))
    kept = [clause for clause in clauses if not _UPSET.search(clause)]
    if not kept:
        return ""
    return " ".join(kept).strip(" ,.;")


def sounds_upset(text: str) -> bool:
    """Whether the shopper sounds frustrated, whatever they ask for."""
    return bool(_UPSET.search(text))


def asks_for_person(text: str) -> bool:
    """Whether the message asks to be put through to a person."""
    return bool(_PERSON.search(text) and _REACH.search(text))


def leaves(text: str) -> bool:
    """Whether the message only says to stop what is in progress."""
    return bool(_LEAVES.match(text))


# "The camera I ordered", "my skateboard and coffee maker order", "my pending
# order", "the order with the lamp", "…it's not shipped yet": a particular order of the
# shopper's, so a request about it. ("Can I cancel my order if…?", "…my next order?" ask
# about the policy: answered, then offered.)
_GENERIC_ORDER = r"(?:next|first|future|new|whole|entire|own|an?|the|every|any)\b"
# Words that end the naming of an order ("my address will my order…" names none).
_NOT_AN_ITEM = r"(?:my|your|will|would|can|could|should|is|was|be|to|of|on|for|in|at|if|that|it)\b"
_PERSONAL = re.compile(
    # ("…something I ordered" is any of them: a question about the policy.)
    r"\b(?:(?<!something )(?<!anything )(?<!items )(?<!an item )(?<!what )"
    r"(?:i|we) (?:just |recently )?(?:ordered|bought|purchased|got|received)"
    rf"|my\s+(?!{_GENERIC_ORDER})(?:(?!{_NOT_AN_ITEM})[a-z-]+\s+){{1,4}}(?:order|purchase)"
    r"|(?:my|the) (?:order|purchase) (?:with|containing) (?:the|my)\s+\w+"
    # "…it's not shipped yet": the state of one order as it is now (not "if it's shipped").
    r"|(?<!\bif )(?<!\bonce )(?<!\bwhen )it(?:'s|\s+is|\s+isn'?t|\s+has|\s+hasn'?t|\s+was)"
    r"(?:\s+(?:not|still|already|just|been))*\s+(?:shipped|pending|delivered|processed|arrived)"
    r")\b",
    re.IGNORECASE,
)


# "My pending order", "all my items", "the pending boots": the shopper's own orders.
_OWN_ORDERS = re.compile(
    r"\bmy (?:most )?(?:(?:pending|recent|last|latest|other|previous|current|two|three) )?"
    r"(?:orders?|items)\b|\b(?:my|the) pending\b|\bthe order (?:that )?i\b",
    re.IGNORECASE,
)


# "Cancel or return everything I bought", "modify the grill I just ordered", "cancel all
# possible orders": an order change asked of the shopper's own purchases.
_CHANGES = re.compile(
    r"\b(?:cancel\w*|return\w*|exchange\w*|modif\w*|chang\w*|swap\w*|upgrad\w*|refund\w*)\b",
    re.IGNORECASE,
)
_PURCHASES = re.compile(
    r"\bi (?:just |recently |have |had |already )*(?:ordered|bought|received|purchased|placed)\b|"
    r"\b(?:cancel|return) (?:or (?:cancel|return) )?everything\b|"
    r"\ball (?:possible |of )?(?:my |the )?orders\b|\bthe order (?:that )?i\b",
    re.IGNORECASE,
)


_CHANGES_THING = re.compile(
    r"\b(?:modify|exchange|return|cancel|swap|change|switch|upgrade)\s+(?:my|the)\s+"
    r"(?!(?:order|address|name|password|email|account|reservation|appointment|booking|flight|"
    r"subscription|plan|pin|card|payment|mind)s?\b)[a-z-]+",
    re.IGNORECASE,
)


# "Modify the skateboard", "cancel the hiking boots", "return my headphones": an order change
# of the shopper's own things, never a search.
_ACTS_ON_ITEMS = re.compile(
    r"\b(?:modify|exchange|return|cancel|swap)\s+(?:my|the|both|all|these|those)\b",
    re.IGNORECASE,
)


def acts_on_own_items(text: str) -> bool:
    return bool(_ACTS_ON_ITEMS.search(text))


def changes_named_thing(text: str) -> bool:
    """Whether a message asks for an order change of a thing it names with "my" or "the"
    ("exchange my camera to a lower resolution", "change the book shelf to 4 foot")."""
    return bool(_CHANGES_THING.search(text))


def changes_own_purchase(text: str) -> bool:
    """Whether a message asks for an order change to what the shopper bought."""
    return bool(_CHANGES.search(text) and _PURCHASES.search(text))


def names_own_order(text: str) -> bool:
    """Whether a message speaks of the shopper's orders themselves ("my pending order", "all
    my items"), not merely of something bought ("I just lost the tablet I received")."""
    return bool(_OWN_ORDERS.search(text))


def asks_about(text: str, *, names_order: bool = False) -> bool:
    """Whether a message asks about something (how, whether, what) rather than asking for
    it to be done: "can I return a used item?" does, "return my shoes", "can you cancel
    my order" and "I don't need the camera I ordered, can I cancel?" do not, nor does one
    that names an order by its number (`names_order`: the NLU found one)."""
    if names_order or _PERSONAL.search(text):
        return False
    if _WONDERS.search(text):
        return True
    if _REQUEST.search(text):
        return False
    return bool(_ASKS.search(text)) or text.rstrip().endswith("?")
