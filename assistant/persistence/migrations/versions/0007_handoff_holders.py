"""Hand-off holders: the staff account (`staff_users.id`) that holds a hand-off, so that one
agent's conversation is not taken or written in by another.

A plain column, without a foreign key: SQLite adds one only by copying the table, and a
hand-off keeps its agent's name when the account goes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("handoffs", sa.Column("agent_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("handoffs", "agent_id")
