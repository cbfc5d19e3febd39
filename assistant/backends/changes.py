"""An order change as one typed value, and the one `apply` that makes it.

The seven writes an order backend offers, each a frozen model with a `kind` (the backend
operation's name): the order actions build one from a confirmed flow, the task eval's judge
from a task's expected goal, and both hand it to `apply`, so the mapping from a change to a
backend call is written once. `parse_change` reads one from plain data (a τ²-bench goal's
arguments) and raises `InvalidChange`, naming the field, when it is not one.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from assistant.backends.orders import AddressView, ChangeResult, OrderBackend
from assistant.errors import AisleError


class InvalidChange(AisleError):
    status_code: ClassVar[int] = 422
    code: ClassVar[str] = "invalid_order_change"


class _Change(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CancelOrder(_Change):
    kind: Literal["cancel_order"] = "cancel_order"
    order_id: str
    reason: str


class ModifyOrderAddress(_Change):
    kind: Literal["modify_order_address"] = "modify_order_address"
    order_id: str
    address: AddressView


class ModifyOrderPayment(_Change):
    kind: Literal["modify_order_payment"] = "modify_order_payment"
    order_id: str
    payment_method_id: str


class _ItemsSwap(_Change):
    """Items of an order for other options of the same products, the difference settled
    with a payment method: a pending order's modification or a delivered one's exchange."""

    order_id: str
    item_ids: tuple[str, ...]
    new_item_ids: tuple[str, ...]
    payment_method_id: str


class ModifyOrderItems(_ItemsSwap):
    kind: Literal["modify_order_items"] = "modify_order_items"


class ExchangeOrderItems(_ItemsSwap):
    kind: Literal["exchange_order_items"] = "exchange_order_items"


class ReturnOrderItems(_Change):
    kind: Literal["return_order_items"] = "return_order_items"
    order_id: str
    item_ids: tuple[str, ...]
    payment_method_id: str


class ModifyCustomerAddress(_Change):
    kind: Literal["modify_customer_address"] = "modify_customer_address"
    address: AddressView


OrderChange = Annotated[
    CancelOrder
    | ModifyOrderAddress
    | ModifyOrderPayment
    | ModifyOrderItems
    | ExchangeOrderItems
    | ReturnOrderItems
    | ModifyCustomerAddress,
    Field(discriminator="kind"),
]
_ADAPTER: TypeAdapter[OrderChange] = TypeAdapter(OrderChange)
# Each kind's model.
CHANGES: dict[str, type[_Change]] = {
    model.model_fields["kind"].default: model
    for model in (
        CancelOrder,
        ModifyOrderAddress,
        ModifyOrderPayment,
        ModifyOrderItems,
        ExchangeOrderItems,
        ReturnOrderItems,
        ModifyCustomerAddress,
    )
}


def parse_change(data: dict[str, Any]) -> OrderChange:
    """A change from plain data with its `kind`; `InvalidChange` names what is wrong."""
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "kind"
        raise InvalidChange(f"not an order change: {where}: {problem['msg']}") from exc


def apply(
    backend: OrderBackend, change: OrderChange, *, customer_id: str, key: str
) -> ChangeResult:
    """Make the change through the backend, which checks the store's rules and raises
    `OrderPolicyError` (changing nothing) when one is broken."""
    match change:
        case CancelOrder():
            return backend.cancel_order(
                change.order_id, change.reason, customer_id=customer_id, key=key
            )
        case ModifyOrderAddress():
            return backend.modify_order_address(
                change.order_id, change.address, customer_id=customer_id, key=key
            )
        case ModifyOrderPayment():
            return backend.modify_order_payment(
                change.order_id, change.payment_method_id, customer_id=customer_id, key=key
            )
        case ModifyOrderItems() | ExchangeOrderItems():
            write = (
                backend.modify_order_items
                if isinstance(change, ModifyOrderItems)
                else backend.exchange_order_items
            )
            return write(
                change.order_id,
                list(change.item_ids),
                list(change.new_item_ids),
                change.payment_method_id,
                customer_id=customer_id,
                key=key,
            )
        case ReturnOrderItems():
            return backend.return_order_items(
                change.order_id,
                list(change.item_ids),
                change.payment_method_id,
                customer_id=customer_id,
                key=key,
            )
        case ModifyCustomerAddress():
            return backend.modify_customer_address(change.address, customer_id=customer_id, key=key)
