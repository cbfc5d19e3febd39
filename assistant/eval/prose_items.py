"""The prose shopper's answers about what a change is of: which order, which items, which
of two alike, and which new item instead.
"""

from __future__ import annotations

import re

from assistant.eval.prose_phrases import COMPARED, WANTS_ALL, kept_things
from assistant.eval.prose_state import ProseState
from assistant.eval.replies import Reply, ask_detail
from assistant.eval.scenario import Request
from assistant.eval.shopper_words import (
    GENERIC,
    changes_as_said,
    clauses_about,
    compared_score,
    full_options,
    must_be,
    names_match,
    option_score,
    order_in,
    order_score,
    preference_score,
    price,
    segment,
    without_preferences,
    words,
)


class ItemAnswers(ProseState):
    """Which order and which items, from the words of its request and scenario."""

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
