"""ORM models. Importing this package registers every table on `Base.metadata`."""

from assistant.persistence.models.admin import (
    AuditEntry,
    CatalogImport,
    KnowledgeDocument,
    KnowledgeRevision,
)
from assistant.persistence.models.base import Base
from assistant.persistence.models.conversation import (
    AgentNote,
    Conversation,
    Handoff,
    Message,
    SlotValue,
    TrackerEvent,
)
from assistant.persistence.models.events import ShopperEvent
from assistant.persistence.models.staff import StaffSession, StaffUser
from assistant.persistence.models.store import (
    Address,
    Customer,
    Fulfilment,
    Order,
    OrderItem,
    PaymentMethod,
    PaymentTransaction,
    Product,
    Variant,
)

__all__ = [
    "Address",
    "AgentNote",
    "AuditEntry",
    "Base",
    "CatalogImport",
    "Conversation",
    "Customer",
    "Fulfilment",
    "Handoff",
    "KnowledgeDocument",
    "KnowledgeRevision",
    "Message",
    "Order",
    "OrderItem",
    "PaymentMethod",
    "PaymentTransaction",
    "Product",
    "ShopperEvent",
    "SlotValue",
    "StaffSession",
    "StaffUser",
    "TrackerEvent",
    "Variant",
]
