"""What a shopper knows from a τ²-bench scenario text, read without the expected actions.

The scenario (`user_scenario.instructions`) is written to the shopper in the second person:
"You received your order #W2378156 and wish to exchange the mechanical keyboard ...". This
module turns it into what a person in that situation would say and know: their requests in
the first person, one per sentence that asks for something; their email or name and zip
code (with the wrong ones they are told to try first); order numbers; payment preferences;
an address they may give; the cancellation reason. Nothing here reads the expected actions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
ORDER_ID = re.compile(r"#?\bW\d{7}\b")
BARE_ORDER_NUMBER = re.compile(r"(?<![#\w])\d{7}(?!\d)")
ZIP = re.compile(r"(?<!\d)\d{5}(?!\d)")
USER_ID = re.compile(r"\b([a-z]+)_([a-z]+)_\d+\b")
NAME = re.compile(
    r"\b(?:You are|You're|Your? name is|called|I am)\s+(?:an? [a-z ]+? called\s+)?"
    r"(?:user\s+)?(?P<first>[A-Z][a-z]+)(?:\s+(?P<last>[A-Z][a-z]+))?"
)
# Request kinds, by the words that ask for them (first match in a sentence wins its kind).
KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Not "modify it to my default address": there the default is where it goes.
    (
        "default_address",
        re.compile(
            r"(?<!to my )(?<!to the )(?<!to your )\b(user|default|profile|account) address\b"
        ),
    ),
    ("order_address", re.compile(r"\baddress\b")),
    ("payment", re.compile(r"\b(payment method|pay (for )?the order|split the payment)\b")),
    ("cancel", re.compile(r"\b(cancel\w*|remove it from|no longer need)\b")),
    ("exchange", re.compile(r"\bexchange\w*\b")),
    ("return", re.compile(r"\b(return\w*|refund\w*)\b")),
    ("modify", re.compile(r"\b(modify|change|switch|upgrade|adjust)\w*\b")),
    (
        "info",
        re.compile(r"\b(know|check|tracking|how (many|much)|what is|which|wonder|status)\b"),
    ),
)
# A stated preference (how to pay, where a refund goes) is knowledge, not a request.
PREFERENCE = re.compile(
    r"\b(prefer\w*|refund (to|on)|the refund|use (my|the) [\w ]*(card|paypal|account)|"
    r"pay the difference)\b"
)
ASKS_CHANGE = re.compile(r"\b(want|wish|like|need) to (return|exchange|cancel|modify|change)\b")
# Sentences that instruct the shopper how to behave, not what to ask for.
META = re.compile(
    r"\b(the agent|do not (reveal|share|mention)|(?:don't|won't) (want to )?(reveal|mention|share)|"
    r"make sure you|mention (these|that|the two)|you are (not )?(a |an )?[a-z]+ person|"
    r"not familiar)\b",
    re.IGNORECASE,
)
# Verbs after which "you" is the subject ("you want" → "I want").
_SUBJECT_VERBS = (
    "want|wish|have|had|received|just|ordered|are|were|prefer|also|do|don't|did|live|would|"
    "can|could|need|bought|made|forgot|think|like|only|become|recently|realize|realized|"
    "wonder|placed|lost|got|will|may|might|believe|intend|plan|moved|no|still|said|"
    "care|own|know|remember|go|use|love|really|then|find|found|add|regret|change|decide|agree|"
    "paid|sent|thought|put|won't|can't|cannot|didn't"
)
_FIRST_PERSON = (
    (re.compile(r"\byou're\b", re.I), "I'm"),
    (re.compile(r"\byou've\b", re.I), "I've"),
    (re.compile(r"\byou'd\b", re.I), "I'd"),
    (re.compile(r"\byou'll\b", re.I), "I'll"),
    (re.compile(r"\byou are\b", re.I), "I am"),
    (re.compile(r"\byou were\b", re.I), "I was"),
    (re.compile(r"\byourself\b", re.I), "myself"),
    (re.compile(r"\byours\b", re.I), "mine"),
    (re.compile(r"\byour\b", re.I), "my"),
    (re.compile(rf"\byou(?=\s+(?:{_SUBJECT_VERBS})\b)", re.I), "I"),
    # "the one you already received", "as far as you expected": an adverb or a past tense.
    (re.compile(r"\byou(?=\s+(?:\w+ly|already|first|most|ever|\w{2,}ed)\b)", re.I), "I"),
    (re.compile(r"\byou\b", re.I), "me"),
    (re.compile(r"\bI am\b(?= (?:angry|sad|happy|unhappy|in|not|also)\b)"), "I'm"),
)


def first_person(text: str) -> str:
    """The scenario's second-person sentence as the shopper would say it."""
    for pattern, replacement in _FIRST_PERSON:
        text = pattern.sub(replacement, text)
    text = re.sub(r"^\W+", "", text.strip())
    return text[:1].upper() + text[1:]


