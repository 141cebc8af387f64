"""Restrictions: bars and communication plans, for the front desk's list and the banner.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "restrictions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=True),
        sa.Column("review_due", sa.Date(), nullable=True),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("named_contact", sa.String(length=200), nullable=False),
        sa.Column("contact_role", sa.String(length=200), nullable=False),
        sa.Column("channels", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_restrictions_case_id_cases", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name="fk_restrictions_person_id_persons"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name="fk_restrictions_created_by_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_restrictions"),
    )
    op.create_index("ix_restrictions_case_id", "restrictions", ["case_id"])
    op.create_index("ix_restrictions_person_id", "restrictions", ["person_id"])
    op.create_index("ix_restrictions_state_ends", "restrictions", ["state", "ends"])
    op.create_table(
        "restriction_schools",
        sa.Column("restriction_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["restriction_id"],
            ["restrictions.id"],
            name="fk_restriction_schools_restriction_id_restrictions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name="fk_restriction_schools_school_id_schools",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("restriction_id", "school_id", name="pk_restriction_schools"),
    )


def downgrade() -> None:
    op.drop_table("restriction_schools")
    op.drop_index("ix_restrictions_state_ends", table_name="restrictions")
    op.drop_index("ix_restrictions_person_id", table_name="restrictions")
    op.drop_index("ix_restrictions_case_id", table_name="restrictions")
    op.drop_table("restrictions")
