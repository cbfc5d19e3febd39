"""Adding to the cart: the widget hands the `add_to_cart` message to the store's page."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.cards import record
from actions.common import latest_text, payload_value
from actions.payments import money
from actions.variant_choice import describe_options
from assistant.search.state import SearchState


class ActionAddToCart(Action):
    """Adds an item to the store's cart: the widget hands the `add_to_cart` message to the
    page, and the addition is recorded."""

    def name(self) -> str:
        return "action_add_to_cart"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        session = await services.current().shopping.catalog.current()
        item_id = payload_value(tracker, "item_id")
        state = SearchState.from_dict(tracker.get_slot("search"))
        hit = None
        if item_id is not None:
            hit = session.index.find(str(item_id))
        elif state is not None and state.page:
            outcome = session.turn(latest_text(tracker), state)
            if outcome.kind == "details":
                hit = outcome.hits[0]
            elif state.focus is not None:
                hit = session.index.find(state.focus)
            elif len(state.page) == 1:
                hit = session.index.find(state.page[0])
        if hit is None:
            dispatcher.utter_message(response="utter_cart_which_item")
            return []
        if not hit.variant.available:
            dispatcher.utter_message(
                response="utter_cart_out_of_stock",
                name=hit.product.name,
                options=describe_options(hit.variant.options),
            )
            return []
        await record(tracker, "add_to_cart", hit=hit)
        dispatcher.utter_message(
            response="utter_cart_added",
            name=hit.product.name,
            options=describe_options(hit.variant.options),
            price=money(hit.variant.price),
            json_message={
                "type": "add_to_cart",
                "item_id": hit.item_id,
                "product_id": hit.product.id,
                "name": hit.product.name,
                "options": dict(hit.variant.options),
                "price": str(hit.variant.price),
                "quantity": 1,
            },
        )
        return []
