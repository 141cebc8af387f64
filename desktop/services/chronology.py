"""A case's chronology: every entry in date order, kept so it can be shown to a court.

A saved entry is never changed. Correcting one inserts a new row (the next `version`, the
same `root_id`, `supersedes_id` pointing at the version it replaces, and the reason), so
every earlier version stays readable. The entry in force is the row no other row
supersedes; that is asked of the database (NOT EXISTS), never worked out over the table.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from desktop.dates import utc_now
from desktop.domain.chronology import (
    MAX_ENTRY_LENGTH,
    EventKind,
    EventVersion,
    check_edit,
    first_version,
    kind_label,
    order_events,
)
from desktop.domain.roles import Operation
from desktop.domain.text import clean_block, clean_line
from desktop.errors import NotFound, ValidationError
from desktop.services import audit, scope
from desktop.services.event_versions import (  # re-exported: other services version entries
    add_version as add_version,
)
from desktop.services.event_versions import (
    current_versions as current_versions,
)
from desktop.services.event_versions import require_not_future, root_of
from desktop.services.session import UserSession
from desktop.storage.models import CaseEvent, Evidence, User

MAX_SUMMARY_LENGTH = 300  # the stored column's width

# Written only by the sanctions wizard and its decisions (`services.sanctions`).
WIZARD_KINDS = (
    EventKind.WRITTEN_WARNING,
    EventKind.ASKED_TO_LEAVE,
    EventKind.BAR_NOTICE,
    EventKind.COMMUNICATION_PLAN,
    EventKind.INJUNCTION_REFERRAL,
    EventKind.ACTION,
)
# Kinds a person writes by hand. Incidents come from the Incidents tab, evidence entries
# from adding a file, closing a case from Close case, and steps from Take action, each with
# its own record.
MANUAL_KINDS: tuple[EventKind, ...] = tuple(
    kind
    for kind in EventKind
    if kind
    not in (
        EventKind.INCIDENT,
        EventKind.EVIDENCE_ADDED,
        EventKind.CASE_CLOSED,
        EventKind.CASE_REOPENED,
        *WIZARD_KINDS,
    )
)

NOT_CURRENT = (
    "This entry has been changed since you opened it. Reload the chronology and try again."
)
INCIDENT_ENTRY = (
    "This entry is an incident: change it on the Incidents tab, so the incident and its "
    "chronology entry stay the same."
)


@dataclass(frozen=True)
class EventRow:
    """The version in force of one chronology entry, with who first recorded it and when.

    `id` is this version's row (what `edit_event` and `event_history` take); `root_id`
    stays the same across versions. `recorded_by`/`recorded_at` are the first version's;
    `edited_by`/`edited_at` this version's (the same as those when it was never edited).
    """

    id: int
    root_id: int
    case_id: int
    kind: str
    kind_label: str
    occurred_at: dt.datetime
    summary: str
    detail: str
    recorded_by: str
    recorded_at: dt.datetime
    version: int
    edited_by: str
    edited_at: dt.datetime
    incident_id: int | None
    evidence_id: int | None
    letter_id: int | None = None  # an issued letter's entry: the letter it records

    @property
    def edited(self) -> bool:
        return self.version > 1

    @property
    def is_incident(self) -> bool:
        return self.incident_id is not None


@dataclass(frozen=True)
class VersionRow:
    """One version of an entry, as it was saved: who saved it, when, and why (edits)."""

    id: int
    root_id: int
    version: int
    kind: str
    kind_label: str
    occurred_at: dt.datetime
    summary: str
    detail: str
    recorded_by: str
    recorded_at: dt.datetime
    reason: str
    supersedes_id: int | None


@dataclass(frozen=True)
class ExhibitRow:
    """A file of the case's evidence as the legal team's index lists it."""

    number: int
    evidence_id: int
    filename: str
    sha256: str
    added_by: str
    added_at: dt.datetime


def _require_event(
    session: UserSession, db: Session, event_id: int, operation: Operation
) -> CaseEvent:
    """The event, if its case is within the user's schools; otherwise the same NotFound as
    for a case that does not exist."""
    session.require(operation)
    event = db.get(CaseEvent, event_id)
    if event is None:
        raise NotFound(scope.CASE_NOT_FOUND)
    scope.require_case(session, db, event.case_id, operation=operation)
    return event


def _names(db: Session, user_ids: set[int | None]) -> dict[int | None, str]:
    wanted = sorted(i for i in user_ids if i is not None)
    found: dict[int | None, str] = {None: "Unknown"}
    if wanted:
        found.update(db.execute(select(User.id, User.full_name).where(User.id.in_(wanted))).all())
    return found


def _check_kind(kind: str) -> EventKind:
    try:
        chosen = EventKind(kind)
    except ValueError:
        raise ValidationError("Choose what kind of entry this is from the list.", "kind") from None
    if chosen not in MANUAL_KINDS:
        raise ValidationError(
            f"A {chosen.label.lower()} entry is added by its own action, not by hand.", "kind"
        )
    return chosen


def _clean_summary(summary: str) -> str:
    return clean_line(summary, field="summary", label="The summary", max_length=MAX_SUMMARY_LENGTH)


def _clean_detail(detail: str) -> str:
    return clean_block(
        detail, field="detail", label="The detail", max_length=MAX_ENTRY_LENGTH, required=False
    )


def _text(summary: str, detail: str) -> str:
    """The entry's words as the domain's rules see them: summary, then detail."""
    return f"{summary}\n{detail}" if detail else summary


# -- reading --------------------------------------------------------------------------------
def list_events(
    session: UserSession, *, case_id: int, kinds: Sequence[str] | None = None
) -> list[EventRow]:
    """The entries in force, in chronology order (when it happened, when first recorded)."""
    with session.transaction() as db:
        scope.require_case(session, db, case_id)
        return _events(db, case_id, kinds)


def _events(db: Session, case_id: int, kinds: Sequence[str] | None) -> list[EventRow]:
    first = aliased(CaseEvent)
    query = (
        current_versions()
        .add_columns(first.recorded_at, first.recorded_by_id)
        .join(first, first.id == func.coalesce(CaseEvent.root_id, CaseEvent.id))
        .where(CaseEvent.case_id == case_id)
    )
    if kinds is not None:
        query = query.where(CaseEvent.kind.in_(list(kinds)))
    rows = db.execute(query).all()
    names = _names(db, {r[0].recorded_by_id for r in rows} | {r[2] for r in rows})
    events = [
        EventRow(
            id=event.id,
            root_id=root_of(event),
            case_id=event.case_id,
            kind=event.kind,
            kind_label=kind_label(event.kind),
            occurred_at=event.occurred_at,
            summary=event.summary,
            detail=event.detail,
            recorded_by=names.get(first_by, "Unknown"),
            recorded_at=first_at,
            version=event.version,
            edited_by=names.get(event.recorded_by_id, "Unknown"),
            edited_at=event.recorded_at,
            incident_id=event.incident_id,
            evidence_id=event.evidence_id,
            letter_id=event.letter_id,
        )
        for event, first_at, first_by in rows
    ]
    return [key.row for key in order_events(_OrderKey.of(row) for row in events)]


@dataclass(frozen=True)
class _OrderKey:
    """An entry as `order_events` sorts it: by its first version, so an edit keeps its place."""

    id: int
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    row: EventRow

    @classmethod
    def of(cls, row: EventRow) -> _OrderKey:
        return cls(row.root_id, row.occurred_at, row.recorded_at, row)


def event_history(session: UserSession, *, event_id: int) -> list[VersionRow]:
    """Every version of the entry `event_id` belongs to (any of its versions), oldest first."""
    with session.transaction() as db:
        event = _require_event(session, db, event_id, Operation.VIEW_CASES)
        return _history(db, root_of(event))


def _history(db: Session, root_id: int) -> list[VersionRow]:
    rows = db.scalars(
        select(CaseEvent)
        .where(func.coalesce(CaseEvent.root_id, CaseEvent.id) == root_id)
        .order_by(CaseEvent.version, CaseEvent.id)
    ).all()
    names = _names(db, {r.recorded_by_id for r in rows})
    return [
        VersionRow(
            id=r.id,
            root_id=root_id,
            version=r.version,
            kind=r.kind,
            kind_label=kind_label(r.kind),
            occurred_at=r.occurred_at,
            summary=r.summary,
            detail=r.detail,
            recorded_by=names.get(r.recorded_by_id, "Unknown"),
            recorded_at=r.recorded_at,
            reason=r.edit_reason,
            supersedes_id=r.supersedes_id,
        )
        for r in rows
    ]


def list_exhibits(session: UserSession, *, case_id: int) -> list[ExhibitRow]:
    """The case's evidence files numbered as exhibits: 1, 2, 3... in the order added."""
    with session.transaction() as db:
        scope.require_case(session, db, case_id)
        return _exhibits(db, case_id)