@dataclass
class Request:
    """One thing the shopper asks for, in its own words."""

    kind: str
    text: str
    # What it knows but keeps to itself ("(it's just a keyboard and a mouse, but do not
    # reveal it to the agent)"): it chooses by these words, it never says them.
    known: str = ""
    # Whether the scenario's "if the agent asks for confirmation, ..." is about this request.
    on_confirm: bool = False
    # What it falls back on when this request cannot be done: (kind, its words, the
    # condition).
    fallbacks: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def order_ids(self) -> list[str]:
        return ["#" + found.lstrip("#") for found in ORDER_ID.findall(self.text)]


@dataclass
class Scenario:
    """The facts a shopper takes from its scenario text."""

    instructions: dict[str, Any]
    emails: list[str] = field(default_factory=list)
    first_name: str = ""
    last_name: str = ""
    zips: list[str] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    text: str = ""
    # What it says when asked to confirm ("if the agent asks for confirmation, only exchange
    # the desk lamp"), said once.
    on_confirm: str = ""
    # What it asks for when a request is refused ("if it cannot be returned, see if it can
    # be cancelled"): the kind of change, in order.
    fallbacks: list[str] = field(default_factory=list)
    # What each fallback sentence says, as the shopper would ("cancel the order since I no
    # longer need this one"): its reasons come from there.
    fallback_texts: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, instructions: dict[str, Any]) -> Scenario:
        known = str(instructions.get("known_info") or "")
        reason = str(instructions.get("reason_for_call") or "")
        behaviour = str(instructions.get("task_instructions") or "")
        scenario = cls(instructions=instructions, text=f"{reason} {behaviour}")
        scenario.emails = list(dict.fromkeys(EMAIL.findall(known)))
        named = NAME.search(known)
        user = USER_ID.search(known)
        if named and named["last"]:
            scenario.first_name, scenario.last_name = named["first"], named["last"]
        elif user:
            scenario.first_name, scenario.last_name = user[1].title(), user[2].title()
        elif named:
            scenario.first_name = named["first"]
        # Zip codes it is told to give first (a "common mistake"), then its own.
        told = ZIP.findall(behaviour) if "zip" in behaviour.lower() else []
        scenario.zips = list(dict.fromkeys([*told, *ZIP.findall(known)]))
        scenario.requests = requests_in(reason)
        scenario.fallbacks = fallbacks_in(reason)
        scenario.fallback_texts = fallbacks_in(reason, said=True)
        found = _ON_CONFIRM.search(f"{reason} {behaviour}")
        if found:
            then = re.sub(r"^(?:do not|don't) say yes[^,]*, because\s+", "", found.group("then"))
            then = re.sub(r"^(?:mention|say|tell (?:the agent|it)) that\s+", "", then)
            scenario.on_confirm = first_person(then).rstrip(" .")
        return scenario

    @property
    def lowered(self) -> str:
        return self.text.lower()

    def order_numbers(self) -> list[str]:
        """Order numbers the shopper can give, in the order it would try them."""
        ids = ["#" + found.lstrip("#") for found in ORDER_ID.findall(self.text)]
        bare = BARE_ORDER_NUMBER.findall(self.text)
        # A number given without its letter is tried as said, then with it.
        return list(dict.fromkeys([*ids, *bare, *(f"#W{number}" for number in bare)]))

    def cancel_reason(self, said: str = "") -> str:
        """The reason in what the request said, else anywhere in the scenario."""
        for text in (said.lower(), self.lowered):
            if re.search(r"\bby mistake\b|\bmistaken", text):
                return "I ordered it by mistake."
            if re.search(r"\bno longer need|\bdon't need|\bdo not need", text):
                return "I no longer need it."
        return "I no longer need it."

    def address_text(self) -> str | None:
        """A full street address the scenario gives (the shopper's new one), or else the one
        it is told it lives at, if any."""
        pattern = (
            r"\b\d{1,5} [A-Z][A-Za-z]*(?: [A-Z][A-Za-z.]*)*,?(?: (?:Suite|Apt\.?|Unit) \w+,)?"
            r"[A-Za-z ,.]*?\b\d{5}\b"
        )
        found = re.search(pattern, self.text) or re.search(
            pattern, str(self.instructions.get("known_info") or "")
        )
        return found.group(0) if found else None


