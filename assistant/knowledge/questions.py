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
_QUESTION_START = re.compile(
    rf"^\W*(?:{_OPENING}|(?:tell|explain|show)\b|(?:i'd|i\s+would)\s+like\s+to\s+know\b)",
    re.IGNORECASE,
)


def _asks(part: str) -> bool:
    """Whether the part is a question or a request on its own."""
    return part.rstrip().endswith("?") or _QUESTION_START.match(part) is not None


def split_questions(text: str) -> list[str]:
    """The message's questions in order, each with the context it needs; the whole message
    (stripped) when it asks one thing or nothing."""
    parts = [
        piece.strip()
        for sentence in _SENTENCE_END.split(text.strip())
        for piece in _JOIN.split(sentence)
        if piece.strip()
    ]
    if len(parts) <= 1:
        return [text.strip()] if text.strip() else []
    questions: list[str] = []
    context: list[str] = []
    for part in parts:
        if not _asks(part):
            context.append(part)
            continue
        if questions and not key_terms(part):
            # "… and how much is it?": nothing to search for without the question before.
            questions[-1] = f"{questions[-1]} and {' '.join([*context, part])}"
        else:
            questions.append(" ".join([*context, part]))
        context = []
    if context:
        if not questions:
            return [text.strip()]
        questions[-1] = f"{questions[-1]} {' '.join(context)}"
    return questions
