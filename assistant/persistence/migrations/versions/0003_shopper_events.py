"""Shopper events: views, searches, cart additions, purchases and chat product clicks.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "shopper_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("session_id", sa.String(length=128), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("item_id", sa.String(length=32), nullable=True),
        sa.Column("query", sa.Text(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("occurred_at", TIMESTAMP, nullable=False),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shopper_events")),
    )
    op.create_index("ix_shopper_events_session", "shopper_events", ["session_id", "occurred_at"])
    op.create_index("ix_shopper_events_customer", "shopper_events", ["customer_id", "occurred_at"])
    op.create_index("ix_shopper_events_item", "shopper_events", ["item_id"])


def downgrade() -> None:
    op.drop_table("shopper_events")
