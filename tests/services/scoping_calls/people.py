"""How the scoping test calls the people services (tests/services/test_scoping.py).

A person is reached through a case: the case's subject, who is in no other case. So a
one-school user can reach the subject of a case at their school, and is told about the
subject of another school's case exactly what they are told about a person who does not
exist.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

from desktop.services import case_people, people
from desktop.services.case_people import NewPupil
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession
from tests.services.scoping_calls import admin

MISSING = 999_999
ASH = 1
_numbers = count(1)


def _subject_id(case: CaseRow) -> int:
    """The case's subject, looked up by the administrator; or an id that does not exist."""
    if case.id == MISSING:
        return MISSING
    return case_people.case_people(admin(), case_id=case.id).subject.id


def _new_person_id() -> int:
    return people.create_person(
        admin(),
        given_name="Robin",
        family_name=f"Other{next(_numbers)}",
        relation="carer",
        allow_duplicate=True,
    ).id


def _update(session: UserSession, case: CaseRow) -> object:
    person_id = _subject_id(case)
    return people.update_person(
        session,
        person_id=person_id,
        given_name="Pat",
        family_name=case.subject.split()[-1] if case.id != MISSING else "Nobody",
        relation="parent",
        phone="01632 960000",
    )


def _remove(session: UserSession, case: CaseRow) -> object:
    person_id = MISSING
    if case.id != MISSING:
        person_id = _new_person_id()
        case_people.add_person_to_case(admin(), case_id=case.id, person_id=person_id)
    return case_people.remove_person_from_case(session, case_id=case.id, person_id=person_id)


def _link_new_pupil(session: UserSession, case: CaseRow) -> object:
    pupil = NewPupil("Sam", f"Pupil{next(_numbers)}", ASH, "Year 3")
    return case_people.link_pupil(
        session, person_id=_subject_id(case), pupil=pupil, relation="parent"
    )


def _unlink(session: UserSession, case: CaseRow) -> object:
    person_id, pupil_id = _subject_id(case), MISSING
    if case.id != MISSING:
        pupil = NewPupil("Alex", f"Pupil{next(_numbers)}", ASH)
        pupil_id = case_people.link_pupil(
            admin(), person_id=person_id, pupil=pupil, relation="parent"
        ).pupil_id
    return case_people.unlink_pupil(session, person_id=person_id, pupil_id=pupil_id)


CALLS: dict[str, Callable[[UserSession, CaseRow], object]] = {
    "desktop.services.people.get_person": lambda s, case: people.get_person(
        s, person_id=_subject_id(case)
    ),
    "desktop.services.people.update_person": _update,
    "desktop.services.case_people.case_people": lambda s, case: case_people.case_people(
        s, case_id=case.id
    ),
    "desktop.services.case_people.add_person_to_case": lambda s, case: (
        case_people.add_person_to_case(
            s, case_id=case.id, person_id=_new_person_id(), role="Other parent"
        )
    ),
    "desktop.services.case_people.remove_person_from_case": _remove,
    "desktop.services.case_people.link_pupil": _link_new_pupil,
    "desktop.services.case_people.unlink_pupil": _unlink,
    "desktop.services.case_people.set_voluntary_roles": lambda s, case: (
        case_people.set_voluntary_roles(
            s, person_id=_subject_id(case), roles=["pta_member", ("local_governor", ASH)]
        )
    ),
    "desktop.services.person_rows.require_person": lambda s, case: _in_transaction(
        s, _subject_id(case)
    ),
}


def _in_transaction(session: UserSession, person_id: int) -> object:
    from desktop.services.person_rows import require_person

    with session.transaction() as db:
        return require_person(session, db, person_id)
