"""The case store's tables as typed SQLAlchemy 2 models.

Portable to PostgreSQL: plain types, named constraints, no SQLite-only features here
(the FTS5 search index lives behind `storage.search`). Enumerated values are stored
as their string values from `desktop.domain`, checked by the services.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from desktop.storage.base import Base as Base  # re-exported: every model module uses it
from desktop.storage.types import UTCDateTime


def _link(name: str, left: str, right: str) -> Table:
    return Table(
        name,
        Base.metadata,
        Column(f"{left}_id", ForeignKey(f"{left}s.id", ondelete="CASCADE"), primary_key=True),
        Column(f"{right}_id", ForeignKey(f"{right}s.id", ondelete="CASCADE"), primary_key=True),
    )


user_schools = _link("user_schools", "user", "school")
case_schools = _link("case_schools", "case", "school")
restriction_schools = _link("restriction_schools", "restriction", "school")
incident_categories = Table(
    "incident_categories",
    Base.metadata,
    Column("incident_id", ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("behaviour_categories.id"), primary_key=True),
)


class StoreMeta(Base):
    """Facts about the store itself (its id, the schema it was created with)."""

    __tablename__ = "store_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Trust(Base):
    __tablename__ = "trusts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    logo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))
    logo_media_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # The largest evidence file accepted, in megabytes (Settings; 200 unless changed).
    evidence_limit_mb: Mapped[int] = mapped_column(Integer, default=200, server_default="200")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Added with accounts and security (migration 0006): minutes idle before every window
    # locks (Settings; 5 unless changed), and whether administrators must use a second factor.
    auto_lock_minutes: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    admins_need_second_factor: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="0"
    )

    schools: Mapped[list[School]] = relationship(back_populates="trust", order_by="School.name")


class School(Base):
    __tablename__ = "schools"
    id: Mapped[int] = mapped_column(primary_key=True)
    trust_id: Mapped[int] = mapped_column(ForeignKey("trusts.id"))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    headteacher_name: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    trust: Mapped[Trust] = relationship(back_populates="schools")
    __table_args__ = (UniqueConstraint("trust_id", "name"),)


class BehaviourCategory(Base):
    """One entry in the trust's editable list of unacceptable behaviours."""

    __tablename__ = "behaviour_categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    trust_id: Mapped[int] = mapped_column(ForeignKey("trusts.id"))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Person(Base):
    """A parent, carer, family member or visitor who may be the subject of a case."""

    __tablename__ = "persons"
    id: Mapped[int] = mapped_column(primary_key=True)
    trust_id: Mapped[int] = mapped_column(ForeignKey("trusts.id"))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    relation: Mapped[str] = mapped_column(String(40))  # domain.people.Relationship
    address: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Set when this record was merged into another (the duplicate stays, pointing on).
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id"), nullable=True, default=None
    )

    voluntary_roles: Mapped[list[PersonVoluntaryRole]] = relationship(cascade="all, delete-orphan")
    pupil_links: Mapped[list[PersonPupil]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    __table_args__ = (Index("ix_persons_family_given", "family_name", "given_name"),)


class PersonVoluntaryRole(Base):
    """A voluntary role (governor, PTA member) a person holds; they remain a parent in scope."""

    __tablename__ = "person_voluntary_roles"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(40))  # domain.people.VoluntaryRole
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), nullable=True)


class Pupil(Base):
    __tablename__ = "pupils"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    year_group: Mapped[str] = mapped_column(String(20), default="")

    person_links: Mapped[list[PersonPupil]] = relationship(back_populates="pupil")


class PersonPupil(Base):
    """How a person is related to a pupil (parent, carer, ...)."""

    __tablename__ = "person_pupils"
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True
    )
    pupil_id: Mapped[int] = mapped_column(
        ForeignKey("pupils.id", ondelete="CASCADE"), primary_key=True
    )
    relation: Mapped[str] = mapped_column(String(40))  # domain.people.Relationship

    person: Mapped[Person] = relationship(back_populates="pupil_links")
    pupil: Mapped[Pupil] = relationship(back_populates="person_links")


