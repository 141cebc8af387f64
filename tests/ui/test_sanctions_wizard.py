"""The sanctions wizard over a real encrypted store, driven by keys and clicks: the step
recommended next, a skip with and without its authority, an immediate-safety case, bad
dates on a bar, and a Cancel that writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QListWidget, QWizard
from sqlalchemy import select

from desktop.services import sanction_view
from desktop.services.incident_records import AgencyReport
from desktop.services.setup import SetupResult
from desktop.storage import models as m
from desktop.storage.models import Base
from desktop.ui.case_window import CaseWindow
from desktop.ui.sanctions_wizard import SanctionsWizard
from tests.services.sanction_support import D, case_with_incidents, trust_leader
from tests.ui.dates import type_date_time
from tests.ui.typing import CTRL, click, click_row, press, tick, type_into

NEXT = QWizard.WizardButton.NextButton
FINISH = QWizard.WizardButton.FinishButton


@pytest.fixture
def leader(new_store: SetupResult, store_path: Path):
    return trust_leader(new_store, store_path)


def open_wizard(qtbot, session, case_id: int) -> SanctionsWizard:
    ladder = sanction_view.case_ladder(session, case_id=case_id)
    wizard = SanctionsWizard(session, ladder)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.activateWindow()
    return wizard


def step_row(wizard: SanctionsWizard, step_id: str) -> int:
    view = wizard.choose_page.step_list
    return next(
        i for i in range(view.count()) if view.item(i).data(Qt.ItemDataRole.UserRole) == step_id
    )


def next_page(qtbot, wizard: SanctionsWizard, page: int) -> None:
    click(qtbot, wizard.button(NEXT))
    qtbot.waitUntil(lambda: wizard.currentId() == page, timeout=5000)


def field(wizard: SanctionsWizard, kind, name: str):  # noqa: ANN001
    found = wizard.currentPage().findChild(kind, name)
    assert found is not None, name
    return found


def fill_verbal_warning(qtbot, wizard: SanctionsWizard) -> None:
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

    type_into(qtbot, field(wizard, QLineEdit, "spokenByEdit"), "Ann Ash, headteacher")
    type_into(qtbot, field(wizard, QPlainTextEdit, "whatWasSaidEdit"), "Shouting must stop.")
    type_into(qtbot, field(wizard, QPlainTextEdit, "responseEdit"), "Apologised.")


def rows_of_every_table(session) -> dict[str, list[tuple]]:  # noqa: ANN001
    with session.transaction() as db:
        return {
            table.name: sorted(
                tuple(str(v) for v in row) for row in db.execute(select(table)).all()
            )
            for table in Base.metadata.sorted_tables
        }


def test_the_recommended_verbal_warning_from_ctrl_t_to_finish(
    qtbot, leader, tmp_path: Path
) -> None:
    case = case_with_incidents(leader)
    state = QSettings(str(tmp_path / "state.ini"), QSettings.Format.IniFormat)
    window = CaseWindow(leader, case.id, state=state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.take_action_action.isEnabled(), timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_T, CTRL)
    qtbot.waitUntil(lambda: isinstance(window.wizard, SanctionsWizard), timeout=5000)
    wizard = window.wizard
    assert isinstance(wizard, SanctionsWizard)
    qtbot.waitExposed(wizard)
    assert wizard.option().id == "verbal_warning"  # recommended, so chosen already
    assert "recommended" in wizard.choose_page.step_list.currentItem().text()
    next_page(qtbot, wizard, 2)
    fill_verbal_warning(qtbot, wizard)
    with qtbot.waitSignal(wizard.previewed, timeout=10000):
        next_page(qtbot, wizard, 3)
    assert wizard.letter_page.preview is not None and wizard.letter_page.preview.pdf
    assert wizard.letter_page.pdf_view.pages >= 1
    assert wizard.letter_page.issue_box.isChecked()
    next_page(qtbot, wizard, 4)
    assert "Verbal warning" in wizard.confirm_page.summary.toPlainText()
    with qtbot.waitSignal(wizard.recorded, timeout=10000) as done:
        click(qtbot, wizard.button(FINISH))
    result = done.args[0]
    assert result.stage == "verbal_warning" and result.letter_id is not None
    ladder = sanction_view.case_ladder(leader, case_id=case.id)
    assert [s.step_id for s in ladder.steps] == ["verbal_warning"]
    with leader.transaction() as db:
        letter = db.get(m.IssuedLetter, result.letter_id)
        assert letter is not None and letter.letter_type == "verbal-warning"
        assert letter.queued_at is not None  # in today's print queue unless unticked
    qtbot.waitUntil(lambda: "erbal" in window.stage_label.text(), timeout=5000)


def choose_bar_and_fill_skip(qtbot, wizard: SanctionsWizard) -> None:
    click_row(qtbot, wizard.choose_page.step_list, step_row(wizard, "bar"))
    assert wizard.option().id == "bar" and wizard.option().is_skip
    next_page(qtbot, wizard, 1)


def fill_bar(qtbot, wizard: SanctionsWizard) -> None:
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

    type_into(qtbot, field(wizard, QLineEdit, "namedContactEdit"), "Pat Office")
    type_into(qtbot, field(wizard, QLineEdit, "contactEmailEdit"), "office@ash.example")
    type_into(
        qtbot, field(wizard, QPlainTextEdit, "dropOffArrangementEdit"), "A grandparent brings them."
    )
    type_into(qtbot, field(wizard, QPlainTextEdit, "reasonsEdit"), "Threats at the gate.")


def test_a_skip_to_a_bar_needs_its_authority(qtbot, leader) -> None:
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

    case = case_with_incidents(leader)
    wizard = open_wizard(qtbot, leader, case.id)
    choose_bar_and_fill_skip(qtbot, wizard)
    assert not wizard.button(NEXT).isEnabled()  # no authoriser, no justification
    type_into(qtbot, field(wizard, QLineEdit, "skipAuthorisedByEdit"), "Casey Chair")
    assert not wizard.button(NEXT).isEnabled()  # still no justification
    assert wizard.skip_page.role_combo.currentText().startswith("Trust leader")
    assert wizard.skip_page.role_combo.count() == 1  # only the roles the profile allows
    type_into(qtbot, field(wizard, QPlainTextEdit, "skipJustificationEdit"), "Threats of violence.")
    assert wizard.button(NEXT).isEnabled()
    next_page(qtbot, wizard, 2)
    fill_bar(qtbot, wizard)
    with qtbot.waitSignal(wizard.previewed, timeout=10000):
        next_page(qtbot, wizard, 3)
    next_page(qtbot, wizard, 4)
    assert "on the authority of Casey Chair" in wizard.confirm_page.summary.toPlainText()
    with qtbot.waitSignal(wizard.recorded, timeout=10000) as done:
        click(qtbot, wizard.button(FINISH))
    assert done.args[0].stage == "bar_notice" and done.args[0].restriction_id is not None
    taken = sanction_view.case_ladder(leader, case_id=case.id).steps[-1]
    assert taken.skip_authorised_by == "Casey Chair" and "Threats" in taken.skip_justification


def test_a_bar_ending_before_it_starts_is_refused_on_its_page(qtbot, leader) -> None:
    from PySide6.QtWidgets import QDateEdit, QLineEdit, QPlainTextEdit

    case = case_with_incidents(leader)
    before = rows_of_every_table(leader)
    wizard = open_wizard(qtbot, leader, case.id)
    choose_bar_and_fill_skip(qtbot, wizard)
    type_into(qtbot, field(wizard, QLineEdit, "skipAuthorisedByEdit"), "Casey Chair")
    type_into(qtbot, field(wizard, QPlainTextEdit, "skipJustificationEdit"), "Threats.")
    next_page(qtbot, wizard, 2)
    fill_bar(qtbot, wizard)
    ends = field(wizard, QDateEdit, "endsEdit")
    type_date_time(qtbot, ends, "01/01/2026")
    assert ends.date().toPython() == D(2026, 1, 1)
    with qtbot.waitSignal(wizard.refused, timeout=10000) as refused:
        click(qtbot, wizard.button(NEXT))
    assert "end" in refused.args[0]
    error = field(wizard, QLabel, "endsError")
    assert error.isVisible() and error.text() == refused.args[0]
    assert wizard.currentId() == 2 and ends.hasFocus()
    assert rows_of_every_table(leader) == before


def test_an_immediate_safety_case_offers_only_the_referral_prefilled(qtbot, leader) -> None:
    from PySide6.QtWidgets import QLineEdit

    police = AgencyReport("police", D(2026, 1, 10), "CAD 1234")
    case = case_with_incidents(leader, count=1, immediate_threat=True, agencies=[police])
    wizard = open_wizard(qtbot, leader, case.id)
    view: QListWidget = wizard.choose_page.step_list
    first = wizard.choose_page.findChild(QLabel, "referralFirstLabel")
    assert first is not None and first.isVisible()
    open_ids = [
        view.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(view.count())
        if view.item(i).flags() & Qt.ItemFlag.ItemIsEnabled
    ]
    assert open_ids == ["police_or_legal_referral"]
    click_row(qtbot, view, step_row(wizard, "verbal_warning"))  # disabled: stays on the referral
    assert wizard.option().id == "police_or_legal_referral"
    next_page(qtbot, wizard, 2)
    assert field(wizard, QLineEdit, "referenceEdit").text() == "CAD 1234"
    assert field(wizard, QLineEdit, "agencyContactEdit").text() == "Police"
    next_page(qtbot, wizard, 3)
    next_page(qtbot, wizard, 4)
    with qtbot.waitSignal(wizard.recorded, timeout=10000) as done:
        click(qtbot, wizard.button(FINISH))
    assert done.args[0].stage == "police_or_legal_referral"


def test_cancel_on_the_last_page_writes_nothing(qtbot, leader) -> None:
    case = case_with_incidents(leader)
    before = rows_of_every_table(leader)
    wizard = open_wizard(qtbot, leader, case.id)
    next_page(qtbot, wizard, 2)
    fill_verbal_warning(qtbot, wizard)
    with qtbot.waitSignal(wizard.previewed, timeout=10000):
        next_page(qtbot, wizard, 3)
    next_page(qtbot, wizard, 4)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=5000)
    assert wizard.done_step is None
    QApplication.processEvents()
    assert rows_of_every_table(leader) == before


def test_a_letter_left_off_todays_print_queue_is_not_queued(qtbot, leader) -> None:
    from desktop.services import issued_letters

    case = case_with_incidents(leader)
    wizard = open_wizard(qtbot, leader, case.id)
    next_page(qtbot, wizard, 2)
    fill_verbal_warning(qtbot, wizard)
    with qtbot.waitSignal(wizard.previewed, timeout=10000):
        next_page(qtbot, wizard, 3)
    queue_box = field(wizard, QCheckBox, "queueLetterCheck")
    assert queue_box.isChecked()  # queued unless the person says otherwise
    tick(qtbot, queue_box)
    assert not queue_box.isChecked()
    next_page(qtbot, wizard, 4)
    assert "not queued to print" in wizard.confirm_page.summary.toPlainText()
    with qtbot.waitSignal(wizard.recorded, timeout=10000) as done:
        click(qtbot, wizard.button(FINISH))
    letter_id = done.args[0].letter_id
    assert letter_id is not None
    assert issued_letters.print_queue(leader) == []
    letter = issued_letters.open_letter(leader, letter_id=letter_id).info
    assert not letter.queued and letter.printed_at is None
