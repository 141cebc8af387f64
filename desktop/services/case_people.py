"""Who is in a case besides its subject, the pupils linked to them, and their voluntary roles.

Children's education must not suffer, so a case shows the pupils linked to its people
(only those at schools the user may see). A parent who is also a governor or PTA member
stays in scope as a parent; the role is recorded beside them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.dates import utc_now
from desktop.domain.names import best_matches
from desktop.domain.people import Relationship, VoluntaryRole, clean_pupil
from desktop.domain.roles import Operation
from desktop.domain.text import clean_line
from desktop.errors import NotFound, ValidationError
from desktop.services import audit, scope
from desktop.services.person_rows import (
    PersonRow,
    PupilLink,
    name_bound,
    person_rows,
    prefix_first,
    require_person,
)
from desktop.services.session import UserSession
from desktop.storage.models import (
    CasePerson,
    PersonPupil,
    PersonVoluntaryRole,
    Pupil,
    School,
)

MAX_PUPIL_CANDIDATES = 5000


@dataclass(frozen=True)
class CasePersonRow:
    """Someone besides the subject in a case, and their part in it ("other parent")."""

    person: PersonRow
    role: str
    added_at: dt.datetime


@dataclass(frozen=True)
class CasePeople:
    case_id: int
    subject: PersonRow
    others: tuple[CasePersonRow, ...]

    @property
    def pupils(self) -> tuple[PupilLink, ...]:
        """The subject's linked pupils: the children whose education must not suffer."""
        return self.subject.pupils


@dataclass(frozen=True)
class NewPupil:
    """A pupil not yet on file, to be added and linked in one step."""

    given_name: str
    family_name: str
    school_id: int
    year_group: str = ""


@dataclass(frozen=True)
class PupilRow:
    id: int
    name: str
    school_id: int
    school: str
    year_group: str


def case_people(session: UserSession, *, case_id: int) -> CasePeople:
    """A case's subject and the other people in it, with their pupils and roles."""
    with session.transaction() as db:
        case = scope.require_case(session, db, case_id)
        others = db.execute(
            select(CasePerson.person_id, CasePerson.role, CasePerson.added_at)
            .where(CasePerson.case_id == case_id)
            .order_by(CasePerson.added_at, CasePerson.id)
        ).all()
        rows = {
            r.id: r
            for r in person_rows(db, session.actor, [case.subject_id, *(o[0] for o in others)])
        }
        return CasePeople(
            case_id,
            rows[case.subject_id],
            tuple(CasePersonRow(rows[pid], role, added) for pid, role, added in others),
        )


def add_person_to_case(
    session: UserSession, *, case_id: int, person_id: int, role: str = ""
) -> CasePersonRow:
    """Add someone to a case besides its subject (another parent, a relative, a witness)."""
    session.require(Operation.EDIT_CASES)
    role = clean_line(
        role, field="role", label="Their part in the case", max_length=100, required=False
    )
    with session.transaction(write=True) as db:
        case = scope.require_case(session, db, case_id, operation=Operation.EDIT_CASES)
        person = require_person(
            session, db, person_id, operation=Operation.EDIT_CASES, unmerged=True
        )
        if person.id == case.subject_id:
            raise ValidationError("That person is the subject of this case already.", "person")
        already = db.scalar(
            select(CasePerson.id).where(
                CasePerson.case_id == case_id, CasePerson.person_id == person.id
            )
        )
        if already is not None:
            raise ValidationError("That person is in this case already.", "person")
        row = CasePerson(
            case_id=case_id,
            person_id=person.id,
            role=role,
            added_by_id=session.actor.user_id,
            added_at=utc_now(),
        )
        db.add(row)
        db.flush()
        audit.record(
            db, session.actor, "case.person_added", case_id=case_id, detail={"person_id": person.id}
        )
        return CasePersonRow(person_rows(db, session.actor, [person.id])[0], role, row.added_at)


def remove_person_from_case(session: UserSession, *, case_id: int, person_id: int) -> None:
    """Take someone other than the subject out of a case (their own record stays)."""
    session.require(Operation.EDIT_CASES)
    with session.transaction(write=True) as db:
        scope.require_case(session, db, case_id, operation=Operation.EDIT_CASES)
        row = db.scalar(
            select(CasePerson).where(
                CasePerson.case_id == case_id, CasePerson.person_id == person_id
            )
        )
        if row is None:
            raise ValidationError("That person is not one of the others in this case.", "person")
        db.delete(row)
        audit.record(
            db,
            session.actor,
            "case.person_removed",
            case_id=case_id,
            detail={"person_id": person_id},
        )


# -- pupils -------------------------------------------------------------------------------
def _relation(value: str) -> str:
    try:
        return Relationship(value).value
    except ValueError:
        raise ValidationError(
            "Choose how the person is related to the pupil.", "relation"
        ) from None


def _new_pupil(session: UserSession, db: Session, pupil: NewPupil) -> Pupil:
    given, family, year = clean_pupil(pupil.given_name, pupil.family_name, pupil.year_group)
    scope.require_schools(
        session.actor, [pupil.school_id], "You can only add pupils at your own schools."
    )
    school = db.get(School, pupil.school_id)
    if school is None or not school.active:
        raise ValidationError("Choose one of the trust's schools.", "school")
    row = Pupil(school_id=school.id, given_name=given, family_name=family, year_group=year)
    db.add(row)
    db.flush()
    return row


