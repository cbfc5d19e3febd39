"""The prose shopper's answers about the rest of a change: who it is, how it pays or is
refunded, where it ships, and offers to do what it asked another way.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.eval.prose_phrases import BACK_HOME, PAYMENT_WORDS, PERSON, PERSON_IF_NOT
from assistant.eval.prose_state import ProseState
from assistant.eval.replies import Reply
from assistant.eval.scenario import Request
from assistant.eval.shopper_words import GENERIC, names_match, words


class DetailAnswers(ProseState):
    """Who it is, how it pays, where it ships, and whether it takes an offer."""

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

    def _answer_payment(self, reply: Reply) -> str:
        text = self.scenario.lowered
        if self.paid_with and any(b["title"] == self.paid_with for b in reply.buttons):
            # The card it switched to before: the same again.
            clicked = reply.click(lambda b: b["title"] == self.paid_with)
            return clicked if clicked and not self.typed else f"My {self.paid_with}, please."
        refused = re.search(r"\b(can't|cannot|can only|only go)\b", reply.text.lower())
        if self.payment_asked_for and refused and PERSON_IF_NOT.search(text):
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
