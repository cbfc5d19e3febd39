"""`assistant bench chat`'s script: what each simulated chat says, one conversation after
another. A conversation has five turns of four kinds, in this order:

- **greeting**: small talk ("hi there");
- **order**: "where is my order #W…?", which the assistant answers by asking the shopper to
  sign in; then **sign-in**: the shopper's email, after which the assistant looks the
  customer up and answers with the order's status (an order lookup);
- **policy**: a question the store's documents answer (returns, delivery, payment);
- **search**: a product search ("show me mechanical keyboards").

The words vary from one conversation to the next: each conversation is a customer of the demo
store (their email and one of their orders, from the seed file), and the greetings, policy
questions and searches come round in turn from lists of different lengths, so that a run
seldom repeats a message word for word (the server caches each text's embedding: a run of
identical messages would measure the cache).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

KINDS = ("greeting", "order", "sign-in", "policy", "search")

GREETINGS = (
    "hi there",
    "hello",
    "hey",
    "good morning",
    "hi!",
    "hello there",
    "hey, anyone there?",
    "good evening",
    "hiya",
    "hi, good to see you",
    "good afternoon",
)
POLICIES = (
    "what is your return policy?",
    "how long does delivery take?",
    "can I return an opened item?",
    "do you offer express shipping?",
    "how long do refunds take?",
    "what payment methods do you accept?",
    "how much does shipping cost?",
    "can I exchange an item for a different size?",
    "how many days do I have to return something?",
    "do you ship to other countries?",
    "can I pay with paypal?",
    "who pays for return shipping?",
    "is standard shipping free?",
)
SEARCHES = ("show me {}", "do you have {}?", "I'm looking for {}", "any {} in stock?")


@dataclass(frozen=True)
class Line:
    kind: str
    text: str


@dataclass(frozen=True)
class Customer:
    email: str
    order_id: str


class ChatScript:
    """The conversations of a run: `conversation(n)` is the n-th, the same in every run."""

    def __init__(self, customers: list[Customer], products: list[str]) -> None:
        if not customers or not products:
            raise ValueError("the chat script needs customers with orders and products")
        self.customers = customers
        self.searches = [form.format(name) for name in products for form in SEARCHES]

    @classmethod
    def from_seed(cls, seed_path: Path) -> ChatScript:
        """The demo store's customers (each with their latest order) and product types."""
        data = json.loads(seed_path.read_text(encoding="utf-8"))
        customers = [
            Customer(user["email"], user["orders"][-1])
            for user in data["users"].values()
            if user.get("orders") and user.get("email")
        ]
        names = sorted({_plural(product["name"].lower()) for product in data["products"].values()})
        return cls(customers, names)

    def conversation(self, number: int) -> list[Line]:
        customer = self.customers[number % len(self.customers)]
        return [
            Line("greeting", GREETINGS[number % len(GREETINGS)]),
            Line("order", f"where is my order {customer.order_id}?"),
            Line("sign-in", customer.email),
            Line("policy", POLICIES[number % len(POLICIES)]),
            Line("search", self.searches[number % len(self.searches)]),
        ]


def _plural(name: str) -> str:
    if name.endswith("shelf"):
        return f"{name[:-1]}ves"
    if name.endswith(("s", "sh", "ch")):
        return f"{name}es" if not name.endswith("s") else name
    return f"{name}s"
