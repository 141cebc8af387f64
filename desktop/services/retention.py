"""The retention review: closed cases past their retention period, kept longer with a reason
or deleted for good; and the certificate that says what went.

Which cases are due is decided in SQL from `domain.retention`'s rules and the policy
profile's periods, so the review never reads whole tables into Python. Deletion is real:
the case's rows and everything hanging off it (incidents, chronology, evidence files,
letters, steps, bars and plans, tasks, links to people) go, and so do the people and pupils
no remaining record refers to. SQLite's `secure_delete` overwrites what is freed, the
full-text index is merged so no fragment of a name stays in it, and the file is vacuumed
afterwards so nothing deleted remains in its free pages or its write-ahead log.

The audit trail is never rewritten: earlier entries about a case keep its id and what kind
of thing happened, never a name (the services record ids and codes only). The deletion's
own entry says how many records of which kind went, under which rule, by whom; the
deletion certificate is made from that entry alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session

from desktop.dates import uk_today, utc_now
from desktop.domain.cases import CaseStatus
from desktop.domain.chronology import EventKind
from desktop.domain.policy import Profile, StepKind
from desktop.domain.restrictions import RestrictionState
from desktop.domain.retention import (
    CONTENT_LABELS,
    SANCTION_STEPS,
    WARNING_STEPS,
    DeletionCertificate,
    RecordKind,
    check_hold,
    closed_by,
    due_on,
    period_days,
    warnings_before,
)
from desktop.domain.roles import Operation, Role
from desktop.errors import NotFound, ValidationError
from desktop.services import audit, exports, frontdesk, policies, scope
from desktop.services.session import UserSession
from desktop.storage.erasure import (
    chunks,
    compact,
    delete_cases,
    delete_unreferenced,
    merge_search_index,
    secure_delete,
)
from desktop.storage.models import (
    AuditEntry,
    Case,
    CaseEvent,
    CaseStep,
    Person,
    Restriction,
    RetentionHold,
    SubjectAccessRequest,
    Trust,
    User,
)

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
DELETED = "retention.deleted"
COMPACTED = "retention.compacted"
CASE_KINDS = tuple(kind.value for kind in RecordKind)
IN_FORCE = (RestrictionState.PROVISIONAL.value, RestrictionState.ACTIVE.value)
# Chronology entries the sanctions wizard writes, for cases whose steps predate `case_steps`.
_SANCTION_EVENTS = (
    EventKind.BAR_NOTICE.value,
    EventKind.COMMUNICATION_PLAN.value,
    EventKind.INJUNCTION_REFERRAL.value,
)
_WARNING_EVENTS = (EventKind.WRITTEN_WARNING.value,)


@dataclass(frozen=True)
class DueRecord:
    """A closed case past its retention period, as the review lists it."""

    case_id: int
    reference: str
    subject: str
    kind: RecordKind
    closed_on: dt.date
    due_on: dt.date
    kept_reason: str  # why it was last kept longer ("" if never)
    kept_until: dt.date | None  # that hold's review date, now come


@dataclass(frozen=True)
class DeletionResult:
    """What `delete_records` did: its certificate number (the audit entry), the records by
    kind, and whether the file was compacted afterwards."""

    certificate: int
    counts: dict[RecordKind, int]
    compacted: bool


# -- what is due ---------------------------------------------------------------------------
def _steps_of(kinds: Iterable[StepKind]) -> ColumnElement[bool]:
    return exists().where(CaseStep.case_id == Case.id, CaseStep.kind.in_([k.value for k in kinds]))


def _events_of(kinds: Sequence[str]) -> ColumnElement[bool]:
    return exists().where(CaseEvent.case_id == Case.id, CaseEvent.kind.in_(kinds))


def _due_query(session: UserSession, profile: Profile, today: dt.date) -> Select[Any]:
    """Closed cases past their period on `today`, with their kind and last written warning:
    not while a bar or plan on them is in force, a hold's review date is still to come, or
    a subject access request from their subject is unanswered."""
    rules = profile.retention
    sanction = or_(
        _steps_of(SANCTION_STEPS),
        exists().where(Restriction.case_id == Case.id),
        _events_of(_SANCTION_EVENTS),
    )
    warning = or_(_steps_of(WARNING_STEPS), _events_of(_WARNING_EVENTS))
    kind = case(
        (sanction, RecordKind.SANCTION_CASE.value),
        (warning, RecordKind.WARNING_CASE.value),
        else_=RecordKind.CONCERN_CASE.value,
    )
    warning_kinds = [k.value for k in WARNING_STEPS]
    last_warning = (
        select(func.max(CaseStep.taken_on))
        .where(CaseStep.case_id == Case.id, CaseStep.kind.in_(warning_kinds))
        .scalar_subquery()
    )
    past_period = or_(
        and_(sanction, Case.closed_on <= closed_by(RecordKind.SANCTION_CASE, rules, today)),
        and_(
            not_(sanction),
            warning,
            Case.closed_on <= closed_by(RecordKind.WARNING_CASE, rules, today),
        ),
        and_(
            not_(sanction),
            not_(warning),
            Case.closed_on <= closed_by(RecordKind.CONCERN_CASE, rules, today),
        ),
    )
    warning_kept = not_(
        exists().where(
            CaseStep.case_id == Case.id,
            CaseStep.kind.in_(warning_kinds),
            CaseStep.taken_on > warnings_before(profile.windows.warning_retention_days, today),
        )
    )
    in_force = exists().where(Restriction.case_id == Case.id, Restriction.state.in_(IN_FORCE))
    held = exists().where(
        RetentionHold.record_kind.in_(CASE_KINDS),
        RetentionHold.record_id == Case.id,
        RetentionHold.review_on > today,
    )
    # An unanswered request for the subject's records: nothing of theirs may go meanwhile.
    asked = exists().where(
        SubjectAccessRequest.person_id == Case.subject_id,
        SubjectAccessRequest.completed_on.is_(None),
    )
    return (
        select(
            Case.id,
            Case.reference,
            Person.given_name,
            Person.family_name,
            Case.closed_on,
            kind.label("kind"),
            last_warning.label("last_warning"),
        )
        .join(Person, Person.id == Case.subject_id)
        .where(
            scope.case_visible(session.actor),
            Case.status == CaseStatus.CLOSED.value,
            Case.closed_on.is_not(None),
            past_period,
            warning_kept,
            not_(in_force),
            not_(held),
            not_(asked),
        )
    )


def _due(
    session: UserSession,
    db: Session,
    profile: Profile,
    today: dt.date,
    case_ids: Sequence[int] | None = None,
) -> list[DueRecord]:
    query = _due_query(session, profile, today).order_by(Case.closed_on, Case.id)
    rows: list[Any] = []
    if case_ids is None:
        rows = list(db.execute(query))
    else:
        for chunk in chunks(case_ids):
            rows += db.execute(query.where(Case.id.in_(chunk))).all()
    kept = _last_holds(db, [row.id for row in rows])
    found = []
    for row in rows:
        kind = RecordKind(row.kind)
        reason, until = kept.get(row.id, ("", None))
        found.append(
            DueRecord(
                case_id=row.id,
                reference=row.reference,
                subject=f"{row.given_name} {row.family_name}".strip(),
                kind=kind,
                closed_on=row.closed_on,
                due_on=due_on(
                    kind,
                    row.closed_on,
                    profile.retention,
                    last_warning_on=row.last_warning,
                    warning_days=profile.windows.warning_retention_days,
                ),
                kept_reason=reason,
                kept_until=until,
            )
        )
    return found


def _last_holds(db: Session, case_ids: Sequence[int]) -> dict[int, tuple[str, dt.date]]:
    """The newest hold on each case that has one: its reason and review date."""
    found: dict[int, tuple[str, dt.date]] = {}
    for chunk in chunks(case_ids):
        rows = db.execute(
            select(RetentionHold.record_id, RetentionHold.reason, RetentionHold.review_on)
            .where(RetentionHold.record_kind.in_(CASE_KINDS), RetentionHold.record_id.in_(chunk))
            .order_by(RetentionHold.id)
        )
        found.update((row.record_id, (row.reason, row.review_on)) for row in rows)
    return found


def due_records(session: UserSession, *, today: dt.date | None = None) -> list[DueRecord]:
    """Every closed case past its retention period on `today`, oldest closing first."""
    session.require(Operation.RETENTION)
    with session.transaction() as db:
        return _due(session, db, policies.profile_for_reading(db), today or uk_today())


def next_review_count(session: UserSession, *, today: dt.date | None = None) -> int:
    """How many records are waiting for the retention review on `today`."""
    session.require(Operation.RETENTION)
    with session.transaction() as db:
        query = _due_query(session, policies.profile_for_reading(db), today or uk_today())
        return db.scalar(select(func.count()).select_from(query.subquery())) or 0


def _require_due(
    session: UserSession, db: Session, profile: Profile, today: dt.date, record_ids: Sequence[int]
) -> list[DueRecord]:
    wanted = sorted(set(record_ids))
    if not wanted:
        raise ValidationError("Choose at least one record in the list.", "records")
    found = _due(session, db, profile, today, wanted)
    if len(found) != len(wanted):
        raise ValidationError(
            "Some of the chosen records are no longer due for review (reopened, kept longer "
            "or deleted meanwhile). Refresh the list and choose again.",
            "records",
        )
    return found


# -- keeping longer ------------------------------------------------------------------------
def keep_longer(
    session: UserSession,
    *,
    record_ids: Sequence[int],
    reason: str,
    review_on: dt.date,
    today: dt.date | None = None,
) -> int:
    """Keep records (`record_ids`: `DueRecord.case_id`s) past their period, saying why,
    until `review_on`, when they come back to the review; how many were kept. The reason
    stays with the hold, not in the trail."""
    session.require(Operation.RETENTION)
    today = today or uk_today()
    draft = check_hold(reason, review_on, today)
    with session.transaction(write=True) as db:
        due = _require_due(session, db, policies.profile_for_reading(db), today, record_ids)
        now = utc_now()
        for record in due:
            db.add(
                RetentionHold(
                    record_kind=record.kind.value,
                    record_id=record.case_id,
                    reason=draft.reason,
                    review_on=draft.review_on,
                    decided_by_id=session.actor.user_id,
                    decided_at=now,
                )
            )
            audit.record(
                db,
                session.actor,
                "retention.kept",
                case_id=record.case_id,
                detail={"kind": record.kind.value, "review_on": draft.review_on.isoformat()},
            )
        return len(due)


# -- deleting ------------------------------------------------------------------------------
def delete_records(
    session: UserSession,
    *,
    record_ids: Sequence[int],
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> DeletionResult:
    """Delete closed cases past their period (`record_ids`: `DueRecord.case_id`s), with
    everything in them, for good; then compact the file. All of the deletion happens or
    none of it; if compacting fails (another program holds the file), the deletion stands
    and `compacted` is False.

    `progress(done, total, text)` hears each batch of cases, then the compacting."""
    session.require(Operation.RETENTION)
    report = progress or (lambda _done, _total, _text: None)
    today = today or uk_today()
    with session.transaction(write=True) as db:
        profile = policies.profile_for_reading(db)
        due = _require_due(session, db, profile, today, record_ids)
        total = len(due) + 1
        report(0, total, "Deleting the records")
        with secure_delete(db):
            contents: Counter[str] = Counter()
            people: set[int] = set()
            pupils: set[int] = set()
            done = 0
            for chunk in chunks(record.case_id for record in due):
                contents += delete_cases(db, chunk, people, pupils, hold_kinds=CASE_KINDS)
                done += len(chunk)
                report(done, total, "Deleting the records")
            contents += delete_unreferenced(db, people, pupils)
            merge_search_index(db)
            counts = Counter(record.kind for record in due)
            entry = audit.record(
                db,
                session.actor,
                DELETED,
                detail={
                    "records": {kind.value: n for kind, n in sorted(counts.items())},
                    "periods": {
                        kind.value: _period(profile, kind) for kind in sorted(counts.keys())
                    },
                    "contents": {key: contents[key] for key in CONTENT_LABELS if contents[key]},
                    "rule": profile.retention.rule,
                    "profile": profile.name,
                    "profile_version": profile.version,
                },
            )
            if contents["sanctions"]:
                frontdesk.publish(db, session.store)
        number = entry.id
    report(len(due), total, "Reclaiming the space the records took in the file")
    compacted = compact(session.store.engine)
    with session.transaction(write=True) as db:
        audit.record(
            db, session.actor, COMPACTED, detail={"certificate": number, "compacted": compacted}
        )
    report(total, total, "Done")
    return DeletionResult(number, dict(counts), compacted)


def _period(profile: Profile, kind: RecordKind) -> int:
    return period_days(kind, profile.retention)


# -- the certificate -----------------------------------------------------------------------
def deletion_certificate(session: UserSession, *, number: int) -> DeletionCertificate:
    """The certificate of the deletion the audit trail recorded as entry `number`."""
    session.require(Operation.RETENTION)
    with session.transaction() as db:
        return _certificate(db, number)


def deletion_certificates(session: UserSession) -> list[DeletionCertificate]:
    """Every deletion's certificate, newest first."""
    session.require(Operation.RETENTION)
    with session.transaction() as db:
        numbers = db.scalars(
            select(AuditEntry.id).where(AuditEntry.action == DELETED).order_by(AuditEntry.id.desc())
        ).all()
        return [_certificate(db, number) for number in numbers]


