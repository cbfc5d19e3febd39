"""Which of the customer's payment methods a message names ("the credit card", "my amex",
"the one ending 4242", "the original payment method"), and how an amount of money is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from assistant.backends.orders import PaymentMethodView

_SOURCE_WORDS = {
    "credit_card": (
        "credit card",
        "card",
        "visa",
        "mastercard",
        "amex",
        "american express",
        "discover",
        "debit card",
        "credit",
    ),
    "paypal": ("paypal", "pay pal"),
    "gift_card": ("gift card", "giftcard", "gift voucher", "gift", "gc"),
}


def mentioned_methods(
    text: str, methods: Sequence[PaymentMethodView], kinds: Iterable[str] = ()
) -> list[PaymentMethodView]:
    """The customer's methods the text (or the NLU's payment_method entities) names."""
    lowered = text.lower()
    digits = set(re.findall(r"\b\d{4}\b", lowered))
    by_digits = [m for m in methods if m.last_four and m.last_four in digits]
    if by_digits:
        return by_digits
    brands = [
        m for m in methods if m.brand and re.search(rf"\b{re.escape(m.brand.lower())}\b", lowered)
    ]
    if brands:
        return brands
    named = payment_sources(text, kinds)
    return [m for m in methods if m.source in named]


def payment_sources(text: str, kinds: Iterable[str] = ()) -> set[str]:
    """The kinds of payment method a text names ("credit_card", "paypal", "gift_card"), and
    "original" for the one the order was paid with."""
    lowered = text.lower()
    named = set(kinds)
    gift_card_named = any(
        re.search(rf"\b{re.escape(word)}\b", lowered) for word in _SOURCE_WORDS["gift_card"]
    )
    for source, spellings in _SOURCE_WORDS.items():
        if source == "credit_card" and gift_card_named and "credit" not in lowered:
            continue  # "gift card" is not a "card" payment in this sense
        if any(re.search(rf"\b{re.escape(word)}\b", lowered) for word in spellings):
            named.add(source)
    if re.search(
        r"\b(original|same)\b.*\b(payment|method|card|way)\b|\b(i )?paid (it |for it )?with\b",
        lowered,
    ):
        named.add("original")
    return named


def money(amount: Decimal | float | int) -> str:
    value = Decimal(amount).quantize(Decimal("0.01"))
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"