# A clause that starts another change: ", and exchange the pet bed" after "return the bottle".
_NEXT_CHANGE = re.compile(
    r",? and (?:(?:I|you) (?:also )?(?:want to |wish to |would like to )?)?"
    r"(?=(?:return|exchange|cancel|modify|change)\b)|,? (?=along with (?:my|your|the) )",
    re.IGNORECASE,
)
# "I never want to cancel my entire order": a limit on the requests, not one of them.
_NEGATED = re.compile(r"\b(never|not|n't|no)\b(?: \w+){0,3} (cancel|return|exchange|modify)")


# "..., but if the agent asks you to confirm, you regret and want to keep it."
_ON_CONFIRM = re.compile(
    r",?\s*(?:but\s+)?(?:if|when|once) the agent asks(?: you)?(?: for| to)?(?: final)?"
    r" confirm\w*[^,.]*,\s*(?:then\s+)?(?P<then>[^.]+)",
    re.IGNORECASE,
)


# "If it cannot be returned, see if it can be canceled", "If not possible, cancel the order".
_FALLBACK = re.compile(
    r"^(?:if|but if|otherwise)\b(?P<cond>[^,]*\b(?:not|cannot|can't|isn't|unable|no|issues?|"
    r"problems?)\b[^,]*),"
    r"\s*(?P<then>.+)$",
    re.IGNORECASE,
)
_ORDER_KINDS = ("cancel", "return", "exchange", "modify")


def fallbacks_in(reason: str, *, said: bool = False) -> list[str]:
    """The changes the scenario falls back on when a request cannot be done (their kinds,
    or with `said` their words in the first person)."""
    kinds = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", reason):
        found = _FALLBACK.match(sentence.strip())
        kind = _kind(found.group("then")) if found else None
        if found and kind in _ORDER_KINDS:
            kinds.append(first_person(found.group("then")) if said else str(kind))
    return kinds


