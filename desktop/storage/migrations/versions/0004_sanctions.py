"""Sanctions: policy profiles as installed, steps taken, a bar's or plan's events, letters.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RESTRICTION_COLUMNS = (
    ("step_id", "VARCHAR(64) NOT NULL DEFAULT ''"),
    ("profile_version", "VARCHAR(40) NOT NULL DEFAULT ''"),
    ("phase", "VARCHAR(40) NOT NULL DEFAULT ''"),
    ("notice_kind", "VARCHAR(20) NOT NULL DEFAULT ''"),
    ("representations_deadline", "DATE"),
    ("representations_on", "DATE"),
    ("period_number", "INTEGER NOT NULL DEFAULT '0'"),
    ("terms", "TEXT NOT NULL DEFAULT '{}'"),
)


def _who(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"], name=f"fk_{table}_{column}_users")


def upgrade() -> None:
    op.create_table(
        "policy_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("installed_by_id", sa.Integer(), nullable=True),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
        _who("policy_profiles", "installed_by_id"),
        sa.PrimaryKeyConstraint("id", name="pk_policy_profiles"),
    )
    # In place, not a batch copy: the front desk's list and the case search read these
    # tables, and SQLite adds columns (and a nullable reference) without rebuilding them.
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, ddl in _RESTRICTION_COLUMNS:
        op.execute(f"ALTER TABLE restrictions ADD COLUMN {name} {ddl}")
    if sqlite:
        op.execute(
            "ALTER TABLE restrictions ADD COLUMN profile_record_id INTEGER CONSTRAINT "
            "fk_restrictions_profile_record_id_policy_profiles REFERENCES policy_profiles (id)"
        )
    else:
        op.add_column("restrictions", sa.Column("profile_record_id", sa.Integer()))
        op.create_foreign_key(
            "fk_restrictions_profile_record_id_policy_profiles",
            "restrictions",
            "policy_profiles",
            ["profile_record_id"],
            ["id"],
        )
    op.create_table(
        "case_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("profile_record_id", sa.Integer(), nullable=True),
        sa.Column("profile_version", sa.String(length=40), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_by_role", sa.String(length=40), nullable=False),
        sa.Column("skip_authorised_by", sa.String(length=200), nullable=False),
        sa.Column("skip_role", sa.String(length=40), nullable=False),
        sa.Column("skip_justification", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("restriction_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_case_steps_case_id_cases", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["profile_record_id"],
            ["policy_profiles.id"],
            name="fk_case_steps_profile_record_id_policy_profiles",
        ),
        sa.ForeignKeyConstraint(
            ["restriction_id"],
            ["restrictions.id"],
            name="fk_case_steps_restriction_id_restrictions",
        ),
        _who("case_steps", "recorded_by_id"),
        sa.PrimaryKeyConstraint("id", name="pk_case_steps"),
    )
    op.create_index("ix_case_steps_case_id", "case_steps", ["case_id"])
    op.create_table(
        "restriction_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("restriction_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("by_name", sa.String(length=200), nullable=False),
        sa.Column("by_role", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("notice_kind", sa.String(length=20), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("starts", sa.Date(), nullable=True),
        sa.Column("ends", sa.Date(), nullable=True),
        sa.Column("review_due", sa.Date(), nullable=True),
        sa.Column("representations_deadline", sa.Date(), nullable=True),
        sa.Column("schools", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["restriction_id"],
            ["restrictions.id"],
            name="fk_restriction_events_restriction_id_restrictions",
            ondelete="CASCADE",
        ),
        _who("restriction_events", "recorded_by_id"),
        sa.PrimaryKeyConstraint("id", name="pk_restriction_events"),
    )
    op.create_index(
        "ix_restriction_events_restriction_id", "restriction_events", ["restriction_id"]
    )
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("letter_type", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("template_version", sa.String(length=40), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("large_print", sa.Boolean(), nullable=False),
        sa.Column("signed_by", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("case_step_id", sa.Integer(), nullable=True),
        sa.Column("restriction_event_id", sa.Integer(), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("printed_at", sa.DateTime(), nullable=True),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_letters_case_id_cases", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["case_step_id"], ["case_steps.id"], name="fk_letters_case_step_id_case_steps"
        ),
        sa.ForeignKeyConstraint(
            ["restriction_event_id"],
            ["restriction_events.id"],
            name="fk_letters_restriction_event_id_restriction_events",
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["letters.id"], name="fk_letters_supersedes_id_letters"
        ),
        _who("letters", "issued_by_id"),
        sa.PrimaryKeyConstraint("id", name="pk_letters"),
    )
    op.create_index("ix_letters_case_id", "letters", ["case_id"])
    if sqlite:
        op.execute(
            "ALTER TABLE case_events ADD COLUMN letter_id INTEGER CONSTRAINT "
            "fk_case_events_letter_id_letters REFERENCES letters (id)"
        )
        op.execute(
            "ALTER TABLE case_tasks ADD COLUMN restriction_id INTEGER CONSTRAINT "
            "fk_case_tasks_restriction_id_restrictions REFERENCES restrictions (id)"
        )
    else:
        op.add_column("case_events", sa.Column("letter_id", sa.Integer()))
        op.create_foreign_key(
            "fk_case_events_letter_id_letters", "case_events", "letters", ["letter_id"], ["id"]
        )
        op.add_column("case_tasks", sa.Column("restriction_id", sa.Integer()))
        op.create_foreign_key(
            "fk_case_tasks_restriction_id_restrictions",
            "case_tasks",
            "restrictions",
            ["restriction_id"],
            ["id"],
        )
    op.create_index("ix_case_tasks_restriction_id", "case_tasks", ["restriction_id"])


def downgrade() -> None:
    op.drop_index("ix_case_tasks_restriction_id", "case_tasks")
    with op.batch_alter_table("case_tasks") as batch:
        batch.drop_column("restriction_id")
    with op.batch_alter_table("case_events") as batch:
        batch.drop_column("letter_id")
    op.drop_table("letters")
    op.drop_table("restriction_events")
    op.drop_table("case_steps")
    with op.batch_alter_table("restrictions") as batch:
        batch.drop_column("profile_record_id")
        for name, _ddl in _RESTRICTION_COLUMNS:
            batch.drop_column(name)
    op.drop_table("policy_profiles")
