"""What differs from one store to the next in how orders are named and changed: the `store:`
section's order-number format and cancellation reasons. The defaults are the demo store's
(τ²-bench retail: "#W2378156", cancelled when no longer needed or ordered by mistake).
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OrderIds(_Model):
    """How the store writes an order number: a mark shoppers may leave out (`prefix`, "#"),
    then fixed letters ("W") and a number of digits (7): "#W2378156". Shoppers type it in any
    case, with or without the mark; `normalise` gives the store's own spelling."""

    prefix: str = Field("#", max_length=2, pattern=r"^[^\w\s]*$")
    letters: str = Field("W", max_length=6, pattern=r"^[A-Za-z]*$")
    digits: int = Field(7, ge=4, le=24)

    @property
    def example(self) -> str:
        return self.make(1234567 % 10**self.digits)

    def make(self, number: int) -> str:
        """The order number `number` as the store writes it."""
        if not 0 <= number < 10**self.digits:
            raise ValueError(f"{number} does not fit in {self.digits} digits")
        return f"{self.prefix}{self.letters.upper()}{number:0{self.digits}d}"

    def entity_regex(self) -> str:
        """The NLU's pattern: an order number written in a message, in group `order_id`."""
        mark = re.escape(self.prefix)
        before = rf"(?<![\w{mark}])" if self.prefix else r"(?<!\w)"
        optional = f"(?:{mark}\\s?)?" if self.prefix else ""
        number = rf"{re.escape(self.letters)}\d{{{self.digits}}}"
        return rf"{before}(?P<order_id>{optional}{number})(?!\d)"

    def normalise(self, written: str) -> str:
        """The store's spelling of an order number typed as "w2378156" or "# W2378156"."""
        core = written.strip()
        if self.prefix and core.startswith(self.prefix):
            core = core[len(self.prefix) :]
        return self.prefix + "".join(core.split()).upper()

    def find_all(self, text: str) -> list[str]:
        """Every order number written in a text, in the store's spelling, in order."""
        found = _compiled(self.entity_regex()).finditer(text)
        return [self.normalise(match.group("order_id")) for match in found]


@lru_cache(maxsize=8)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


class CancelReason(_Model):
    """A reason the store accepts to cancel an order: the value its backend records, the
    button's title, and patterns of what a shopper says for it ("by accident"); reasons are
    tried in the configured order, so a more specific one goes first."""

    reason: str = Field(min_length=1, max_length=60)
    title: str = Field(min_length=1, max_length=40)
    # Regular expressions, matched case-insensitively on whole words of the message.
    phrases: tuple[str, ...] = ()

    @field_validator("phrases")
    @classmethod
    def _patterns(cls, phrases: tuple[str, ...]) -> tuple[str, ...]:
        for phrase in phrases:
            if not phrase.strip():
                raise ValueError("a phrase may not be blank")
            try:
                re.compile(phrase)
            except re.error as exc:
                raise ValueError(f"{phrase!r} is not a regular expression: {exc}") from exc
        return phrases

    def heard_in(self, text: str) -> bool:
        """Whether a message gives this reason, in its own words or one of its phrases."""
        lowered = text.lower().replace("’", "'")
        spoken = (re.escape(self.reason.lower()), *self.phrases)
        return any(_compiled(rf"\b(?:{said})\b").search(lowered) for said in spoken)


def reason_in(text: str, reasons: tuple[CancelReason, ...]) -> str | None:
    """The cancellation reason a message gives, if it gives one."""
    return next((r.reason for r in reasons if r.heard_in(text)), None)


DEMO_CANCEL_REASONS = (
    CancelReason(
        reason="ordered by mistake",
        title="Ordered by mistake",
        phrases=(
            r"mistake\w*|by accident|accident(al)?ly|wrong (one|item|thing|order|size)",
            r"didn'?t mean to|did not mean to|duplicate|ordered (it )?twice|double ordered",
        ),
    ),
    CancelReason(
        reason="no longer needed",
        title="No longer needed",
        phrases=(
            r"(do ?n'?t|do not|no longer|won'?t|will not|not) (really )?(need|want|use)\w*",
            r"no need|not needed|anymore|any more|changed my mind|change of mind",
            r"got (it|one) (elsewhere|already)|already (have|got|bought)",
        ),
    ),
)
