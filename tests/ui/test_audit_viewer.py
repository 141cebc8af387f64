"""The audit viewer, driven by keys and clicks over a real encrypted store: the newest entry
first, each filter narrowing the table, paging, an entry's detail in words, checking the
chain with its progress window (intact, then a changed entry named), and an export saved
where the person chose and recorded."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog
from sqlalchemy import text

from desktop.services.cases import CaseRow, open_case
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.ui.audit_viewer import AuditViewer, open_audit_viewer
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import audit_details
from tests.ui.dates import type_date_time
from tests.ui.fakes import FakeBackend
from tests.ui.typing import choose, click, click_row, press, tick, type_into


def _case(session: UserSession, family: str) -> CaseRow:
    return open_case(
        session,
        given_name="Pat",
        family_name=family,
        relationship="parent",
        school_ids=[1],
        opened_on=dt.date(2026, 1, 5),
    )


@pytest.fixture
def first_case(new_store: SetupResult, store_path: Path) -> CaseRow:
    """Two cases: the first opened by the administrator, the second by `bea`."""
    bea = sign_in_new_user(new_store, store_path, "bea", "business_manager")
    first = _case(new_store.session, "Ashworth")
    _case(bea, "Birchall")
    bea.close()
    return first


def _open(qtbot, session: UserSession) -> AuditViewer:
    viewer = AuditViewer(session)
    qtbot.addWidget(viewer)
    with qtbot.waitSignal(viewer.loaded, timeout=10000):
        viewer.show()
        qtbot.waitExposed(viewer)
    assert viewer.user_combo.count() > 2  # the lists came with the first page
    return viewer


def _actions(viewer: AuditViewer) -> list[str]:
    return [row.action for row in viewer.model.rows]


def _total(session: UserSession) -> int:
    with session.store.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM audit_entries")).scalar_one()


def test_it_shows_every_entry_newest_first(qtbot, session: UserSession, first_case) -> None:
    viewer = _open(qtbot, session)
    total = _total(session)
    assert viewer.model.rowCount() == total
    ids = [row.id for row in viewer.model.rows]
    assert ids == sorted(ids, reverse=True) and ids[0] == total
    assert viewer.page_label.text() == f"Entries 1–{total} of {total}"
    assert viewer.table.model().index(0, 3).data() == "case.opened"


def test_the_user_and_action_lists_narrow_the_table(
    qtbot, session: UserSession, first_case
) -> None:
    viewer = _open(qtbot, session)
    with qtbot.waitSignal(viewer.loaded, timeout=5000):
        choose(qtbot, viewer.user_combo, "bea")
    assert {row.username for row in viewer.model.rows} == {"bea"}
    with qtbot.waitSignal(viewer.loaded, timeout=5000):
        choose(qtbot, viewer.action_combo, "case.opened")
    assert [(r.username, r.case_reference) for r in viewer.model.rows] == [("bea", "CB-2026-0002")]
    with qtbot.waitSignal(viewer.loaded, timeout=5000):
        click(qtbot, viewer.clear_button)
    assert viewer.model.rowCount() == _total(session)


def test_a_case_reference_typed_narrows_the_table(qtbot, session: UserSession, first_case) -> None:
    viewer = _open(qtbot, session)
    type_into(qtbot, viewer.case_edit, first_case.reference.lower())
    with qtbot.waitSignal(viewer.loaded, timeout=5000):
        press(qtbot, Qt.Key.Key_Return)
    assert viewer.isVisible()  # Enter filtered; it did not close the window
    assert [row.case_reference for row in viewer.model.rows] == [first_case.reference]


def test_a_reference_that_is_not_one_is_said_plainly(
    qtbot, session: UserSession, first_case, messenger: FakeBackend
) -> None:
    viewer = _open(qtbot, session)
    type_into(qtbot, viewer.case_edit, "Ashworth")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(messenger.said), timeout=5000)
    assert messenger.said[-1] == (
        "warn",
        "Audit trail",
        "A case reference looks like CB-2026-0042.",
    )
    assert viewer.case_edit.hasFocus()


def test_the_day_filter_narrows_the_table(qtbot, session: UserSession, first_case) -> None:
    with session.transaction(write=True) as db:
        from desktop.services import audit

        audit.writer_for(db).add(
            session.actor, "test.long_ago", at=dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)
        )
    viewer = _open(qtbot, session)
    with qtbot.waitSignal(viewer.loaded, timeout=5000):
        tick(qtbot, viewer.to_check)
    type_date_time(qtbot, viewer.to_edit, "31/12/2024")
    with qtbot.waitSignal(viewer.loaded, timeout=5000):
        press(qtbot, Qt.Key.Key_Tab)  # leaving the box applies the day
    assert _actions(viewer) == ["test.long_ago"]
    with qtbot.waitSignal(viewer.loaded, timeout=5000):
        tick(qtbot, viewer.to_check)
    assert len(_actions(viewer)) == _total(session)


def test_pages_of_entries(qtbot, session: UserSession, first_case, monkeypatch) -> None:
    monkeypatch.setattr(AuditViewer, "page_size", 3)
    viewer = _open(qtbot, session)
    total = _total(session)
    first_page = [row.id for row in viewer.model.rows]
    assert first_page == [total, total - 1, total - 2]
    assert not viewer.newer_button.isEnabled() and viewer.older_button.isEnabled()
    with qtbot.waitSignal(viewer.loaded, timeout=5000):
        click(qtbot, viewer.older_button)
    assert [row.id for row in viewer.model.rows] == [total - 3, total - 4, total - 5]
    assert viewer.page_label.text() == f"Entries 4–6 of {total}"
    with qtbot.waitSignal(viewer.loaded, timeout=5000):
        click(qtbot, viewer.newer_button)
    assert [row.id for row in viewer.model.rows] == first_page


def test_an_entry_is_shown_in_words(qtbot, session: UserSession, first_case) -> None:
    viewer = _open(qtbot, session)
    last = viewer.model.rowCount() - 1
    click_row(qtbot, viewer.table, last)
    shown = viewer.detail.toPlainText()
    assert shown.startswith("Entry 1, ") and "Action: store.created" in shown
    assert "{" not in shown.split("\n\n")[1]  # the detail in words, not JSON
    assert "Seal: " in shown


def test_checking_the_chain_shows_progress_then_the_result(
    qtbot, session: UserSession, first_case, messenger: FakeBackend
) -> None:
    viewer = _open(qtbot, session)
    heard: list[tuple[int, int]] = []
    viewer.progressed.connect(lambda done, total: heard.append((done, total)))
    with (
        qtbot.waitSignal(viewer.verified, timeout=10000) as done,
        qtbot.waitSignal(viewer.loaded, timeout=10000),  # read again, with its own entry
    ):
        click(qtbot, viewer.verify_button)
        assert isinstance(viewer.progress, QProgressDialog) and viewer.progress.isVisible()
        assert not viewer.verify_button.isEnabled()
    assert done.args[0].intact
    total = done.args[0].entries
    assert heard[0] == (0, total) and heard[-1] == (total, total)  # shown in the window
    assert viewer.progress is None
    assert "intact" in viewer.result_label.text() and "NOT" not in viewer.result_label.text()
    assert messenger.said[-1][0:2] == ("info", "Audit trail intact")
    assert audit_details(session, "audit.verified")[-1]["intact"] is True


def test_a_changed_entry_is_named(
    qtbot, session: UserSession, first_case, messenger: FakeBackend
) -> None:
    with session.store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_entries_no_update"))
        conn.execute(text("UPDATE audit_entries SET username = 'someone' WHERE id = 2"))
    viewer = _open(qtbot, session)
    with qtbot.waitSignals([viewer.verified, viewer.loaded], timeout=10000):
        click(qtbot, viewer.verify_button)
    kind, title, words = messenger.said[-1]
    assert (kind, title) == ("warn", "Audit trail NOT intact")
    assert "First problem: entry 2: its contents were changed" in words
    assert viewer.result_label.text() == words


def test_export_saves_the_filtered_entries_and_records_it(
    qtbot, session: UserSession, first_case, messenger: FakeBackend, tmp_path: Path
) -> None:
    viewer = _open(qtbot, session)
    with qtbot.waitSignal(viewer.loaded, timeout=5000):
        choose(qtbot, viewer.action_combo, "case.opened")
    messenger.paths.append(tmp_path / "for the investigation.json")
    with qtbot.waitSignals([viewer.exported, viewer.loaded], timeout=10000):
        click(qtbot, viewer.export_button)
    saved = json.loads((tmp_path / "for the investigation.json").read_text("utf-8"))
    assert [entry["action"] for entry in saved["entries"]] == ["case.opened", "case.opened"]
    assert audit_details(session, "audit.exported")[-1]["filter"] == {"action": "case.opened"}
    assert messenger.said[-1][0:2] == ("info", "Audit entries exported")


def test_a_name_without_a_kind_is_saved_as_csv(
    qtbot, session: UserSession, first_case, messenger: FakeBackend, tmp_path: Path
) -> None:
    viewer = _open(qtbot, session)
    messenger.paths.append(tmp_path / "trail")
    with qtbot.waitSignals([viewer.exported, viewer.loaded], timeout=10000):
        click(qtbot, viewer.export_button)
    assert (tmp_path / "trail.csv").read_bytes().startswith(b"\xef\xbb\xbfEntry,")


def test_cancelling_the_save_exports_nothing(
    qtbot, session: UserSession, first_case, messenger: FakeBackend
) -> None:
    viewer = _open(qtbot, session)
    click(qtbot, viewer.export_button)  # no path queued: the save box was cancelled
    assert messenger.said[-1][0] == "save_path"
    assert audit_details(session, "audit.exported") == []


def test_opening_it_again_brings_the_same_window_forward(
    qtbot, session: UserSession, first_case
) -> None:
    from PySide6.QtWidgets import QWidget

    owner = QWidget()
    qtbot.addWidget(owner)
    first = open_audit_viewer(owner, session)
    qtbot.waitSignal(first.loaded, timeout=5000).wait()
    assert open_audit_viewer(owner, session) is first
    first.close()
