"""Conversation ratings: the shopper's satisfaction score (1 to 5), comment and time, on the
conversation (a later rating replaces the earlier).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def _rating_columns() -> list[sa.Column[Any]]:
    # Nullable: a conversation nobody rated has none.
    return [
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.Column("rated_at", TIMESTAMP, nullable=True),
    ]


def upgrade() -> None:
    for column in _rating_columns():
        op.add_column("conversations", column)


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35 has it): a batch copy of `conversations`
    # would drop the table its messages, slots and hand-offs reference.
    for column in reversed(_rating_columns()):
        op.drop_column("conversations", column.name)
