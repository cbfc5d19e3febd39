"""Reading orders and products: an order's status and tracking, the customer's orders, and
which options of a product are available."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    button,
    call,
    item_label,
    latest_text,
    order_card,
    order_headline,
    orders,
    part,
    status_line,
    texts_since_flow_start,
)
from actions.payments import money
from actions.variant_choice import describe_options
from assistant.backends.orders import OrderView, PaymentMethodView, ProductView
from assistant.search.words import mentioned_values, names_product


def _status_text(order: OrderView, methods: dict[str, PaymentMethodView]) -> tuple[list[Any], str]:
    """What the order card does not show (the status line, payments, reasons), as lines of
    the message, and what it does, as text (`text_form`: items, total, address, tracking) for
    channels without cards."""
    lines: list[Any] = [status_line(order.id, order.status)]
    for payment in order.payments:
        method = methods.get(payment.payment_method_id)
        label = method.label if method else payment.payment_method_id
        lines.append(f"{payment.transaction_type.title()}: {money(payment.amount)} ({label})")
    if order.cancel_reason:
        lines.append(part("utter_order_cancelled_because", reason=order.cancel_reason))
    if order.return_items:
        lines.append(part("utter_order_return_items", count=len(order.return_items)))
    if order.exchange_items:
        lines.append(part("utter_order_exchange_items", count=len(order.exchange_items)))
    shown = [f"• {item_label(item)}: {money(item.price)}" for item in order.items]
    shown.append(f"Total: {money(order.total)}. Address: {order.address.one_line()}.")
    tracking = [t for f in order.fulfilments for t in f.tracking_ids]
    if tracking:
        label = "Tracking numbers" if len(tracking) > 1 else "Tracking number"
        shown.append(f"{label}: {', '.join(tracking)}")
    return lines, "\n".join(shown)


class ActionOrderStatus(Action):
    def name(self) -> str:
        return "action_order_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        backend = orders()
        customer = await call(backend.get_customer, str(tracker.get_slot("customer_id")))
        order = await call(
            backend.get_order, str(tracker.get_slot("order_id")), customer_id=customer.id
        )
        methods = {m.id: m for m in customer.payment_methods}
        lines, shown = _status_text(order, methods)
        # One message: the widget draws the card beside the text, REST appends its text form.
        dispatcher.utter_message(
            response="utter_order_status",
            lines=lines,
            json_message={**order_card(order), "text_form": shown},
        )
        return []


class ActionListOrders(Action):
    def name(self) -> str:
        return "action_list_orders"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        listed = await call(orders().list_orders, str(tracker.get_slot("customer_id")))
        if not listed:
            dispatcher.utter_message(response="utter_no_orders")
            return []
        dispatcher.utter_message(
            response="utter_your_orders" if len(listed) > 1 else "utter_your_order",
            count=len(listed),
            orders="\n".join(f"• {order_headline(order)}" for order in listed),
            buttons=[
                button(f"Details of {o.id}", intent="order_status", order_id=o.id)
                for o in listed[:10]
            ],
        )
        return []


def _product_named(text: str, products: list[ProductView]) -> ProductView | None:
    named = [p for p in products if names_product(text, p.name)]
    # "smart watch" names Smart Watch better than Smart Thermostat would by "smart".
    named.sort(key=lambda p: -len(p.name))
    return named[0] if named else None


class ActionProductInfo(Action):
    """How many variants of a product are available, with their options and prices."""

    def name(self) -> str:
        return "action_product_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        products = await call(orders().list_products)
        said = latest_text(tracker)
        product = _product_named(said, products) or _product_named(
            " ".join(texts_since_flow_start(tracker)), products
        )
        if product is None:
            dispatcher.utter_message(response="utter_product_unknown")
            return []
        wanted = mentioned_values(said, [v.options for v in product.variants])
        available = [
            v
            for v in product.variants
            if v.available and all(str(v.options.get(k)) in vs for k, vs in wanted.items())
        ]
        # The option values the shopper named, if any: "No T-Shirt with black, L is …".
        values = ", ".join(sorted(v for vs in wanted.values() for v in vs))
        if not available:
            dispatcher.utter_message(
                response="utter_product_none_with" if values else "utter_product_none",
                product=product.name,
                values=values,
            )
            return []
        if len(available) > 1:
            head = "utter_product_options_with" if values else "utter_product_options"
        else:
            head = "utter_product_option_with" if values else "utter_product_option"
        lines: list[Any] = [
            part(head, count=len(available), values=values),
            *(f"• {describe_options(v.options)}: {money(v.price)}" for v in available[:20]),
        ]
        if len(available) > 20:
            lines.append(part("utter_and_more", count=len(available) - 20))
        dispatcher.utter_message(response="utter_product_info", product=product.name, lines=lines)
        return []
