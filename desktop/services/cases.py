"""Case files: listing (page by page, within the user's schools), opening, and fetching one.

The orders the list sorts in are `services.case_order`; the numbering of new cases' references
is `services.case_numbers`."""

from __future__ import annotations

import datetime as dt
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import True_

from desktop.dates import uk_today, utc_now
from desktop.domain.cases import CaseStatus, Stage
from desktop.domain.people import Relationship
from desktop.domain.record_dates import check_not_too_early
from desktop.domain.roles import Operation
from desktop.domain.text import clean_block, clean_line
from desktop.errors import ValidationError
from desktop.services import audit, scope
from desktop.services.case_numbers import insert_numbered
from desktop.services.case_order import NEWEST_FIRST, CaseOrder, order_by
from desktop.services.due import needs_attention_clause
from desktop.services.session import UserSession
from desktop.storage.models import Case, Person, School, case_schools
from desktop.storage.search import (
    IndexedSearch,
    case_search_clause,
    count_matches,
    indexed_search,
    newest_matches,
)

MAX_PAGE = 1000


@dataclass(frozen=True, slots=True)  # slots: the list may hold tens of thousands
class CaseRow:
    id: int
    reference: str
    subject: str
    schools: tuple[str, ...]
    status: str
    stage: str
    opened: dt.date

    def as_json(self) -> dict[str, object]:
        return {
            "reference": self.reference,
            "subject": self.subject,
            "schools": list(self.schools),
            "status": self.status,
            "stage": self.stage,
            "opened": self.opened.isoformat(),
        }


COUNT_CAP = 1000  # a search's count stops past this: "more than 1,000 cases"


@dataclass(frozen=True)
class _Filters:
    """What the list is narrowed to: `where`, conditions on `Case` (the user's schools,
    a school, a status, needs attention), and the typed search, cut to 200 characters."""

    where: list[ColumnElement[bool]]
    search: str


def _filters(
    session: UserSession,
    *,
    search: str,
    school_id: int | None,
    status: str | None,
    needs_attention: bool = False,
    today: dt.date | None = None,
) -> _Filters:
    """The list's filters, never outside the schools this user may see.

    `needs_attention`: only cases with an item overdue or due within a week of `today`
    (the rules are `services.due.needs_attention_clause`)."""
    session.require(Operation.VIEW_CASES)
    where: list[ColumnElement[bool]] = []
    visible = scope.case_visible(session.actor)
    if not isinstance(visible, True_):  # a trust-wide role: no condition to check per case
        where.append(visible)
    if school_id is not None:
        scope.require_schools(session.actor, [school_id], "You cannot see that school's cases.")
        # Checked case by case on the link table's key: a search reads few cases, and
        # the table has no index by school to list one school's cases from.
        at_school = case_schools.c.case_id == Case.id, case_schools.c.school_id == school_id
        where.append(select(case_schools.c.case_id).where(*at_school).exists())
    if status:
        try:
            where.append(Case.status == CaseStatus(status).value)
        except ValueError:
            raise ValidationError(f"There is no case status called {status!r}.", "status") from None
    if needs_attention:
        where.append(needs_attention_clause(today or uk_today()))
    return _Filters(where, search[:200])


def _matching(db: Session, filters: _Filters, *columns: Any) -> Select[Any]:
    """Every case matching the filters and search, as `columns` (the case id by default),
    with the subject joined."""
    query = select(*(columns or (Case.id,))).join(Person, Case.subject_id == Person.id)
    clause = case_search_clause(db, filters.search) if filters.search else None
    return query.where(*filters.where, *([clause] if clause is not None else []))


def _count(db: Session, filters: _Filters) -> int:
    # Without a search the subject is not needed.
    query = _matching(db, filters) if filters.search else select(Case.id).where(*filters.where)
    return db.scalar(select(func.count()).select_from(query.subquery())) or 0