def _exhibits(db: Session, case_id: int) -> list[ExhibitRow]:
    rows = db.execute(
        select(Evidence.id, Evidence.filename, Evidence.sha256, Evidence.added_by_id)
        .add_columns(Evidence.added_at)
        .where(Evidence.case_id == case_id)
        .order_by(Evidence.added_at, Evidence.id)
    ).all()
    names = _names(db, {r.added_by_id for r in rows})
    return [
        ExhibitRow(
            number, r.id, r.filename, r.sha256, names.get(r.added_by_id, "Unknown"), r.added_at
        )
        for number, r in enumerate(rows, start=1)
    ]


# -- writing --------------------------------------------------------------------------------
def add_event(
    session: UserSession,
    *,
    case_id: int,
    kind: str,
    occurred_at: dt.datetime,
    summary: str,
    detail: str = "",
) -> EventRow:
    """Write a new entry (a conversation, a meeting, a note...) into the chronology."""
    session.require(Operation.EDIT_CASES)
    chosen = _check_kind(kind)
    when = require_not_future(occurred_at)
    summary, detail = _clean_summary(summary), _clean_detail(detail)
    first_version(_text(summary, detail), when, session.actor.username, utc_now())
    with session.transaction(write=True) as db:
        scope.require_case(session, db, case_id, operation=Operation.EDIT_CASES)
        entry = CaseEvent(
            case_id=case_id, occurred_at=when, kind=chosen.value, summary=summary, detail=detail
        )
        add_version(db, session.actor, entry, previous=None)
        audit.record(
            db,
            session.actor,
            "chronology.added",
            case_id=case_id,
            detail={"event_id": entry.id, "kind": chosen.value},
        )
        return _one(db, case_id, entry.id)


