"""People: finding them by a name typed any old way, adding them, and merging duplicates.

Who a user may see is decided in `services.person_rows` (people in their schools' cases,
and people in no case yet); a person beyond that is reported exactly like one that does
not exist.

How a search stays quick in a store of 100,000 people. The fuzzy score (`domain.names`)
runs in Python, about 13 µs a name, so the database first narrows the candidates
(`person_rows.name_bound`, four GLOBs a word on SQLite): for each of the first three typed
words, some word of the name must begin with that word's first letter, in either case and
with any accent, or with the first letter of another spelling of the same name ("kath"
keeps Catherine, "Zoe" keeps Zoë, "Obrien" keeps O'Brien). The scorer would not match a
name whose words all begin differently anyway, except after a slip in a word's very first
letter ("Xmith"), which is the price of the narrowing. At most `MAX_CANDIDATES` are
scored, those sharing the first word's first two letters first. Measured over 100,000
people: 90-180 ms a search, off the UI thread.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.dates import utc_now
from desktop.domain.names import best_matches, possible_duplicates
from desktop.domain.people import Relationship
from desktop.domain.roles import Operation
from desktop.domain.text import clean_block, clean_line
from desktop.errors import NotFound, ValidationError
from desktop.services import audit, frontdesk
from desktop.services.person_rows import (
    PersonRow,
    name_bound,
    person_rows,
    person_visible,
    prefix_first,
    require_person,
)
from desktop.services.session import UserSession
from desktop.storage.models import (
    Case,
    CasePerson,
    IncidentParty,
    Person,
    PersonPupil,
    PersonVoluntaryRole,
    Restriction,
    Trust,
)

MAX_CANDIDATES = 5000
MAX_QUERY_LENGTH = 200
_PHONE = re.compile(r"^[0-9+()#.\- ]*$")


class PossibleDuplicate(ValidationError):
    """The person being added may already be on file; `candidates` are the likely ones."""

    def __init__(self, candidates: tuple[PersonRow, ...]) -> None:
        self.candidates = candidates
        names = ", ".join(c.full_name for c in candidates[:3])
        super().__init__(
            f"This person may already be on file ({names}). Use the existing record, or "
            "add a new one if they are someone else.",
            "family_name",
        )


def _candidates(db: Session, session: UserSession, query: str) -> list[tuple[int, str]]:
    """(id, full name) of unmerged visible people whose names could match `query`."""
    rows = db.execute(
        select(Person.id, Person.given_name, Person.family_name)
        .where(
            Person.merged_into_id.is_(None),
            person_visible(session.actor),
            name_bound(db, query, Person.given_name, Person.family_name),
        )
        .order_by(prefix_first(query, Person.given_name, Person.family_name), Person.id)
        .limit(MAX_CANDIDATES)
    ).all()
    return [(r.id, f"{r.given_name} {r.family_name}".strip()) for r in rows]


def search_people(session: UserSession, query: str, *, limit: int = 20) -> list[PersonRow]:
    """People whose names match what was typed, best first, forgiving typos and spellings.

    Merged records are left out (the one they were merged into is found instead).
    """
    session.require(Operation.VIEW_CASES)
    query = query[:MAX_QUERY_LENGTH]
    with session.transaction() as db:
        matches = best_matches(query, _candidates(db, session, query), limit=max(1, limit))
        return person_rows(db, session.actor, [person_id for person_id, _, _ in matches])


# -- one person's record ------------------------------------------------------------------
def _clean_details(
    given_name: str,
    family_name: str,
    relation: str,
    address: str,
    email: str,
    phone: str,
) -> dict[str, str]:
    try:
        relation = Relationship(relation).value
    except ValueError:
        raise ValidationError("Choose how the person relates to the school.", "relation") from None
    email = clean_line(
        email, field="email", label="The email address", max_length=254, required=False
    )
    if email and (email.count("@") != 1 or " " in email or email.startswith("@")):
        raise ValidationError("That email address does not look right.", "email")
    phone = clean_line(
        phone, field="phone", label="The phone number", max_length=40, required=False
    )
    if not _PHONE.match(phone):
        raise ValidationError("A phone number has digits, spaces and + ( ) - only.", "phone")
    return {
        "given_name": clean_line(
            given_name, field="given_name", label="The first name", max_length=100
        ),
        "family_name": clean_line(
            family_name, field="family_name", label="The last name", max_length=100
        ),
        "relation": relation,
        "address": clean_block(address, field="address", label="The address", max_length=500),
        "email": email,
        "phone": phone,
    }


def get_person(session: UserSession, *, person_id: int) -> PersonRow:
    """One person's record, as this user may see it."""
    with session.transaction() as db:
        require_person(session, db, person_id)
        return person_rows(db, session.actor, [person_id])[0]


