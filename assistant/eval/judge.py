"""The conversations suite's judge: does one turn's reply do what a case expects?

A turn is judged from what the shopper sees: the bot messages' text, their buttons and the
cards beside them (`custom.type`: product_cards, product_comparison, order_summary,
change_summary, answer, handoff, add_to_cart). Only two facts come from elsewhere, and only
here: which flows the engine began and whether the search changed during the turn (the
tracker, for `start_anything`), and whether the conversation was paused for a person. The
runner collects those into a `Turn`; nothing the judge reads steers the conversation.

Each behaviour is defined by what it means for any store and any wording, never by one
reply's phrasing:

- ask_sign_in: the assistant's own words ask for the account's email, or a name and zip code.
- show_products: product cards or a comparison of products are shown.
- show_order: an order card, or a line naming an order together with its status.
- answer_from_documents: an answer citing at least one of the store's documents.
- say_not_covered: the assistant says it does not know, is not sure, or that the documents
  do not cover (mention, say) it; "could not find" counts when it is about the documents.
- offer_person: a button to a person, or words offering to connect to one (or a hand-off).
- hand_off: the conversation is handed to a person (the hand-off notice, or the bot paused).
- ask_confirmation: a summary of a change to confirm, or a yes/no question asking whether to
  go ahead with it.
- start_anything: an order task, a product search or a policy answer began this turn.

Words quoted from the store's documents (between quotation marks, or in a cited answer) are
not the assistant's own: a quoted "we do not cover accidental damage" is not "I don't know".
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

BEHAVIOURS = (
    "ask_sign_in",
    "show_products",
    "show_order",
    "answer_from_documents",
    "say_not_covered",
    "offer_person",
    "hand_off",
    "ask_confirmation",
    "start_anything",
)
# The statuses an order may be shown with when the store's own list is not given.
DEFAULT_STATUSES = (
    "pending",
    "processed",
    "shipped",
    "delivered",
    "cancelled",
    "canceled",
    "returned",
    "refunded",
    "return requested",
    "exchange requested",
)

_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
_ORDER_ID = re.compile(r"#\s?[a-z0-9]{5,}")
_ASKS = re.compile(
    r"\?|\b(?:please|need|give|tell|share|provide|send|enter|type|let me know|what is|what's)\b"
)
_EMAIL_WORD = re.compile(r"\be-?mail\b")
_ZIP_WORD = re.compile(r"\b(?:zip|postal code|postcode)\b")
_NAME_WORD = re.compile(r"\bname\b")
_NOT_KNOWN = re.compile(
    r"\bi (?:do not|don't|dont) know\b"
    r"|\bi(?:'m| am) not (?:sure|certain)\b"
    r"|\b(?:do|does|did) ?(?:not|n't) (?:cover|mention|say|address|include|explain|specify|state)\b"
    r"|(?:\bnot|n't) (?:covered|mentioned|addressed|stated|specified|documented)\b"
    r"|\b(?:say|says|said|mention|mentions) nothing\b"
    r"|\bno (?:information|details|answer|mention)\b"
    r"|\b(?:do|does) ?(?:not|n't) have (?:any |that |this )?(?:information|details|an answer)\b"
)
_NOT_FOUND = re.compile(
    r"(?:\bcould ?(?:not|n't)|\bcan ?(?:not|'t)|\bunable to|(?:\bnot|n't) able to"
    r"|\bdid ?(?:not|n't)) find\b"
)
_DOCUMENT_WORDS = re.compile(
    r"\b(?:polic(?:y|ies)|documents?|information|faqs?|help pages?|guides?|answer)\b"
)
_PERSON = r"(?:person|human|agent|someone|somebody|representative|colleague|team|staff)"
_OFFERS_PERSON = re.compile(
    r"\b(?:talk|speak|chat|connect|transfer|put you through|hand|pass|ask|get|reach|contact|bring)"
    r"\w*\b"
    rf"[^.?!\n]{{0,60}}\b{_PERSON}\b"
)
_PERSON_BUTTON = re.compile(rf"\b{_PERSON}\b")
_CONFIRMS = re.compile(
    r"\b(?:shall|should|may|can) i (?:go ahead|proceed|do (?:that|this|it)|make (?:that|this|the)"
    r"|submit|apply|place|confirm|cancel|change|update|return|exchange)\b"
    r"|\bgo ahead\b|\bproceed\b|\bconfirm (?:the|this|that) (?:change|cancellation|request)\b"
    r"|\bis (?:that|this|everything) (?:right|correct|ok)\b"
    r"|\bdo you want me to\b"
)


@dataclass(frozen=True)
class Turn:
    """One turn's outcome as the judge reads it.

    `messages` are the bot messages' wire form (`text`, `buttons`, `custom`). The rest is read
    from the tracker by the runner, for the judge alone: the flows begun this turn, whether
    any of them is an order task, whether the product search changed, and whether the
    conversation was handed to a person during the turn.
    """

    messages: tuple[dict[str, Any], ...]
    started_flows: tuple[str, ...] = ()
    order_task_started: bool = False
    search_changed: bool = False
    paused: bool = False


@dataclass(frozen=True)
class Check:
    """One expectation on a turn: `mentions`, `mentions_any`, `avoids` (a list of phrases,
    each possibly `a|b` alternatives) or `does` / `does_not` (a behaviour)."""

    kind: str
    value: Any

    def describe(self) -> str:
        if isinstance(self.value, list):
            return f"{self.kind}: {json.dumps(self.value)}"
        return f"{self.kind}: {self.value}"


@dataclass
class Judge:
    """Applies checks to turns. `statuses`: the order statuses the store uses, lower case."""

    statuses: Sequence[str] = DEFAULT_STATUSES
    _behaviours: dict[str, Callable[[Turn], bool]] = field(init=False, repr=False)
    _status: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._behaviours = {
            "ask_sign_in": asks_sign_in,
            "show_products": shows_products,
            "show_order": self.shows_order,
            "answer_from_documents": answers_from_documents,
            "say_not_covered": says_not_covered,
            "offer_person": offers_person,
            "hand_off": hands_off,
            "ask_confirmation": asks_confirmation,
            "start_anything": starts_anything,
        }
        statuses = sorted({normalise(s) for s in self.statuses}, key=len, reverse=True)
        self._status = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in statuses) + r")\b")

    def behaviour(self, name: str, turn: Turn) -> bool:
        if name not in self._behaviours:
            raise KeyError(f"unknown behaviour {name!r}")
        return self._behaviours[name](turn)

    def failure(self, check: Check, turn: Turn) -> str | None:
        """Why the turn fails the check, or None when it holds."""
        seen = seen_text(turn.messages)
        if check.kind in ("mentions", "mentions_any", "avoids"):
            present = [phrase for phrase in check.value if mentions(seen, phrase)]
            if check.kind == "mentions":
                missing = [phrase for phrase in check.value if phrase not in present]
                return f"does not mention {missing}" if missing else None
            if check.kind == "mentions_any":
                return None if present else f"mentions none of {check.value}"
            return f"mentions {present}" if present else None
        done = self.behaviour(str(check.value), turn)
        if check.kind == "does":
            return None if done else f"does not {check.value}"
        return f"does {check.value}" if done else None

    def shows_order(self, turn: Turn) -> bool:
        if _cards(turn, "order_summary"):
            return True
        for message in turn.messages:
            if (message.get("custom") or {}).get("type") == "change_summary":
                continue  # a change proposed for confirmation, not the order's details
            for line in own_words(message).splitlines():
                if _ORDER_ID.search(line) and self._status.search(line):
                    return True
        return False


# -- what the shopper sees ----------------------------------------------------------------------


def normalise(text: str) -> str:
    """Lower case, compatible characters, straight quotes and hyphens, single spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("’", "'").replace("‘", "'")
    text = re.sub(r"[‐-―−]", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def mentions(seen: str, phrase: str) -> bool:
    """Whether one of the phrase's `|` alternatives appears in `seen` as words: not inside a
    longer word, case-insensitive, a plural ending allowed ("refund" finds "refunds")."""
    for alternative in phrase.split("|"):
        wanted = normalise(alternative)
        if not wanted:
            continue
        plural = r"(?:s|es)?(?!\w)" if wanted[-1].isalnum() else ""
        pattern = r"(?<!\w)" + re.escape(wanted) + plural
        if re.search(pattern, normalise(seen)):
            return True
    return False


def seen_text(messages: Iterable[dict[str, Any]]) -> str:
    """Everything a turn shows, as text: replies, button titles, product-card names and
    options, order-card fields, change lines, cited sources' titles and sections."""
    parts: list[str] = []
    for message in messages:
        parts.append(str(message.get("text") or ""))
        parts += [str(b.get("title") or "") for b in message.get("buttons") or ()]
        parts += _card_text(message.get("custom") or {})
    return "\n".join(part for part in parts if part)


def _card_text(custom: dict[str, Any]) -> list[str]:
    kind = custom.get("type")
    if kind in ("product_cards", "product_comparison"):
        cards = custom.get("cards") or custom.get("items") or []
        lines = [_product_line(card) for card in cards]
        lines += [
            f"{row.get('label')}: {' | '.join(map(str, row.get('values') or []))}"
            for row in custom.get("rows") or []
        ]
        return lines
    if kind == "order_summary":
        lines = [f"{custom.get('order_id')} {custom.get('status')}"]
        lines += [_product_line(item) for item in custom.get("items") or []]
        lines += [f"total ${custom.get('total')}", str(custom.get("address") or "")]
        lines += [str(t) for t in custom.get("tracking_ids") or []]
        return lines
    if kind == "change_summary":
        return [str(line) for line in custom.get("lines") or []]
    if kind == "answer":
        return [
            f"{source.get('title')}, {source.get('section')}"
            for source in custom.get("sources") or []
        ]
    if kind == "add_to_cart":
        return [_product_line(custom)]
    return []


def _product_line(card: dict[str, Any]) -> str:
    options = ", ".join(str(v) for v in (card.get("options") or {}).values())
    price = f" ${card['price']}" if card.get("price") is not None else ""
    return f"{card.get('name')} ({options}){price}"


def own_words(message: dict[str, Any]) -> str:
    """The message's text in the assistant's own words: normalised, quotations removed, and
    nothing from a cited answer (its text is the documents')."""
    custom = message.get("custom") or {}
    if custom.get("type") == "answer" and custom.get("sources"):
        return ""
    return _QUOTED.sub(" ", normalise_lines(str(message.get("text") or "")))


def normalise_lines(text: str) -> str:
    return "\n".join(normalise(line) for line in text.splitlines())


def _cards(turn: Turn, kind: str) -> list[dict[str, Any]]:
    return [
        custom
        for message in turn.messages
        if (custom := message.get("custom") or {}).get("type") == kind
    ]


# -- behaviours ----------------------------------------------------------------------------------


def asks_sign_in(turn: Turn) -> bool:
    for message in turn.messages:
        words = own_words(message)
        identity = _EMAIL_WORD.search(words) or (
            _ZIP_WORD.search(words) and _NAME_WORD.search(words)
        )
        if identity and _ASKS.search(words):
            return True
    return False


def shows_products(turn: Turn) -> bool:
    return any(
        custom.get("cards") or custom.get("items")
        for kind in ("product_cards", "product_comparison")
        for custom in _cards(turn, kind)
    )


def answers_from_documents(turn: Turn) -> bool:
    return any(custom.get("sources") for custom in _cards(turn, "answer"))


def says_not_covered(turn: Turn) -> bool:
    for message in turn.messages:
        words = own_words(message)
        if _NOT_KNOWN.search(words):
            return True
        if _NOT_FOUND.search(words) and _DOCUMENT_WORDS.search(words):
            return True
    return False


def offers_person(turn: Turn) -> bool:
    if hands_off(turn):
        return True
    for message in turn.messages:
        for button in message.get("buttons") or ():
            payload = str(button.get("payload") or "")
            if payload.startswith("/human_handoff") or _PERSON_BUTTON.search(
                normalise(str(button.get("title") or ""))
            ):
                return True
        if _OFFERS_PERSON.search(own_words(message)):
            return True
    return False


def hands_off(turn: Turn) -> bool:
    return turn.paused or bool(_cards(turn, "handoff"))


def asks_confirmation(turn: Turn) -> bool:
    if _cards(turn, "change_summary"):
        return True
    for message in turn.messages:
        for sentence in re.split(r"(?<=[.!?])\s+|\n", own_words(message)):
            if sentence.rstrip().endswith("?") and _CONFIRMS.search(sentence):
                return True
    return False


def starts_anything(turn: Turn) -> bool:
    return (
        turn.order_task_started
        or turn.search_changed
        or shows_products(turn)
        or answers_from_documents(turn)
    )


# -- the checks every turn gets ------------------------------------------------------------------


def message_key(message: dict[str, Any]) -> str:
    """What makes two messages the same to the shopper: the text and buttons, or the card."""
    if message.get("text"):
        titles = [str(b.get("title")) for b in message.get("buttons") or ()]
        return json.dumps([normalise(str(message["text"])), titles])
    return json.dumps(message.get("custom"), sort_keys=True, default=str)


def repeated_message(turn: Turn) -> str | None:
    """A message sent twice in a row within the turn's reply."""
    keys = [message_key(m) for m in turn.messages]
    for position in range(1, len(keys)):
        if keys[position] == keys[position - 1]:
            text = turn.messages[position].get("text") or turn.messages[position].get("custom")
            return f"sent the same message twice in a row: {str(text)[:120]!r}"
    return None


def prompt_of(turn: Turn) -> str | None:
    """The turn's last text message: what the shopper is left to answer."""
    texts = [m for m in turn.messages if m.get("text")]
    return normalise(str(texts[-1]["text"])) if texts else None


def third_prompt(previous: Sequence[Turn], turn: Turn) -> str | None:
    """The same prompt ending this turn and the two turns before it."""
    if len(previous) < 2:
        return None
    prompts = [prompt_of(t) for t in (*previous[-2:], turn)]
    if prompts[0] is not None and prompts[0] == prompts[1] == prompts[2]:
        return f"sent the same prompt a third time in a row: {prompts[0][:120]!r}"
    return None