def count_cases(
    session: UserSession,
    *,
    search: str = "",
    school_id: int | None = None,
    status: str | None = None,
    needs_attention: bool = False,
    today: dt.date | None = None,
) -> int:
    """How many cases match, exactly (the case list counts a search only up to a cap:
    `find_cases`)."""
    with session.transaction() as db:
        filters = _filters(
            session,
            search=search,
            school_id=school_id,
            status=status,
            needs_attention=needs_attention,
            today=today,
        )
        return _count(db, filters)


def has_cases(session: UserSession) -> bool:
    """Whether the user can see any case at all, whatever the filters.

    Tells a store with nothing in it yet apart from a search that matched nothing.
    """
    with session.transaction() as db:
        return has_cases_in(db, session)


def has_cases_in(db: Session, session: UserSession) -> bool:
    """`has_cases` inside a transaction the caller holds."""
    filters = _filters(session, search="", school_id=None, status=None)
    return bool(db.scalar(select(select(Case.id).where(*filters.where).exists())))


@dataclass(frozen=True)
class CaseQuery:
    """Which cases the list shows, and in what order: the window's search, drop-downs and
    sorted column."""

    search: str = ""
    school_id: int | None = None
    status: str | None = None
    needs_attention: bool = False  # only cases with something overdue or due within a week
    order: CaseOrder = NEWEST_FIRST

    def filters(self, session: UserSession, today: dt.date) -> _Filters:
        return _filters(
            session,
            search=self.search,
            school_id=self.school_id,
            status=self.status,
            needs_attention=self.needs_attention,
            today=today,
        )


def list_cases(
    session: UserSession,
    *,
    search: str = "",
    school_id: int | None = None,
    status: str | None = None,
    needs_attention: bool = False,
    order: CaseOrder = NEWEST_FIRST,
    offset: int = 0,
    limit: int = 100,
    today: dt.date | None = None,
) -> list[CaseRow]:
    """One page of cases in `order` (newest first unless asked otherwise). `today` is the
    day "Needs attention" and the next-due order are worked out for (the UK date now)."""
    query = CaseQuery(search, school_id, status, needs_attention, order)
    with session.transaction() as db:
        return list_in(db, session, query, offset=offset, limit=limit, today=today or uk_today())


def list_in(
    db: Session, session: UserSession, query: CaseQuery, *, offset: int, limit: int, today: dt.date
) -> list[CaseRow]:
    """`list_cases` inside a transaction the caller holds."""
    filters = query.filters(session, today)
    indexed = indexed_search(db, filters.search) if filters.search else None
    offset, limit = max(0, offset), max(1, min(limit, MAX_PAGE))
    return _page(db, filters, query.order, offset, limit, today, indexed)


@dataclass(frozen=True)
class FoundCases:
    """The case list's first page and how many cases match: exactly, or, when `exact` is
    False, more than `total` (a search matching more than COUNT_CAP is not counted out)."""

    rows: list[CaseRow]
    total: int
    exact: bool = True


def find_cases(
    session: UserSession,
    *,
    search: str = "",
    school_id: int | None = None,
    status: str | None = None,
    needs_attention: bool = False,
    order: CaseOrder = NEWEST_FIRST,
    limit: int = 100,
    today: dt.date | None = None,
    count_up_to: int = COUNT_CAP,
) -> FoundCases:
    """What the case list shows for new filters: the first page and the count, read
    together. A search is counted no further than `count_up_to` (counting every one of
    twenty thousand matches for "sm" costs far more than finding the newest hundred);
    without one the count is exact."""
    query = CaseQuery(search, school_id, status, needs_attention, order)
    with session.transaction() as db:
        return find_in(
            db, session, query, limit=limit, today=today or uk_today(), count_up_to=count_up_to
        )


def find_in(
    db: Session,
    session: UserSession,
    query: CaseQuery,
    *,
    limit: int,
    today: dt.date,
    count_up_to: int,
) -> FoundCases:
    """`find_cases` inside a transaction the caller holds (the case list reads its page's
    next due items in the same one: `services.case_list`)."""
    filters = query.filters(session, today)
    indexed = indexed_search(db, filters.search) if filters.search else None
    if indexed is None:
        total, exact = _count(db, filters), True
    else:
        counted = count_matches(db, indexed, filters.where, up_to=count_up_to)
        total, exact = min(counted, count_up_to), counted <= count_up_to
    limit = max(1, min(limit, MAX_PAGE))
    at_most = total if indexed is not None and exact else None
    rows = _page(db, filters, query.order, 0, limit, today, indexed, at_most) if total else []
    return FoundCases(rows, total, exact)


