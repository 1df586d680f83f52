"""account security: inventory, admin TOTP, backup codes, the team vault

Seeds are stored only as AES-GCM tokens (``smguard.security.crypto``); backup codes only as
salted scrypt hashes.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sec_accounts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("platform", sa.String(length=50), nullable=True),
        sa.Column("handle", sa.String(length=200), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("two_factor", sa.String(length=20), nullable=True),
        sa.Column("recovery_email", sa.String(length=300), nullable=True),
        sa.Column("recovery_phone", sa.String(length=50), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "sec_admins",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=300), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("departed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_active_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("sec_admins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sec_admins_status"), ["status"], unique=False)

    op.create_table(
        "sec_roles",
        sa.Column("admin_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["admin_id"], ["sec_admins.id"]),
        sa.PrimaryKeyConstraint("admin_id", "account", "role"),
    )
    op.create_table(
        "sec_admin_totp",
        sa.Column("admin_id", sa.Integer(), nullable=False),
        sa.Column("seed_ciphertext", sa.Text(), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pending_ciphertext", sa.Text(), nullable=True),
        sa.Column("pending_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["admin_id"], ["sec_admins.id"]),
        sa.PrimaryKeyConstraint("admin_id"),
    )
    op.create_table(
        "sec_backup_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("admin_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["admin_id"], ["sec_admins.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sec_backup_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sec_backup_codes_admin_id"), ["admin_id"], unique=False
        )

    op.create_table(
        "sec_vault_seeds",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("seed_ciphertext", sa.Text(), nullable=False),
        sa.Column("digits", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("algorithm", sa.String(length=10), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_code_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["sec_accounts.id"]),
        sa.PrimaryKeyConstraint("account_id"),
    )


def downgrade() -> None:
    op.drop_table("sec_vault_seeds")
    with op.batch_alter_table("sec_backup_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sec_backup_codes_admin_id"))
    op.drop_table("sec_backup_codes")
    op.drop_table("sec_admin_totp")
    op.drop_table("sec_roles")
    with op.batch_alter_table("sec_admins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sec_admins_status"))
    op.drop_table("sec_admins")
    op.drop_table("sec_accounts")
