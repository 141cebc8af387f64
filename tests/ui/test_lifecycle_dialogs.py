"""The decisions after a bar starts, from the Sanctions tab, by keys and clicks: record
representations, confirm, the end-of-period review, and the refusals a person meets shown
beside the field to change with nothing written (issue 8, item 6)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
)

from desktop.dates import format_date, uk_today
from desktop.domain.ladder import SkipAuthority
from desktop.domain.roles import Role
from desktop.domain.sanctions import Outcome
from desktop.services import sanction_reviews, sanction_view, sanctions
from desktop.services.cases import CaseRow
from desktop.services.chronology import list_events
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.storage import models as m
from desktop.ui.case_tabs.sanctions_tab import SanctionsTab
from tests.services.accounts import sign_in_new_user
from tests.services.sanction_support import bar_notice, case_with_incidents, decision, trust_leader
from tests.ui.case_tab_support import click_save, closed, show_tab, visible_dialog
from tests.ui.dates import type_date_time
from tests.ui.fakes import FakeBackend
from tests.ui.typing import click, click_row, tick, type_into

TODAY = uk_today()
DAY = dt.timedelta(days=1)
SKIP = SkipAuthority("Casey Chair", Role.TRUST_LEADER, "Threats of violence at the gate.")


@pytest.fixture
def leader(new_store: SetupResult, store_path: Path) -> UserSession:
    return trust_leader(new_store, store_path)


def _bar(session: UserSession, case: CaseRow, *, notice_days_ago: int = 20) -> int:
    """A bar noticed `notice_days_ago` days ago (its deadline 12 days after the notice)."""
    on = TODAY - notice_days_ago * DAY
    done = sanctions.take_step(
        session,
        case_id=case.id,
        draft=bar_notice(
            on,
            ends=TODAY + 60 * DAY,
            deadline=on + 12 * DAY,
            review=on + 14 * DAY,
            skip=SKIP,
        ),
    )
    assert done.restriction_id is not None
    return done.restriction_id


def _tab(qtbot, session: UserSession, case: CaseRow, rows: int) -> SanctionsTab:
    tab = SanctionsTab(session, case.id)
    return show_tab(qtbot, tab, (1000, 500), "sanctionsTable", rows, loaded=True, active=True)


def _stage(session: UserSession, case: CaseRow) -> str:
    return sanction_view.case_ladder(session, case_id=case.id).stage


def _counts(session: UserSession) -> tuple[int, int, int]:
    with session.transaction() as db:
        return (
            db.query(m.RestrictionEvent).count(),
            db.query(m.IssuedLetter).count(),
            db.query(m.CaseEvent).count(),
        )


def _open(qtbot, tab: SanctionsTab, button: str, dialog: str):
    click(qtbot, tab.findChild(QPushButton, button))
    return visible_dialog(qtbot, tab, dialog)


def _save_confirmed(qtbot, dialog, messenger: FakeBackend) -> None:
    messenger.confirmations.append(True)
    click_save(qtbot, dialog)


def _reloaded(qtbot, tab: SanctionsTab, action) -> None:  # noqa: ANN001
    with qtbot.waitSignal(tab.loaded, timeout=5000):
        action()


def test_record_representations_by_keys(qtbot, leader, messenger: FakeBackend) -> None:
    case = case_with_incidents(leader)
    _bar(leader, case, notice_days_ago=5)
    tab = _tab(qtbot, leader, case, 1)
    dialog = _open(qtbot, tab, "representationsButton", "representationsDialog")
    type_date_time(qtbot, dialog.findChild(QDateEdit, "receivedOnEdit"), format_date(TODAY - DAY))
    type_into(qtbot, dialog.findChild(QPlainTextEdit, "summaryEdit"), "Says he was provoked.")
    letters_before = _counts(leader)[1]
    _reloaded(qtbot, tab, lambda: _save_confirmed(qtbot, dialog, messenger))
    qtbot.waitUntil(lambda: closed(dialog), timeout=5000)

    assert messenger.said[-1][0] == "confirm" and "permanent" in messenger.said[-1][2]
    assert _stage(leader, case) == "bar_representations_received"
    assert _counts(leader)[1] == letters_before + 1  # the acknowledgement is kept
    row = sanction_view.case_ladder(leader, case_id=case.id).sanctions[0]
    assert row.representations_on == TODAY - DAY
    assert tab.table.item(0, 6).text() == f"Received {format_date(TODAY - DAY)}"
    events = list_events(leader, case_id=case.id)
    assert any("provoked" in e.detail for e in events)


def test_confirm_with_dates_then_renew_then_let_it_end(
    qtbot, leader, messenger: FakeBackend
) -> None:
    case = case_with_incidents(leader)
    bar = _bar(leader, case)  # the deadline passed 8 days ago, with nothing received
    tab = _tab(qtbot, leader, case, 1)
    dialog = _open(qtbot, tab, "reviewDecisionButton", "reviewDecisionDialog")
    assert _radio(dialog, "varyRadio") is None  # not in force yet: confirm, not vary
    assert _radio(dialog, "confirmRadio").isChecked()
    ends, review = TODAY + 50 * DAY, TODAY + 40 * DAY
    type_into(qtbot, dialog.findChild(QPlainTextEdit, "reasonsEdit"), "Threats were repeated.")
    type_date_time(qtbot, dialog.findChild(QDateEdit, "endsEdit"), format_date(ends))
    type_date_time(qtbot, dialog.findChild(QDateEdit, "reviewDueEdit"), format_date(review))
    _reloaded(qtbot, tab, lambda: _save_confirmed(qtbot, dialog, messenger))
    qtbot.waitUntil(lambda: closed(dialog), timeout=5000)
    assert _stage(leader, case) == "bar_confirmed"
    row = sanction_view.case_ladder(leader, case_id=case.id).sanctions[0]
    assert (row.ends, row.review_due) == (ends, review)
    assert any("Threats were repeated." in e.detail for e in list_events(leader, case_id=case.id))
    assert tab.findChild(QPushButton, "periodReviewButton").isEnabled()

    # The end-of-period review: renew for a new period (the defaults), then let it end.
    dialog = _open(qtbot, tab, "periodReviewButton", "periodReviewDialog")
    assert _radio(dialog, "varyRadio") is None and _radio(dialog, "confirmRadio") is None
    tick(qtbot, _radio(dialog, "renewRadio"))
    type_into(qtbot, dialog.findChild(QPlainTextEdit, "reasonsEdit"), "Still needed.")
    _reloaded(qtbot, tab, lambda: _save_confirmed(qtbot, dialog, messenger))
    qtbot.waitUntil(lambda: closed(dialog), timeout=5000)
    renewed = sanction_view.case_ladder(leader, case_id=case.id).sanctions[0]
    assert renewed.starts == ends + DAY and renewed.phase == "in_force"

    dialog = _open(qtbot, tab, "periodReviewButton", "periodReviewDialog")
    assert _radio(dialog, "endRadio").isChecked()
    type_into(qtbot, dialog.findChild(QPlainTextEdit, "reasonsEdit"), "No further trouble.")
    tick(qtbot, dialog.findChild(QCheckBox, "sendLetterBox"))  # no letter this time
    letters = _counts(leader)[1]
    _reloaded(qtbot, tab, lambda: _save_confirmed(qtbot, dialog, messenger))
    qtbot.waitUntil(lambda: closed(dialog), timeout=5000)
    assert _stage(leader, case) == "bar_ended" and _counts(leader)[1] == letters
    for name in ("representationsButton", "reviewDecisionButton", "periodReviewButton"):
        assert not tab.findChild(QPushButton, name).isEnabled(), name
    assert bar == sanction_view.case_ladder(leader, case_id=case.id).sanctions[0].restriction_id


def _radio(dialog, name: str) -> QRadioButton | None:  # noqa: ANN001
    return dialog.findChild(QRadioButton, name)


def test_confirming_before_the_deadline_is_refused_on_the_dialog(
    qtbot, leader, messenger: FakeBackend
) -> None:
    case = case_with_incidents(leader)
    _bar(leader, case, notice_days_ago=2)  # the deadline is ten days away
    tab = _tab(qtbot, leader, case, 1)
    dialog = _open(qtbot, tab, "reviewDecisionButton", "reviewDecisionDialog")
    type_into(qtbot, dialog.findChild(QPlainTextEdit, "reasonsEdit"), "Threats were repeated.")
    before = _counts(leader)
    messenger.confirmations.append(True)
    click_save(qtbot, dialog)
    error = dialog.findChild(QLabel, "onError")
    qtbot.waitUntil(error.isVisible, timeout=5000)
    assert "to send representations" in error.text()
    assert dialog.isVisible() and dialog.findChild(QDateEdit, "decidedOnEdit").hasFocus()
    assert _counts(leader) == before and _stage(leader, case) == "bar_notice"
    assert dialog.findChild(QPlainTextEdit, "reasonsEdit").toPlainText() == (
        "Threats were repeated."
    )


def test_nothing_is_saved_when_the_confirmation_is_declined(
    qtbot, leader, messenger: FakeBackend
) -> None:
    case = case_with_incidents(leader)
    _bar(leader, case)
    tab = _tab(qtbot, leader, case, 1)
    dialog = _open(qtbot, tab, "reviewDecisionButton", "reviewDecisionDialog")
    tick(qtbot, _radio(dialog, "liftRadio"))
    assert not dialog.findChild(QDateEdit, "endsEdit").isEnabled()
    type_into(qtbot, dialog.findChild(QPlainTextEdit, "reasonsEdit"), "Apology accepted.")
    before = _counts(leader)
    messenger.confirmations.append(False)
    click_save(qtbot, dialog)
    assert messenger.said[-1][0] == "confirm" and dialog.isVisible()
    assert _counts(leader) == before


def test_a_headteacher_deciding_the_trusts_review_is_told_who_may(
    qtbot, new_store: SetupResult, store_path: Path, leader, messenger: FakeBackend
) -> None:
    case = case_with_incidents(leader)
    _bar(leader, case)
    head = sign_in_new_user(new_store, store_path, "ash", "headteacher")
    tab = _tab(qtbot, head, case, 1)
    dialog = _open(qtbot, tab, "reviewDecisionButton", "reviewDecisionDialog")
    type_into(qtbot, dialog.findChild(QPlainTextEdit, "reasonsEdit"), "Threats were repeated.")
    before = _counts(leader)
    messenger.confirmations.append(True)
    click_save(qtbot, dialog)
    error = dialog.findChild(QLabel, "decided_byError")
    qtbot.waitUntil(error.isVisible, timeout=5000)
    assert "only a trust leader" in error.text() and "not a headteacher" in error.text()
    assert _counts(leader) == before and dialog.isVisible()


def test_the_buttons_follow_the_selected_row(qtbot, leader, messenger: FakeBackend) -> None:
    case = case_with_incidents(leader)
    bar = _bar(leader, case)
    sanction_reviews.decide(leader, restriction_id=bar, decision=decision(TODAY, Outcome.LIFT))
    other = sanctions.take_step(
        leader,
        case_id=case.id,
        draft=bar_notice(
            TODAY - 2 * DAY,
            ends=TODAY + 60 * DAY,
            deadline=TODAY + 10 * DAY,
            review=TODAY + 12 * DAY,
        ),
    )
    assert other.restriction_id is not None
    tab = _tab(qtbot, leader, case, 2)
    buttons = [
        tab.findChild(QPushButton, n)
        for n in ("representationsButton", "reviewDecisionButton", "periodReviewButton")
    ]
    click_row(qtbot, tab.table, 1)
    assert [b.isEnabled() for b in buttons] == [True, True, False]  # at the notice stage
    click_row(qtbot, tab.table, 0)
    assert [b.isEnabled() for b in buttons] == [False, False, False]  # lifted: over
    assert tab.table.item(0, 2).text() == "Lifted"
    assert not tab.findChild(QPushButton, "injunctionButton").isEnabled()
    assert tab.steps_table.rowCount() == 2
    assert tab.steps_table.item(0, 3).text() == "Casey Chair, Trust leader (CEO or Chair)"


def test_the_letter_is_previewed_and_nothing_is_kept(qtbot, leader, messenger) -> None:
    case = case_with_incidents(leader)
    _bar(leader, case, notice_days_ago=5)
    tab = _tab(qtbot, leader, case, 1)
    dialog = _open(qtbot, tab, "representationsButton", "representationsDialog")
    click(qtbot, dialog.findChild(QPushButton, "previewLetterButton"))  # nothing typed yet
    error = dialog.findChild(QLabel, "summaryError")
    qtbot.waitUntil(error.isVisible, timeout=5000)
    assert "Summarise" in error.text()
    type_into(qtbot, dialog.findChild(QPlainTextEdit, "summaryEdit"), "Says he was provoked.")
    before = _counts(leader)
    click(qtbot, dialog.findChild(QPushButton, "previewLetterButton"))
    preview = visible_dialog(qtbot, dialog, "letterPreviewDialog")
    assert "Page 1 of" in preview.findChild(QLabel, "pdfPageNumber").text()
    assert _counts(leader) == before and not error.isVisible()


def test_a_decisions_letter_goes_to_the_print_queue_unless_unticked(
    qtbot, leader, messenger: FakeBackend
) -> None:
    from desktop.services import issued_letters

    case = case_with_incidents(leader)
    _bar(leader, case, notice_days_ago=5)
    queued_before = {letter.id for letter in issued_letters.print_queue(leader)}
    tab = _tab(qtbot, leader, case, 1)
    dialog = _open(qtbot, tab, "representationsButton", "representationsDialog")
    type_date_time(qtbot, dialog.findChild(QDateEdit, "receivedOnEdit"), format_date(TODAY - DAY))
    type_into(qtbot, dialog.findChild(QPlainTextEdit, "summaryEdit"), "Says he was provoked.")
    queue_box = dialog.findChild(QCheckBox, "queueLetterBox")
    assert queue_box.isChecked()
    tick(qtbot, queue_box)
    _reloaded(qtbot, tab, lambda: _save_confirmed(qtbot, dialog, messenger))
    qtbot.waitUntil(lambda: closed(dialog), timeout=5000)
    letters = issued_letters.case_letters(leader, case_id=case.id)
    [acknowledgement] = [x for x in letters if x.id not in queued_before]
    assert not acknowledgement.queued
    assert {x.id for x in issued_letters.print_queue(leader)} == queued_before
