"""Order changes: what the order backend's writes record on an order (cancel reason, return
and exchange requests) and the `order_changes` table of applied writes by idempotency key.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(precision=12, scale=2)
TIMESTAMP = sa.DateTime(timezone=True)


def _order_columns() -> list[sa.Column[Any]]:
    # Nullable, so existing orders need no backfill; the backend reads NULL lists as empty.
    return [
        sa.Column("cancel_reason", sa.String(length=64), nullable=True),
        sa.Column("return_items", sa.JSON(), nullable=True),
        sa.Column("return_payment_method_id", sa.String(length=64), nullable=True),
        sa.Column("exchange_items", sa.JSON(), nullable=True),
        sa.Column("exchange_new_items", sa.JSON(), nullable=True),
        sa.Column("exchange_payment_method_id", sa.String(length=64), nullable=True),
        sa.Column("exchange_price_difference", MONEY, nullable=True),
    ]


def upgrade() -> None:
    for column in _order_columns():
        op.add_column("orders", column)
    op.create_table(
        "order_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("operation", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=True),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_order_changes_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_changes_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_changes")),
        sa.UniqueConstraint("key", name=op.f("uq_order_changes_key")),
    )
    op.create_index(op.f("ix_order_changes_customer_id"), "order_changes", ["customer_id"])


def downgrade() -> None:
    op.drop_table("order_changes")
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35 has it): a batch copy of `orders` would
    # drop the table its children reference, and with foreign keys on, cascade into them.
    for column in reversed(_order_columns()):
        op.drop_column("orders", column.name)