# What a row of the list shows, and the two reads a page of known ids needs: built once,
# as the list reads a page on every keystroke of a search.
_ROW_COLUMNS = (
    Case.id,
    Case.reference,
    Person.given_name,
    Person.family_name,
    Case.status,
    Case.stage,
    Case.opened_on,
)
_ROWS_BY_ID = (
    select(*_ROW_COLUMNS)
    .join(Person, Case.subject_id == Person.id)
    .where(Case.id.in_(bindparam("ids", expanding=True)))
)
_SCHOOL_NAMES = (
    select(case_schools.c.case_id, School.name)
    .join(School, School.id == case_schools.c.school_id)
    .where(case_schools.c.case_id.in_(bindparam("ids", expanding=True)))
    .order_by(School.name)
)


def _page(
    db: Session,
    filters: _Filters,
    order: CaseOrder,
    offset: int,
    limit: int,
    today: dt.date,
    indexed: IndexedSearch | None,
    at_most: int | None = None,
) -> list[CaseRow]:
    """One page of rows; `indexed`: the search as the index answers it (None without a
    search, or off SQLite); `at_most`: how many cases match at most, when just counted."""
    ids = None
    if indexed is not None and order == NEWEST_FIRST:
        ids = newest_matches(
            db, indexed, filters.where, offset=offset, limit=limit, at_most=at_most
        )
    if ids is not None:  # the page's ids, in order: fetch their rows
        found = {r.id: r for r in db.connection().execute(_ROWS_BY_ID, {"ids": ids}).all()}
        rows = [found[i] for i in ids if i in found]
    else:
        query = _matching(db, filters, *_ROW_COLUMNS).order_by(*order_by(order, today))
        rows = list(db.connection().execute(query.offset(offset).limit(limit)))
    names = _school_names(db, [r.id for r in rows])
    return [
        CaseRow(
            r.id,
            r.reference,
            f"{r.given_name} {r.family_name}".strip(),
            names.get(r.id, ()),
            sys.intern(r.status),  # a few values, held by every row of a long list
            sys.intern(r.stage),
            r.opened_on,
        )
        for r in rows
    ]