def edit_event(
    session: UserSession,
    *,
    event_id: int,
    summary: str,
    detail: str,
    reason: str,
    occurred_at: dt.datetime | None = None,
) -> EventRow:
    """Correct an entry: a new version is saved with who, when and why; the old one stays.

    `event_id` must be the version in force: an edit made from an out-of-date view is
    refused rather than silently replacing someone else's correction.
    """
    session.require(Operation.EDIT_CASES)
    summary, detail = _clean_summary(summary), _clean_detail(detail)
    when = None if occurred_at is None else require_not_future(occurred_at)
    with session.transaction(write=True) as db:
        previous = _require_event(session, db, event_id, Operation.EDIT_CASES)
        if previous.incident_id is not None:
            raise ValidationError(INCIDENT_ENTRY, "event")
        newer = db.scalar(select(CaseEvent.id).where(CaseEvent.supersedes_id == previous.id))
        if newer is not None:
            raise ValidationError(NOT_CURRENT, "event")
        before = EventVersion(
            previous.version,
            _as_cleaned(_text(previous.summary, previous.detail)),
            previous.occurred_at,
            "",
            previous.recorded_at,
            previous.edit_reason,
        )
        _text_checked, why = check_edit(
            before, _text(summary, detail), reason, new_occurred_at=when
        )
        entry = CaseEvent(
            case_id=previous.case_id,
            occurred_at=when or previous.occurred_at,
            kind=previous.kind,
            summary=summary,
            detail=detail,
            incident_id=previous.incident_id,
            evidence_id=previous.evidence_id,
            letter_id=previous.letter_id,
        )
        add_version(db, session.actor, entry, previous=previous, reason=why)
        audit.record(
            db,
            session.actor,
            "chronology.edited",
            case_id=previous.case_id,
            detail={"event_id": entry.id, "root_id": entry.root_id, "version": entry.version},
        )
        return _one(db, previous.case_id, entry.id)


