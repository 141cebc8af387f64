"""Incidents: what happened, how, to whom, who saw it, and which agencies were told.

Recording an incident also writes its chronology entry, in the same transaction. Changing
one updates the incident and adds a new version of that entry (who, when, why), so the
chronology keeps every earlier account of it. Staff targeted are named staff members, so
the case can count the incidents against each one: two or more may be a course of
conduct under the Protection from Harassment Act 1997.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from desktop.dates import UK, format_date, to_uk, uk_today, utc_now
from desktop.domain.chronology import EventVersion, check_edit
from desktop.domain.incidents import (
    Agency,
    Channel,
    PartyRole,
    check_incident,
    clean_names,
    course_of_conduct,
    needs_referral_first,
)
from desktop.domain.roles import Operation
from desktop.domain.text import clean_line
from desktop.errors import NotFound, ValidationError
from desktop.services import audit, scope
from desktop.services.event_versions import add_version
from desktop.services.incident_records import (
    AgencyReport,
    IncidentRow,
    StaffRef,
    TargetSummary,
    fingerprint,
    incident_entry,
    incident_rows,
    staff_refs,
)
from desktop.services.session import UserSession
from desktop.storage.models import (
    BehaviourCategory,
    Case,
    CaseEvent,
    Incident,
    IncidentAgency,
    IncidentParty,
    StaffMember,
)

__all__ = [
    "AgencyReport",
    "IncidentRow",
    "StaffRef",
    "TargetSummary",
    "edit_incident",
    "get_incident",
    "list_incidents",
    "list_staff",
    "record_incident",
    "targets_summary",
]

REFERRAL_AGENCIES = frozenset({Agency.POLICE, Agency.LEGAL_TEAM})
REFERRAL_FIRST = (
    "Behaviour that threatens someone's immediate safety is referred at once. Record the "
    "referral to the police or the trust's legal team (tick it under Agencies informed) "
    "before saving."
)


# -- checking what was typed ------------------------------------------------------------------
@dataclass(frozen=True)
class _Checked:
    occurred_at: dt.datetime
    channel: Channel
    location: str
    description: str
    category_ids: tuple[int, ...]
    staff_ids: tuple[int, ...]
    witnesses: tuple[str, ...]
    affected: tuple[str, ...]
    agencies: tuple[AgencyReport, ...]
    immediate_threat: bool


def _check(
    *,
    occurred_at: dt.datetime,
    channel: str,
    location: str,
    description: str,
    category_ids: Iterable[int],
    staff_targeted_ids: Iterable[int],
    witnesses: Iterable[str],
    people_affected: Iterable[str],
    agencies: Iterable[AgencyReport],
    immediate_threat: bool,
) -> _Checked:
    when = occurred_at if occurred_at.tzinfo is not None else occurred_at.replace(tzinfo=UK)
    checked = check_incident(
        when, utc_now(), description, list(category_ids), channel, witnesses=witnesses
    )
    told = _check_agencies(agencies, to_uk(when).date())
    if needs_referral_first(
        immediate_threat, any(Agency(a.agency) in REFERRAL_AGENCIES for a in told)
    ):
        raise ValidationError(REFERRAL_FIRST, "agencies")
    return _Checked(
        occurred_at=when.astimezone(dt.UTC),
        channel=checked.channel,
        location=clean_line(location, field="location", label="The location", required=False),
        description=checked.description,
        category_ids=checked.categories,
        staff_ids=tuple(dict.fromkeys(staff_targeted_ids)),
        witnesses=checked.witnesses,
        affected=clean_names(people_affected, field="people_affected"),
        agencies=told,
        immediate_threat=immediate_threat,
    )


def _check_agencies(agencies: Iterable[AgencyReport], day: dt.date) -> tuple[AgencyReport, ...]:
    """Each agency once, known, told on a date neither before the incident nor ahead."""
    found: dict[Agency, AgencyReport] = {}
    for item in agencies:
        try:
            agency = Agency(item.agency)
        except ValueError:
            raise ValidationError("Choose the agency from the list.", "agencies") from None
        if agency in found:
            raise ValidationError(f"{agency.label} is listed twice.", "agencies")
        if item.informed_on is not None and item.informed_on > uk_today():
            raise ValidationError(f"The date {agency.label} was told is in the future.", "agencies")
        if item.informed_on is not None and item.informed_on < day:
            raise ValidationError(
                f"The date {agency.label} was told ({format_date(item.informed_on)}) is before "
                f"the incident ({format_date(day)}).",
                "agencies",
            )
        reference = clean_line(
            item.reference,
            field="agencies",
            label=f"{agency.label}'s reference",
            max_length=100,
            required=False,
        )
        found[agency] = AgencyReport(agency.value, item.informed_on, reference)
    return tuple(found.values())


def _categories(
    db: Session, trust_id: int, ids: Sequence[int], kept: set[int]
) -> list[BehaviourCategory]:
    """The chosen categories, in the trust's order; one switched off may stay where it was."""
    rows = db.scalars(
        select(BehaviourCategory)
        .where(BehaviourCategory.id.in_(ids), BehaviourCategory.trust_id == trust_id)
        .order_by(BehaviourCategory.position, BehaviourCategory.id)
    ).all()
    usable = [row for row in rows if row.active or row.id in kept]
    if len(usable) != len(set(ids)):
        raise ValidationError(
            "One of the kinds of behaviour chosen is no longer in the trust's list.", "categories"
        )
    return usable


