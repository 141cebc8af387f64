"""One case file as its window shows it: the header and the restrictions banner, closing and
reopening the case, and opening a new case with its subject, pupils and first incident.

Everything read here stays within the case: its schools, its subject's pupils at schools the
user may see or the case involves, and the restrictions recorded on it. A case outside the
user's schools is reported exactly like one that does not exist (`scope.require_case`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desktop.dates import UK, uk_today, utc_now
from desktop.domain.cases import CaseStatus, stage_label
from desktop.domain.chronology import EventKind
from desktop.domain.incidents import check_incident
from desktop.domain.people import clean_pupil
from desktop.domain.restrictions import (
    RestrictionFacts,
    RestrictionKind,
    RestrictionState,
    banner_text,
    review_overdue,
)
from desktop.domain.roles import Operation
from desktop.domain.text import clean_block, clean_line
from desktop.errors import NotFound, ValidationError
from desktop.services import audit, cases, scope
from desktop.services.case_people import NewPupil as NewPupil  # one draft serves both
from desktop.services.cases import CaseRow
from desktop.services.chronology import add_version
from desktop.services.incident_records import incident_entry, incident_rows
from desktop.services.person_rows import PERSON_NOT_FOUND, require_person
from desktop.services.session import UserSession
from desktop.storage.models import (
    BehaviourCategory,
    Case,
    CaseEvent,
    Incident,
    Person,
    PersonPupil,
    Pupil,
    Restriction,
    School,
)

IN_FORCE = (RestrictionState.PROVISIONAL.value, RestrictionState.ACTIVE.value)
MAX_REASON_LENGTH = 2000
MAX_SUMMARY_LENGTH = 300  # the chronology's summary column
MAX_LOCATION_LENGTH = 200
PUPIL_NOT_FOUND = "There is no such pupil at your schools."


# -- what the window shows --------------------------------------------------------------------
@dataclass(frozen=True)
class LinkedPupil:
    name: str
    school: str
    year_group: str


@dataclass(frozen=True)
class CaseHeader:
    """The top of the case window: who, which schools, where the case stands, and what
    restrictions are in force or coming (`banner` states those that apply today)."""

    id: int
    reference: str
    subject: str
    subject_id: int
    pupils: tuple[LinkedPupil, ...]
    schools: tuple[str, ...]
    status: str
    stage: str
    stage_label: str
    opened_on: dt.date
    closed_on: dt.date | None
    closed_reason: str
    restrictions: tuple[RestrictionFacts, ...]
    banner: str
    review_overdue: bool

    @property
    def closed(self) -> bool:
        return self.status == CaseStatus.CLOSED.value

    @property
    def status_label(self) -> str:
        try:
            return CaseStatus(self.status).label
        except ValueError:
            return self.status.capitalize()


def case_header(session: UserSession, *, case_id: int) -> CaseHeader:
    """The case's header and restrictions banner, as of today (UK)."""
    with session.transaction() as db:
        case = scope.require_case(session, db, case_id)
        return _header(session, db, case)


def _header(session: UserSession, db: Session, case: Case) -> CaseHeader:
    today = uk_today()
    restrictions = _restrictions(db, case.id, today)
    facts = tuple(f for f, _reviewed in restrictions)
    return CaseHeader(
        id=case.id,
        reference=case.reference,
        subject=case.subject.full_name,
        subject_id=case.subject_id,
        pupils=_pupils(session, db, case),
        schools=tuple(s.name for s in case.schools),
        status=case.status,
        stage=case.stage,
        stage_label=stage_label(case.stage),
        opened_on=case.opened_on,
        closed_on=case.closed_on,
        closed_reason=case.closed_reason,
        restrictions=facts,
        banner=banner_text(facts, today),
        review_overdue=any(review_overdue(f, today, seen) for f, seen in restrictions),
    )


def _pupils(session: UserSession, db: Session, case: Case) -> tuple[LinkedPupil, ...]:
    """The subject's children at schools the user may see (as the People tab shows them):
    nothing about a pupil at another school, even on a case shared with it."""
    rows = db.execute(
        select(Pupil.given_name, Pupil.family_name, Pupil.year_group, School.id, School.name)
        .join(PersonPupil, PersonPupil.pupil_id == Pupil.id)
        .join(School, School.id == Pupil.school_id)
        .where(PersonPupil.person_id == case.subject_id)
        .order_by(Pupil.family_name, Pupil.given_name, Pupil.id)
    ).all()
    return tuple(
        LinkedPupil(f"{r.given_name} {r.family_name}".strip(), r.name, r.year_group)
        for r in rows
        if scope.may_use_school(session.actor, r.id)
    )


