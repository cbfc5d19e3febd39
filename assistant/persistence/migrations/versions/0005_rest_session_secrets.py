"""REST sessions that belong to someone: the SHA-256 of the secret issued to a REST sender on
its first message; later messages for that sender must carry the secret.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: widget conversations are keyed by their unguessable session token instead.
    op.add_column("conversations", sa.Column("secret_hash", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("conversations", "secret_hash")
