"""Which people a user may see, how a typed name narrows the search, and the rows returned.

Shared by `services.people` (search, records, merging) and `services.case_people` (who
is in a case, their pupils and roles).

Who is visible. A trust-wide user sees everyone. Anyone else sees a person who is linked
to a case they may open (its subject, someone added to it, a party to one of its
incidents, or the person a restriction on it names), and a person linked to no case at
all (just added, not yet in a case), unless every pupil that person is linked to is at a
school the user cannot see. A person connected only to other schools' cases is reported
exactly like one that does not exist. Pupils at schools the user cannot see are left out
of every row; the references listed are only of cases the user may open.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from sqlalchemy import (
    ColumnElement,
    Subquery,
    and_,
    exists,
    false,
    func,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy import case as sql_case
from sqlalchemy.orm import QueryableAttribute, Session

from desktop.domain.names import NAME_VARIANTS, name_key
from desktop.domain.people import Relationship, VoluntaryRole
from desktop.domain.roles import Operation
from desktop.errors import NotFound, ValidationError
from desktop.services import scope
from desktop.services.session import Actor, UserSession
from desktop.storage.models import (
    Case,
    CasePerson,
    Incident,
    IncidentParty,
    Person,
    PersonPupil,
    PersonVoluntaryRole,
    Pupil,
    Restriction,
    School,
)

# One wording for a person out of reach and one that does not exist, as for cases (the
# scoping test holds every service taking a person_id to the case wording).
PERSON_NOT_FOUND = scope.CASE_NOT_FOUND
MERGED = "This record was merged into another person's record. Open that one instead."


@dataclass(frozen=True)
class PupilLink:
    """A pupil linked to a person, and how the person is related to them."""

    pupil_id: int
    name: str
    school_id: int
    school: str
    year_group: str
    relation: str  # domain.people.Relationship value

    @property
    def relation_label(self) -> str:
        return _relation_label(self.relation)


@dataclass(frozen=True)
class RoleRow:
    """A voluntary role a person holds (a governor stays a parent in scope)."""

    role: str  # domain.people.VoluntaryRole value
    school_id: int | None
    school: str

    @property
    def label(self) -> str:
        try:
            text = VoluntaryRole(self.role).label
        except ValueError:
            text = self.role.replace("_", " ").capitalize()
        return f"{text}, {self.school}" if self.school else text


@dataclass(frozen=True)
class PersonRow:
    id: int
    given_name: str
    family_name: str
    full_name: str
    relation: str  # domain.people.Relationship value
    address: str
    email: str
    phone: str
    pupils: tuple[PupilLink, ...]
    voluntary_roles: tuple[RoleRow, ...]
    case_references: tuple[str, ...]  # only the cases this user may open
    merged_into_id: int | None = None

    @property
    def relation_label(self) -> str:
        return _relation_label(self.relation)


def _relation_label(value: str) -> str:
    try:
        return Relationship(value).label
    except ValueError:
        return value.replace("_", " ").capitalize()


# -- visibility ---------------------------------------------------------------------------
def case_links() -> Subquery:
    """(person_id, case_id) for every way a person is part of a case."""
    return union_all(
        select(Case.subject_id.label("person_id"), Case.id.label("case_id")),
        select(CasePerson.person_id, CasePerson.case_id),
        select(IncidentParty.person_id, Incident.case_id)
        .join(Incident, Incident.id == IncidentParty.incident_id)
        .where(IncidentParty.person_id.is_not(None)),
        select(Restriction.person_id, Restriction.case_id),
    ).subquery("case_links")


def person_visible(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on `Person`: the people this actor may see (see the module's note)."""
    if actor.school_ids is None:
        return true()
    schools = sorted(actor.school_ids)
    links = case_links()
    in_open_case = Person.id.in_(
        select(links.c.person_id).where(links.c.case_id.in_(scope.visible_case_ids(actor)))
    )
    in_any_case = Person.id.in_(select(case_links().c.person_id))
    has_pupils = exists().where(PersonPupil.person_id == Person.id)
    has_pupil_here = exists().where(
        PersonPupil.person_id == Person.id,
        PersonPupil.pupil_id.in_(select(Pupil.id).where(Pupil.school_id.in_(schools))),
    )
    return or_(in_open_case, and_(~in_any_case, or_(~has_pupils, has_pupil_here)))


