"""The case list model: page-by-page fetching, filters, display text and refusals.

Every load runs off the UI thread, so each step waits for the model's `loaded` signal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt

from desktop.domain.cases import Stage
from desktop.services import auth, cases
from desktop.services.case_order import CaseOrder, CaseSort
from desktop.services.demo import SAMPLE_PASSWORD, create_demo_store
from desktop.services.session import UserSession
from desktop.ui.case_list import count_text
from desktop.ui.case_table_model import (
    COLUMNS,
    NEXT_DUE,
    OPENED,
    PAGE,
    REFERENCE,
    SCHOOLS,
    STAGE,
    STATUS,
    SUBJECT,
    CaseTableModel,
)
from tests.conftest import fast_keys
from tests.services.accounts import front_desk_session

CASES = 350


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """350 invented cases, made once for the module (the bulk writer takes well under a second)."""
    path = tmp_path_factory.mktemp("demo") / "demo.casebook"
    with fast_keys():
        create_demo_store(path, cases=CASES, seed=3)
    return path


@pytest.fixture
def demo_session(demo_store: Path) -> Iterator[UserSession]:
    session = auth.sign_in(demo_store, username="admin", password=SAMPLE_PASSWORD)
    yield session
    session.close()


def loads(qtbot, model: CaseTableModel):
    """Wait for the load the block starts to arrive."""
    return qtbot.waitSignal(model.loaded, timeout=5000)


def set_filters(qtbot, model: CaseTableModel, **filters) -> None:
    with loads(qtbot, model):
        model.set_filters(**filters)
    assert not model.loading


def fetch_more(qtbot, model: CaseTableModel) -> None:
    with loads(qtbot, model):
        model.fetchMore(QModelIndex())
    assert not model.loading


def sort(qtbot, model: CaseTableModel, column: int, order: Qt.SortOrder) -> None:
    with loads(qtbot, model):
        model.sort(column, order)


@pytest.fixture
def model(qtbot, demo_session: UserSession) -> CaseTableModel:
    model = CaseTableModel(demo_session)
    set_filters(qtbot, model)
    return model


def test_first_page_only_then_fetch_more(qtbot, model: CaseTableModel) -> None:
    assert PAGE == 100
    assert model.total == CASES
    assert model.rowCount() == 100
    assert model.canFetchMore(QModelIndex())
    fetch_more(qtbot, model)
    assert model.rowCount() == 200
    fetch_more(qtbot, model)
    fetch_more(qtbot, model)
    assert model.rowCount() == CASES
    assert not model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())  # nothing more to fetch: harmless
    assert not model.loading
    assert model.rowCount() == CASES


def test_one_page_at_a_time(qtbot, model: CaseTableModel) -> None:
    with loads(qtbot, model):
        model.fetchMore(QModelIndex())
        assert model.loading
        assert not model.canFetchMore(QModelIndex())  # the view waits for this page
        model.fetchMore(QModelIndex())  # asked again meanwhile: still one page
        assert model.rowCount() == PAGE  # the page arrives later, off the UI thread
    assert model.rowCount() == 2 * PAGE
    assert len({model.case_at(i).id for i in range(model.rowCount())}) == 2 * PAGE


def test_rows_are_newest_first_and_unique(qtbot, model: CaseTableModel) -> None:
    rows = _all_rows(qtbot, model)
    assert len({r.id for r in rows}) == CASES
    opened = [r.opened for r in rows]
    assert opened == sorted(opened, reverse=True)


def _all_rows(qtbot, model: CaseTableModel) -> list[cases.CaseRow]:
    while model.canFetchMore(QModelIndex()):
        fetch_more(qtbot, model)
    return [model.case_at(i) for i in range(model.rowCount())]


SORTED_BY = {
    REFERENCE: CaseSort.REFERENCE,
    SUBJECT: CaseSort.SUBJECT,
    SCHOOLS: CaseSort.SCHOOL,
    STATUS: CaseSort.STATUS,
    STAGE: CaseSort.STAGE,
    OPENED: CaseSort.OPENED,
    NEXT_DUE: CaseSort.NEXT_DUE,
}


@pytest.mark.parametrize(
    "order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder], ids=["asc", "desc"]
)
@pytest.mark.parametrize("column", range(len(COLUMNS)), ids=COLUMNS)
def test_sorted_pages_follow_on(
    qtbot, model: CaseTableModel, demo_session, column: int, order: Qt.SortOrder
) -> None:
    wanted = CaseOrder(SORTED_BY[column], descending=order == Qt.SortOrder.DescendingOrder)
    fetch_more(qtbot, model)
    reloads = wanted != model.order  # asking for the order it already has changes nothing
    if reloads:
        sort(qtbot, model, column, order)
    else:
        model.sort(column, order)
        assert not model.loading
    assert model.order == wanted
    assert model.rowCount() == (PAGE if reloads else 2 * PAGE)
    rows = _all_rows(qtbot, model)
    assert len(rows) == CASES == len({r.id for r in rows})
    assert rows == cases.list_cases(demo_session, order=model.order, limit=CASES)  # one query


def test_sorted_columns_read_in_order(qtbot, model: CaseTableModel) -> None:
    def shown(column: int) -> list[str]:
        _all_rows(qtbot, model)
        return [model.index(row, column).data() for row in range(model.rowCount())]

    sort(qtbot, model, REFERENCE, Qt.SortOrder.AscendingOrder)
    assert shown(REFERENCE) == sorted(shown(REFERENCE))
    sort(qtbot, model, SUBJECT, Qt.SortOrder.DescendingOrder)
    subjects = [s.casefold() for s in shown(SUBJECT)]
    assert subjects[0] >= subjects[len(subjects) // 2] >= subjects[-1]
    sort(qtbot, model, STAGE, Qt.SortOrder.AscendingOrder)
    assert shown(STAGE) == sorted(shown(STAGE))
    assert set(shown(STAGE)) <= {stage.label for stage in Stage}
    sort(qtbot, model, OPENED, Qt.SortOrder.AscendingOrder)
    assert [model.case_at(i).opened for i in range(model.rowCount())] == sorted(
        model.case_at(i).opened for i in range(model.rowCount())
    )


def test_sort_order_is_kept_through_filters(qtbot, model: CaseTableModel, demo_session) -> None:
    sort(qtbot, model, SUBJECT, Qt.SortOrder.AscendingOrder)
    set_filters(qtbot, model, status="closed")
    by_subject = CaseOrder(CaseSort.SUBJECT, descending=False)
    assert model.order == by_subject
    rows = _all_rows(qtbot, model)
    assert {r.status for r in rows} == {"closed"}
    assert rows == cases.list_cases(demo_session, status="closed", order=by_subject, limit=CASES)


def test_header_asks_for_newest_first_only_on_opened(model: CaseTableModel) -> None:
    role = Qt.ItemDataRole.InitialSortOrderRole
    first = [model.headerData(c, Qt.Orientation.Horizontal, role) for c in range(len(COLUMNS))]
    descending, ascending = Qt.SortOrder.DescendingOrder.value, Qt.SortOrder.AscendingOrder.value
    assert first == [descending if c == OPENED else ascending for c in range(len(COLUMNS))]


def test_any_cases_tells_none_yet_from_no_match(qtbot, model: CaseTableModel, new_store) -> None:
    assert model.any_cases
    set_filters(qtbot, model, search="no such person anywhere")
    assert model.total == 0 and model.any_cases
    empty = CaseTableModel(new_store.session)
    set_filters(qtbot, empty)
    assert empty.total == 0 and not empty.any_cases
    model.clear()
    assert not model.any_cases


def test_filters_reset_to_first_page(qtbot, model: CaseTableModel, demo_session) -> None:
    fetch_more(qtbot, model)
    assert model.rowCount() == 200
    closed = cases.count_cases(demo_session, status="closed")
    assert 0 < closed < CASES
    with qtbot.waitSignal(model.totalChanged) as signal:
        model.set_filters(status="closed")
        assert model.rowCount() == 200  # the rows shown stay until the new ones arrive
    assert signal.args == [closed]
    assert model.rowCount() == min(closed, PAGE)
    assert {model.case_at(i).status for i in range(model.rowCount())} == {"closed"}


def test_school_and_search_filters(qtbot, model: CaseTableModel, demo_session) -> None:
    school_id = 2
    expected = cases.count_cases(demo_session, school_id=school_id)
    set_filters(qtbot, model, school_id=school_id)
    assert model.total == expected < CASES

    target = model.case_at(5)
    set_filters(qtbot, model, search=target.reference)
    assert model.rowCount() == 1
    assert model.case_at(0).reference == target.reference
    set_filters(qtbot, model, search="no such person anywhere")
    assert model.rowCount() == 0
    assert model.total == 0
    assert not model.canFetchMore(QModelIndex())


def test_a_search_typed_again_shows_only_the_newest(qtbot, model: CaseTableModel) -> None:
    target = model.case_at(5)
    shown: list[int] = []  # how many rows each reload put on screen
    model.modelReset.connect(lambda: shown.append(model.rowCount()))
    with loads(qtbot, model):
        model.set_filters(search="no such person anywhere")
        model.set_filters(search=target.reference)  # typed again before the first came back
    assert [model.case_at(i).reference for i in range(model.rowCount())] == [target.reference]
    with qtbot.assertNotEmitted(model.modelReset, wait=300):  # nor does the older one come late
        pass
    assert shown == [1]  # "no such person" (no rows) never reached the screen


def test_a_search_past_the_cap_is_more_than(qtbot, demo_session: UserSession) -> None:
    model = CaseTableModel(demo_session, count_up_to=150)
    counts: list[int] = []
    model.totalChanged.connect(counts.append)
    set_filters(qtbot, model, search="CB-")  # every reference
    assert (model.total, model.total_exact) == (150, False)
    assert count_text(model.total, model.total_exact) == "More than 150 cases"
    assert model.rowCount() == PAGE and model.canFetchMore(QModelIndex())
    rows = _all_rows(qtbot, model)  # on past the cap, until a page comes back short
    assert (model.total, model.total_exact) == (CASES, True)
    assert counts == [150, CASES]
    assert len({r.id for r in rows}) == CASES
    assert [r.opened for r in rows] == sorted((r.opened for r in rows), reverse=True)
    assert not model.canFetchMore(QModelIndex())


def test_a_search_under_the_cap_and_no_search_are_counted(qtbot, demo_session) -> None:
    model = CaseTableModel(demo_session, count_up_to=150)
    set_filters(qtbot, model)
    assert (model.total, model.total_exact) == (CASES, True)  # no search: counted out
    target = model.case_at(7)
    set_filters(qtbot, model, search=target.subject)
    expected = cases.count_cases(demo_session, search=target.subject)
    assert (model.total, model.total_exact) == (expected, True)
    assert count_text(model.total, model.total_exact) in {"1 case", f"{expected:,} cases"}
    model.clear()
    assert (model.total, model.total_exact) == (0, True)


def test_count_words() -> None:
    assert count_text(1) == "1 case"
    assert count_text(0) == "0 cases"
    assert count_text(1234) == "1,234 cases"
    assert count_text(1000, exact=False) == "More than 1,000 cases"


def test_display_text_tooltip_and_alignment(model: CaseTableModel) -> None:
    row = model.case_at(0)
    texts = [model.index(0, c).data(Qt.ItemDataRole.DisplayRole) for c in range(len(COLUMNS))]
    assert texts[0] == row.reference
    assert texts[1] == row.subject
    assert texts[2] == ", ".join(row.schools)
    assert texts[3] in {"Open", "Closed"}
    assert "_" not in texts[4] and texts[4][0].isupper()  # a label, not a stored value
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", texts[5])
    assert texts[5] == row.opened.strftime("%d/%m/%Y")
    assert model.index(0, SCHOOLS).data(Qt.ItemDataRole.ToolTipRole) == "\n".join(row.schools)
    alignment = model.index(0, OPENED).data(Qt.ItemDataRole.TextAlignmentRole)
    assert alignment & int(Qt.AlignmentFlag.AlignRight)
    headers = [
        model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        for c in range(model.columnCount())
    ]
    assert headers == ["Reference", "Subject", "School(s)", "Status", "Stage", "Opened", "Next due"]


def test_clear_leaves_nothing(model: CaseTableModel) -> None:
    model.clear()
    assert model.rowCount() == 0
    assert model.total == 0
    assert not model.canFetchMore(QModelIndex())
    model.refresh()  # no session any more: stays empty rather than failing
    assert not model.loading
    assert model.rowCount() == 0


def test_refusal_is_reported_through_load_failed(qtbot, new_store) -> None:
    # A front-desk account cannot sign in to the case store at all; as if it could, the
    # service's own refusal still reaches the model as loadFailed.
    session = front_desk_session(new_store, new_store.session.store.path)
    try:
        model = CaseTableModel(session)
        with qtbot.waitSignal(model.loadFailed) as signal:
            model.set_filters()
        assert "Front desk" in signal.args[0]
        assert model.error == signal.args[0]
        assert model.rowCount() == 0
        assert not model.canFetchMore(QModelIndex())
    finally:
        session.close()