def _certificate(db: Session, number: int) -> DeletionCertificate:
    entry = db.get(AuditEntry, number)
    if entry is None or entry.action != DELETED:
        raise NotFound("There is no record of that deletion in the audit trail.")
    detail = json.loads(entry.detail)
    user = db.get(User, entry.user_id) if entry.user_id is not None else None
    compacted = None
    for text in db.scalars(
        select(AuditEntry.detail).where(AuditEntry.action == COMPACTED, AuditEntry.id > number)
    ):
        facts = json.loads(text)
        if facts.get("certificate") == number:
            compacted = bool(facts.get("compacted"))
            break
    periods = detail.get("periods", {})
    return DeletionCertificate(
        number=number,
        trust=db.scalar(select(Trust.name).order_by(Trust.id).limit(1)) or "",
        deleted_at=entry.at,
        deleted_by=user.full_name if user is not None else entry.username,
        deleted_by_role=Role(user.role).label if user is not None else "",
        rule=str(detail.get("rule", "")),
        profile=f"{detail.get('profile', '')} (version {detail.get('profile_version', '')})",
        records=tuple(
            (RecordKind(kind), int(n), int(periods.get(kind, 0)))
            for kind, n in detail.get("records", {}).items()
        ),
        contents=tuple(
            (key, int(detail["contents"][key]))
            for key in CONTENT_LABELS
            if key in detail.get("contents", {})
        ),
        compacted=compacted,
    )


