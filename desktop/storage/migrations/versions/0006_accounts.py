"""Accounts and security: auto-lock time and second-factor rule for the trust; passwords to
change at next sign-in; TOTP secrets and recovery codes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TRUST_COLUMNS = (
    ("auto_lock_minutes", "INTEGER NOT NULL DEFAULT '5'", sa.Integer(), "5"),
    ("admins_need_second_factor", "BOOLEAN NOT NULL DEFAULT '0'", sa.Boolean(), "0"),
)
_USER_COLUMNS = (
    ("must_change_password", "BOOLEAN NOT NULL DEFAULT '0'", sa.Boolean(), "0"),
    ("totp_secret", "VARCHAR(64)", sa.String(length=64), None),
    ("totp_last_step", "INTEGER", sa.Integer(), None),
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, columns in (("trusts", _TRUST_COLUMNS), ("users", _USER_COLUMNS)):
        for name, ddl, kind, default in columns:
            if sqlite:
                op.execute(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}")
            else:
                op.add_column(
                    table,
                    sa.Column(name, kind, nullable=default is None, server_default=default),
                )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_recovery_codes_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_recovery_codes"),
    )
    op.create_index("ix_recovery_codes_user_id", "recovery_codes", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_recovery_codes_user_id", "recovery_codes")
    op.drop_table("recovery_codes")
    for table, columns in (("users", _USER_COLUMNS), ("trusts", _TRUST_COLUMNS)):
        with op.batch_alter_table(table) as batch:
            for name, *_rest in reversed(columns):
                batch.drop_column(name)
