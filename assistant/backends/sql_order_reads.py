"""The built-in order backend's reads: who a shopper is, their orders, the catalog, and the
audit of changes, on the assistant's database; and the loading of the rows a write works on.

An order is always loaded for its customer: another customer's is "not found" too, so ids do
not leak. The writes (`sql_orders.py`) load their rows with the same functions.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from assistant.backends.orders import (
    CustomerNotFound,
    CustomerView,
    OrderNotFound,
    OrderView,
    PaymentMethodNotFound,
    ProductNotFound,
    ProductView,
)
from assistant.backends.sql_order_views import customer_view, order_view, product_view
from assistant.config.store import DEMO_CANCEL_REASONS, CancelReason, OrderIds
from assistant.persistence.models.store import (
    Address,
    Customer,
    Order,
    OrderChange,
    PaymentMethod,
    Product,
)

_ORDER_LOAD = (
    selectinload(Order.items),
    selectinload(Order.fulfilments),
    selectinload(Order.payments),
)


def _fold(text: str) -> str:
    """Case and accents folded: a shopper who types "Vazquez" is "Vázquez"."""
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def load_customer(session: Session, customer_id: str) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise CustomerNotFound(f"no customer {customer_id}", details={"customer_id": customer_id})
    return customer


def load_order(session: Session, normalised: str, customer_id: str) -> Order:
    """The customer's order (its id in the store's spelling); another customer's is "not
    found" too, so ids do not leak."""
    order = session.scalars(
        select(Order).where(Order.id == normalised).options(*_ORDER_LOAD)
    ).first()
    if order is None or order.customer_id != customer_id:
        raise OrderNotFound(f"no order {normalised}", details={"order_id": normalised})
    return order


def load_method(session: Session, customer_id: str, method_id: str) -> PaymentMethod:
    method = session.get(PaymentMethod, method_id)
    if method is None or method.customer_id != customer_id:
        raise PaymentMethodNotFound(
            f"no payment method {method_id}", details={"payment_method_id": method_id}
        )
    return method


class SqlOrderReads:
    """The reads of `OrderBackend` on the store tables; `SqlOrderBackend` adds the writes."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        order_ids: OrderIds | None = None,
        cancel_reasons: tuple[CancelReason, ...] = DEMO_CANCEL_REASONS,
    ) -> None:
        self._factory = session_factory
        self.order_ids = order_ids or OrderIds()
        self.cancel_reasons = cancel_reasons

    # Authentication.

    def find_customer_by_email(self, email: str) -> str:
        wanted = email.strip().lower()
        found = None
        if wanted:
            with self._factory() as session:
                found = session.scalars(
                    select(Customer.id)
                    .where(func.lower(Customer.email) == wanted)
                    .order_by(Customer.id)
                ).first()
        if found is None:
            raise CustomerNotFound("no customer with that email")
        return found

    def find_customer_by_name_zip(self, first_name: str, last_name: str, zip_code: str) -> str:
        # The zip narrows the search in SQL; names compare folded, which SQL cannot do portably.
        with self._factory() as session:
            rows = session.execute(
                select(Customer.id, Customer.first_name, Customer.last_name)
                .join(Address, Address.customer_id == Customer.id)
                .where(Address.zip == zip_code.strip())
                .order_by(Customer.id)
            ).all()
        wanted = (_fold(first_name), _fold(last_name))
        for customer_id, first, last in rows:
            if (_fold(first), _fold(last)) == wanted:
                return str(customer_id)
        raise CustomerNotFound("no customer with that name and zip code")

    # Reads.

    def get_customer(self, customer_id: str) -> CustomerView:
        with self._factory() as session:
            return customer_view(session, load_customer(session, customer_id))

    def get_order(self, order_id: str, *, customer_id: str) -> OrderView:
        with self._factory() as session:
            return order_view(load_order(session, self.order_ids.normalise(order_id), customer_id))

    def list_orders(self, customer_id: str) -> list[OrderView]:
        with self._factory() as session:
            load_customer(session, customer_id)
            orders = session.scalars(
                select(Order)
                .where(Order.customer_id == customer_id)
                .order_by(Order.id)
                .options(*_ORDER_LOAD)
            )
            return [order_view(order) for order in orders]

    def get_product(self, product_id: str) -> ProductView:
        with self._factory() as session:
            product = session.get(Product, product_id.strip())
            if product is None:
                raise ProductNotFound(
                    f"no product {product_id}", details={"product_id": product_id}
                )
            return product_view(product)

    def list_products(self) -> list[ProductView]:
        with self._factory() as session:
            products = session.scalars(
                select(Product)
                .order_by(Product.name, Product.id)
                .options(selectinload(Product.variants))
            )
            return [product_view(product) for product in products]

    # Audit.

    def changes(self, *, customer_id: str | None = None) -> list[dict[str, Any]]:
        query = select(OrderChange).order_by(OrderChange.id)
        if customer_id is not None:
            query = query.where(OrderChange.customer_id == customer_id)
        with self._factory() as session:
            return [
                {
                    "key": change.key,
                    "operation": change.operation,
                    "customer_id": change.customer_id,
                    "order_id": change.order_id,
                    "arguments": change.arguments,
                    "created_at": change.created_at,
                }
                for change in session.scalars(query)
            ]
