"""What the case list window reads: a page and its Next due items, in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from desktop.services import auth, case_list, cases, due
from desktop.services.case_order import CaseOrder, CaseSort
from desktop.services.cases import CaseQuery
from desktop.services.demo import SAMPLE_PASSWORD, create_demo_store
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from tests.conftest import fast_keys
from tests.services.sanction_support import trust_leader

TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.casebook"
    with fast_keys():
        create_demo_store(path, cases=220, seed=5, today=TODAY)
    return path


@pytest.fixture
def session(demo_store: Path) -> Iterator[UserSession]:
    signed_in = auth.sign_in(demo_store, username="admin", password=SAMPLE_PASSWORD)
    yield signed_in
    signed_in.close()


@pytest.mark.parametrize(
    "filters",
    [
        CaseQuery(),
        CaseQuery(search="an"),  # short: the index's copy of the text
        CaseQuery(search="son", status="open"),
        CaseQuery(search="CB-2026", order=CaseOrder(CaseSort.NEXT_DUE, descending=False)),
        CaseQuery(school_id=2, needs_attention=True),
    ],
)
def test_the_first_page_is_what_the_listing_and_the_due_items_say(
    session: UserSession, filters: CaseQuery
) -> None:
    page = case_list.first_page(session, filters, limit=40, count_up_to=60, today=TODAY)
    found = cases.find_cases(
        session,
        search=filters.search,
        school_id=filters.school_id,
        status=filters.status,
        needs_attention=filters.needs_attention,
        order=filters.order,
        limit=40,
        today=TODAY,
        count_up_to=60,
    )
    assert page.rows and page.rows == found.rows
    assert (page.total, page.exact, page.any_cases) == (found.total, found.exact, True)
    ids = [r.id for r in page.rows]
    assert page.due == due.case_list_due(session, case_ids=ids, today=TODAY)
    assert page.due, "the sample has cases with something due on the first page"


def test_the_next_page_follows_on(session: UserSession) -> None:
    filters = CaseQuery(search="e")
    first = case_list.first_page(session, filters, limit=30, today=TODAY)
    after = case_list.next_page(session, filters, offset=30, limit=30, today=TODAY)
    listed = cases.list_cases(session, search="e", offset=30, limit=30, today=TODAY)
    assert after.rows == listed and not {r.id for r in first.rows} & {r.id for r in after.rows}
    assert after.due == due.case_list_due(session, case_ids=[r.id for r in listed], today=TODAY)


def test_one_transaction_and_one_account_check_per_page(session: UserSession) -> None:
    """The page, its count and its due items come from one snapshot of the store, and the
    list pays once per keystroke for starting a service call."""
    statements: list[str] = []

    def heard(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(session.store.engine, "before_cursor_execute", heard)
    try:
        case_list.first_page(session, CaseQuery(search="son"), today=TODAY)
        case_list.next_page(session, CaseQuery(search="son"), offset=100, today=TODAY)
    finally:
        event.remove(session.store.engine, "before_cursor_execute", heard)
    begun = [s for s in statements if s.startswith("BEGIN")]
    checks = [s for s in statements if "users.active" in s]
    assert len(begun) == 2 and len(checks) == 2


def test_no_match_is_told_apart_from_no_cases(
    session: UserSession, new_store: SetupResult, store_path: Path
) -> None:
    nothing = case_list.first_page(session, CaseQuery(search="zzqzz"), today=TODAY)
    assert (nothing.rows, nothing.total, nothing.any_cases) == ([], 0, True)
    empty = case_list.first_page(trust_leader(new_store, store_path), CaseQuery())
    assert (empty.rows, empty.total, empty.any_cases) == ([], 0, False)
