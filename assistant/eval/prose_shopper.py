"""The prose shopper: it speaks from a τ²-bench scenario text and never reads the answers.

It knows what a shopper knows (`scenario.Scenario`): its situation and requests, its email or
name and zip code, the order numbers it was told, how it prefers to pay. It says its requests
one at a time in the first person, answers each question from those facts, chooses among the
offered buttons by matching its own words against their titles, and confirms a proposed change
only when the summary matches what it asked for. It sees only the text, buttons and cards of
each reply. It is deterministic: the same scenario and replies give the same conversation.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.eval.replies import Reply, ask_detail
from assistant.eval.scenario import Request, Scenario
from assistant.eval.shopper_words import (
    GENERIC,
    asked_and_kept,
    changed_values,
    goes_as_said,
    names_match,
    new_values,
    option_score,
    order_in,
    order_score,
    price,
    segment,
    summary_items,
    words,
)

SUMMARY_VERBS = {
    "cancel": ("cancel",),
    "return": ("return",),
    "exchange": ("exchange", "change"),
    "modify": ("change", "exchange"),
    "order_address": ("ship order",),
    "default_address": ("default address",),
    "payment": ("pay order",),
}
PAYMENT_WORDS = (
    ("paypal", re.compile(r"\bpay ?pal\b")),
    ("gift card", re.compile(r"\bgift ?card\b|\bgc\b")),
    ("credit card", re.compile(r"\b(credit card|visa|mastercard|amex|discover|card)\b")),
)
PLACES = {
    "nyc": "new york",
    "big apple": "new york",
    "la": "los angeles",
    "dc": "washington",
    "washington dc": "washington",
}
MAX_ORDERS_PER_REQUEST = 6
# "Return everything", "cancel all my pending orders" — not "all bookshelves", which names them.
WANTS_ALL = re.compile(
    r"\b(everything|whole|entire|all (?:the |my |of )?(?:things|items|it|them|\w* ?orders?))\b"
)
# Requests that name an item by comparison, which a summary alone cannot confirm.
COMPARED = re.compile(r"\b(more|less|most|least) expensive\b|\bcheaper\b|\bpricier\b")
# Requests that leave the new options to the assistant's search.
RELATIVE = re.compile(
    r"\b(cheapest|most expensive|least expensive|any|whatever|do not care|don't care|"
    r"not important)\b"
)
PERSON = re.compile(r"\b(human|person|representative|transfer)\b")


class ProseShopper:
    name = "prose"

    def __init__(self, instructions: dict[str, Any], *, typed: bool = True) -> None:
        self.scenario = Scenario.read(instructions)
        self.typed = typed
        self.pending: list[Request] = list(self.scenario.requests)
        self.request: Request | None = None
        self.rephrased = False
        self.identity_tries = -1
        self.order_tries = -1
        self.tried_orders: list[str] = []
        self.new_item_answers: dict[str, int] = {}
        self.refusals = 0
        self.last_question: str | None = None
        self.repeats = 0
        self.own_words_said = False

    # -- the conversation ----------------------------------------------------------------------

    def opening(self) -> str:
        return self._next_request() or "Hi, I need help with my order."

    def respond(self, reply: Reply) -> str | None:
        if reply.handed_off:
            return None
        question = reply.asks()
        if question is None and self._done_for_one_of_all(reply):
            # "Cancel all my pending orders": the same request again, for the next order.
            return self.request.text if self.request else None
        if question is None:
            if reply.ended and re.search(r"couldn't|can't|can only|none of", reply.text.lower()):
                self.refusals += 1
                if PERSON.search(self.scenario.lowered) and "human" in self.scenario.lowered:
                    return "Then I'd like to talk to a human agent, please."
            answered = self.request is not None and self.request.kind == "info"
            if not reply.ended and not answered and not self.rephrased and self.request is not None:
                self.rephrased = True
                return self._plain(self.request)
            return self._next_request()
        self.rephrased = True
        self.repeats = self.repeats + 1 if question == self.last_question else 0
        self.last_question = question
        if self.repeats >= 2:
            # Asked the same thing three times: a person gives up on this request.
            self.repeats = 0
            stop = reply.click(lambda b: "stop" in b["title"].lower())
            return stop if stop and not self.typed else "Never mind, let's stop that."
        return self.answer(question, reply)

    def _done_for_one_of_all(self, reply: Reply) -> bool:
        request = self.request
        if request is None or not any(t.lower().startswith("done") for t in reply.texts):
            return False
        every = re.search(r"\b(all|both|each)\b[\w ]*\borders\b", request.text.lower())
        self.last_question, self.repeats = None, 0
        return every is not None and len(self.tried_orders) < MAX_ORDERS_PER_REQUEST

    def _next_request(self) -> str | None:
        if not self.pending:
            return None
        self.request = self.pending.pop(0)
        self.rephrased = False
        self.new_item_answers = {}
        self.tried_orders = []
        self.last_question, self.repeats = None, 0
        return self.request.text

    def _plain(self, request: Request) -> str:
        """The request said again in the fewest words: the action and the things named."""
        verb = {
            "cancel": "cancel an order",
            "return": "return some items",
            "exchange": "exchange some items",
            "modify": "change items in a pending order",
            "order_address": "change the shipping address of an order",
            "default_address": "change my default address",
            "payment": "change the payment method of an order",
        }.get(request.kind)
        if verb is None:
            return "Can you show me my orders?"
        # The clause from its verb on, without the scene around it: "exchange the pet bed".
        clause = re.search(
            r"\b(return|exchange|cancel|modify|change|upgrade)\b[^.;]*", request.text
        )
        if clause and request.kind in ("return", "exchange", "cancel", "modify"):
            return f"I want to {clause.group(0)}"
        ids = " ".join(request.order_ids)
        return f"I want to {verb} {ids}".strip()

    # -- answers -------------------------------------------------------------------------------

    def answer(self, question: str, reply: Reply) -> str | None:
        if question == "identity":
            return self.identity_text()
        request = self.request or Request("info", self.scenario.text)
        if question == "order":
            return self._answer_order(request, reply)
        if question in ("items", "more_items"):
            return self._answer_items(request, reply, more=question == "more_items")
        if question == "new_item":
            return self._answer_new_item(request, reply)
        if question == "payment":
            return self._answer_payment(reply)
        if question == "cancel_reason":
            return self.scenario.cancel_reason()
        if question == "address":
            return self._answer_address(reply)
        if question == "confirm":
            return self._confirm(request, reply.summary())
        return None

    def identity_text(self) -> str:
        self.identity_tries += 1
        scenario = self.scenario
        if scenario.emails and (self.identity_tries < len(scenario.emails) or not scenario.zips):
            email = scenario.emails[self.identity_tries % len(scenario.emails)]
            return f"My email is {email}"
        if scenario.first_name and scenario.zips:
            tries = self.identity_tries - len(scenario.emails)
            zip_code = scenario.zips[min(max(tries, 0), len(scenario.zips) - 1)]
            return f"My name is {scenario.first_name} {scenario.last_name}, zip code {zip_code}"
        return "I don't remember, sorry."

    def _answer_order(self, request: Request, reply: Reply) -> str:
        numbers = request.order_ids or self.scenario.order_numbers()
        untried = [n for n in numbers if n not in self.tried_orders]
        if untried:
            self.tried_orders.append(untried[0])
            return self._click_title(reply, lambda t: untried[0] in t) or f"It's {untried[0]}"
        # No number known: the order that holds the things it talks about.
        said = words(request.text)
        fresh = [b for b in reply.buttons if b["title"] not in self.tried_orders]
        best = self._best_button(Reply(buttons=fresh), lambda title: order_score(title, said))
        if best is None:
            # Nothing it named is in one order more than another: go through them in turn.
            best = next(
                (b for b in reply.buttons if "order_id" in b["payload"]
                 and b["title"] not in self.tried_orders),
                None,
            )  # fmt: skip
        if best is not None:
            self.tried_orders.append(best["title"])
            return best["payload"] if not self.typed else order_in(best["title"])
        return "I don't remember the order number."

    def _answer_items(self, request: Request, reply: Reply, *, more: bool) -> str:
        said = words(request.text)
        lowered = request.text.lower()
        wants_all = WANTS_ALL.search(lowered) is not None
        excluded = words(lowered.split("except", 1)[1]) if "except" in lowered else set()
        so_far = ask_detail(reply.last_text, r"so far: (.+?)\. is that everything") or ""
        titles = [b["title"] for b in reply.buttons if "item_pick" in b["payload"]]
        if wants_all and not excluded and not more:
            return reply.click(lambda b: '"all"' in b["payload"]) or "All of them."
        wanted = [
            t
            for t in titles
            if (names_match(t.split(" (")[0], said) or wants_all)
            and not names_match(t.split(" (")[0], excluded)
            and t not in so_far
        ]
        if not wanted:
            if more or so_far:
                return reply.click(lambda b: "items_done" in b["payload"]) or "That's all."
            return "The ones I mentioned."
        if not self.typed:
            return str(next(b["payload"] for b in reply.buttons if b["title"] == wanted[0]))
        return "The " + " and the ".join(dict.fromkeys(t.split(" (")[0] for t in wanted)) + "."

    def _answer_new_item(self, request: Request, reply: Reply) -> str:
        asked = ask_detail(reply.last_text, r"instead of the (.+?) \(") or ""
        part = segment(request.text, asked.split(" (")[0])
        lowered = part.lower()
        choices = [b for b in reply.buttons if "new_item_pick" in b["payload"]]
        if not choices:
            return "Never mind that one."
        if re.search(r"\b(cheapest|least expensive|lowest price)\b", lowered):
            best = min(choices, key=lambda b: price(b["title"]))
        elif re.search(r"\b(most expensive|priciest|highest price)\b", lowered):
            best = max(choices, key=lambda b: price(b["title"]))
        else:
            near, anywhere = words(part), words(self.scenario.text)
            # What this item's words ask for counts most; the rest of the scenario breaks ties
            # ("if there is no clicky RGB one, no backlight"); fewer changes win after that.
            scored = [
                (
                    2 * option_score(b["title"], near) + option_score(b["title"], anywhere),
                    -b["title"].count(", "),
                    b,
                )
                for b in choices
            ]
            top = max(scored, key=lambda entry: entry[:2])
            if top[0] <= 0:
                if not self.own_words_said:
                    self.own_words_said = True
                    return part
                return "None of those is what I asked for."
            best = top[2]
        if not self.typed:
            return str(best["payload"])
        return "The one with " + best["title"].split(" · ")[0] + "."

    def _answer_payment(self, reply: Reply) -> str:
        text = self.scenario.lowered
        ranked = sorted(
            (found.start(), name) for name, pattern in PAYMENT_WORDS
            if (found := pattern.search(text))
        )  # fmt: skip
        for _, name in ranked:
            clicked = reply.click(lambda b, n=name: n in b["title"].lower())
            if clicked:
                return clicked if not self.typed else f"My {name}, please."
        return "The original payment method, please."

    def _answer_address(self, reply: Reply) -> str:
        full = self.scenario.address_text()
        if full:
            return full
        places = self._target_places()
        for button in reply.buttons:
            title = button["title"].lower()
            if any(place in title for place in places):
                return str(button["payload"])
        if re.search(r"\b(default|profile|account)\b", self.scenario.lowered):
            return reply.click(lambda b: "default" in b["title"].lower()) or "My default address."
        return "The address on my account."

    def _target_places(self) -> set[str]:
        """The places an address change goes to: "change my LA order to my NYC address"."""
        request = self.request.text.lower() if self.request else self.scenario.lowered
        targets = re.findall(r"\bto (?:my |the |be |your )?([a-z]+(?: [a-z]+)?)", request)
        places = set()
        for target in targets:
            for short, long in PLACES.items():
                if re.search(rf"\b{short}\b", target):
                    places.add(long)
            places |= {w for w in target.split() if len(w) > 3 and w not in ("address", "home")}
        return places

    def _confirm(self, request: Request, summary: str) -> str:
        """Yes only when the summary is the change the request asks for."""
        lowered = summary.lower()
        verbs = SUMMARY_VERBS.get(request.kind, ())
        if verbs and not any(v in lowered for v in verbs):
            return "No, that's not what I asked for."
        asked, kept = asked_and_kept(request.text)
        wants_all = WANTS_ALL.search(request.text.lower())
        for name in summary_items(summary):
            if names_match(name, kept) or not (wants_all or names_match(name, asked)):
                return f"No, I don't want that for the {name}."
        for number in re.findall(r"#W\d{7}", summary):
            if request.order_ids and number not in request.order_ids:
                return f"No, I meant order {request.order_ids[0]}."
        if COMPARED.search(request.text.lower()) and list(summary_items(summary)):
            # "The more expensive one": a summary cannot show it is; a person would check.
            return "No, I'm not sure that's the right one."
        said = words(self.scenario.text)
        relative = RELATIVE.search(request.text.lower()) is not None
        compared = {
            (option, new)
            for option, old, new in changed_values(summary)
            if goes_as_said(request.text, old, new)
        }
        for option, value in new_values(summary):
            # A new option it never spoke of is not its wish (unless it asked for the
            # cheapest, the best, or "any", or compared it: "a shorter one"); "none" only
            # when it said "no <option>".
            if value == "none":
                spoken = re.search(rf"\bno {re.escape(option)}", self.scenario.lowered) is not None
            else:
                spoken = bool((words(value) - GENERIC) & said) or (option, value) in compared
            if not relative and not spoken:
                return f"No, I didn't ask for {value}."
        if request.kind in ("order_address", "default_address"):
            places = self._target_places()
            shown = ask_detail(summary, r"(?:to|address to): (.+)") or ""
            full = self.scenario.address_text()
            if full and full.split()[0] not in shown:
                return f"No, the address is {full}."
            if not full and places and not any(p in shown.lower() for p in places):
                return "No, that's not the address I meant."
        return "Yes, please go ahead."

    def _best_button(self, reply: Reply, score: Any) -> dict[str, str] | None:
        scored = [(score(b["title"]), b) for b in reply.buttons]
        scored = [(s, b) for s, b in scored if s > 0]
        if not scored:
            return None
        top = max(s for s, _ in scored)
        return next(b for s, b in scored if s == top)

    def _click_title(self, reply: Reply, test: Any) -> str | None:
        if self.typed:
            return None
        return reply.click(lambda b: test(b["title"]))