def _school_names(db: Session, case_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    if not case_ids:
        return {}
    found: dict[int, list[str]] = defaultdict(list)
    for case_id, name in db.connection().execute(_SCHOOL_NAMES, {"ids": list(case_ids)}).all():
        found[case_id].append(name)
    return {k: _shared(tuple(v)) for k, v in found.items()}


@lru_cache(maxsize=256)
def _shared(names: tuple[str, ...]) -> tuple[str, ...]:
    """One tuple for each combination of schools: a trust has a few, and a list scrolled to
    its end holds a row for every case."""
    return tuple(sys.intern(n) for n in names)


def all_cases(
    session: UserSession,
    *,
    status: str | None = None,
    needs_attention: bool = False,
    page: int = 500,
) -> list[CaseRow]:
    """Every case the user may see, fetched a page at a time (for exports and the CLI)."""
    out: list[CaseRow] = []
    today = uk_today()  # one day for every page, should the run cross midnight
    while True:
        chunk = list_cases(
            session,
            status=status,
            needs_attention=needs_attention,
            offset=len(out),
            limit=page,
            today=today,
        )
        out.extend(chunk)
        if len(chunk) < page:
            return out


def check_subject(given_name: str, family_name: str, relationship: str) -> tuple[str, str, str]:
    """A new subject's (first name, last name, relationship) as stored, or ValidationError."""
    given = clean_line(given_name, field="given_name", label="The first name", max_length=100)
    family = clean_line(family_name, field="family_name", label="The last name", max_length=100)
    try:
        relation = Relationship(relationship)
    except ValueError:
        raise ValidationError(
            "Choose how the person relates to the school.", "relationship"
        ) from None
    return given, family, relation.value


def check_schools(session: UserSession, school_ids: Sequence[int]) -> None:
    """A new case's schools: at least one, and only the user's own."""
    if not school_ids:
        raise ValidationError("Choose at least one school.", "schools")
    scope.require_schools(session.actor, school_ids, "You can only open cases at your own schools.")


def load_schools(db: Session, school_ids: Sequence[int]) -> list[School]:
    """The schools a new case is opened at (already checked against the user's)."""
    schools = list(db.scalars(select(School).where(School.id.in_(school_ids))).all())
    if len(schools) != len(set(school_ids)):
        raise ValidationError("One of those schools no longer exists.", "schools")
    return schools


def insert_case(
    db: Session,
    session: UserSession,
    *,
    subject: Person,
    schools: Sequence[School],
    opened_on: dt.date,
    summary: str,
    now: dt.datetime,
    detail: dict[str, Any] | None = None,
) -> Case:
    """Add a numbered, open case on `subject` and its audit entry, inside the caller's write
    transaction. The caller has already checked the user's role and schools."""
    case = insert_numbered(
        db,
        lambda reference, sequence: Case(
            reference=reference,
            ref_year=opened_on.year,
            ref_sequence=sequence,
            subject_id=subject.id,
            status=CaseStatus.OPEN.value,
            stage=Stage.CONCERN_LOGGED.value,
            summary=summary,
            opened_on=opened_on,
            created_by_id=session.actor.user_id,
            created_at=now,
            schools=list(schools),
        ),
        opened_on.year,
    )
    audit.record(db, session.actor, "case.opened", case_id=case.id, detail=detail)
    return case


def new_case_row(opened: Case, subject: Person, schools: Sequence[School]) -> CaseRow:
    """The list's row for a case just opened (its schools by name, as the list sorts them)."""
    return CaseRow(
        opened.id,
        opened.reference,
        subject.full_name,
        tuple(sorted(s.name for s in schools)),
        opened.status,
        opened.stage,
        opened.opened_on,
    )


def open_case(
    session: UserSession,
    *,
    given_name: str,
    family_name: str,
    relationship: str,
    school_ids: Sequence[int],
    opened_on: dt.date,
    summary: str = "",
    address: str = "",
) -> CaseRow:
    """Open a case on a new subject at one or more of the user's schools."""
    session.require(Operation.EDIT_CASES)
    given, family, relation = check_subject(given_name, family_name, relationship)
    summary = clean_block(summary, field="summary", label="The summary", max_length=4000)
    address = clean_block(address, field="address", label="The address", max_length=500)
    check_schools(session, school_ids)
    if opened_on > utc_now().date() + dt.timedelta(days=1):
        raise ValidationError("A case cannot be opened on a future date.", "opened_on")
    check_not_too_early(opened_on, field="opened_on")
    with session.transaction(write=True) as db:
        schools = load_schools(db, school_ids)
        now = utc_now()
        person = Person(
            trust_id=schools[0].trust_id,
            given_name=given,
            family_name=family,
            relation=relation,
            address=address,
            created_at=now,
        )
        db.add(person)
        db.flush()
        case = insert_case(
            db,
            session,
            subject=person,
            schools=schools,
            opened_on=opened_on,
            summary=summary,
            now=now,
        )
        return new_case_row(case, person, schools)


def get_case(session: UserSession, *, reference: str) -> CaseRow:
    """One case by its reference (`CB-2026-0042`), if it is within the user's schools.

    `ValidationError` for text that is not a reference; `NotFound` both for a case that
    does not exist and for one at other schools, so references cannot be probed.
    """
    with session.transaction() as db:
        case = scope.require_case_by_reference(session, db, reference)
        return CaseRow(
            case.id,
            case.reference,
            case.subject.full_name,
            tuple(s.name for s in case.schools),
            case.status,
            case.stage,
            case.opened_on,
        )