def _replaced(history: list[VersionRow]) -> list[tuple[VersionRow, str]]:
    """Each version that was replaced, with the reason given by the version after it."""
    return [(version, after.reason) for version, after in zip(history, history[1:], strict=False)]


def _as_cleaned(text: str) -> str:
    """Saved words as the edit rule cleans new words, so only a real change counts."""
    return clean_block(text, field="text", label="The entry", max_length=sys.maxsize)


def _one(db: Session, case_id: int, event_id: int) -> EventRow:
    return next(row for row in _events(db, case_id, None) if row.id == event_id)


# -- the PDF for the legal team -------------------------------------------------------------
def export_filename(session: UserSession, *, case_id: int) -> str:
    """The name a chronology export is offered under: `CB-2026-0042 chronology.pdf`."""
    with session.transaction() as db:
        case = scope.require_case(session, db, case_id)
        return f"{case.reference} chronology.pdf"


def chronology_pdf(session: UserSession, *, case_id: int) -> bytes:
    """The chronology as a PDF: header, one row per entry, earlier versions of edited
    entries, and the index of evidence exhibits. The export is recorded in the audit trail.
    """
    from reports.chronology import (  # ReportLab loads only when a PDF is asked for
        ChronologyReport,
        ReportEntry,
        ReportExhibit,
        ReportVersion,
        make_chronology,
    )

    with session.transaction(write=True) as db:
        case = scope.require_case(session, db, case_id)
        events = _events(db, case_id, None)
        exhibits = _exhibits(db, case_id)
        earlier = [
            ReportVersion(
                entry_number=number,
                version=version.version,
                occurred_at=version.occurred_at,
                summary=version.summary,
                detail=version.detail,
                recorded_by=version.recorded_by,
                recorded_at=version.recorded_at,
                replaced_because=reason,
            )
            for number, event in enumerate(events, start=1)
            if event.edited
            for version, reason in _replaced(_history(db, event.root_id))
        ]
        report = ChronologyReport(
            reference=case.reference,
            subject=case.subject.full_name,
            schools=tuple(s.name for s in case.schools),
            prepared_by=session.actor.full_name,
            prepared_at=utc_now(),
            entries=tuple(
                ReportEntry(
                    number=number,
                    occurred_at=e.occurred_at,
                    kind=e.kind_label,
                    summary=e.summary,
                    detail=e.detail,
                    recorded_by=e.recorded_by,
                    recorded_at=e.recorded_at,
                    versions=e.version,
                    edited_by=e.edited_by,
                    edited_at=e.edited_at,
                )
                for number, e in enumerate(events, start=1)
            ),
            earlier_versions=tuple(earlier),
            exhibits=tuple(
                ReportExhibit(x.number, x.filename, x.sha256, x.added_by, x.added_at)
                for x in exhibits
            ),
        )
        pdf = make_chronology(report)
        audit.record(
            db,
            session.actor,
            "chronology.exported",
            case_id=case_id,
            detail={"entries": len(events), "exhibits": len(exhibits)},
        )
        return pdf
