"""Render Casebook's main windows over sample data to PNG files (`make screenshots`).

Builds a throwaway sample store in a temporary folder, so nothing touches real data.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget, QWizard  # noqa: E402


def save(widget: QWidget, out: Path, name: str) -> None:
    widget.show()
    QApplication.processEvents()
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path}")


def wait_for(signal, done, timeout_ms: int = 10_000) -> None:  # noqa: ANN001
    """Run the event loop until `done()` (checked each time `signal` fires), or the timeout."""
    deadline = QTimer()
    deadline.setSingleShot(True)
    loop = QEventLoop()
    signal.connect(loop.quit)
    deadline.timeout.connect(loop.quit)
    deadline.start(timeout_ms)
    while not done() and deadline.isActive():
        loop.exec()


def fill_wizard(wizard: QWizard, out: Path) -> None:
    """Walk the setup wizard with invented details, saving each page."""
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QTableWidget, QTableWidgetItem

    def find(kind, name):  # noqa: ANN001, ANN202
        return wizard.currentPage().findChild(kind, name)

    save(wizard, out, "setup_1_welcome")
    wizard.next()
    find(QLineEdit, "trustNameEdit").setText("Riverside Learning Trust")
    find(QPlainTextEdit, "trustAddressEdit").setPlainText("2 Mill Lane\nRiverside\nRS1 2AA")
    save(wizard, out, "setup_2_trust")
    wizard.next()
    table = find(QTableWidget, "schoolsTable")
    for row, values in enumerate(
        (
            ("Riverside Primary School", "Church Road, Riverside", "Helen Marsh"),
            ("Millbrook Academy", "Millbrook Lane, Riverside", "Daniel Okafor"),
        )
    ):
        if table.rowCount() <= row:
            table.insertRow(row)
        for column, value in enumerate(values):
            table.setItem(row, column, QTableWidgetItem(value))
    save(wizard, out, "setup_3_schools")
    wizard.next()
    save(wizard, out, "setup_4_procedure")
    wizard.next()
    find(QLineEdit, "fullNameEdit").setText("Rachel Doyle")
    find(QLineEdit, "usernameEdit").setText("r.doyle")
    find(QLineEdit, "passwordEdit").setText("a long sample password")
    find(QLineEdit, "confirmEdit").setText("a long sample password")
    save(wizard, out, "setup_5_administrator")
    wizard.next()
    save(wizard, out, "setup_6_recovery")


def procedure_dialogs(session, page, out: Path) -> None:  # noqa: ANN001
    """Settings › Procedure's dialogs: the shipped choices, and the editor refusing a fault."""
    from desktop.services import policies
    from desktop.ui.procedure_dialogs import ProfileEditor, ShippedProfileDialog

    now = policies.profile_in_force(session)
    chooser = ShippedProfileDialog(policies.shipped_choices(), now.profile, parent=page)
    save(chooser, out, "procedure_shipped")
    chooser.close()
    broken = now.text.replace('review = ["trust_leader"]', 'review = ["governor"]', 1)
    editor = ProfileEditor(
        session, text=broken, file_name=now.file_name, current=now.profile, parent=page
    )
    editor.show()
    editor.accept()  # refused before anything is asked: the line at fault is shown
    save(editor, out, "procedure_editor_error")
    editor.close()


def case_file(session, main_window, state, out: Path) -> None:  # noqa: ANN001
    """The New case dialog and every tab of a sample case with a bar, evidence and tasks."""
    from sqlalchemy import select

    from desktop.storage import models as m
    from desktop.ui.case_window import CaseWindow
    from desktop.ui.new_case_dialog import NewCaseDialog

    dialog = NewCaseDialog(session, parent=main_window)
    dialog.resize(760, 720)
    save(dialog, out, "new_case_dialog")
    dialog.close()

    with session.transaction() as db:  # a case that shows every tab: a bar, evidence, tasks
        with_all = (
            select(m.Restriction.case_id)
            .join(m.Evidence, m.Evidence.case_id == m.Restriction.case_id)
            .join(m.CaseTask, m.CaseTask.case_id == m.Restriction.case_id)
        )
        with_tasks = select(m.Restriction.case_id).join(
            m.CaseTask, m.CaseTask.case_id == m.Restriction.case_id
        )
        case_id = next(
            found
            for query in (with_all, with_tasks, select(m.Restriction.case_id))
            if (found := db.scalar(query.order_by(m.Restriction.case_id).limit(1)))
        )
    window = CaseWindow(session, case_id, state=state)
    window.resize(1100, 760)
    window.show()
    for _ in range(40):  # the header and the tabs load off the UI thread: a second for them
        loop = QEventLoop()
        QTimer.singleShot(25, loop.quit)
        loop.exec()
    for index, tab in enumerate(window.tabs, start=1):
        window.tab_widget.setCurrentIndex(index - 1)
        name = tab.title.replace("&", "").lower()
        save(window, out, f"case_{index}_{name}")
    window.close()


