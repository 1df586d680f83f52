"""reports: engagement counts of live posts (likes, reposts, replies) as the platforms give them

One row per post and account, refreshed each time the watch or an archive reads the post again;
the report's engagement by hour of the week and its prime-time recommendation read it.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "post_engagement",
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("post_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("likes", sa.Integer(), nullable=True),
        sa.Column("reposts", sa.Integer(), nullable=True),
        sa.Column("replies", sa.Integer(), nullable=True),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("account", "platform", "post_id"),
    )
    op.create_index(
        "ix_post_engagement_account_published", "post_engagement", ["account", "published_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_post_engagement_account_published", table_name="post_engagement")
    op.drop_table("post_engagement")