def create_person(
    session: UserSession,
    *,
    given_name: str,
    family_name: str,
    relation: str,
    address: str = "",
    email: str = "",
    phone: str = "",
    allow_duplicate: bool = False,
) -> PersonRow:
    """Add a person not yet in any case.

    Raises `PossibleDuplicate` (nothing saved) when someone of a very similar name is
    already on file, unless `allow_duplicate`: the person adding them has looked and says
    this is someone else. A barred parent recorded twice is a missed bar at the door.
    """
    session.require(Operation.EDIT_CASES)
    details = _clean_details(given_name, family_name, relation, address, email, phone)
    full_name = f"{details['given_name']} {details['family_name']}"
    with session.transaction(write=True) as db:
        alike = possible_duplicates(full_name, _candidates(db, session, full_name), limit=5)
        if alike and not allow_duplicate:
            candidates = person_rows(db, session.actor, [i for i, _, _ in alike])
            raise PossibleDuplicate(tuple(candidates))
        trust_id = db.scalar(select(Trust.id).order_by(Trust.id).limit(1))
        if trust_id is None:
            raise NotFound("This store has no trust record.")
        person = Person(trust_id=trust_id, created_at=utc_now(), **details)
        db.add(person)
        db.flush()
        detail: dict[str, object] = {"person_id": person.id}
        if alike:
            detail["despite_possible_duplicates"] = [i for i, _, _ in alike]
        audit.record(db, session.actor, "person.added", detail=detail)
        return person_rows(db, session.actor, [person.id])[0]


def _has_restrictions(db: Session, *person_ids: int) -> bool:
    found = db.scalar(select(Restriction.id).where(Restriction.person_id.in_(person_ids)).limit(1))
    return found is not None


def update_person(
    session: UserSession,
    *,
    person_id: int,
    given_name: str,
    family_name: str,
    relation: str,
    address: str = "",
    email: str = "",
    phone: str = "",
) -> PersonRow:
    """Correct a person's name, relationship or contact details.

    A person under a restriction is re-published to the front desk in the same
    transaction, so reception checks the name as it is now.
    """
    session.require(Operation.EDIT_CASES)
    details = _clean_details(given_name, family_name, relation, address, email, phone)
    with session.transaction(write=True) as db:
        person = require_person(
            session, db, person_id, operation=Operation.EDIT_CASES, unmerged=True
        )
        changed = [field for field, value in details.items() if getattr(person, field) != value]
        for field, value in details.items():
            setattr(person, field, value)
        db.flush()
        audit.record(
            db, session.actor, "person.updated", detail={"person_id": person.id, "fields": changed}
        )
        if changed and _has_restrictions(db, person.id):
            frontdesk.publish(db, session.store)
        return person_rows(db, session.actor, [person.id])[0]


