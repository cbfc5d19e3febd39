"""Customer tokens: the store's backend signs one for its logged-in customer (an HS256 JWT with
`sub`, the store's customer id, a required `exp` and an optional `name`), the widget passes it
on (`hello`'s `customer_token`, `identify`), and the conversation then knows the customer as if
they had proven who they are in the chat.

A token counts only with a valid signature by `channels.identity_secret`, an `exp` still in the
future, and a `sub` that names a customer of the store's backend.
"""

from __future__ import annotations

from dataclasses import dataclass

import anyio
import jwt

from assistant.backends.orders import CustomerNotFound, OrderBackend
from assistant.errors import IdentifyDisabled, InvalidToken

ALGORITHM = "HS256"
MAX_CUSTOMER_ID_CHARS = 64
MAX_NAME_CHARS = 128


@dataclass(frozen=True)
class TokenClaims:
    customer_id: str
    name: str | None


@dataclass(frozen=True)
class IdentifiedCustomer:
    """A customer the store vouched for: `first_name` as the assistant's authentication
    addresses them, `name` as the store's token named them (else the first name)."""

    id: str
    first_name: str
    name: str


def verify_token(token: str, secret: str | None) -> TokenClaims:
    """The claims of a token signed with `secret`; `InvalidToken` for any other token."""
    if secret is None:
        raise IdentifyDisabled(
            "customer tokens are not accepted: channels.identity_secret is unset"
        )
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("the customer token has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise InvalidToken(f"the customer token is not valid: {exc}") from exc
    customer_id = claims["sub"]
    if (
        not isinstance(customer_id, str)
        or not 0 < len(customer_id) <= MAX_CUSTOMER_ID_CHARS
        or not customer_id.isprintable()
    ):
        raise InvalidToken(f"the token's sub is 1 to {MAX_CUSTOMER_ID_CHARS} printable characters")
    name = claims.get("name")
    if name is not None and (not isinstance(name, str) or len(name) > MAX_NAME_CHARS):
        raise InvalidToken(f"the token's name is a string of at most {MAX_NAME_CHARS} characters")
    return TokenClaims(customer_id=customer_id, name=name.strip() if name else None)


async def identify_customer(
    token: str, *, secret: str | None, orders: OrderBackend
) -> IdentifiedCustomer:
    """The store's customer a valid token names, looked up as the chat's authentication does."""
    claims = verify_token(token, secret)
    try:
        customer = await anyio.to_thread.run_sync(orders.get_customer, claims.customer_id)
    except CustomerNotFound as exc:
        raise InvalidToken("the customer token names no customer of this store") from exc
    return IdentifiedCustomer(
        id=customer.id, first_name=customer.first_name, name=claims.name or customer.first_name
    )
