"""Records: holds that keep a record past its retention period, subject access requests and
their redactions, and the log of disclosures outside the trust.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _who(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"], name=f"fk_{table}_{column}_users")


def upgrade() -> None:
    op.create_table(
        "retention_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_kind", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        _who("retention_holds", "decided_by_id"),
        sa.PrimaryKeyConstraint("id", name="pk_retention_holds"),
    )
    op.create_index("ix_retention_holds_record", "retention_holds", ["record_kind", "record_id"])
    op.create_table(
        "subject_access_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("requester_name", sa.String(length=200), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("extended_to", sa.Date(), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name="fk_subject_access_requests_person_id_persons",
            ondelete="SET NULL",
        ),
        _who("subject_access_requests", "recorded_by_id"),
        sa.PrimaryKeyConstraint("id", name="pk_subject_access_requests"),
    )
    op.create_index(
        "ix_subject_access_requests_person_id", "subject_access_requests", ["person_id"]
    )
    op.create_index("ix_subject_access_requests_due_on", "subject_access_requests", ["due_on"])
    op.create_table(
        "subject_access_redactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("party", sa.String(length=20), nullable=False),
        sa.Column("applied_by_id", sa.Integer(), nullable=True),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["subject_access_requests.id"],
            name="fk_subject_access_redactions_request_id_subject_access_requests",
            ondelete="CASCADE",
        ),
        _who("subject_access_redactions", "applied_by_id"),
        sa.PrimaryKeyConstraint("id", name="pk_subject_access_redactions"),
    )
    op.create_index(
        "ix_subject_access_redactions_request_id", "subject_access_redactions", ["request_id"]
    )
    op.create_table(
        "disclosures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("disclosed_on", sa.Date(), nullable=False),
        sa.Column("authorised_by_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        _who("disclosures", "authorised_by_id"),
        _who("disclosures", "recorded_by_id"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_disclosures_case_id_cases", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["subject_access_requests.id"],
            name="fk_disclosures_request_id_subject_access_requests",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_disclosures"),
    )
    op.create_index("ix_disclosures_disclosed_on", "disclosures", ["disclosed_on"])
    op.create_index("ix_disclosures_case_id", "disclosures", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_disclosures_case_id", "disclosures")
    op.drop_index("ix_disclosures_disclosed_on", "disclosures")
    op.drop_table("disclosures")
    op.drop_index("ix_subject_access_redactions_request_id", "subject_access_redactions")
    op.drop_table("subject_access_redactions")
    op.drop_index("ix_subject_access_requests_due_on", "subject_access_requests")
    op.drop_index("ix_subject_access_requests_person_id", "subject_access_requests")
    op.drop_table("subject_access_requests")
    op.drop_index("ix_retention_holds_record", "retention_holds")
    op.drop_table("retention_holds")
