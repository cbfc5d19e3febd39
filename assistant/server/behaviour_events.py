"""Wire schema of behaviour events (POST /api/events): what a shopper did on the store page,
one event or a batch, checked here before anything is stored. Documented in docs/protocol.md
beside the widget's frames (`protocol.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from assistant.errors import InvalidInput
from assistant.server.wire import decode_json, validation_details

# An event's time may be this far ahead of the server's clock (skewed browsers), no more.
CLOCK_SKEW = timedelta(minutes=5)
# Nor earlier than the store's first possible day (older is a broken clock or a probe).
EARLIEST_EVENT = datetime(2000, 1, 1, tzinfo=UTC)


class EventIn(BaseModel):
    """What a shopper did on the store page. `item_id` for every type but `search`, which
    has `query`; `quantity` and `price` only for `add_to_cart` and `purchase`."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["view", "search", "add_to_cart", "purchase", "chat_product_click"]
    session_id: str = Field(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")
    customer_id: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")
    item_id: str | None = Field(None, min_length=1, max_length=32, pattern=r"^[\x21-\x7e]+$")
    query: str | None = Field(None, min_length=1, max_length=500)
    quantity: int | None = Field(None, ge=1, le=1000)
    price: Decimal | None = Field(None, ge=0, le=1_000_000, max_digits=12, decimal_places=2)
    at: AwareDatetime | None = Field(None, description="when it happened (default: received)")

    @field_validator("at")
    @classmethod
    def _in_range(cls, at: datetime | None) -> datetime | None:
        if at is None:
            return None
        try:
            utc = at.astimezone(UTC)
        except OverflowError as exc:  # 0001-01-01 east of UTC, 9999-12-31 west of it
            raise ValueError("the time is out of range") from exc
        if utc < EARLIEST_EVENT:
            raise ValueError(f"an event cannot happen before {EARLIEST_EVENT.date()}")
        if utc > datetime.now(UTC) + CLOCK_SKEW:
            raise ValueError("an event cannot happen in the future")
        return utc

    @model_validator(mode="after")
    def _fields_of_its_type(self) -> EventIn:
        if self.type == "search":
            if self.query is None or not self.query.strip():
                raise ValueError("a search event needs a query")
            if self.item_id is not None:
                raise ValueError("a search event has a query, not an item_id")
        elif self.item_id is None:
            raise ValueError(f"a {self.type} event needs an item_id")
        elif self.query is not None:
            raise ValueError(f"a {self.type} event has no query")
        if self.type not in ("add_to_cart", "purchase") and (
            self.quantity is not None or self.price is not None
        ):
            raise ValueError("quantity and price belong to add_to_cart and purchase events")
        return self


class EventsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[EventIn] = Field(min_length=1)


def parse_events(raw: bytes, *, max_bytes: int, max_batch: int) -> list[EventIn]:
    """One event object, or `{"events": [...]}` of at most `max_batch`."""
    data = decode_json(raw, max_bytes=max_bytes)
    if not isinstance(data, dict):
        raise InvalidInput("the request body is a JSON object")
    try:
        events = (
            EventsRequest.model_validate(data).events
            if "events" in data
            else [EventIn.model_validate(data)]
        )
    except ValidationError as exc:
        raise InvalidInput("invalid event", details=validation_details(exc.errors())) from exc
    if len(events) > max_batch:
        raise InvalidInput(
            f"{len(events)} events in one request; the limit is {max_batch}",
            details={"limit": max_batch},
        )
    return events
