"""one open incident per dedupe key (partial unique index)

Two processes that see the same cause at the same moment must end with one incident and two
sightings. The database enforces it: among incidents that are not resolved, a dedupe key is
unique, so a second opener's insert waits for the first and then finds its row.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_OPEN = sa.text("status <> 'resolved'")


def upgrade() -> None:
    op.create_index(
        "uq_incidents_open_dedupe_key",
        "incidents",
        ["dedupe_key"],
        unique=True,
        postgresql_where=_OPEN,
        sqlite_where=_OPEN,
    )


def downgrade() -> None:
    op.drop_index("uq_incidents_open_dedupe_key", table_name="incidents")
