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
from dataclasses import replace
from typing import Any

from assistant.eval.replies import Reply, ask_detail
from assistant.eval.scenario import Request, Scenario, kinds_in
from assistant.eval.shopper_words import (
    GENERIC,
    asked_and_kept,
    changed_values,
    changes_as_said,
    clauses_about,
    compared_score,
    full_options,
    goes_as_said,
    must_be,
    named_things,
    names_match,
    new_values,
    option_score,
    order_in,
    order_score,
    preference_score,
    price,
    segment,
    summary_items,
    without_preferences,
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
COMPARED = re.compile(r"\b(more|less) expensive\b|\bcheaper\b|\bpricier\b")
# Words that ask to keep an option as it is: "same size", "keep the material".
SAME = (
    r"\b(?:same|keep (?:the |my )?|unchanged) ?{option}\b(?! as\b)|"
    r"\b{option} (?:the same|unchanged)\b(?! as\b)"
)
# Requests that leave the new options to the assistant's search.
RELATIVE = re.compile(
    r"\b(cheapest|most expensive|least expensive|any|whatever|do not care|don't care|"
    r"not important)\b"
)
# "Change the user address back to the original address": where it lives.
BACK_HOME = re.compile(r"\bback to (?:the |my )?(?:original|old|previous)\b")
PERSON = re.compile(r"\b(human|person|representative|transfer)\b")
_PERSON_IF_NOT = re.compile(
    r"\bif (?:this is |that is |it is |it's )?not possible\b[^.]*"
    r"\b(?:human|person|representative)\b"
)


class ProseShopper:
    name = "prose"

    def __init__(self, instructions: dict[str, Any], *, typed: bool = True) -> None:
        self.scenario = Scenario.read(instructions)
        self.typed = typed
        self.pending: list[Request] = list(self.scenario.requests)
        self.request: Request | None = None
        self.asked = ""
        self.asked_request: Request | None = None
        self.understood = ""
        self.rephrased = False
        self.identity_tries = -1
        self.order_tries = -1
        self.tried_orders: list[str] = []
        self.new_item_answers: dict[str, int] = {}
        self.refusals = 0
        self.last_question: str | None = None
        self.repeats = 0
        self.own_words_said = False
        self.payment_asked_for = False
        self.on_confirm_said = False
        self.all_repeats = 0
        self.done_orders: set[str] = set()
        self.done_items: list[str] = []
        self.last_summary = ""
        self.reordered = False
        self.asked_default = False
        self.switching_card = False
        self.paid_with = ""

    # -- the conversation ----------------------------------------------------------------------

    def opening(self) -> str:
        return self._next_request() or "Hi, I need help with my order."

    def respond(self, reply: Reply) -> str | None:
        if reply.handed_off:
            return None
        finished = any(text.lower().startswith("done") for text in reply.texts)
        for text in reply.texts:
            if text.lower().startswith("done"):
                self.done_orders.update(re.findall(r"#W\d{7}", text))
                self.done_items.extend(summary_items(self.last_summary))
        question = reply.asks()
        if question is None and self._done_for_one_of_all(reply):
            # "Cancel all my pending orders": the same request again, for the next order.
            # As it said it last time it was understood (its plain words after a rephrase).
            return self.understood or (self.request.text if self.request else None)
        if question is None and self.request and (rest := self._other_address()):
            # "Correct all order addresses and my user address": the user's one too.
            return rest
        if question is None and finished and self.request and (rest := self._rest_of_request()):
            # "Return the skateboard, the hose and the bed": the ones still to do.
            self.request = Request(self.request.kind, rest)
            return rest
        if question is None:
            if reply.ended and re.search(r"couldn't|can't|can only|none of", reply.text.lower()):
                self.refusals += 1
                if self.scenario.fallbacks and self.request is not None:
                    return self._fall_back(reply)
                if PERSON.search(self.scenario.lowered) and "human" in self.scenario.lowered:
                    return "Then I'd like to talk to a human agent, please."
            answered = self.request is not None and self.request.kind == "info"
            if not reply.ended and not answered and not self.rephrased and self.request is not None:
                self.rephrased = True
                self.understood = self._plain(self.request)
                return self.understood
            return self._next_request()
        self.rephrased = True
        unavailable = re.search(r"\bthere's no available\b", reply.text.lower())
        if question == "new_item" and unavailable and self.scenario.fallbacks and self.request:
            # "If it is not available, cancel the whole order."
            return self._fall_back(reply)
        self.repeats = self.repeats + 1 if question == self.last_question else 0
        self.last_question = question
        untried = len(self.scenario.emails) + len(self.scenario.zips) - self.identity_tries - 1
        if self.repeats >= 2 and not (question == "identity" and untried > 0):
            # Asked the same thing three times: a person gives up on this request.
            self.repeats = 0
            stop = reply.click(lambda b: "stop" in b["title"].lower())
            return stop if stop and not self.typed else "Never mind, let's stop that."
        return self.answer(question, reply)

    def _other_address(self) -> str | None:
        """The default address, once the orders' addresses are done, when the request asks
        for both ("all order addresses and my user address"), said once."""
        kinds = kinds_in(self.asked)
        if "default_address" not in kinds or self.request is None or self.asked_default:
            return None
        if not self.done_orders or "default address" in self.last_summary.lower():
            return None
        self.asked_default = True
        self.request = Request("default_address", "I also want to change my default address.")
        return self.request.text

    def _fall_back(self, reply: Reply) -> str:
        """What the scenario asks for when its wish cannot be done ("if it cannot be returned,
        see if it can be cancelled"), for the order the reply named or the thing asked about."""
        assert self.request is not None
        own = self.asked_request.fallbacks if self.asked_request else []
        if own:
            # The request's own fallback, said after it in the scenario.
            kind, then, _ = own.pop(0)
            if kind in self.scenario.fallbacks:
                self.scenario.fallbacks.remove(kind)
        else:
            kind = self.scenario.fallbacks.pop(0)
            then = self.scenario.fallback_texts.pop(0) if self.scenario.fallback_texts else ""
        things = named_things(self.request.text)
        refused = re.findall(r"#W\d{7}", reply.text)
        what = f"order {refused[0]}" if refused else f"the {things[0]}" if things else "it"
        verb = "change" if kind == "modify" else kind
        self.request = Request(kind, f"Then I'd like to {verb} {what}.", known=then)
        return self.request.text

    def _rest_of_request(self) -> str | None:
        """What the request asks for that no change done so far covered: "I also want to
        return the garden hose and bed", or its sentence about an item not yet done."""
        request = self.request
        if request is None or request.kind not in ("return", "exchange", "cancel", "modify"):
            return None
        done = set().union(*(words(name) for name in self.done_items)) - GENERIC
        if not done:
            return None
        # A sentence of the request about items none of the changes touched, as said.
        sentences = re.split(r"(?<=[.!?])\s+", request.text)
        untouched = [
            s for s in sentences
            if (things := named_things(s))
            and not any(_among(words(t) - GENERIC, done) for t in things)
        ]  # fmt: skip
        if untouched and len(untouched) < len(sentences):
            return untouched[0]
        kept, excluding = kept_things(request)
        listed = kept if kept and not excluding else named_things(request.text)
        left = [thing for thing in listed if not _among(words(thing) - GENERIC, done)]
        if listed and left and len(left) < len(listed):
            verb = request.kind if request.kind != "modify" else "change"
            return f"I also want to {verb} the {' and the '.join(left)}."
        return None

    def _done_for_one_of_all(self, reply: Reply) -> bool:
        request = self.request
        if request is None or not any(t.lower().startswith("done") for t in reply.texts):
            return False
        lowered = request.text.lower()
        every = bool(
            re.search(
                # "Return all things ordered": whatever order they are in.
                r"\b(all|both|each)\b[\w ]*\borders?\b|"
                r"\ball (?:the )?(?:things|items) (?:i )?ordered\b",
                lowered,
            )
            or re.search(
                # "All my pending tshirts": they may be in several orders.
                r"\ball (?:of )?(?:my |the )?(?:pending |delivered )?(?!items|things)[a-z-]+s\b",
                lowered,
            )
        )
        # "It is actually two laptops": until two of them are done, in whichever orders.
        counted = re.search(
            r"\btwo\s+([a-z-]+?)s\s+(?:that\s+)?(?:i|you)\s+want\s+to\b", self.scenario.lowered
        )
        if not every and counted and counted.group(1) in lowered:
            every = sum(counted.group(1) in name.lower() for name in self.done_items) < 2
        self.last_question, self.repeats = None, 0
        self.all_repeats += 1
        return (
            every
            and len(self.tried_orders) < MAX_ORDERS_PER_REQUEST
            and self.all_repeats < MAX_ORDERS_PER_REQUEST
        )

    def _next_request(self) -> str | None:
        if not self.pending:
            return None
        self.request = self.pending.pop(0)
        self.asked = self.request.text  # as first said, before any "I also want to ..."
        self.asked_request = self.request
        self.understood = ""
        self.rephrased = False
        self.new_item_answers = {}
        self.tried_orders = []
        self.all_repeats = 0
        self.done_orders = set()
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
        things = named_things(request.text)
        if things and request.kind in ("return", "exchange", "cancel"):
            # "I no longer need the boots and the watch": the change, with what it names.
            return f"I want to {request.kind} the {', the '.join(things)}"
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
            return self.scenario.cancel_reason(f"{request.text} {request.known}")
        if question == "address":
            return self._answer_address(reply)
        if question == "confirm":
            self.last_summary = reply.summary()
            return self._confirm(request, self.last_summary)
        if question == "offer":
            return self._answer_offer(request, reply)
        return None

    def _answer_offer(self, request: Request, reply: Reply) -> str:
        """Yes to an offer to do what it asked for, another way ("I can change items in it
        instead. Shall I?" to a wish for other items); no to anything else."""
        offered = reply.last_text.lower()
        wants_items = request.kind in ("exchange", "modify")
        changes_items = re.search(r"\b(change|exchange) items\b", offered) is not None
        starts_task = "start that" in offered and request.kind != "info"
        # "..., but I can return items from your delivered orders instead": what it also said.
        other = re.search(r"\bbut i can (\w+)", offered)
        said_too = other is not None and (
            re.search(rf"\b{other.group(1)}", f"{request.text} {self.asked}".lower()) is not None
            or other.group(1) in self.scenario.fallbacks  # "if not possible, cancel it"
        )
        if re.search(r"\bconnect you\b", offered):
            # A person offered: taken by a shopper told to insist or to ask for one.
            insists = re.search(r"\binsist", self.scenario.lowered)
            if insists or (
                PERSON.search(self.scenario.lowered) and "human" in self.scenario.lowered
            ):
                return reply.click(lambda b: "person" in b["title"].lower()) or "Yes, please."
            return "No, thanks."
        whole = re.search(r"\bcancel the (?:whole|entire) order\b", offered)
        if whole and self._keeps_whole_order():
            return "No, thanks."
        if said_too and other is not None and other.group(1) in ("return", "cancel", "exchange"):
            # Accepted: the change it asks for is now that one.
            self.request = replace(request, kind=other.group(1))
        if (wants_items and changes_items) or starts_task or said_too:
            return reply.click(lambda b: b["title"].lower().startswith("yes")) or "Yes, please."
        return "No, thanks."

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
        kept, excluding = kept_things(request)
        said = words(" ".join(kept)) if kept and not excluding else words(request.text)
        fresh = [b for b in reply.buttons if b["title"] not in self.tried_orders]
        anywhere = words(self.scenario.text)
        if excluding:
            # "Everything except a keyboard and a mouse": the order with most of the rest.
            left_out = words(" ".join(kept))
            best = self._best_button(
                Reply(buttons=fresh),
                lambda title: sum(
                    not names_match(name, left_out) for name in title.partition(": ")[2].split(", ")
                ),
            )
        else:
            best = self._best_button(
                Reply(buttons=fresh),
                # The products it named, then the options it named ("it is 15-inch, 32GB").
                lambda title: (
                    order_score(title, said)
                    + 0.1
                    * len((words(title.partition("(")[2].partition("(")[2]) - GENERIC) & anywhere)
                ),
            )
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
        if self.all_repeats:
            # Every order offered has been done: the request is finished.
            return "Never mind, then."
        return "I don't remember the order number."

    def _answer_items(self, request: Request, reply: Reply, *, more: bool) -> str:
        if "which one do you mean" in reply.last_text.lower():
            return self._answer_which_alike(reply)
        said = words(request.text)
        lowered = request.text.lower()
        wants_all = WANTS_ALL.search(lowered) is not None
        excluded = words(lowered.split("except", 1)[1]) if "except" in lowered else set()
        kept, excluding = kept_things(request)
        if kept and excluding:
            wants_all, excluded = True, excluded | words(" ".join(kept))
        elif kept:
            wants_all, said = False, words(" ".join(kept))
        so_far = ask_detail(reply.last_text, r"so far: (.+?)\. is that everything") or ""
        titles = [b["title"] for b in reply.buttons if "item_pick" in b["payload"]]
        if so_far and not re.search(r"\b(both|two|all|every)\b", lowered):
            # "An air purifier and a vacuum cleaner": one of each, not the second vacuum.
            titles = [t for t in titles if t.split(" (")[0] not in so_far]
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

    def _answer_which_alike(self, reply: Reply) -> str:
        """Which of two items of one product: by price when it said so ("the more
        expensive one"), or the one whose options its words name."""
        compared = COMPARED.search(self.request.text.lower() if self.request else "")
        if compared:
            return f"The {compared.group(0)} one."
        said = words(self.scenario.text)
        scored = [
            (len((words(b["title"].split("(", 1)[-1]) - GENERIC) & said), b)
            for b in reply.buttons
            if "item_pick" in b["payload"]
        ]
        if not scored:
            return "I'm not sure."
        top, best = max(scored, key=lambda pair: pair[0])
        if top == 0:
            return "I'm not sure."
        if not self.typed:
            return str(best["payload"])
        others = set().union(*(words(b["title"]) for _, b in scored if b is not best))
        own = sorted((words(best["title"]) - others) & said)
        return f"The {' '.join(own)} one." if own else f"The {best['title']}."

    def _answer_new_item(self, request: Request, reply: Reply) -> str:
        asked = ask_detail(reply.last_text, r"instead of the (.+?) \(") or ""
        name = asked.split(" (")[0]
        part = clauses_about(request.text, name) or segment(request.text, name)
        lowered = part.lower()
        choices = [b for b in reply.buttons if "new_item_pick" in b["payload"]]
        if not choices:
            return "Never mind that one."
        current = ask_detail(reply.last_text, r"instead of the [^(]+\((.+?)\) \(\$") or ""
        need, then = must_be(self.scenario.text, asked.split(" (")[0])
        if need and current:
            # "If there is no keyboard that is clicky, RGB, full size, ...": only those will
            # do, or else what it says it would do then.
            fitting = [b for b in choices if need <= full_options(current, b["title"])]
            if not fitting and re.search(r"\b(only|rather|not|n't|keep|skip)\b", then.lower()):
                return f"Never mind the {asked.split(' (')[0]}, leave it as it is."
            if not fitting:
                fallback = words(then) - GENERIC
                fitting = [
                    max(
                        choices,
                        key=lambda b: (
                            len(need & full_options(current, b["title"]))
                            + 2 * len(fallback & full_options(current, b["title"]))
                        ),
                    )
                ]
            choices = fitting
        settled = bool(need) and len(choices) == 1  # what its condition leaves
        if re.search(r"\b(cheapest|least expensive|lowest price)\b", lowered):
            best = min(choices, key=lambda b: price(b["title"]))
        elif re.search(r"\b(most expensive|priciest|highest price)\b", lowered):
            best = max(choices, key=lambda b: price(b["title"]))
        else:
            # A stated order of preference ("prefer battery > USB > AC") is scored as one.
            near = words(without_preferences(part))
            anywhere = words(without_preferences(self.scenario.text))
            # What this item's words ask for counts most; the rest of the scenario breaks ties
            # ("if there is no clicky RGB one, no backlight"); fewer changes win after that.
            scored = [
                (
                    2
                    * option_score(
                        b["title"], near, as_said=changes_as_said(current, b["title"], part)
                    )
                    + option_score(
                        b["title"], anywhere, as_said=changes_as_said(current, b["title"], part)
                    )
                    + compared_score(current, b["title"], part)
                    + preference_score(full_options(current, b["title"]), part),
                    -b["title"].count(", "),
                    b,
                )
                for b in choices
            ]
            top = max(scored, key=lambda entry: entry[:2])
            if top[0] <= 0 and not settled:
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
        if self.paid_with and any(b["title"] == self.paid_with for b in reply.buttons):
            # The card it switched to before: the same again.
            clicked = reply.click(lambda b: b["title"] == self.paid_with)
            return clicked if clicked and not self.typed else f"My {self.paid_with}, please."
        refused = re.search(r"\b(can't|cannot|can only|only go)\b", reply.text.lower())
        if self.payment_asked_for and refused and _PERSON_IF_NOT.search(text):
            # "If not possible, ... ask for a human representative."
            return "Then I'd like to talk to a human agent, please."
        own = [
            f for f in (self.asked_request.fallbacks if self.asked_request else [])
            # A refusal of how to pay, falling back on another change of items (not only on
            # another way to be paid).
            if re.search(r"\b(refund|payment|pay|card|paypal)\b", f[2])
            and re.search(r"\b(return|exchange|cancel)\w*", f[1].lower())
        ]  # fmt: skip
        if refused and "payment method" in reply.text.lower() and own:
            # "If refund to credit card is not possible, return everything on that order and
            # refund to GC": this change stops, that one is asked for next.
            assert self.asked_request is not None
            self.asked_request.fallbacks.remove(own[0])
            kind, then, _ = own[0]
            self.pending.insert(0, Request(kind, then))
            return "Never mind, let's stop that."
        if re.search(r"\bother (?:order's )?payment method\b", text) and not self.payment_asked_for:
            # "Refund each order to the other order's payment method."
            self.payment_asked_for = True
            return "I'd like the refund to go to the other order's payment method."
        ranked = sorted(
            (found.start(), name) for name, pattern in PAYMENT_WORDS
            if (found := pattern.search(text))
        )  # fmt: skip
        for _, name in ranked:
            clicked = reply.click(lambda b, n=name: n in b["title"].lower())
            if clicked:
                fitting = [b["title"] for b in reply.buttons if name in b["title"].lower()]
                if self.typed and len(fitting) > 1 and self.repeats:
                    # "Which card?" asked again: the first of them, by what the button says.
                    return f"My {fitting[0]}, please."
                return clicked if not self.typed else f"My {name}, please."
        if ranked and not self.payment_asked_for:
            # The way it wants to be paid is not offered: it says so once.
            self.payment_asked_for = True
            return f"To my {ranked[0][1]}, please."
        return "The original payment method, please."

    def _answer_address(self, reply: Reply) -> str:
        request = self.request.text if self.request else self.scenario.text
        if BACK_HOME.search(request.lower()):
            # "Change it back to the original address": where it says it lives.
            lives = str(self.scenario.instructions.get("known_info") or "").lower()
            home = [w for w in re.findall(r"\b(?:[a-z]{4,}|\d{5})\b", lives) if w not in GENERIC]
            for button in reply.buttons:
                if "stop" not in button["title"].lower() and any(
                    re.search(rf"\b{re.escape(w)}\b", button["title"].lower()) for w in home
                ):
                    return str(button["payload"])
        full = self.scenario.address_text()
        if full:
            return full
        same_as = re.search(r"\bsame as (?:the )?order (#?W\d{7})", request, re.IGNORECASE)
        if same_as:
            return f"The same address as order {same_as.group(1)}."
        # "Bought a luggage set sent to this new address": the order that holds it.
        sent = re.search(
            r"\b(?:bought|ordered|got) (?:a |an |the |my )?([a-z -]+?) sent (?:to )?(?:there|"
            r"(?:this|the|that|my) (?:new )?(?:address|house|home|place))",
            self.scenario.lowered,
        )
        if sent and re.search(r"\bnew (?:home|house|address|place)\b", request.lower()):
            for button in reply.buttons:
                if names_match(sent.group(1), words(button["title"].partition(": ")[2])):
                    return str(button["payload"])
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
        verbs = r"change|modify|update|switch|return|exchange|cancel|know|check|get|use|ask|do"
        pattern = rf"\bto (?!(?:{verbs})\b)(?:my |the |be |your )?([a-z]+(?: [a-z]+)?)"
        # "..., along with my default address": the place said for the first change.
        targets = re.findall(pattern, request) or re.findall(pattern, self.scenario.lowered)
        # "to my default address in Charlotte": the place it is in.
        targets += re.findall(r"\baddress in ([a-z]+(?: [a-z]+)?)", request)
        places = set()
        for target in targets:
            for short, long in PLACES.items():
                if re.search(rf"\b{short}\b", target):
                    places.add(long)
            places |= {
                w for w in target.split()
                if len(w) > 3 and w not in ("address", "home", "default", "user", "profile")
            }  # fmt: skip
        return places

    def _confirm(self, request: Request, summary: str) -> str:
        """Yes only when the summary is the change the request asks for."""
        # Said at the confirmation of the request it is about (any, if none is marked).
        about_this = request.on_confirm or not any(r.on_confirm for r in self.scenario.requests)
        if self.scenario.on_confirm and not self.on_confirm_said and about_this:
            self.on_confirm_said = True
            # "I'd prefer the other card": the one it then confirms, it keeps using.
            self.switching_card = bool(re.search(r"\b(card|payment)\b", self.scenario.on_confirm))
            if re.search(r"\balso\b", self.scenario.on_confirm) and self.request is not None:
                # "... because I also want to return the smart watch": part of the request now.
                self.request = replace(
                    self.request, text=f"{self.request.text}. {self.scenario.on_confirm}"
                )
            return f"No, {self.scenario.on_confirm[:1].lower()}{self.scenario.on_confirm[1:]}."
        if request.kind == "info":
            return "No, I only wanted to know."
        later = [r for r in self.pending if r.kind in ("order_address", "payment")]
        if "changed again afterwards" in summary.lower() and later and not self.reordered:
            # Nothing can change after this: the other change it wants comes first.
            self.reordered = True
            self.pending.remove(later[0])
            self.pending[:0] = [later[0], request]
            return "No, not yet: I have another change to make first."
        numbers = set(re.findall(r"#W\d{7}", summary))
        if self.all_repeats and numbers and numbers <= self.done_orders:
            # The same change again, for an order it has already done.
            return "No, that one is done already."
        lowered = summary.lower()
        # The verbs of every kind of change the request speaks of ("the orders' address,
        # along with my default address").
        verbs = tuple(
            verb for kind in kinds_in(request.text) for verb in SUMMARY_VERBS.get(kind, ())
        ) or SUMMARY_VERBS.get(request.kind, ())
        if verbs and not any(v in lowered for v in verbs):
            return "No, that's not what I asked for."
        asked, kept = asked_and_kept(request.text)
        wants_all = WANTS_ALL.search(request.text.lower()) or self._cancels_whole(request)
        known, excluding = kept_things(request)
        if known and excluding:
            kept, wants_all = kept | words(" ".join(known)), True
        elif known:
            asked, wants_all = words(" ".join(known)), False
        unwanted = [
            name for name in summary_items(summary)
            if names_match(name, kept) or not (wants_all or names_match(name, asked))
        ]  # fmt: skip
        its_item = r"\b(?:its|(?:my|the)(?: pending)? order(?:'s)?) items?\b"
        if re.search(its_item, request.text.lower()):
            # "Change its item color to red": whichever item the order has.
            unwanted = [name for name in unwanted if names_match(name, kept)]
        wanted = [name for name in summary_items(summary) if name not in unwanted]
        if len(unwanted) > 1 and wanted:
            # Several it did not ask for: it says what it wants.
            return f"No, only the {' and the '.join(dict.fromkeys(wanted))}."
        if unwanted:
            return f"No, I don't want that for the {unwanted[0]}."
        for number in re.findall(r"#W\d{7}", summary):
            if request.order_ids and number not in request.order_ids:
                return f"No, I meant order {request.order_ids[0]}."
        said = words(self.scenario.text)
        relative = RELATIVE.search(request.text.lower()) is not None
        compared = {
            (option, new)
            for option, old, new in changed_values(summary)
            if goes_as_said(request.text, old, new)
        }
        old_values = {option: old for option, old, _ in changed_values(summary)}
        for line in summary.splitlines():
            part = clauses_about(request.text, line[2:].split(":")[0]) if line[:2] == "• " else ""
            for _option, old, new in changed_values(line) if part else ():
                if goes_as_said(part, new, old) and not goes_as_said(part, old, new):
                    # "A shorter one", and the new one is longer.
                    return f"No, I didn't ask for {new}."
        for option, value in new_values(summary):
            # A new option it never spoke of is taken as what the store has, unless it
            # asked to keep that option or named the old value (a person checks what they
            # asked for); "none" only when it said "no <option>" or never spoke of it.
            if value == "none":
                spoken = re.search(rf"\bno {re.escape(option)}", self.scenario.lowered) is not None
            else:
                spoken = bool((words(value) - GENERIC) & said) or (option, value) in compared
            if relative or spoken:
                continue
            if self._keeps(option, old_values.get(option, "")):
                return f"No, I didn't ask for {value}."
        if request.kind in ("order_address", "default_address"):
            places = self._target_places()
            shown = ask_detail(summary, r"(?:to|address to): (.+)") or ""
            back = BACK_HOME.search(request.text.lower())
            full = None if back else self.scenario.address_text()
            if full and full.split()[0] not in shown:
                return f"No, the address is {full}."
            same_as = re.search(r"\bsame as (?:the )?order\b", request.text.lower())
            if (
                not full
                and places
                and not same_as
                and not back
                and not any(p in shown.lower() for p in places)
            ):
                return "No, that's not the address I meant."
        if self.switching_card:
            paid = re.search(r"(?:to|with) your (.+?)(?: \(balance|\.|$)", summary, re.MULTILINE)
            self.paid_with, self.switching_card = (paid.group(1) if paid else ""), False
        return "Yes, please go ahead."

    def _cancels_whole(self, request: Request) -> bool:
        """Whether a cancellation is of the whole order: named by its number, or the
        scenario says to cancel the whole order (not "tell the agent not to")."""
        if request.kind != "cancel":
            return False
        whole = re.search(r"\bcancel\w* (?:the )?(?:whole|entire) order\b", self.scenario.lowered)
        return bool(request.order_ids) or (whole is not None and not self._keeps_whole_order())

    def _keeps_whole_order(self) -> bool:
        """Whether the scenario says not to cancel the whole order ("if this would require
        cancelling the entire order, tell the agent not to do it")."""
        return bool(
            re.search(
                r"\b(?:not|n't|never)(?:\s+\w+){0,3}\s+cancel\w*\s+"
                r"(?:the\s+)?(?:whole|entire) order|"
                r"(?:whole|entire) order[^.]*(?:\bnot to\b|n't\b|\bdo it (?:yourself|myself)\b)",
                self.scenario.lowered,
            )
        )

    def _keeps(self, option: str, old: str) -> bool:
        """Whether the scenario wants the option left as it is: "same size", or the old
        value named ("clicky, RGB backlight")."""
        lowered = self.scenario.lowered
        names = {option.lower(), option.lower().split()[0]} if option else set()
        if any(re.search(SAME.format(option=re.escape(name)), lowered) for name in names):
            return True
        if re.search(r"\bother (?:specs|specifications|options|features)\b[^.]*\bsame\b", lowered):
            return True
        old_words = words(old) - GENERIC - {"none", "yes", "no"}
        return bool(old_words) and old_words <= words(lowered)

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


def kept_things(request: Request) -> tuple[list[str], bool]:
    """The things it knows but keeps to itself, and whether they are the ones left out:
    "it's just a keyboard and a mouse", "everything except a keyboard and a mouse"."""
    text = request.known
    if not text:
        return [], False
    excluded = re.search(r"\b(?:except|but not|other than|apart from)\b", text, re.I)
    listing = re.match(r"(?:it'?s|it is|they are|they're)\s+(?:just\s+|only\s+)?", text, re.I)
    if not excluded and not listing:
        return [], False
    rest = text[excluded.end() :] if excluded else text[listing.end() :]  # type: ignore[union-attr]
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+", rest)
    things = [re.sub(r"^(?:a|an|the|my|two|both)\s+", "", p.strip(" ."), flags=re.I) for p in parts]
    return [t for t in things if 0 < len(t.split()) <= 3], excluded is not None


def _among(said: set[str], done: set[str]) -> bool:
    """Whether a thing's words are among those of the items done ("watch" in Wristwatch)."""
    return any(w == d or (len(w) > 3 and d.endswith(w)) for w in said for d in done)
