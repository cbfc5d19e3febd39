"""The goal-scripted shopper: it knows the task's expected changes and pursues them one by one.

Its goals (which order, which items, which new options, which payment method, which address)
come from the task's expected actions, so it measures whether the assistant can carry out a
change a shopper states exactly, not whether it understands a scenario (the prose shopper in
`prose_shopper.py` does that). Like a person, it sees only the text, buttons and cards of each
reply: it reads the question from the wording, answers it, and says yes only when the summary
it is shown lists exactly the change it wants. Half the tasks type free text, half click the
buttons that match the goal.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from actions.common import item_label
from actions.variant_choice import differences as option_differences
from assistant.backends.sql_orders import SqlOrderBackend
from assistant.eval.replies import Reply, ask_detail
from assistant.eval.store_copies import Goal, address_of, owner_of
from assistant.eval.task_data import Task


class GoalShopper:
    """Answers what the assistant asks with the task's facts; clicks matching buttons."""

    name = "goal"

    def __init__(self, task: Task, sessions: sessionmaker[Session], *, typed: bool) -> None:
        self.task = task
        # The shopper's own knowledge of its orders: a copy of the store before the talk.
        self.sessions = sessions
        self.store = SqlOrderBackend(sessions)
        self.typed = typed
        self.pending: list[Goal | None] = [] if task.transfer else (list(task.goals) or [None])
        self.goal: Goal | None = None
        self.started = False
        self.answered: Counter[str] = Counter()
        self.identity_tries = -1
        # With nothing to change: the orders it asks about (those the task reads or names).
        named = re.findall(r"#?W\d{7}", str(task.instructions.get("reason_for_call") or ""))
        self.to_look_up = list(dict.fromkeys([*task.reads, *("#" + n.lstrip("#") for n in named)]))
        self.looked_up: list[str] = []
        self.wants_person = task.transfer

    # -- the conversation ----------------------------------------------------------------------

    def opening(self) -> str:
        if self.task.transfer:
            return "I need help with something about my orders."
        return self._next_goal() or "Where is my order?"

    def respond(self, reply: Reply) -> str | None:
        """What to say next, or None to leave."""
        if reply.handed_off:
            return None
        question = reply.asks()
        if question == "identity":
            return self.identity_text()
        if self.wants_person:
            if question is None or reply.ended:
                self.wants_person = False
                return "I want to talk to a human agent."
            return "I want to talk to a human agent."
        if question is None and self.goal is None and self.looked_up and self.to_look_up:
            order_id = self.to_look_up.pop(0)
            self.looked_up.append(order_id)
            return f"What's the status of my order {order_id}?"
        if question is None:
            if not self.started and self.goal is not None and not reply.ended:
                # Not understood: say it again more simply, as a person would.
                self.started = True
                return self.simple_opening(self.goal)
            return self._next_goal()
        self.started = True
        return self.answer(question, reply)

    def _look_up_next(self, reply: Reply) -> str | None:
        if not self.to_look_up:
            return None
        order_id = self.to_look_up.pop(0)
        self.looked_up.append(order_id)
        return self._click(reply, order_id) or f"It's order {order_id.lstrip('#')}"

    def _next_goal(self) -> str | None:
        if not self.pending:
            return None
        self.goal = self.pending.pop(0)
        self.started = False
        self.answered = Counter()
        return self.goal_opening(self.goal)

    def goal_opening(self, goal: Goal | None) -> str:
        if goal is None:
            if not self.to_look_up:
                return "Where is my order?"
            order = self.to_look_up.pop(0)
            self.looked_up.append(order)
            return f"What's the status of my order {order}?"
        order_id = goal.order_id or ""
        shown = order_id if self.typed else ""
        if goal.operation == "cancel_order":
            reason = f", I {goal.arguments['reason']}" if self.typed else ""
            text = f"I want to cancel my order {shown}{reason}"
            return text.replace("I no longer", "it's no longer").strip()
        if goal.operation == "modify_order_address":
            return f"I need to change the shipping address of my order {shown}".strip()
        if goal.operation == "modify_order_payment":
            return f"I want to change the payment method of my order {shown}".strip()
        if goal.operation == "modify_customer_address":
            return "I'd like to update the default address on my account."
        verb = {
            "return_order_items": "return",
            "exchange_order_items": "exchange",
            "modify_order_items": "change some items in",
        }[goal.operation]
        if not self.typed:
            noun = "items from" if goal.operation != "modify_order_items" else ""
            return f"I want to {verb} {noun} an order".replace("  ", " ")
        items = self._item_phrases(goal)
        if goal.operation == "return_order_items":
            return f"I want to return {items} from order {order_id}"
        if goal.operation == "exchange_order_items":
            return f"I want to exchange {items} from order {order_id}"
        return f"I want to change {items} in my pending order {order_id}"

    def simple_opening(self, goal: Goal) -> str:
        typed, self.typed = self.typed, False
        try:
            text = self.goal_opening(goal)
        finally:
            self.typed = typed
        return f"{text} {goal.order_id or ''}".strip()

    def identity_text(self) -> str:
        identity = self.task.identity
        self.identity_tries += 1
        if "email" in identity:
            # A shopper with several addresses tries the next one when one is not found.
            emails = [identity["email"], *identity.get("other_emails", "").split()]
            return f"My email is {emails[self.identity_tries % len(emails)]}"
        if not identity:
            return "I'd rather not say."
        attempts = [f"{identity['first_name']}|{identity['last_name']}|{identity['zip']}"]
        attempts += identity.get("other_names", "").split()
        first, last, zip_code = attempts[self.identity_tries % len(attempts)].split("|")
        return f"I'm {first} {last}, zip code {zip_code}"

    # -- answers -------------------------------------------------------------------------------

    def answer(self, question: str, reply: Reply) -> str | None:
        goal = self.goal
        if goal is None:
            if question != "order":
                return None  # nothing it wants: the shopper leaves
            if not self.to_look_up and not self.looked_up:
                # Nothing to change and no order named: it looks at each of its orders.
                self.to_look_up = [
                    found.group(0)
                    for b in reply.buttons
                    if (found := re.search(r"#W\d{7}", b["title"]))
                ]
            return self._look_up_next(reply)
        args = goal.arguments
        if question == "order":
            order_id = str(goal.order_id)
            return self._click(reply, order_id) or f"It's order {order_id.lstrip('#')}"
        if question == "cancel_reason":
            return self._click(reply, str(args["reason"])) or str(args["reason"])
        if question in ("items", "more_items"):
            return self._answer_items(goal, reply)
        if question == "new_item":
            return self._answer_new_item(goal, reply)
        if question == "payment":
            method = str(args["payment_method_id"])
            if "can't use that payment method" in reply.text.lower():
                return "Never mind, let's stop here."  # the policy refuses the one it wants
            return self._click(reply, method) or self._method_text(goal, method)
        if question == "address":
            return address_of(args).one_line()
        if question == "confirm":
            return "yes" if self._matches(goal, reply.summary()) else "no"
        return "Sorry, I'm not sure."

    def _click(self, reply: Reply, value: str) -> str | None:
        if self.typed:
            return None
        return reply.click(lambda b: f'"{value}"' in b["payload"] or f':{value}"' in b["payload"])

    def _order_items(self, order_id: str) -> list[Any]:
        owner = owner_of(self.sessions, order_id)
        return list(self.store.get_order(order_id, customer_id=owner).items)

    def _wanted_items(self, goal: Goal) -> list[Any]:
        items = self._order_items(str(goal.order_id))
        wanted: list[Any] = []
        for item_id in goal.arguments.get("item_ids") or []:
            wanted.append(next(i for i in items if i.item_id == item_id))
        return wanted

    def _answer_items(self, goal: Goal, reply: Reply) -> str:
        order_items = self._order_items(str(goal.order_id))
        so_far = ask_detail(reply.last_text, r"so far: (.+?)\. is that everything") or ""
        chosen = Counter(part.strip() for part in so_far.split("; ") if part.strip())
        missing = Counter(item_label(i) for i in self._wanted_items(goal)) - chosen
        if not missing:
            done = reply.click(lambda b: "items_done" in b["payload"])
            return done if done and not self.typed else "That's all."
        label = next(iter(missing))
        if not self.typed:
            for button in reply.buttons:
                if button["title"] == label:
                    return str(button["payload"])
        item = next(i for i in order_items if item_label(i) == label)
        counts = Counter(i.product_id for i in order_items)
        if counts[item.product_id] > 1:
            return f"the {item.name} ({_distinguishing(item, order_items)})"
        return f"the {item.name}"

    def _answer_new_item(self, goal: Goal, reply: Reply) -> str:
        asked = ask_detail(
            reply.last_text,
            r"instead of the (?:first |second |third |fourth )?(.+?) \(\$[\d,.]+\)\?",
        )
        pairs = list(zip(self._wanted_items(goal), goal.arguments["new_item_ids"], strict=False))
        # The same label can be asked for twice (two identical items): answer them in turn.
        matching = [(i, t) for i, t in pairs if item_label(i) == asked]
        if not matching:
            return "Never mind that one."
        index = min(self.answered[str(asked)], len(matching) - 1)
        self.answered[str(asked)] += 1
        item, target = matching[index]
        clicked = self._click(reply, target)
        if clicked:
            return clicked
        options = self._variant(item.product_id, target)
        changed = {k: v for k, v in options.items() if item.options.get(k) != v}
        return "I'd like " + ", ".join(f"{k} {v}" for k, v in changed.items())

    def _item_phrases(self, goal: Goal) -> str:
        items = self._order_items(str(goal.order_id))
        counts = Counter(item.product_id for item in items)
        phrases = []
        new_ids = list(goal.arguments.get("new_item_ids") or [])
        for position, item in enumerate(self._wanted_items(goal)):
            phrase = f"the {item.name}"
            if counts[item.product_id] > 1:
                phrase += f" ({_distinguishing(item, items)})"
            if position < len(new_ids):
                target = self._variant(item.product_id, new_ids[position])
                changed = {k: v for k, v in target.items() if item.options.get(k) != v}
                phrase += " for one with " + ", ".join(f"{k} {v}" for k, v in changed.items())
            phrases.append(phrase)
        return " and ".join(phrases)

    def _variant(self, product_id: str, item_id: str) -> dict[str, Any]:
        variant = self.store.get_product(product_id).variant(item_id)
        return dict(variant.options) if variant else {}

    def _method(self, goal: Goal, method_id: str) -> Any:
        order_id = goal.order_id
        owner = owner_of(self.sessions, order_id) if order_id else str(goal.arguments["user_id"])
        return self.store.get_customer(owner).payment_method(method_id)

    def _method_text(self, goal: Goal, method_id: str) -> str:
        if method_id.startswith("gift_card"):
            return "my gift card"
        if method_id.startswith("paypal"):
            return "PayPal please"
        method = self._method(goal, method_id)
        ending = f" ending in {method.last_four}" if method and method.last_four else ""
        return f"the credit card{ending}"

    def _matches(self, goal: Goal, summary: str) -> bool:
        """Whether the summary shown lists exactly the change this goal wants."""
        args = goal.arguments
        if goal.order_id and goal.order_id not in summary:
            return False
        if "reason" in args and f"Reason: {args['reason']}" not in summary:
            return False
        if "payment_method_id" in args:
            method = self._method(goal, str(args["payment_method_id"]))
            # A gift card's balance may have changed since: compare the name only.
            if method is None or method.label.split(" (")[0] not in summary:
                return False
        if "address1" in args and address_of(args).one_line() not in summary:
            return False
        if "item_ids" not in args:
            return True
        wanted = self._wanted_items(goal)
        if "new_item_ids" not in args:
            listed = ask_detail(summary, r"return from order \S+: (.+?)\n") or ""
            return Counter(p.strip() for p in listed.split("; ")) == Counter(
                item_label(i) for i in wanted
            )
        expected: Counter[str] = Counter()
        for item, target in zip(wanted, args["new_item_ids"], strict=False):
            new = self._variant(item.product_id, target)
            before = option_differences(item.options, new)
            after = option_differences(new, item.options)
            expected[f"• {item.name}: {before} → {after}"] += 1
        shown = Counter(
            line.split(" ($")[0] for line in summary.splitlines() if line.startswith("• ")
        )
        return shown == expected


def _distinguishing(item: Any, items: Sequence[Any]) -> str:
    """The option values that tell this item from the order's others of the same product."""
    others = [i for i in items if i.product_id == item.product_id and i.item_id != item.item_id]
    values = [
        f"{name} {value}"
        for name, value in item.options.items()
        if any(other.options.get(name) != value for other in others)
    ]
    return ", ".join(values) or "either one"
