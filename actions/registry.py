"""The explicit list of actions the assistant registers; no subclass scanning."""

from __future__ import annotations

from rasa_sdk import Action

from actions.auth import ActionAuthenticate, ActionSignIn
from actions.cart import ActionAddToCart
from actions.handoff import ActionHandoff
from actions.knowledge import ActionAnswerOrFallback, ActionAnswerQuestion
from actions.new_items import ActionAskNewItemIds
from actions.order_apply import (
    ActionApplyOrderChange,
    ActionAskConfirmation,
    ActionDropOrderChange,
)
from actions.order_changes import (
    ActionAskAddress,
    ActionAskCancelReason,
    ActionAskItemIds,
    ActionAskPaymentMethod,
    ActionStartOrderTask,
    ActionValidateCancelReason,
    ActionValidatePaymentMethod,
)
from actions.order_info import ActionListOrders, ActionOrderStatus, ActionProductInfo
from actions.order_reading import ActionReadOrderFacts
from actions.order_task import ActionAskOrderId, ActionValidateOrderId
from actions.repair import ActionAnswerIfCovered, ActionAnswerThenOffer, ActionStopTask
from actions.shopping import ActionContinueSearch, ActionSearchProducts
from actions.suggestions import ActionRecommend

ACTIONS: tuple[type[Action], ...] = (
    ActionHandoff,
    ActionAuthenticate,
    ActionSignIn,
    ActionStartOrderTask,
    ActionAskOrderId,
    ActionValidateOrderId,
    ActionAskItemIds,
    ActionAskNewItemIds,
    ActionAskPaymentMethod,
    ActionValidatePaymentMethod,
    ActionAskCancelReason,
    ActionValidateCancelReason,
    ActionAskAddress,
    ActionAskConfirmation,
    ActionApplyOrderChange,
    ActionReadOrderFacts,
    ActionDropOrderChange,
    ActionOrderStatus,
    ActionListOrders,
    ActionProductInfo,
    ActionAnswerQuestion,
    ActionAnswerOrFallback,
    ActionSearchProducts,
    ActionContinueSearch,
    ActionRecommend,
    ActionAddToCart,
    ActionStopTask,
    ActionAnswerIfCovered,
    ActionAnswerThenOffer,
)
