"""Case store: users, cases, decisions, suppressions, parties, audit chain.

Revision ID: c0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("key_prefix", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "case_cases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("decision", sa.String(20), nullable=True),
        sa.Column("decision_reason", sa.Text, nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("query_key", sa.String(64), nullable=False),
        sa.Column("query", sa.JSON, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("candidates", sa.JSON, nullable=False),
        sa.Column("entity_hashes", sa.JSON, nullable=False),
        sa.Column("snapshot_ids", sa.JSON, nullable=False),
        sa.Column("top_score", sa.Float, nullable=False),
        sa.Column("top_caption", sa.String(500), nullable=False),
        sa.Column("idem_key", sa.String(200), nullable=True, unique=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_index("ix_case_cases_status", "case_cases", ["status"])
    op.create_index("ix_case_cases_query_key", "case_cases", ["query_key"])
    op.create_index("ix_case_cases_query_status", "case_cases", ["query_key", "status"])
    op.create_table(
        "case_decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("case_cases.id"), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", TZ, nullable=False),
    )
    op.create_index("ix_case_decisions_case_id", "case_decisions", ["case_id"])
    op.create_table(
        "case_suppressions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("query_key", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(300), nullable=False),
        sa.Column("entity_hash", sa.String(64), nullable=False),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("case_cases.id"), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("query_key", "entity_id"),
    )
    op.create_index("ix_case_suppressions_entity_id", "case_suppressions", ["entity_id"])
    op.create_table(
        "case_parties",
        sa.Column("query_key", sa.String(64), primary_key=True),
        sa.Column("query", sa.JSON, nullable=False),
        sa.Column("first_seen", TZ, nullable=False),
        sa.Column("last_screened", TZ, nullable=False),
    )
    op.create_table(
        "case_audit",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("object", sa.String(300), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "case_audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.execute("INSERT INTO case_audit_head (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')")


def downgrade() -> None:
    for table in (
        "case_audit_head",
        "case_audit",
        "case_parties",
        "case_suppressions",
        "case_decisions",
        "case_cases",
        "case_users",
    ):
        op.drop_table(table)
