"""A message's questions, one by one.

"how long does shipping take and can I pay with paypal?" asks two things; each gets its own
answer, in order. A message is cut at the ends of its sentences, and inside a sentence where
"and", "also", "plus" or "but" (after an optional comma) is followed by the opening of a new
question: a question word ("how", "what", …) or an auxiliary verb with its subject ("can I",
"do you", "is there"). "Can I return and exchange items?" stays one question: "exchange" opens
nothing.

A part that asks nothing on its own — a greeting, "thanks", a statement such as "I bought a
lamp last week" — is kept as context of the question next to it, and a part without a word
that says what it is about ("and how much is it?") stays with the question before it, so
that no part is answered out of its context.
"""

from __future__ import annotations

import re

from assistant.knowledge.terms import key_terms

_SENTENCE_END = re.compile(r"(?<=[?!.])\s+")
_WH = r"how|what|what's|whats|when|where|why|who|which|whom"
_AUXILIARY = (
    r"can|could|do|does|did|is|are|was|were|will|would|should|may|might|must|have|has|am|"
    r"shall|if"
)
_SUBJECT = r"i|you|we|they|it|there|my|your|the|this|that|these|those|he|she|u|ya|y'all"
_OPENING = rf"(?:(?:{_WH})\b|(?:{_AUXILIARY})\s+(?:{_SUBJECT})\b)"
# A conjunction that starts a new question, not one that joins two words of the same one.
_JOIN = re.compile(rf"\s*,?\s+(?:and|also|plus|but|&)\s+(?:also\s+)?(?={_OPENING})", re.IGNORECASE)
# A sentence that opens with an auxiliary verb asks ("is express shipping an option").
_ASKING_VERB = r"(?:can|could|do|does|did|is|are|was|were|will|would|should)\s+\w"
_QUESTION_START = re.compile(
    rf"^\W*(?:{_OPENING}|{_ASKING_VERB}|(?:tell|explain|show)\b"
    r"|(?:i'd|i\s+would)\s+like\s+to\s+know\b)",
    re.IGNORECASE,
)
# A topic named on its own before another question ("return window and do you sell my
# data?"): a few words, none of them about the shopper or the thing in hand.
TOPIC_WORDS = 4
_ABOUT_SOMEONE = re.compile(
    r"\b(?:i|i'm|i've|me|my|mine|we|our|us|it|its|this|that|these|those|he|she|they|them)\b",
    re.IGNORECASE,
)
# "I want to make a warranty claim": a request stated, which asks as a question does.
_WANTS = re.compile(
    r"\b(?:i|we)\s+(?:(?:really\s+)?(?:want|need|wanna|wish)|would\s+like|'d\s+like|am\s+trying|'m\s+trying)"
    r"\b",
    re.IGNORECASE,
)
# What a message says before the question proper ("two things: do you …", "also do …").
_PREAMBLE = re.compile(r"^(?:[^:?]{0,40}:\s*|\W*(?:and|also|plus|but|&)\s+)")
# "… right away? what about paypal?": the question before, asked of something else.
_FOLLOW_UP = re.compile(r"^\W*(?:and\s+|but\s+)?(?:what|how)\s+about\b", re.IGNORECASE)
# Where a sentence's clauses meet: a comma, semicolon or dash.
_CLAUSE_END = re.compile(r"\s*(?:[,;]|\s[-–—])\s+")


# "Thx, also do you ship to Canada?": a courtesy beside a question is neither.
_COURTESY = re.compile(
    r"^(?:thanks?(?: (?:you|a lot|so much))?|thx|ty|ok(?:ay)?|great|cool|nice|perfect|hi|"
    r"hello|hey|please|pls|sure|got it|alright|all right)[\s!.,]*$",
    re.IGNORECASE,
)


def _asks(part: str) -> bool:
    """Whether the part is a question or a request on its own."""
    part = _PREAMBLE.sub("", part)
    return part.rstrip().endswith("?") or _QUESTION_START.match(part) is not None


def _names_topic(part: str) -> bool:
    """Whether the part names something to ask about on its own ("return window")."""
    return len(part.split()) <= TOPIC_WORDS and _ABOUT_SOMEONE.search(part) is None and _about(part)


def _about(part: str) -> bool:
    """Whether the part has a word saying what it is about ("shipping", not "how long")."""
    return any(term.about for term in key_terms(part))


def focus(question: str) -> str:
    """The clauses of a question that ask or request, without the statements beside them:
    "my kettle stopped heating after 3 months, I want to make a warranty claim" → "I want
    to make a warranty claim"; of a follow-up, what it asks about now ("… what about
    paypal?"). The whole question when every clause asks, or none does."""
    clauses = [
        clause.strip()
        for sentence in _SENTENCE_END.split(question.strip())
        for clause in _CLAUSE_END.split(sentence)
        if clause.strip()
    ]
    follow_up = [c for c in clauses if _FOLLOW_UP.match(c)]
    if follow_up and len(follow_up) < len(clauses):
        return " ".join(follow_up)
    asking = [c for c in clauses if _asks(c) or _WANTS.search(c)]
    if not asking or len(asking) == len(clauses):
        return question.strip()
    return " ".join(asking)


def split_questions(text: str) -> list[str]:
    """The message's questions in order, each with the context it needs; the whole message
    (stripped) when it asks one thing or nothing."""
    parts = [
        piece.strip()
        for sentence in _SENTENCE_END.split(text.strip())
        for piece in _JOIN.split(sentence)
        if piece.strip() and not _COURTESY.match(piece.strip())
    ]
    if len(parts) <= 1:
        return [text.strip()] if text.strip() else []
    questions: list[str] = []
    context: list[str] = []
    for part in parts:
        if not _asks(part) and not _names_topic(part):
            context.append(part)
            continue
        if questions and _FOLLOW_UP.match(part) and not context:
            # Answered as the question before, asked of what it names now (`focus`).
            questions.append(f"{questions[-1]} {part}")
        elif questions and not _about(part):
            # "… and how much is it?": nothing to search for without the question before.
            joined = " ".join([*context, part])
            joiner = (
                " " if re.match(r"(?:and|also|plus|but|&)\b", joined, re.IGNORECASE) else " and "
            )
            questions[-1] = f"{questions[-1]}{joiner}{joined}"
        else:
            questions.append(" ".join([*context, part]))
        context = []
    if context:
        if not questions:
            return [text.strip()]
        questions[-1] = f"{questions[-1]} {' '.join(context)}"
    return questions
