"""The letters' tables: letters as issued, the trust's edited wording, and signatures.

Kept apart from `models` so neither module grows past what a reader takes in at once;
`desktop.storage.models` re-exports every class here.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from desktop.storage.base import Base
from desktop.storage.types import UTCDateTime


class IssuedLetter(Base):
    """A letter as issued: its PDF kept unchanged with its SHA-256. A correction is a new
    letter that names the one it replaces (`supersedes_id`); the old one stays.

    `template_version` is "default" for the shipped wording, else "v<number>" of the
    trust's edit (`LetterTemplateVersion.number`). `signed_as` says whose hand the stored
    signature image stands for: "own" (the signatory issued it), "delegate" (someone the
    signatory authorised), or "" (no image: space to sign by hand).
    """

    __tablename__ = "letters"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    letter_type: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    template_version: Mapped[str] = mapped_column(String(40))
    recipient_name: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    large_print: Mapped[bool] = mapped_column(Boolean, default=False)
    signed_by: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    case_step_id: Mapped[int | None] = mapped_column(ForeignKey("case_steps.id"), nullable=True)
    restriction_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("restriction_events.id"), nullable=True
    )
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"), nullable=True)
    printed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    queued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    signature_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    signed_as: Mapped[str] = mapped_column(String(20), default="", server_default="")


class LetterTemplateVersion(Base):
    """One saved wording of a letter type. The newest row per type is in use; a row with no
    text stands for "restored to the shipped default". Rows are never changed or deleted."""

    __tablename__ = "letter_templates"
    __table_args__ = (UniqueConstraint("letter_type", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    letter_type: Mapped[str] = mapped_column(String(64), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    saved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Signature(Base):
    """A signatory's signature image (PNG or JPEG), kept in the encrypted store."""

    __tablename__ = "signatures"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    image: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SignatureDelegate(Base):
    """A signatory's permission for another account to issue letters with their signature.
    Revoking sets `revoked_at`; the row stays, so past letters still show who was allowed."""

    __tablename__ = "signature_delegates"
    id: Mapped[int] = mapped_column(primary_key=True)
    signatory_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
