"""Idempotency records scoped to the user and bound to the request hash (issue 13).

Revision ID: c0013
Revises: c0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0013"
down_revision = "c0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_idempotency",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("response", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "key_hash"),
    )


def downgrade() -> None:
    op.drop_table("case_idempotency")
