"""The case list's search on a store of hundreds of cases: newest-first pages read from the
index newest-recorded first must equal sorting every match, however the cases were dated,
and the count stops at its cap only when asked to.

Cases are mostly recorded in the order they are opened; these stores also hold cases
recorded early but opened late (a case typed in after others were back-dated), which a
page read only from the newest-recorded matches would miss.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktop.services import auth
from desktop.services.case_order import CaseOrder, CaseSort
from desktop.services.cases import CaseRow, count_cases, find_cases, list_cases
from desktop.services.demo import SAMPLE_PASSWORD, create_demo_store
from desktop.services.session import UserSession
from desktop.storage.models import Case
from tests.conftest import fast_keys

CASES = 500
TODAY = dt.date(2026, 11, 2)
# How many of the first-recorded cases are dated after every other: a few, which the page
# must check for, or more than the check looks at (then every match is sorted).
OPENED_LATE = {"a few": 5, "many": 250}


@pytest.fixture(scope="module", params=sorted(OPENED_LATE))
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("search") / "search.casebook"
    with fast_keys():
        create_demo_store(path, cases=CASES, seed=5, today=TODAY)
        session = auth.sign_in(path, username="admin", password=SAMPLE_PASSWORD)
    try:
        with session.transaction(write=True) as db:
            first = db.scalars(select(Case).order_by(Case.id).limit(OPENED_LATE[request.param]))
            for n, case in enumerate(first):
                case.opened_on = TODAY + dt.timedelta(days=1 + n % 3)  # ties on a day too
    finally:
        session.close()
    return path


@pytest.fixture
def session(store: Path) -> Iterator[UserSession]:
    session = auth.sign_in(store, username="admin", password=SAMPLE_PASSWORD)
    yield session
    session.close()


def every_match_newest_first(session: UserSession, **filters: Any) -> list[CaseRow]:
    """Every match, by another order (reference), sorted here as the list sorts them."""
    by_reference = CaseOrder(CaseSort.REFERENCE, descending=False)
    rows = list_cases(session, order=by_reference, limit=1000, **filters)
    assert len(rows) < 1000
    return sorted(rows, key=lambda r: (r.opened, r.id), reverse=True)


SEARCHES = ["CB-", "cb-20", "a", "an", "ar son", "smith", "e s", "zz"]
FILTERS: list[dict[str, Any]] = [{}, {"status": "open"}, {"status": "closed"}, {"school_id": 2}]


@pytest.mark.parametrize("search", SEARCHES)
def test_pages_equal_sorting_every_match(
    session: UserSession, search: str, subtests: pytest.Subtests
) -> None:
    for filters in FILTERS:
        expected = every_match_newest_first(session, search=search, **filters)
        for offset in (0, 100, 300):
            with subtests.test(filters=filters, offset=offset):
                page = list_cases(session, search=search, offset=offset, limit=100, **filters)
                assert [r.id for r in page] == [r.id for r in expected[offset : offset + 100]]
                assert page == expected[offset : offset + 100]


def test_cases_opened_latest_come_first_whenever_recorded(session: UserSession) -> None:
    latest = list_cases(session, search="CB-", limit=5)
    assert all(r.opened > TODAY for r in latest)
    assert [r.id for r in latest] == [r.id for r in every_match_newest_first(session)[:5]]


def test_a_search_is_counted_up_to_the_cap(session: UserSession) -> None:
    found = find_cases(session, search="CB-", count_up_to=100)
    assert (found.total, found.exact) == (100, False)  # "more than 100"
    assert [r.id for r in found.rows] == [r.id for r in list_cases(session, search="CB-")]
    whole = find_cases(session, search="CB-", count_up_to=CASES)
    assert (whole.total, whole.exact) == (CASES, True)
    past = find_cases(session, search="CB-", count_up_to=CASES - 1)
    assert (past.total, past.exact) == (CASES - 1, False)


@pytest.mark.parametrize("search", SEARCHES)
def test_a_count_under_the_cap_is_exact(session: UserSession, search: str) -> None:
    for filters in FILTERS:
        exact = count_cases(session, search=search, **filters)
        found = find_cases(session, search=search, count_up_to=1000, **filters)
        assert (found.total, found.exact) == (exact, True)
        assert len(found.rows) == min(exact, 100)


def test_without_a_search_the_count_is_exact(session: UserSession) -> None:
    found = find_cases(session, count_up_to=10)
    assert (found.total, found.exact) == (CASES, True)
    closed = find_cases(session, status="closed", count_up_to=10)
    assert (closed.total, closed.exact) == (count_cases(session, status="closed"), True)


def test_nothing_found_reads_no_page(session: UserSession) -> None:
    found = find_cases(session, search="no such person anywhere")
    assert (found.total, found.exact, found.rows) == (0, True, [])