def _restrictions(
    db: Session, case_id: int, today: dt.date
) -> list[tuple[RestrictionFacts, dt.date | None]]:
    """The case's restrictions in force now or later, and those past their end whose review
    was never decided, each with the day its review was decided (None while awaited). Kinds
    or states from a newer Casebook are left out."""
    found = []
    for row in db.scalars(
        select(Restriction)
        .where(Restriction.case_id == case_id, Restriction.state.in_(IN_FORCE))
        # Past its end but never reviewed: still shown, as overdue, never silently gone.
        .where(
            or_(
                Restriction.ends.is_(None),
                Restriction.ends >= today,
                Restriction.reviewed_on.is_(None),
            )
        )
        .order_by(Restriction.starts, Restriction.id)
    ):
        try:
            kind, state = RestrictionKind(row.kind), RestrictionState(row.state)
        except ValueError:
            continue
        try:
            channels = json.loads(row.channels or "[]")
        except ValueError:  # a damaged list of channels hides nothing else about the bar
            channels = []
        facts = RestrictionFacts(
            kind=kind,
            schools=tuple(s.name for s in row.schools),
            starts=row.starts,
            ends=row.ends,
            review_due=row.review_due,
            named_contact=row.named_contact or None,
            contact_role=row.contact_role or None,
            channels=tuple(str(c) for c in channels) if isinstance(channels, list) else (),
            state=state,
        )
        found.append((facts, row.reviewed_on))
    return found


# -- closing and reopening ----------------------------------------------------------------------
def close_case(session: UserSession, *, case_id: int, reason: str) -> CaseHeader:
    """Close the case, saying why. It stays searchable, and can be reopened with a reason."""
    return _set_status(session, case_id, reason, CaseStatus.CLOSED)


def reopen_case(session: UserSession, *, case_id: int, reason: str) -> CaseHeader:
    """Reopen a closed case, saying why; the closing stays on the chronology."""
    return _set_status(session, case_id, reason, CaseStatus.OPEN)


def _set_status(session: UserSession, case_id: int, reason: str, status: CaseStatus) -> CaseHeader:
    closing = status is CaseStatus.CLOSED
    with session.transaction(write=True) as db:
        case = scope.require_case(session, db, case_id, operation=Operation.EDIT_CASES)
        if case.status == status.value:
            raise ValidationError(
                "This case is already closed." if closing else "This case is already open.",
                "status",
            )
        why = clean_block(reason, field="reason", label="The reason", max_length=MAX_REASON_LENGTH)
        if not why:
            verb = "closed" if closing else "reopened"
            raise ValidationError(f"Say why the case is being {verb}.", "reason")
        now = utc_now()
        case.status = status.value
        case.closed_on = uk_today() if closing else None
        case.closed_reason = why if closing else ""
        kind = EventKind.CASE_CLOSED if closing else EventKind.CASE_REOPENED
        event = add_version(
            db,
            session.actor,
            CaseEvent(
                case_id=case.id,
                occurred_at=now,
                kind=kind.value,
                summary=_shorten(why),
                detail=why,
            ),
            previous=None,
        )
        action = "case.closed" if closing else "case.reopened"
        audit.record(db, session.actor, action, case_id=case.id, detail={"event_id": event.id})
        db.flush()
        return _header(session, db, case)


