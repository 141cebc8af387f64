"""The records tables (issue 11): decisions to keep a record past its retention period,
subject access requests with their redactions, and the log of disclosures outside the trust.

Kept apart from `models` so neither module grows past what a reader takes in at once;
`desktop.storage.models` re-exports every class here.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.storage.base import Base
from desktop.storage.types import UTCDateTime


class RetentionHold(Base):
    """A decision to keep one record past its retention period, with the reason and the
    date to look at it again. The newest hold on a record is the one that counts."""

    __tablename__ = "retention_holds"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(40))  # domain.retention's record kinds
    record_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    review_on: Mapped[dt.date] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_retention_holds_record", "record_kind", "record_id"),)


class SubjectAccessRequest(Base):
    """A person's request for the records held about them: received, due a calendar month
    later, extendable (by up to two further months) before that first deadline."""

    __tablename__ = "subject_access_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), nullable=True, index=True
    )
    requester_name: Mapped[str] = mapped_column(String(200))  # as the request gave it
    received_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)  # the first deadline
    extended_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    completed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SubjectAccessRedaction(Base):
    """A passage hidden from a subject access bundle: what, where, whose (a member of staff,
    another parent, a pupil) and who decided."""

    __tablename__ = "subject_access_redactions"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("subject_access_requests.id", ondelete="CASCADE"), index=True
    )
    item: Mapped[str] = mapped_column(String(80))  # which record and field, e.g. "incident:12"
    text: Mapped[str] = mapped_column(Text)  # the words replaced by [redacted]
    party: Mapped[str] = mapped_column(String(20))  # staff / parent / pupil / other
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    applied_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Disclosure(Base):
    """Records given to someone outside the trust, with the legal basis that allowed it."""

    __tablename__ = "disclosures"
    id: Mapped[int] = mapped_column(primary_key=True)
    basis: Mapped[str] = mapped_column(String(40))  # domain's legal bases
    recipient: Mapped[str] = mapped_column(String(200))
    what: Mapped[str] = mapped_column(Text)
    disclosed_on: Mapped[dt.date] = mapped_column(Date, index=True)
    authorised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), nullable=True, index=True
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("subject_access_requests.id", ondelete="SET NULL"), nullable=True
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