def _staff(db: Session, case: Case, ids: Sequence[int], kept: set[int]) -> list[StaffMember]:
    """The staff chosen: each at one of the case's schools or the trust's own staff."""
    if not ids:
        return []
    schools = {school.id for school in case.schools}
    rows = db.scalars(select(StaffMember).where(StaffMember.id.in_(ids))).all()
    usable = {
        row.id: row
        for row in rows
        if row.trust_id == case.subject.trust_id
        and (row.school_id is None or row.school_id in schools)
        and (row.active or row.id in kept)
    }
    if len(usable) != len(ids):
        raise ValidationError(
            "One of the staff chosen does not work at this case's schools.", "staff_targeted"
        )
    return [usable[i] for i in ids]


def _fill(db: Session, incident: Incident, checked: _Checked, case: Case, kept: _Kept) -> None:
    """Set every detail of the incident from `checked`, replacing what it had."""
    incident.occurred_at = checked.occurred_at
    incident.channel = checked.channel.value
    incident.location = checked.location
    incident.description = checked.description
    incident.immediate_safety = checked.immediate_threat
    incident.categories = _categories(
        db, case.subject.trust_id, checked.category_ids, kept.categories
    )
    staff = _staff(db, case, checked.staff_ids, kept.staff)
    parties = [
        IncidentParty(role=PartyRole.STAFF_TARGETED.value, staff_member_id=s.id) for s in staff
    ]
    parties += [
        IncidentParty(role=PartyRole.WITNESS.value, description=n) for n in checked.witnesses
    ]
    parties += [
        IncidentParty(role=PartyRole.AFFECTED.value, description=n) for n in checked.affected
    ]
    incident.parties = parties
    incident.agencies = [
        IncidentAgency(agency=a.agency, informed_on=a.informed_on, reference=a.reference)
        for a in checked.agencies
    ]


@dataclass(frozen=True)
class _Kept:
    """What an incident already names, which may stay even if since switched off or gone."""

    categories: set[int]
    staff: set[int]


# -- reading --------------------------------------------------------------------------------
def _require_incident(
    session: UserSession, db: Session, incident_id: int, operation: Operation
) -> tuple[Incident, Case]:
    session.require(operation)
    incident = db.get(Incident, incident_id)
    if incident is None:
        raise NotFound(scope.CASE_NOT_FOUND)
    case = scope.require_case(session, db, incident.case_id, operation=operation)
    return incident, case


def _load(db: Session, case_id: int) -> list[Incident]:
    return list(
        db.scalars(
            select(Incident)
            .where(Incident.case_id == case_id)
            .options(
                selectinload(Incident.categories),
                selectinload(Incident.parties),
                selectinload(Incident.agencies),
            )
            .order_by(Incident.occurred_at, Incident.id)
        )
    )


def list_incidents(session: UserSession, *, case_id: int) -> list[IncidentRow]:
    """The case's incidents, in the order they happened."""
    with session.transaction() as db:
        scope.require_case(session, db, case_id)
        return incident_rows(db, _load(db, case_id))


def get_incident(session: UserSession, *, incident_id: int) -> IncidentRow:
    """One incident, if its case is within the user's schools."""
    with session.transaction() as db:
        incident, _case = _require_incident(session, db, incident_id, Operation.VIEW_CASES)
        return incident_rows(db, [incident])[0]


def targets_summary(session: UserSession, *, case_id: int) -> list[TargetSummary]:
    """Each member of staff targeted, most incidents first, with the course-of-conduct flag."""
    with session.transaction() as db:
        scope.require_case(session, db, case_id)
        rows = incident_rows(db, _load(db, case_id))
    found: dict[int, tuple[StaffRef, list[tuple[int, dt.date]]]] = {}
    for row in rows:
        day = to_uk(row.occurred_at).date()
        for person in row.staff_targeted:
            found.setdefault(person.id, (person, []))[1].append((row.id, day))
    summaries = [
        TargetSummary(person, tuple(incidents), course_of_conduct(incidents))
        for person, incidents in found.values()
    ]
    return sorted(summaries, key=lambda s: (-s.count, s.staff.name.casefold(), s.staff.id))


