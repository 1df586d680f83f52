"""account watch: which detector reported which activity event

One row per (detector, event): a re-run of the detectors over events they already reported adds
nothing, and two watchers that see the same event at once report it once (the unique index).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "detections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("detector", sa.String(length=50), nullable=False),
        sa.Column("event_id", sa.String(length=300), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_detections_detector_event", "detections", ["detector", "event_id"], unique=True
    )
    op.create_index("ix_detections_account_event_at", "detections", ["account", "event_at"])
    op.create_index("ix_detections_event_id", "detections", ["event_id"])


def downgrade() -> None:
    op.drop_index("ix_detections_event_id", table_name="detections")
    op.drop_index("ix_detections_account_event_at", table_name="detections")
    op.drop_index("uq_detections_detector_event", table_name="detections")
    op.drop_table("detections")