def link_pupil(
    session: UserSession, *, person_id: int, pupil: int | NewPupil, relation: str
) -> PupilLink:
    """Link a person to a pupil on file (by id) or to a new pupil, saying how they relate."""
    session.require(Operation.EDIT_CASES)
    relation = _relation(relation)
    with session.transaction(write=True) as db:
        person = require_person(
            session, db, person_id, operation=Operation.EDIT_CASES, unmerged=True
        )
        if isinstance(pupil, NewPupil):
            row = _new_pupil(session, db, pupil)
        else:
            found = db.get(Pupil, pupil)
            if found is None or not scope.may_use_school(session.actor, found.school_id):
                raise NotFound("That pupil is not at one of your schools.")
            row = found
        already = db.get(PersonPupil, (person.id, row.id))
        if already is not None:
            raise ValidationError("That pupil is linked to this person already.", "pupil")
        db.add(PersonPupil(person_id=person.id, pupil_id=row.id, relation=relation))
        db.flush()
        audit.record(
            db,
            session.actor,
            "person.pupil_linked",
            detail={
                "person_id": person.id,
                "pupil_id": row.id,
                "new_pupil": isinstance(pupil, NewPupil),
            },
        )
        links = [
            p for p in person_rows(db, session.actor, [person.id])[0].pupils if p.pupil_id == row.id
        ]
        return links[0]


def unlink_pupil(session: UserSession, *, person_id: int, pupil_id: int) -> None:
    """Remove the link between a person and a pupil (the pupil's record stays)."""
    session.require(Operation.EDIT_CASES)
    with session.transaction(write=True) as db:
        person = require_person(session, db, person_id, operation=Operation.EDIT_CASES)
        link = db.get(PersonPupil, (person.id, pupil_id))
        pupil = db.get(Pupil, pupil_id)
        if (
            link is None
            or pupil is None
            or not scope.may_use_school(session.actor, pupil.school_id)
        ):
            raise ValidationError("That pupil is not linked to this person.", "pupil")
        db.delete(link)
        audit.record(
            db,
            session.actor,
            "person.pupil_unlinked",
            detail={"person_id": person.id, "pupil_id": pupil_id},
        )


def find_pupils(session: UserSession, query: str, *, limit: int = 20) -> list[PupilRow]:
    """Pupils at the user's schools whose names match what was typed, best first."""
    session.require(Operation.VIEW_CASES)
    query = query[:200]
    with session.transaction() as db:
        rows = db.execute(
            select(
                Pupil.id,
                Pupil.given_name,
                Pupil.family_name,
                Pupil.school_id,
                School.name,
                Pupil.year_group,
            )
            .join(School, School.id == Pupil.school_id)
            .where(scope.school_visible(session.actor))
            .where(name_bound(db, query, Pupil.given_name, Pupil.family_name))
            .order_by(prefix_first(query, Pupil.given_name, Pupil.family_name), Pupil.id)
            .limit(MAX_PUPIL_CANDIDATES)
        ).all()
    by_id = {r.id: r for r in rows}
    names = [(r.id, f"{r.given_name} {r.family_name}") for r in rows]
    return [
        PupilRow(i, name, by_id[i].school_id, by_id[i].name, by_id[i].year_group)
        for i, name, _ in best_matches(query, names, limit=max(1, limit))
    ]


# -- voluntary roles ----------------------------------------------------------------------
def set_voluntary_roles(
    session: UserSession,
    *,
    person_id: int,
    roles: Sequence[str | tuple[str, int | None]],
) -> PersonRow:
    """Replace the voluntary roles a person holds: each a role, or (role, school id)."""
    session.require(Operation.EDIT_CASES)
    wanted: list[tuple[str, int | None]] = []
    for item in roles:
        role, school_id = (item, None) if isinstance(item, str) else item
        try:
            value = VoluntaryRole(role).value
        except ValueError:
            raise ValidationError(f"There is no voluntary role called {role!r}.", "roles") from None
        if (value, school_id) not in wanted:
            wanted.append((value, school_id))
    with session.transaction(write=True) as db:
        person = require_person(
            session, db, person_id, operation=Operation.EDIT_CASES, unmerged=True
        )
        school_ids = {s for _, s in wanted if s is not None}
        known = set(db.scalars(select(School.id).where(School.id.in_(school_ids))))
        if school_ids - known:
            raise ValidationError("One of those schools no longer exists.", "roles")
        current = list(
            db.scalars(
                select(PersonVoluntaryRole).where(PersonVoluntaryRole.person_id == person.id)
            )
        )
        for row in current:
            if (row.role, row.school_id) not in wanted:
                db.delete(row)
        have = {(row.role, row.school_id) for row in current}
        for value, school_id in wanted:
            if (value, school_id) not in have:
                db.add(PersonVoluntaryRole(person_id=person.id, role=value, school_id=school_id))
        db.flush()
        audit.record(
            db,
            session.actor,
            "person.roles_set",
            detail={"person_id": person.id, "roles": sorted(v for v, _ in wanted)},
        )
        return person_rows(db, session.actor, [person.id])[0]
