"""What the case list window reads: a page of cases and each one's next due item.

Both come from one transaction, so a page never shows a case with another moment's due
item, and the list pays for one start of a service call, not two, on every keystroke of a
search. The rows are `services.cases`' listing; the items are `services.due`'s choice for
the "Next due" column (`case_list_due`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from desktop.dates import uk_today
from desktop.domain.due import DueItem
from desktop.services import cases, due
from desktop.services.cases import COUNT_CAP, CaseQuery, CaseRow
from desktop.services.session import UserSession


@dataclass(frozen=True)
class ListPage:
    """A page of rows and each row's next due item (a case with nothing open has none)."""

    rows: list[CaseRow]
    due: dict[int, DueItem]


@dataclass(frozen=True)
class FirstPage(ListPage):
    """What new filters, a search or a sort bring back: the first page, the count (exact,
    or more than `total` when `exact` is False) and whether the user can see any case at
    all (False means "none yet", not "no match")."""

    total: int = 0
    exact: bool = True
    any_cases: bool = False


def first_page(
    session: UserSession,
    query: CaseQuery,
    *,
    limit: int = 100,
    count_up_to: int = COUNT_CAP,
    today: dt.date | None = None,
) -> FirstPage:
    """The count, the first page and its next due items, read together."""
    today = today or uk_today()
    with session.transaction() as db:
        found = cases.find_in(db, session, query, limit=limit, today=today, count_up_to=count_up_to)
        items = _next_due(db, session, found.rows, today)
        any_cases = bool(found.total) or cases.has_cases_in(db, session)
    return FirstPage(found.rows, items, found.total, found.exact, any_cases)


def next_page(
    session: UserSession,
    query: CaseQuery,
    *,
    offset: int,
    limit: int = 100,
    today: dt.date | None = None,
) -> ListPage:
    """The page after the first `offset` rows, and its next due items."""
    today = today or uk_today()
    with session.transaction() as db:
        rows = cases.list_in(db, session, query, offset=offset, limit=limit, today=today)
        return ListPage(rows, _next_due(db, session, rows, today))


def _next_due(
    db: Session, session: UserSession, rows: list[CaseRow], today: dt.date
) -> dict[int, DueItem]:
    if not rows:
        return {}
    return due.most_pressing_in(db, session.actor, [r.id for r in rows], today, as_listed=True)