def require_person(
    session: UserSession,
    db: Session,
    person_id: int,
    *,
    operation: Operation = Operation.VIEW_CASES,
    unmerged: bool = False,
) -> Person:
    """The person, if the role allows `operation` and the person is visible to the user.

    With `unmerged`, a record merged into another is refused (changes go to the one kept).
    """
    session.require(operation)
    person = db.scalar(select(Person).where(Person.id == person_id, person_visible(session.actor)))
    if person is None:
        raise NotFound(PERSON_NOT_FOUND)
    if unmerged and person.merged_into_id is not None:
        raise ValidationError(MERGED, "person")
    return person


# -- narrowing a search in SQL ------------------------------------------------------------
# Letters that fold to a base letter ("É" and "é" to "e", "Ş" to "s"): ASCII, Latin-1,
# Latin Extended-A and -B, Greek, Cyrillic and Latin Extended Additional.
_FOLDING_RANGES = ((0x0041, 0x007B), (0x00C0, 0x0250), (0x0370, 0x0530), (0x1E00, 0x1F00))
_WORD_BREAKS = "- '\u2019"  # a word inside a name starts after one of these ("-" first: literal)
MAX_BOUND_TOKENS = 3
Column = QueryableAttribute[str]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _first_characters() -> dict[str, frozenset[str]]:
    """Base letter -> every character (either case, any accent) that folds to it."""
    found: dict[str, set[str]] = defaultdict(set)
    for start, end in _FOLDING_RANGES:
        for point in range(start, end):
            ch = chr(point)
            folded = _fold(ch)
            if folded and unicodedata.category(ch)[0] == "L":
                found[folded[0]].add(ch)
    return {letter: frozenset(chars) for letter, chars in found.items()}


def initial_letters(token: str) -> frozenset[str]:
    """The first letters a name matching this typed word (a name-key word) can start with.

    The word's own first letter, and the first letters of every spelling of a name it is
    (or begins) a spelling of: "kath" can find Catherine, "geoff" Jeffrey.
    """
    letters = {token[0]}
    for group in NAME_VARIANTS:
        if any(spelling.startswith(token) for spelling in group):
            letters.update(spelling[0] for spelling in group)
    return frozenset(letters)


def _glob_class(letters: frozenset[str]) -> str:
    """A GLOB character class of every way these letters can be written: "[EeÉé...]"."""
    chars: set[str] = set()
    for letter in letters:
        chars.update(_first_characters().get(letter, ()))
        chars.update(c for c in (letter, letter.upper()) if len(c) == 1)
    chars -= set("[]^-*?")  # never in a name-key word, but never special in a class either
    return "[" + "".join(sorted(chars)) + "]"


def name_bound(db: Session, query: str, given: Column, family: Column) -> ColumnElement[bool]:
    """A WHERE clause keeping only names that could match `query` (see services.people).

    For each of the query's first three words, some word of the name must begin with one
    of that word's `initial_letters`, in either case and with any accent: the first word
    of the given or family name, or a word after a space, hyphen or apostrophe in either.
    On SQLite this is four GLOBs a word (most of a search's 90-180 ms over 100,000
    people); elsewhere a case-insensitive LIKE on the unaccented letters.
    """
    tokens = name_key(query).split()[:MAX_BOUND_TOKENS]
    if not tokens:
        return false()  # nothing typed: nothing matches
    sqlite = db.get_bind().dialect.name == "sqlite"
    per_token = []
    for token in tokens:
        letters = initial_letters(token)
        clauses: list[ColumnElement[bool]] = []
        if sqlite:
            starts = _glob_class(letters)
            inside = f"*[{_WORD_BREAKS}]{starts}*"
            for column in (given, family):
                clauses += [column.op("GLOB")(f"{starts}*"), column.op("GLOB")(inside)]
        else:
            for column in (given, family):
                lowered = func.lower(column)
                for letter in letters:
                    clauses.append(lowered.like(f"{letter}%"))
                    clauses += [lowered.like(f"%{b}{letter}%") for b in _WORD_BREAKS]
        per_token.append(or_(*clauses))
    return and_(*per_token)


