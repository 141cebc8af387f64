"""Letters: the trust's edited wording, signatures and their delegates, the print queue.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _who(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"], name=f"fk_{table}_{column}_users")


def upgrade() -> None:
    op.create_table(
        "letter_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_type", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("saved_by_id", sa.Integer(), nullable=True),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        _who("letter_templates", "saved_by_id"),
        sa.PrimaryKeyConstraint("id", name="pk_letter_templates"),
        sa.UniqueConstraint("letter_type", "number", name="uq_letter_templates_letter_type"),
    )
    op.create_index("ix_letter_templates_letter_type", "letter_templates", ["letter_type"])
    op.create_table(
        "signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        _who("signatures", "user_id"),
        sa.PrimaryKeyConstraint("id", name="pk_signatures"),
        sa.UniqueConstraint("user_id", name="uq_signatures_user_id"),
    )
    op.create_table(
        "signature_delegates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signatory_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        _who("signature_delegates", "signatory_id"),
        _who("signature_delegates", "delegate_id"),
        sa.PrimaryKeyConstraint("id", name="pk_signature_delegates"),
    )
    op.create_index("ix_signature_delegates_signatory_id", "signature_delegates", ["signatory_id"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE letters ADD COLUMN queued_at DATETIME")
        op.execute(
            "ALTER TABLE letters ADD COLUMN signature_user_id INTEGER CONSTRAINT "
            "fk_letters_signature_user_id_users REFERENCES users (id)"
        )
        op.execute("ALTER TABLE letters ADD COLUMN signed_as VARCHAR(20) NOT NULL DEFAULT ''")
    else:
        op.add_column("letters", sa.Column("queued_at", sa.DateTime(), nullable=True))
        op.add_column("letters", sa.Column("signature_user_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_letters_signature_user_id_users", "letters", "users", ["signature_user_id"], ["id"]
        )
        op.add_column(
            "letters",
            sa.Column("signed_as", sa.String(length=20), nullable=False, server_default=""),
        )


def downgrade() -> None:
    with op.batch_alter_table("letters") as batch:
        batch.drop_column("signed_as")
        batch.drop_column("signature_user_id")
        batch.drop_column("queued_at")
    op.drop_table("signature_delegates")
    op.drop_table("signatures")
    op.drop_index("ix_letter_templates_letter_type", "letter_templates")
    op.drop_table("letter_templates")
