"""What the prose shopper keeps from turn to turn, and the readings its parts share: where
an address change goes, whether the scenario keeps the whole order, the button that scores
best.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.eval.prose_phrases import PLACES
from assistant.eval.replies import Reply
from assistant.eval.scenario import Request, Scenario


class ProseState:
    """The prose shopper's facts (its scenario) and where it is in the conversation."""

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