def list_staff(session: UserSession, *, case_id: int) -> list[StaffRef]:
    """Staff who can be named as targeted on this case: the staff of its schools, and the
    trust's own staff, by name. Staff who have left are not offered."""
    with session.transaction() as db:
        case = scope.require_case(session, db, case_id)
        schools = [school.id for school in case.schools]
        ids = db.scalars(
            select(StaffMember.id).where(
                StaffMember.trust_id == case.subject.trust_id,
                StaffMember.active.is_(True),
                StaffMember.school_id.is_(None) | StaffMember.school_id.in_(schools),
            )
        ).all()
        refs = staff_refs(db, ids)
    return sorted(refs.values(), key=lambda s: (s.name.casefold(), s.school, s.id))


# -- writing --------------------------------------------------------------------------------
def record_incident(
    session: UserSession,
    *,
    case_id: int,
    occurred_at: dt.datetime,
    channel: str,
    location: str = "",
    description: str,
    category_ids: Sequence[int],
    staff_targeted_ids: Sequence[int] = (),
    witnesses: Sequence[str] = (),
    people_affected: Sequence[str] = (),
    agencies: Sequence[AgencyReport] = (),
    immediate_threat: bool = False,
) -> IncidentRow:
    """Record an incident and its chronology entry, together or not at all.

    A naive `occurred_at` is read as UK time. People affected and witnesses are names as
    typed (one person each); staff targeted are staff member ids (`list_staff`).
    """
    session.require(Operation.EDIT_CASES)
    checked = _check(
        occurred_at=occurred_at,
        channel=channel,
        location=location,
        description=description,
        category_ids=category_ids,
        staff_targeted_ids=staff_targeted_ids,
        witnesses=witnesses,
        people_affected=people_affected,
        agencies=agencies,
        immediate_threat=immediate_threat,
    )
    with session.transaction(write=True) as db:
        case = scope.require_case(session, db, case_id, operation=Operation.EDIT_CASES)
        incident = Incident(
            case_id=case.id, recorded_by_id=session.actor.user_id, recorded_at=utc_now()
        )
        _fill(db, incident, checked, case, _Kept(set(), set()))
        db.add(incident)
        db.flush()
        entry = incident_entry(incident, incident_rows(db, [incident])[0])
        add_version(db, session.actor, entry, previous=None)
        audit.record(
            db,
            session.actor,
            "incident.recorded",
            case_id=case.id,
            detail={"incident_id": incident.id, "event_id": entry.id},
        )
        return incident_rows(db, [incident])[0]


def edit_incident(
    session: UserSession,
    *,
    incident_id: int,
    occurred_at: dt.datetime,
    channel: str,
    location: str = "",
    description: str,
    category_ids: Sequence[int],
    staff_targeted_ids: Sequence[int] = (),
    witnesses: Sequence[str] = (),
    people_affected: Sequence[str] = (),
    agencies: Sequence[AgencyReport] = (),
    immediate_threat: bool = False,
    reason: str,
) -> IncidentRow:
    """Change an incident, saying why. Its chronology entry gains a new version holding the
    new account, with who changed it, when and why; the earlier versions stay."""
    session.require(Operation.EDIT_CASES)
    checked = _check(
        occurred_at=occurred_at,
        channel=channel,
        location=location,
        description=description,
        category_ids=category_ids,
        staff_targeted_ids=staff_targeted_ids,
        witnesses=witnesses,
        people_affected=people_affected,
        agencies=agencies,
        immediate_threat=immediate_threat,
    )
    with session.transaction(write=True) as db:
        incident, case = _require_incident(session, db, incident_id, Operation.EDIT_CASES)
        before = incident_rows(db, [incident])[0]
        previous = _current_entry(db, session, incident, before)
        kept = _Kept({c.id for c in before.categories}, {s.id for s in before.staff_targeted})
        _fill(db, incident, checked, case, kept)
        db.flush()
        after = incident_rows(db, [incident])[0]
        _text, why = check_edit(
            EventVersion(1, fingerprint(before), before.occurred_at, "", utc_now(), ""),
            fingerprint(after),
            reason,
        )
        entry = incident_entry(incident, after, previous.kind)
        add_version(db, session.actor, entry, previous=previous, reason=why)
        audit.record(
            db,
            session.actor,
            "incident.edited",
            case_id=case.id,
            detail={"incident_id": incident.id, "event_id": entry.id, "version": entry.version},
        )
        return incident_rows(db, [incident])[0]


def _current_entry(
    db: Session, session: UserSession, incident: Incident, row: IncidentRow
) -> CaseEvent:
    """The incident's chronology entry in force. An incident recorded before entries were
    linked to incidents gets one now, as it stood, so the edit has a version to follow."""
    if row.event_id is not None:
        found = db.get(CaseEvent, row.event_id)
        assert found is not None
        return found
    entry = incident_entry(incident, row)
    add_version(db, session.actor, entry, previous=None)
    entry.recorded_by_id, entry.recorded_at = incident.recorded_by_id, incident.recorded_at
    db.flush()
    return entry