def _shorten(text: str, limit: int = MAX_SUMMARY_LENGTH) -> str:
    """The first line of `text`, cut to fit the chronology's one-line summary."""
    line = text.split("\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


# -- a new case ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewPerson:
    """A subject not yet on file."""

    given_name: str
    family_name: str
    relationship: str


@dataclass(frozen=True)
class FirstIncident:
    """What happened to open the case. `occurred_at` is aware (or read as UK time)."""

    occurred_at: dt.datetime
    channel: str
    category_ids: tuple[int, ...]
    description: str
    location: str = ""


def new_case(
    session: UserSession,
    *,
    subject: int | NewPerson,
    school_ids: Sequence[int],
    pupils: Sequence[int | NewPupil] = (),
    first_incident: FirstIncident,
) -> CaseRow:
    """Open a case in one step: its subject (someone on file, by id, or someone new), its
    schools, the subject's children, and the incident that started it.

    All of it is saved in one transaction, or none of it: a refused incident leaves no
    case, no new person and no pupil behind. The reference is assigned on saving.
    """
    session.require(Operation.EDIT_CASES)
    person_fields = (
        cases.check_subject(subject.given_name, subject.family_name, subject.relationship)
        if isinstance(subject, NewPerson)
        else None
    )
    cases.check_schools(session, school_ids)
    new_pupils = [_check_pupil(session, p) for p in pupils if isinstance(p, NewPupil)]
    when = _aware(first_incident.occurred_at)
    checked = check_incident(
        when,
        utc_now(),
        first_incident.description,
        first_incident.category_ids,
        first_incident.channel,
    )
    location = clean_line(
        first_incident.location,
        field="location",
        label="The location",
        max_length=MAX_LOCATION_LENGTH,
        required=False,
    )
    with session.transaction(write=True) as db:
        schools = cases.load_schools(db, school_ids)
        now = utc_now()
        if person_fields is None:
            assert isinstance(subject, int)
            person = _reachable_person(session, db, subject)
        else:
            given, family, relation = person_fields
            person = Person(
                trust_id=schools[0].trust_id,
                given_name=given,
                family_name=family,
                relation=relation,
                created_at=now,
            )
            db.add(person)
            db.flush()
        linked = _link_pupils(session, db, person, pupils, new_pupils)
        case = cases.insert_case(
            db,
            session,
            subject=person,
            schools=schools,
            opened_on=uk_today(),
            summary="",
            now=now,
            detail={"subject_id": person.id, "new_subject": person_fields is not None},
        )
        categories = _categories(db, checked.categories)
        incident = Incident(
            case_id=case.id,
            occurred_at=checked.occurred_at,
            channel=checked.channel.value,
            location=location,
            description=checked.description,
            immediate_safety=False,
            recorded_by_id=session.actor.user_id,
            recorded_at=now,
            categories=categories,
        )
        db.add(incident)
        db.flush()
        entry = incident_entry(incident, incident_rows(db, [incident])[0])
        event = add_version(db, session.actor, entry, previous=None)
        audit.record(
            db,
            session.actor,
            "incident.recorded",
            case_id=case.id,
            detail={
                "incident_id": incident.id,
                "event_id": event.id,
                "channel": checked.channel.value,
                "category_ids": [c.id for c in categories],
            },
        )
        if linked:
            audit.record(
                db,
                session.actor,
                "pupils.linked",
                case_id=case.id,
                detail={"person_id": person.id, "pupil_ids": linked},
            )
        return cases.new_case_row(case, person, schools)


def _aware(when: dt.datetime) -> dt.datetime:
    """A moment typed without a time zone is UK time, as the person at the desk means it."""
    return when.replace(tzinfo=UK) if when.tzinfo is None else when


def _check_pupil(session: UserSession, pupil: NewPupil) -> NewPupil:
    given, family, year = clean_pupil(
        pupil.given_name, pupil.family_name, pupil.year_group, fields=("pupils",) * 3
    )
    scope.require_schools(
        session.actor, [pupil.school_id], "You can only add pupils at your own schools."
    )
    return NewPupil(given, family, pupil.school_id, year)


def _reachable_person(session: UserSession, db: Session, person_id: int) -> Person:
    """A person on file the user may see (the people service's rule, so whoever the search
    offers can be chosen). A merged record gives the one it was merged into. Anyone else
    is reported as not existing, like a case out of reach."""
    seen: set[int] = set()
    person = require_person(session, db, person_id, operation=Operation.EDIT_CASES)
    while person.merged_into_id is not None:
        seen.add(person.id)
        if person.merged_into_id in seen:
            raise NotFound(PERSON_NOT_FOUND)
        person = require_person(session, db, person.merged_into_id, operation=Operation.EDIT_CASES)
    return person


def _link_pupils(
    session: UserSession,
    db: Session,
    person: Person,
    pupils: Sequence[int | NewPupil],
    new_pupils: Sequence[NewPupil],
) -> list[int]:
    """Link the subject to existing pupils (at the user's schools) and to new ones."""
    already = set(
        db.scalars(select(PersonPupil.pupil_id).where(PersonPupil.person_id == person.id))
    )
    linked: list[int] = []
    for pupil_id in dict.fromkeys(p for p in pupils if isinstance(p, int)):
        pupil = db.get(Pupil, pupil_id)
        if pupil is None or not scope.may_use_school(session.actor, pupil.school_id):
            raise NotFound(PUPIL_NOT_FOUND)
        if pupil.id not in already:
            linked.append(pupil.id)
    for draft in new_pupils:
        if db.get(School, draft.school_id) is None:
            raise ValidationError("That pupil's school no longer exists.", "pupils")
        pupil = Pupil(
            school_id=draft.school_id,
            given_name=draft.given_name,
            family_name=draft.family_name,
            year_group=draft.year_group,
        )
        db.add(pupil)
        db.flush()
        linked.append(pupil.id)
    for pupil_id in linked:
        db.add(PersonPupil(person_id=person.id, pupil_id=pupil_id, relation=person.relation))
    db.flush()
    return linked


def _categories(db: Session, ids: Sequence[int]) -> list[BehaviourCategory]:
    found = {
        c.id: c for c in db.scalars(select(BehaviourCategory).where(BehaviourCategory.id.in_(ids)))
    }
    if any(i not in found or not found[i].active for i in ids):
        raise ValidationError(
            "One of those kinds of behaviour is no longer on the trust's list.", "categories"
        )
    return [found[i] for i in ids]
