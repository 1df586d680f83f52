"""account watch: activity events and per-account watch cursors

``activity_events`` holds what connectors saw (its ``id`` is the event's stable id, so a repeat is
dropped by the primary key); ``watch_cursors`` holds where the last poll of each account left off,
with a lease so that two ``smguard watch`` processes never poll one account at once.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_events",
        sa.Column("id", sa.String(length=300), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("device", sa.Text(), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_activity_events_account_at", "activity_events", ["account", "at"])
    op.create_index(
        "ix_activity_events_account_kind_at", "activity_events", ["account", "kind", "at"]
    )
    op.create_index(
        "ix_activity_events_account_processed", "activity_events", ["account", "processed_at"]
    )
    op.create_table(
        "watch_cursors",
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("connector", sa.String(length=50), nullable=False),
        sa.Column("cursor", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_ok_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("account", "connector"),
    )


def downgrade() -> None:
    op.drop_table("watch_cursors")
    op.drop_index("ix_activity_events_account_processed", table_name="activity_events")
    op.drop_index("ix_activity_events_account_kind_at", table_name="activity_events")
    op.drop_index("ix_activity_events_account_at", table_name="activity_events")
    op.drop_table("activity_events")