def visitor_check(store: Path, out: Path) -> None:
    """The front desk's window, with someone barred found by a misspelt name."""
    from desktop.services import auth, frontdesk
    from desktop.services.demo import SAMPLE_PASSWORD
    from desktop.ui.check_window import CheckWindow

    desk = auth.sign_in_any(store, username="frontdesk", password=SAMPLE_PASSWORD)
    rows = desk.access.read()["restrictions"]  # type: ignore[union-attr]
    name = next(row["name"] for row in rows if row["kind"] == "bar")
    window = CheckWindow(desk, front_desk=True)
    window.resize(620, 520)
    window.name_edit.setText(name[:-2] + name[-1] + name[-2])  # the last two letters swapped
    window.run_check()
    save(window, out, "visitor_check")
    window.name_edit.setText("Nobody Atall")
    window.run_check()
    save(window, out, "visitor_check_no_match")
    window.close()
    assert isinstance(desk, frontdesk.FrontDeskSession)
    desk.close()


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Casebook")

    import datetime as dt

    from desktop.services import auth
    from desktop.services.demo import SAMPLE_PASSWORD, create_demo_store
    from desktop.ui.help_dialog import HelpDialog
    from desktop.ui.main_window import MainWindow
    from desktop.ui.settings_dialog import SettingsDialog
    from desktop.ui.setup_wizard import SetupWizard
    from desktop.ui.signin_dialog import SignInDialog

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = folder / "sample.casebook"
        create_demo_store(store, cases=500, seed=7, today=dt.date(2026, 11, 24))

        signin = SignInDialog(store, username="admin")
        save(signin, out, "signin_dialog")
        signin.close()

        wizard = SetupWizard(folder / "new.casebook", sample_path=folder / "other.casebook")
        wizard.resize(720, 560)
        fill_wizard(wizard, out)
        wizard.close()

        # A later launch with only the sample made: it offers to open the sample.
        with_sample = SetupWizard(folder / "new.casebook", sample_path=store)
        with_sample.resize(720, 560)
        save(with_sample, out, "setup_1_welcome_with_sample")
        with_sample.close()

        session = auth.sign_in(store, username="admin", password=SAMPLE_PASSWORD)
        state = QSettings(str(folder / "state.ini"), QSettings.Format.IniFormat)
        window = MainWindow(session, state=state)
        window.resize(1200, 760)
        wait_for(window.model.loaded, lambda: not window.model.loading)  # rows load off-thread
        save(window, out, "main_window")
        window.lock()
        save(window, out, "main_window_locked")
        lock_dialog = window.findChild(SignInDialog, "lockDialog")
        save(lock_dialog, out, "lock_screen")
        lock_dialog.reject()  # "Close Casebook" closes the window too
        closed_window = window  # kept to the end, as the app keeps its window until it exits
        session = auth.sign_in(store, username="admin", password=SAMPLE_PASSWORD)
        window = MainWindow(session, state=state)
        window.resize(1200, 760)
        wait_for(window.model.loaded, lambda: not window.model.loading)

        settings = SettingsDialog(session, parent=window)
        for index, page in enumerate(settings.pages, start=1):
            settings.show_page(page.objectName())
            save(settings, out, f"settings_{index}_{page.objectName()}")
        procedure_dialogs(session, settings.show_page("procedurePage"), out)
        settings.close()

        visitor_check(store, out)
        case_file(session, window, state, out)

        help_dialog = HelpDialog(parent=window)
        help_dialog.resize(760, 620)
        save(help_dialog, out, "help")
        help_dialog.close()
        window.close()
        session.close()
        del closed_window
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")))
