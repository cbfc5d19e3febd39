"""The one prelude of an order flow's steps: "actually, the other order" is handled (or the
order asked for, when a step is reached without one), then the step runs on the order it is
about, loaded once; `change_default_address` is about no order."""

from __future__ import annotations

from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import flow_of
from actions.order_task import current_order, switch_order
from assistant.backends.orders import OrderView


class OrderStep:
    """A step of an order flow, mixed into its `Action` (`class ActionX(OrderStep, Action)`)
    and writing `step`. Not an `Action` itself: the action server registers every `Action`
    subclass, and this one has no name."""

    # False: the step reads no order (it asks about the customer's own details).
    needs_order: ClassVar[bool] = True

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        switched = await switch_order(dispatcher, tracker)
        if switched is not None:
            return switched
        order = None
        if self.needs_order and flow_of(tracker) != "change_default_address":
            order = await current_order(tracker)
        return await self.step(dispatcher, tracker, order)

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderView | None
    ) -> list[EventType]:
        raise NotImplementedError