def certificate_file_name(certificate: DeletionCertificate) -> str:
    return f"Deletion certificate {certificate.number} {certificate.deleted_at:%Y-%m-%d}.pdf"


def save_certificate(session: UserSession, *, number: int, to: Path) -> Path:
    """Save the certificate as a PDF at `to` (it holds no personal data); recorded."""
    from reports.deletion_certificate import deletion_certificate_pdf

    session.require(Operation.RETENTION)
    target = exports.check_target(Path(to))
    with exports.exporting(target) as out, session.transaction(write=True) as db:
        pdf = deletion_certificate_pdf(_certificate(db, number))
        out.write(pdf)
        audit.record(
            db,
            session.actor,
            "retention.certificate_saved",
            detail={"certificate": number, "sha256": hashlib.sha256(pdf).hexdigest()},
        )
        out.place()
    return target


def certificate_pdf(session: UserSession, *, number: int) -> bytes:
    """The certificate as PDF bytes, to show or print."""
    from reports.deletion_certificate import deletion_certificate_pdf

    return deletion_certificate_pdf(deletion_certificate(session, number=number))


def record_certificate_printed(session: UserSession, *, number: int) -> None:
    """Note in the trail that a deletion certificate was printed."""
    session.require(Operation.RETENTION)
    with session.transaction(write=True) as db:
        _certificate(db, number)
        audit.record(
            db, session.actor, "retention.certificate_printed", detail={"certificate": number}
        )