# -- merging ------------------------------------------------------------------------------
def merge_people(session: UserSession, *, keep_id: int, merge_id: int) -> PersonRow:
    """Make two records of one person into one: everything of `merge_id` moves to `keep_id`.

    Cases they are the subject of, cases they are part of, linked pupils, incidents they
    are a party to, restrictions naming them and voluntary roles all move; where both
    records had the same link it is kept once. Contact details the kept record lacks are
    filled from the other. The merged record stays (pointing at the kept one, so old
    references still lead somewhere) and is left out of searches. Both must be visible.
    """
    session.require(Operation.EDIT_CASES)
    if keep_id == merge_id:
        raise ValidationError("Choose two different records to merge.", "merge")
    with session.transaction(write=True) as db:
        keep = require_person(session, db, keep_id, operation=Operation.EDIT_CASES, unmerged=True)
        gone = require_person(session, db, merge_id, operation=Operation.EDIT_CASES, unmerged=True)
        moved = _move_references(db, keep, gone)
        filled = [f for f in ("address", "email", "phone", "notes") if not getattr(keep, f)]
        filled = [f for f in filled if getattr(gone, f)]
        for field in filled:
            setattr(keep, field, getattr(gone, field))
        for earlier in db.scalars(select(Person).where(Person.merged_into_id == gone.id)):
            earlier.merged_into_id = keep.id
        gone.merged_into_id = keep.id
        db.flush()
        audit.record(
            db,
            session.actor,
            "person.merged",
            detail={"keep_id": keep.id, "merge_id": gone.id, "moved": moved, "filled": filled},
        )
        if moved["restrictions"] or _has_restrictions(db, keep.id):
            frontdesk.publish(db, session.store)
        return person_rows(db, session.actor, [keep.id])[0]


def _move_references(db: Session, keep: Person, gone: Person) -> dict[str, int]:
    """Point everything that names `gone` at `keep`, keeping each link once; counts moved."""
    moved = dict.fromkeys(("cases", "case_people", "pupils", "parties", "restrictions", "roles"), 0)
    for case in db.scalars(select(Case).where(Case.subject_id == gone.id)):
        case.subject_id = keep.id
        moved["cases"] += 1
    db.flush()
    subject_of = set(db.scalars(select(Case.id).where(Case.subject_id == keep.id)))
    kept_in = {
        row.case_id: row
        for row in db.scalars(select(CasePerson).where(CasePerson.person_id == keep.id))
    }
    for case_id, row in list(kept_in.items()):
        if case_id in subject_of:  # now the subject: not also one of the others
            db.delete(row)
            del kept_in[case_id]
    for row in db.scalars(select(CasePerson).where(CasePerson.person_id == gone.id)):
        if row.case_id in subject_of or row.case_id in kept_in:
            db.delete(row)
        else:
            row.person_id = keep.id
            moved["case_people"] += 1
    kept_pupils = set(
        db.scalars(select(PersonPupil.pupil_id).where(PersonPupil.person_id == keep.id))
    )
    for link in db.scalars(select(PersonPupil).where(PersonPupil.person_id == gone.id)):
        if link.pupil_id not in kept_pupils:
            db.add(PersonPupil(person_id=keep.id, pupil_id=link.pupil_id, relation=link.relation))
            moved["pupils"] += 1
        db.delete(link)
    for party in db.scalars(select(IncidentParty).where(IncidentParty.person_id == gone.id)):
        party.person_id = keep.id
        moved["parties"] += 1
    for restriction in db.scalars(select(Restriction).where(Restriction.person_id == gone.id)):
        restriction.person_id = keep.id
        moved["restrictions"] += 1
    kept_roles = {
        (r.role, r.school_id)
        for r in db.scalars(
            select(PersonVoluntaryRole).where(PersonVoluntaryRole.person_id == keep.id)
        )
    }
    for role in db.scalars(
        select(PersonVoluntaryRole).where(PersonVoluntaryRole.person_id == gone.id)
    ):
        if (role.role, role.school_id) in kept_roles:
            db.delete(role)
        else:
            role.person_id = keep.id
            kept_roles.add((role.role, role.school_id))
            moved["roles"] += 1
    db.flush()
    return moved