class StaffMember(Base):
    __tablename__ = "staff_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    trust_id: Mapped[int] = mapped_column(ForeignKey("trusts.id"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(Base):
    """Someone who signs in. Their password never touches this table: it wraps a key slot."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))  # domain.roles.Role
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    staff_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id"), nullable=True
    )
    preferences: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_signed_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Added with accounts and security (migration 0006). A password set by an administrator
    # must be changed at the next sign-in; a second factor is a TOTP secret (the store is
    # encrypted) and the last time step accepted, so a code is never accepted twice.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)

    schools: Mapped[list[School]] = relationship(secondary=user_schools, order_by="School.name")


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    ref_year: Mapped[int] = mapped_column(Integer)
    ref_sequence: Mapped[int] = mapped_column(Integer)
    subject_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open")  # domain.cases.CaseStatus
    stage: Mapped[str] = mapped_column(String(40))  # domain.cases.Stage
    summary: Mapped[str] = mapped_column(Text, default="")
    opened_on: Mapped[dt.date] = mapped_column(Date, index=True)
    opened_reason: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    closed_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    subject: Mapped[Person] = relationship()
    schools: Mapped[list[School]] = relationship(secondary=case_schools, order_by="School.name")
    incidents: Mapped[list[Incident]] = relationship(
        back_populates="case", order_by="Incident.occurred_at"
    )

    __table_args__ = (
        UniqueConstraint("ref_year", "ref_sequence"),
        Index("ix_cases_status_opened", "status", "opened_on"),
    )


class Incident(Base):
    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(40))  # domain.incidents.Channel
    location: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    immediate_safety: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="incidents")
    categories: Mapped[list[BehaviourCategory]] = relationship(secondary=incident_categories)
    parties: Mapped[list[IncidentParty]] = relationship(cascade="all, delete-orphan")
    agencies: Mapped[list[IncidentAgency]] = relationship(cascade="all, delete-orphan")


class IncidentParty(Base):
    """Someone affected by, targeted in, or witnessing an incident."""

    __tablename__ = "incident_parties"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))  # domain.incidents.PartyRole
    staff_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id"), nullable=True
    )
    pupil_id: Mapped[int | None] = mapped_column(ForeignKey("pupils.id"), nullable=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), nullable=True)
    description: Mapped[str] = mapped_column(String(200), default="")


class IncidentAgency(Base):
    """An outside agency told about an incident, with their reference."""

    __tablename__ = "incident_agencies"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    agency: Mapped[str] = mapped_column(String(40))  # domain.incidents.Agency
    informed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    reference: Mapped[str] = mapped_column(String(100), default="")


class CaseEvent(Base):
    """One version of one entry in a case's chronology. Court-safe: a saved row is never
    changed; an edit adds a row with the next `version`, the same `root_id` (the first
    version's id), `supersedes_id` pointing at the version it replaces, and the reason."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))  # domain.chronology.EventKind
    summary: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text, default="")
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_events.id"), nullable=True, index=True
    )
    root_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    edit_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id"), nullable=True, default=None
    )
    evidence_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence.id"), nullable=True, default=None
    )
    letter_id: Mapped[int | None] = mapped_column(
        ForeignKey("letters.id"), nullable=True, default=None
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CasePerson(Base):
    """Someone besides the subject who is part of a case (another parent, a relative)."""

    __tablename__ = "case_people"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    role: Mapped[str] = mapped_column(String(100), default="")  # in words: "other parent"
    notes: Mapped[str] = mapped_column(Text, default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()
    __table_args__ = (UniqueConstraint("case_id", "person_id"),)


class CaseTask(Base):
    """A follow-up on a case: what, by when, whose, and whether it is done."""

    __tablename__ = "case_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    done_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Set on the reviews a bar or plan schedules, so a decision can close the one it answers.
    restriction_id: Mapped[int | None] = mapped_column(
        ForeignKey("restrictions.id"), nullable=True, index=True
    )


class Evidence(Base):
    """A file kept inside the encrypted store, with its fingerprint."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), nullable=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    description: Mapped[str] = mapped_column(Text, default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Restriction(Base):
    """A bar from premises or a communication plan on a case's subject, for a period.

    The front desk's list is made from these (`services.frontdesk`). The row is the
    sanction as it stands now; its history is its `RestrictionEvent`s, replayed through
    `domain.bar_lifecycle` under the profile it was taken with (`profile_record_id`).
    """

    __tablename__ = "restrictions"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # domain.restrictions.RestrictionKind
    state: Mapped[str] = mapped_column(String(20))  # domain.restrictions.RestrictionState
    starts: Mapped[dt.date] = mapped_column(Date)
    ends: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    review_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    reviewed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    named_contact: Mapped[str] = mapped_column(String(200), default="")
    contact_role: Mapped[str] = mapped_column(String(200), default="")
    channels: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of channel names
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Added with the sanctions wizard (migration 0004); empty on rows made before it.
    step_id: Mapped[str] = mapped_column(String(64), default="", server_default="")
    profile_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_profiles.id"), nullable=True
    )
    profile_version: Mapped[str] = mapped_column(String(40), default="", server_default="")
    phase: Mapped[str] = mapped_column(String(40), default="", server_default="")  # sanctions.Phase
    notice_kind: Mapped[str] = mapped_column(String(20), default="", server_default="")
    representations_deadline: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    representations_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    period_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    terms: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")  # JSON

    person: Mapped[Person] = relationship()
    case: Mapped[Case] = relationship()
    schools: Mapped[list[School]] = relationship(
        secondary=restriction_schools, order_by="School.name"
    )

    __table_args__ = (Index("ix_restrictions_state_ends", "state", "ends"),)


class PolicyProfileRecord(Base):
    """A policy profile's exact text as installed. Rows are never changed or removed, so a
    sanction can always be replayed under the wording it was taken with; one row is active."""

    __tablename__ = "policy_profiles"
    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(40))
    digest: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255), default="")
    text: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    installed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    installed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CaseStep(Base):
    """One step taken on a case: a warning, a meeting, a referral, a bar's or plan's start.

    Who decided it and, for a skip, who authorised it and why; the page's answers as JSON
    (`details`); the profile it was taken under. Never edited: a correction is a new step.
    """

    __tablename__ = "case_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))  # domain.policy.StepKind
    label: Mapped[str] = mapped_column(String(200))
    taken_on: Mapped[dt.date] = mapped_column(Date)
    profile_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_profiles.id"), nullable=True
    )
    profile_version: Mapped[str] = mapped_column(String(40))
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    decided_by_role: Mapped[str] = mapped_column(String(40), default="")
    skip_authorised_by: Mapped[str] = mapped_column(String(200), default="")
    skip_role: Mapped[str] = mapped_column(String(40), default="")
    skip_justification: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    state: Mapped[str] = mapped_column(String(40), default="")  # an injunction's state
    restriction_id: Mapped[int | None] = mapped_column(ForeignKey("restrictions.id"), nullable=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RestrictionEvent(Base):
    """One change in a bar's or plan's life, as `domain.sanctions` records it."""

    __tablename__ = "restriction_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    restriction_id: Mapped[int] = mapped_column(
        ForeignKey("restrictions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))  # services.sanctions event kinds
    on_date: Mapped[dt.date] = mapped_column(Date)
    by_name: Mapped[str] = mapped_column(String(200), default="")
    by_role: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(20), default="")
    notice_kind: Mapped[str] = mapped_column(String(20), default="")
    reasons: Mapped[str] = mapped_column(Text, default="")
    starts: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    ends: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    review_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    representations_deadline: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    schools: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of school names
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Append-only, hash-chained record of every write: who, when, what, which case."""

    __tablename__ = "audit_entries"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


# The letters' tables live in their own module; every model is still importable from here.
from desktop.storage.account_models import RecoveryCode as RecoveryCode  # noqa: E402
from desktop.storage.letter_models import IssuedLetter as IssuedLetter  # noqa: E402
from desktop.storage.letter_models import LetterTemplateVersion as LetterTemplateVersion  # noqa: E402
from desktop.storage.letter_models import Signature as Signature  # noqa: E402
from desktop.storage.letter_models import SignatureDelegate as SignatureDelegate  # noqa: E402
from desktop.storage.records_models import Disclosure as Disclosure  # noqa: E402
from desktop.storage.records_models import RetentionHold as RetentionHold  # noqa: E402
from desktop.storage.records_models import SubjectAccessRedaction as SubjectAccessRedaction  # noqa: E402
from desktop.storage.records_models import SubjectAccessRequest as SubjectAccessRequest  # noqa: E402
