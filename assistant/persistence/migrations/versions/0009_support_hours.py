"""Nobody waits forever: a hand-off no agent could take goes to the offline queue with why
(`offline_reason`) and the address the shopper left (`email`); a console's session records
when it was last connected (`seen_at`), which is how the server knows anyone is signed in.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("handoffs", sa.Column("offline_reason", sa.String(16), nullable=True))
    op.add_column("handoffs", sa.Column("email", sa.String(254), nullable=True))
    op.add_column("staff_sessions", sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("staff_sessions", "seen_at")
    op.drop_column("handoffs", "email")
    op.drop_column("handoffs", "offline_reason")