def prefix_first(query: str, given: Column, family: Column) -> ColumnElement[int]:
    """0 for names with a word starting as the query's first word does, else 1: when more
    candidates pass the bound than are scored, the likeliest are scored first."""
    tokens = name_key(query).split()
    if not tokens:
        return sql_case((true(), 0), else_=1)
    start = tokens[0][:2]  # letters and digits only: nothing LIKE treats specially
    return sql_case((or_(given.like(f"{start}%"), family.like(f"{start}%")), 0), else_=1)


# -- rows ---------------------------------------------------------------------------------
def person_rows(db: Session, actor: Actor, person_ids: Sequence[int]) -> list[PersonRow]:
    """Rows for these people, in the order given, with what this actor may see of them."""
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        return []
    people = {p.id: p for p in db.scalars(select(Person).where(Person.id.in_(ids)))}
    pupils: dict[int, list[PupilLink]] = defaultdict(list)
    pupil_query = (
        select(
            PersonPupil.person_id,
            PersonPupil.relation,
            Pupil.id,
            Pupil.given_name,
            Pupil.family_name,
            Pupil.school_id,
            School.name,
            Pupil.year_group,
        )
        .join(Pupil, Pupil.id == PersonPupil.pupil_id)
        .join(School, School.id == Pupil.school_id)
        .where(PersonPupil.person_id.in_(ids), scope.school_visible(actor))
        .order_by(Pupil.family_name, Pupil.given_name, Pupil.id)
    )
    for row in db.execute(pupil_query):
        name = f"{row.given_name} {row.family_name}".strip()
        pupils[row.person_id].append(
            PupilLink(row.id, name, row.school_id, row.name, row.year_group, row.relation)
        )
    roles: dict[int, list[RoleRow]] = defaultdict(list)
    role_query = (
        select(PersonVoluntaryRole.person_id, PersonVoluntaryRole.role, School.id, School.name)
        .outerjoin(School, School.id == PersonVoluntaryRole.school_id)
        .where(PersonVoluntaryRole.person_id.in_(ids))
        .order_by(PersonVoluntaryRole.id)
    )
    for person_id, role, school_id, school in db.execute(role_query):
        roles[person_id].append(RoleRow(role, school_id, school or ""))
    references: dict[int, list[str]] = defaultdict(list)
    links = case_links()
    reference_query = (
        select(links.c.person_id, Case.reference)
        .join(Case, Case.id == links.c.case_id)
        .where(links.c.person_id.in_(ids), scope.case_visible(actor))
        .distinct()
        .order_by(Case.ref_year, Case.ref_sequence)
    )
    for person_id, reference in db.execute(reference_query):
        if reference not in references[person_id]:
            references[person_id].append(reference)
    return [
        PersonRow(
            id=p.id,
            given_name=p.given_name,
            family_name=p.family_name,
            full_name=p.full_name,
            relation=p.relation,
            address=p.address,
            email=p.email,
            phone=p.phone,
            pupils=tuple(pupils[p.id]),
            voluntary_roles=tuple(roles[p.id]),
            case_references=tuple(references[p.id]),
            merged_into_id=p.merged_into_id,
        )
        for p in (people[i] for i in ids if i in people)
    ]
