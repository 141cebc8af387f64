"""Case files: chronology versions, people in a case, tasks, merged people, evidence limit.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("trusts") as batch:
        batch.add_column(
            sa.Column("evidence_limit_mb", sa.Integer(), server_default="200", nullable=False)
        )
    # Not a batch copy: the case search triggers name `persons`, and SQLite adds a
    # nullable column with its reference in place.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE persons ADD COLUMN merged_into_id INTEGER "
            "CONSTRAINT fk_persons_merged_into_id_persons REFERENCES persons (id)"
        )
    else:
        op.add_column("persons", sa.Column("merged_into_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_persons_merged_into_id_persons", "persons", "persons", ["merged_into_id"], ["id"]
        )
    with op.batch_alter_table("case_events") as batch:
        batch.add_column(sa.Column("root_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(sa.Column("edit_reason", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("incident_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("evidence_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_case_events_incident_id_incidents", "incidents", ["incident_id"], ["id"]
        )
        batch.create_foreign_key(
            "fk_case_events_evidence_id_evidence", "evidence", ["evidence_id"], ["id"]
        )
        batch.create_index("ix_case_events_root_id", ["root_id"])
        batch.create_index("ix_case_events_supersedes_id", ["supersedes_id"])
    op.execute("UPDATE case_events SET root_id = id WHERE root_id IS NULL")
    op.create_table(
        "case_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_case_people_case_id_cases", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name="fk_case_people_person_id_persons"
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name="fk_case_people_added_by_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_case_people"),
        sa.UniqueConstraint("case_id", "person_id", name="uq_case_people_case_id"),
    )
    op.create_index("ix_case_people_case_id", "case_people", ["case_id"])
    op.create_index("ix_case_people_person_id", "case_people", ["person_id"])
    op.create_table(
        "case_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_case_tasks_case_id_cases", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_case_tasks_owner_id_users"),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["users.id"], name="fk_case_tasks_done_by_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name="fk_case_tasks_created_by_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_case_tasks"),
    )
    op.create_index("ix_case_tasks_case_id", "case_tasks", ["case_id"])
    op.create_index("ix_case_tasks_due_on", "case_tasks", ["due_on"])


def downgrade() -> None:
    op.drop_table("case_tasks")
    op.drop_table("case_people")
    with op.batch_alter_table("case_events") as batch:
        batch.drop_index("ix_case_events_supersedes_id")
        batch.drop_index("ix_case_events_root_id")
        batch.drop_constraint("fk_case_events_evidence_id_evidence", type_="foreignkey")
        batch.drop_constraint("fk_case_events_incident_id_incidents", type_="foreignkey")
        batch.drop_column("evidence_id")
        batch.drop_column("incident_id")
        batch.drop_column("edit_reason")
        batch.drop_column("version")
        batch.drop_column("root_id")
    op.drop_column("persons", "merged_into_id")
    with op.batch_alter_table("trusts") as batch:
        batch.drop_column("evidence_limit_mb")