def requests_in(reason: str) -> list[Request]:
    """The scenario's requests, one per clause that asks for a change, in order; following
    sentences about the same kind of change are said with it."""
    requests: list[Request] = []
    context = ""  # sentences that only set the scene, said with the next request
    confirming = False  # the sentence before spoke of the confirmation
    for sentence in re.split(r"(?<=[.!?])\s+|\n+|;\s*", reason):
        if confirming and requests:
            # What it says when asked to confirm belongs to the request said last.
            requests[-1].on_confirm = True
        confirming = _ON_CONFIRM.search(sentence) is not None
        sentence = _asked_of_agent(_ON_CONFIRM.sub("", sentence).strip(" ."))
        # "(... but do not reveal it to the agent)": known, not said.
        kept_back = [p for p in re.findall(r"\(([^)]*)\)?", sentence) if META.search(p)]
        for part in kept_back:
            sentence = sentence.replace(f"({part})", "").replace(f"({part}", "").strip(" .")
        known = " ".join(_kept_back(part) for part in kept_back)
        # "Once the agent has confirmed the changes, you regret it and want ...": a request
        # said after the others are done.
        sentence, later = re.subn(
            r"^(?:once|when|after) the agent (?:has )?(?:confirmed|done|made|completed)[^,]*,"
            r"\s*(?:then\s+)?",
            "",
            sentence,
            flags=re.IGNORECASE,
        )
        if known and len(sentence) < 8 and requests:
            # "(Everything except a keyboard and a mouse, but do not reveal it.)"
            requests[-1].known = f"{requests[-1].known} {known}".strip()
        if len(sentence) < 8 or META.search(sentence):
            continue
        lowered = sentence.lower()
        if requests and re.match(
            r"(?:well,? )?(?:except|but not|apart from|other than)\b", lowered
        ):
            # "Well, except the boots that I love": a limit on the request before.
            requests[-1].text += f". {first_person(sentence)}"
            continue
        willing = re.search(r"\bwilling to exchange\b", lowered)
        if willing and requests and re.match(r"(if|but if)\b", lowered):
            # "If the same item is available, you're willing to exchange it to the same item":
            # the return said before is an exchange for the same item where it can be.
            sentences = re.split(r"(?<=[.!?])\s+|\.\s+", requests[-1].text)
            sentences[-1] = re.sub(r"\breturn\b", "exchange", sentences[-1]) + " for the same item"
            requests[-1].text = ". ".join(sentences)
            continue
        # A fallback ("If not possible, ...") is said only when the first wish fails.
        if re.match(r"(if|otherwise|but if)\b", lowered) or _NEGATED.search(lowered):
            fallback = _FALLBACK.match(sentence)
            if fallback and requests and _kind(fallback.group("then")) in _ORDER_KINDS:
                then = fallback.group("then")
                cond = fallback.group("cond").lower()
                requests[-1].fallbacks.append((str(_kind(then)), first_person(then), cond))
            continue
        changes_item = re.search(r"\b(?:exchang|return|cancel|modif)\w*", lowered)
        if PREFERENCE.search(lowered) and not ASKS_CHANGE.search(lowered) and not changes_item:
            continue
        for clause in _NEXT_CHANGE.split(sentence):
            kind = _kind(clause)
            if kind is None and requests and re.match(r"and (?:another|the other)\b", lowered):
                # "...; and another Tea Kettle to {...}": more of the change before.
                requests[-1].text += f". {first_person(clause)}"
                continue
            if kind is None:
                context += f"{first_person(clause)}. "
                continue
            said = first_person(clause)
            if said.lower().startswith("along with "):
                # "..., along with my default address": the same change, for that too.
                said = f"I also want to change {said[len('along with ') :]}"
            if re.match(r"(return|exchange|cancel|modify)\b", said.lower()):
                said = f"I want to {said[:1].lower()}{said[1:]}"
            if requests and requests[-1].kind == kind and not context and not later:
                requests[-1].text += f". {said}"
                requests[-1].known = f"{requests[-1].known} {known}".strip()
                continue
            requests.append(Request(kind=kind, text=context + said, known=known))
            context = ""
    if confirming and requests:
        requests[-1].on_confirm = True
    return requests


def _kept_back(part: str) -> str:
    """What a kept-back aside says, without the instruction to keep it back: "it's just a
    keyboard and a mouse, but do not reveal it" gives "It's just a keyboard and a mouse"."""
    meta = META.search(part)
    before = part[: meta.start()] if meta else part
    before = re.sub(r"[,\s]*\b(?:but|and|so)?\s*$", "", before.strip(), flags=re.I)
    if len(before.split()) < 3 and meta:
        # "you don't want to reveal it yourself but the address is in your orders"
        after = re.search(r"\bbut\b(.+)$", part[meta.end() :])
        before = after.group(1) if after else before
    return first_person(before.strip(" ,.")) if before.strip(" ,.") else ""


# "Check whether I can return the vacuum, but don't process anything": a question.
_ONLY_ASKS = re.compile(
    r"\b(?:do ?n'?t|do not) (?:process|do|change) anything\b|\bnot sure yet\b|"
    r"\bjust (?:check|ask)\b"
)


_ASK_AGENT = re.compile(r"^(?:then |also )?ask the agent (?P<how>to|if|whether|what|for) ", re.I)


def _asked_of_agent(sentence: str) -> str:
    """ "Ask the agent if there are any speakers under $300" is a request of the shopper's
    own, said to the assistant: "I'd like to know if there are any speakers under $300"."""
    found = _ASK_AGENT.match(sentence)
    if found is None:
        return sentence
    rest = sentence[found.end() :]
    how = found.group("how").lower()
    if how == "to":
        return f"Please {rest}"
    if how == "for":
        return f"I'd like {rest}"
    return f"I'd like to know {how} {rest}"


def kinds_in(text: str) -> list[str]:
    """Every kind of change a request's words speak of."""
    lowered = text.lower()
    return [name for name, pattern in KINDS if pattern.search(lowered)]


def _kind(text: str) -> str | None:
    lowered = text.lower()
    if _ONLY_ASKS.search(lowered):
        return "info"
    return next((name for name, pattern in KINDS if pattern.search(lowered)), None)
