"""The prose shopper: it speaks from a τ²-bench scenario text and never reads the answers.

It knows what a shopper knows (`scenario.Scenario`): its situation and requests, its email or
name and zip code, the order numbers it was told, how it prefers to pay. It says its requests
one at a time in the first person, answers each question from those facts, chooses among the
offered buttons by matching its own words against their titles, and confirms a proposed change
only when the summary matches what it asked for. It sees only the text, buttons and cards of
each reply. It is deterministic: the same scenario and replies give the same conversation.

This module is the conversation: which request it says next and what it says to each reply.
Its answers are in `prose_items.py` (which order, which items) and `prose_details.py` (who it
is, how it pays, where it ships, offers), its yes or no to a summary in `prose_confirm.py`,
what it keeps from turn to turn in `prose_state.py`, the words it looks for in
`prose_phrases.py`.
"""

from __future__ import annotations

import re

from assistant.eval.prose_confirm import Confirmation
from assistant.eval.prose_details import DetailAnswers
from assistant.eval.prose_items import ItemAnswers
from assistant.eval.prose_phrases import MAX_ORDERS_PER_REQUEST, PERSON, among, kept_things
from assistant.eval.replies import Reply
from assistant.eval.scenario import Request, kinds_in
from assistant.eval.shopper_words import GENERIC, named_things, summary_items, words


class ProseShopper(ItemAnswers, DetailAnswers, Confirmation):
    name = "prose"

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
            and not any(among(words(t) - GENERIC, done) for t in things)
        ]  # fmt: skip
        if untouched and len(untouched) < len(sentences):
            return untouched[0]
        kept, excluding = kept_things(request)
        listed = kept if kept and not excluding else named_things(request.text)
        left = [thing for thing in listed if not among(words(thing) - GENERIC, done)]
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
