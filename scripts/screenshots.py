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
from PySide6.QtWidgets import QApplication, QTabWidget, QWidget, QWizard  # noqa: E402


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


def sanctions_wizard(store: Path, out: Path) -> None:
    """Every page of the Take action wizard, as a trust leader sees it on a sample case."""
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit
    from sqlalchemy import select

    from desktop.services import auth, sanction_view
    from desktop.services.demo import SAMPLE_PASSWORD
    from desktop.storage import models as m
    from desktop.ui.sanctions_wizard import STEP_ROLE, SanctionsWizard

    leader = auth.sign_in(store, username="ceo", password=SAMPLE_PASSWORD)
    with leader.transaction() as db:
        ids = list(db.scalars(select(m.Case.id).where(m.Case.status == "open").limit(200)))
    ladder = next(
        found
        for case_id in ids
        if (found := sanction_view.case_ladder(leader, case_id=case_id)).recommended
        == "verbal_warning"
    )

    def wizard_on(step_id: str) -> SanctionsWizard:
        wizard = SanctionsWizard(leader, ladder)
        wizard.resize(760, 680)
        view = wizard.choose_page.step_list
        for row in range(view.count()):
            if view.item(row).data(STEP_ROLE) == step_id:
                view.setCurrentRow(row)
        wizard.show()
        return wizard

    def forward(wizard: SanctionsWizard, page: int) -> None:
        wizard.next()
        wait_for(wizard.currentIdChanged, lambda: wizard.currentId() == page)

    wizard = wizard_on("verbal_warning")
    save(wizard, out, "sanctions_1_choose")
    forward(wizard, 2)
    page = wizard.currentPage()
    page.findChild(QLineEdit, "spokenByEdit").setText("Helen Marsh, headteacher")
    page.findChild(QPlainTextEdit, "whatWasSaidEdit").setPlainText("Shouting at staff must stop.")
    page.findChild(QPlainTextEdit, "responseEdit").setPlainText("Apologised.")
    save(wizard, out, "sanctions_3_verbal_warning")
    forward(wizard, 3)
    wait_for(wizard.previewed, lambda: wizard.letter_page.preview is not None)
    save(wizard, out, "sanctions_4_letter")
    forward(wizard, 4)
    save(wizard, out, "sanctions_5_confirm")
    wizard.reject()
    for step_id in ("mediation", "written_warning", "communication_plan", "bar"):
        wizard = wizard_on(step_id)
        if wizard.option().is_skip:
            wizard.next()
            wizard.skip_page.name_edit.setText("Andrew Collins")
            wizard.skip_page.why_edit.setPlainText("Threats of violence at the school gate.")
            if step_id == "bar":
                save(wizard, out, "sanctions_2_skip")
        wizard.next()
        save(wizard, out, f"sanctions_3_{step_id}")
        if step_id == "bar":  # the page scrolls: its lower half too
            wizard.step_page.scroll_area.verticalScrollBar().setValue(10_000)
            save(wizard, out, "sanctions_3_bar_lower")
        wizard.reject()
    referral = next(o.id for o in ladder.options if o.kind.value == "police_or_legal_referral")
    wizard = wizard_on(referral)
    wizard.next()
    save(wizard, out, "sanctions_3_referral")
    wizard.reject()
    leader.close()


def lifecycle_dialogs(store: Path, main_window, state, out: Path) -> None:  # noqa: ANN001
    """The Sanctions tab and the decisions after a bar starts, filled in as a trust leader
    would: representations, the trust's review, the end-of-period review, an injunction."""
    import datetime as dt

    from sqlalchemy import select

    from desktop.dates import uk_today
    from desktop.domain.ladder import SkipAuthority
    from desktop.domain.roles import Role
    from desktop.services import auth, sanction_view, sanctions
    from desktop.services.demo import SAMPLE_PASSWORD
    from desktop.services.sanctions import StepDraft
    from desktop.storage import models as m
    from desktop.ui.case_window import CaseWindow
    from desktop.ui.injunction_dialog import InjunctionDialog
    from desktop.ui.lifecycle_dialogs import (
        PeriodReviewDialog,
        RepresentationsDialog,
        ReviewDecisionDialog,
    )

    leader = auth.sign_in(store, username="ceo", password=SAMPLE_PASSWORD)

    def ladders(stages: tuple[str, ...]):  # noqa: ANN202
        with leader.transaction() as db:
            ids = list(
                db.scalars(
                    select(m.Case.id)
                    .where(m.Case.status == "open", m.Case.stage.in_(stages))
                    .order_by(m.Case.id)
                )
            )
        return (sanction_view.case_ladder(leader, case_id=i) for i in ids)

    def first_row(stages: tuple[str, ...], wanted):  # noqa: ANN001, ANN202
        for ladder in ladders(stages):
            for row in ladder.sanctions:
                if wanted(row):
                    return ladder, row
        return None

    notice = first_row(("bar_notice", "bar_representations_received"), lambda r: r.can_review)
    if notice is None:  # a sample made before the sanctions: give one case a bar
        ladder = next(ladders(("verbal_warning", "written_warning", "concern_logged")))
        today = uk_today()
        sanctions.take_step(
            leader,
            case_id=ladder.case_id,
            draft=StepDraft(
                step_id="bar",
                taken_on=today - dt.timedelta(days=20),
                decided_by="Helen Marsh",
                decided_by_role=Role.HEADTEACHER,
                school_ids=(ladder.schools[0][0],),
                details={
                    "starts": today - dt.timedelta(days=20),
                    "ends": today + dt.timedelta(days=60),
                    "representations_deadline": today - dt.timedelta(days=6),
                    "review_due": today - dt.timedelta(days=4),
                    "named_contact": "Joanne Price",
                    "contact_email": "office@riverside.example",
                    "drop_off_arrangement": "A grandparent brings the children to the gate.",
                    "reasons": "Threats made to staff at the school gate.",
                },
                skip=SkipAuthority("Andrew Collins", Role.TRUST_LEADER, "Threats of violence."),
            ),
        )
        notice = first_row(("bar_notice",), lambda r: r.can_review)
    assert notice is not None
    ladder, row = notice
    dialog = RepresentationsDialog(leader, ladder, row, parent=main_window)
    dialog.summary_edit.setPlainText(
        "Says the shouting was provoked and asks to collect the children himself."
    )
    save(dialog, out, "lifecycle_1_representations")
    dialog.close()
    dialog = ReviewDecisionDialog(leader, ladder, row, parent=main_window)
    dialog.reasons_edit.setPlainText(
        "The representations were read. The threats were serious and repeated; the bar is "
        "needed to keep staff safe."
    )
    save(dialog, out, "lifecycle_2_review_confirm")
    dialog.close()

    in_force = first_row(("bar_confirmed",), lambda r: r.can_end_period)
    if in_force is not None:
        ladder, row = in_force
        dialog = ReviewDecisionDialog(leader, ladder, row, parent=main_window)
        dialog.radios[next(iter(dialog.radios))].setChecked(True)  # vary, offered first
        dialog.reasons_edit.setPlainText("No trouble since; the bar now covers fewer sites.")
        save(dialog, out, "lifecycle_3_review_vary")
        dialog.close()
        dialog = PeriodReviewDialog(leader, ladder, row, parent=main_window)
        dialog.radios[list(dialog.radios)[1]].setChecked(True)  # renew
        dialog.reasons_edit.setPlainText("Threatening emails have continued this term.")
        save(dialog, out, "lifecycle_4_period_review")
        dialog.close()

        window = CaseWindow(leader, ladder.case_id, state=state)
        window.resize(1100, 760)
        window.show()
        for _ in range(40):  # the header and the tabs load off the UI thread
            loop = QEventLoop()
            QTimer.singleShot(25, loop.quit)
            loop.exec()
        tab = window.tabs[-1]
        window.tab_widget.setCurrentWidget(tab)
        save(window, out, "lifecycle_0_sanctions_tab")
        window.close()

    for ladder in ladders(("injunction_referral", "injunction_application")):
        step = next((s for s in ladder.steps if s.state), None)
        if step is not None:
            dialog = InjunctionDialog(leader, step, parent=main_window)
            dialog.note_edit.setPlainText("The trust's solicitors advise applying to the court.")
            save(dialog, out, "lifecycle_5_injunction")
            dialog.close()
            break
    leader.close()


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


def letters_and_calendar(store: Path, main_window, state, out: Path) -> None:  # noqa: ANN001
    """The trust's letter wording in its editor, an issued letter, the print queue and the
    calendar, as the CEO (who issued the sample's letters) sees them."""
    import datetime as dt

    from desktop.services import auth, issued_letters
    from desktop.services.demo import SAMPLE_PASSWORD
    from desktop.ui.calendar_window import CalendarWindow
    from desktop.ui.letter_viewer import show_letter
    from desktop.ui.operations import settle
    from desktop.ui.print_queue import PrintQueueWindow
    from desktop.ui.settings_dialog import SettingsDialog

    session = auth.sign_in(store, username="ceo", password=SAMPLE_PASSWORD)
    settings = SettingsDialog(session, parent=main_window)
    settings.show()
    page = settings.show_page("letterTemplatesPage")
    settings.resize(1120, 700)  # as it grows on a real screen (offscreen's is 800 wide)
    page.types_list.setCurrentRow(6)  # the bar's confirmation after review
    page.side_tabs.setCurrentIndex(page.side_tabs.indexOf(page.preview.parentWidget()))
    page.refresh_preview()
    ticking = QTimer()
    ticking.start(50)  # the preview is made in the background: look every 50 ms
    wait_for(ticking.timeout, lambda: page.preview_pdf is not None)
    save(settings, out, "letters_1_template_editor")
    settings.reject()

    queue = issued_letters.print_queue(session)
    if queue:
        viewer = show_letter(session, queue[0].id, main_window)
        wait_for(viewer.shown, lambda: bool(viewer.pdf))
        viewer.resize(900, 900)
        save(viewer, out, "letters_2_letter_viewer")
        viewer.close()
    window = PrintQueueWindow(session)
    window.resize(820, 420)
    window.show()
    wait_for(window.loaded, lambda: window.list.topLevelItemCount() > 0)
    save(window, out, "letters_3_print_queue")
    window.close()

    calendar = CalendarWindow(session, state=state, today=dt.date(2026, 11, 24))
    calendar.resize(1200, 780)
    shown: list[bool] = []
    calendar.loaded.connect(lambda: shown.append(True))
    calendar.show()
    wait_for(calendar.loaded, lambda: bool(shown))
    save(calendar, out, "calendar")
    calendar.close()
    # Let the calendar's reading ahead and the previews finish before the store closes:
    # a query must never run on a closed engine.
    settle(session)
    QApplication.processEvents()
    session.close()


def second_factor_enrolment(session, main_window, out: Path) -> None:  # noqa: ANN001
    """Settings › Two-step sign-in after "Set up…": the QR code to scan and the key to type."""
    from desktop.ui.second_factor_page import SecondFactorPage
    from desktop.ui.settings_dialog import SettingsDialog

    settings = SettingsDialog(session, parent=main_window)
    settings.resize(900, 680)
    page = next(p for p in settings.pages if isinstance(p, SecondFactorPage))
    settings.show_page(page.objectName())
    settings.show()
    page.set_up()
    ticking = QTimer()
    ticking.start(50)
    wait_for(
        ticking.timeout,
        lambda: (
            page.panel is not None
            and page.panel.qr_label.pixmap() is not None
            and not page.panel.qr_label.pixmap().isNull()
        ),
    )
    save(settings, out, "second_factor_enrolment")
    settings.close()


def _ticking(done, timeout_ms: int = 30_000) -> None:  # noqa: ANN001
    ticking = QTimer()
    ticking.start(50)
    wait_for(ticking.timeout, done, timeout_ms)


def records_windows(store: Path, out: Path) -> None:
    """The Reports menu's windows as the data protection lead sees them: the annual report
    made, a subject access request under review, the disclosure log, the retention review
    and the audit trail with its chain just checked."""
    import datetime as dt

    from sqlalchemy import select

    from desktop.domain.disclosures import LegalBasis
    from desktop.services import auth, disclosures, subject_access
    from desktop.services.demo import SAMPLE_PASSWORD
    from desktop.storage.models import Case
    from desktop.ui.audit_viewer import AuditViewer
    from desktop.ui.disclosure_log import DisclosureLog
    from desktop.ui.messages import Messenger
    from desktop.ui.operations import settle
    from desktop.ui.report_dialog import ReportDialog
    from desktop.ui.retention_window import RetentionWindow
    from desktop.ui.subject_access_window import SubjectAccessWindow

    session = auth.sign_in(store, username="admin", password=SAMPLE_PASSWORD)
    report = ReportDialog(session)
    report.resize(1000, 760)
    report.show()
    report.make_report()
    _ticking(lambda: bool(report.pdf))
    save(report, out, "records_1_annual_report")
    report.close()

    with session.transaction() as db:  # the subject of the case with the most incidents
        person_id = db.scalar(select(Case.subject_id).order_by(Case.id.desc()).limit(1))
    request = subject_access.record_request(
        session, person_id=person_id, received_on=dt.date(2026, 11, 10)
    )
    for day, basis, recipient, what in (
        (
            dt.date(2026, 3, 12),
            LegalBasis.INSPECTION,
            "Ofsted lead inspector",
            "The behaviour log for the spring term, names of pupils removed",
        ),
        (
            dt.date(2026, 6, 3),
            LegalBasis.LEGAL_AUTHORITY,
            "Riverside Police (PC 4471)",
            "Copies of two written warnings and the incident record of 2 June",
        ),
        (
            dt.date(2026, 10, 20),
            LegalBasis.SECRETARY_OF_STATE,
            "Department for Education",
            "Counts of bars in force, by school",
        ),
    ):
        disclosures.record_disclosure(
            session,
            disclosures.DisclosureDraft(
                basis=basis,
                recipient=recipient,
                what=what,
                disclosed_on=day,
                authorised_by_id=session.actor.user_id,
            ),
        )
    access = SubjectAccessWindow(session)
    access.resize(1100, 720)
    access.wanted = request.id
    access.show()
    access.reload()
    _ticking(lambda: access.flags.topLevelItemCount() > 0)
    save(access, out, "records_2_subject_access")
    access.close()

    log = DisclosureLog(session)
    log.resize(1000, 420)
    log.show()
    _ticking(lambda: log.table.rowCount() > 0)
    save(log, out, "records_3_disclosure_log")
    log.close()

    review = RetentionWindow(session)
    review.resize(1000, 600)
    review.show()
    _ticking(lambda: bool(review.intro.text()))
    if review.table.rowCount():
        review.table.selectRow(0)
    save(review, out, "records_4_retention_review")
    review.close()

    viewer = AuditViewer(session)
    viewer.resize(1200, 720)
    viewer.show()
    _ticking(lambda: viewer.page is not None)

    class Quiet:  # the result shows in the window; no message box over it
        def info(self, *args) -> None:  # noqa: ANN002
            pass

        def warn(self, *args) -> None:  # noqa: ANN002
            pass

    backend, Messenger.backend = Messenger.backend, Quiet()
    try:
        viewer.verify_chain()
        _ticking(lambda: bool(viewer.result_label.text()) and not viewer.busy)
    finally:
        Messenger.backend = backend
    viewer.table.selectRow(0)
    save(viewer, out, "records_5_audit_trail")
    viewer.close()
    settle(session)
    QApplication.processEvents()
    session.close()


def backups_and_lock(store: Path, folder: Path, main_window, state, out: Path) -> None:  # noqa: ANN001
    """Back up now (after a backup), Restore showing what a backup holds, and the lock
    screen over a case window (which the lock closes)."""
    from desktop.services import backups
    from desktop.ui.backup_dialogs import BackupDialog, BackupSettings
    from desktop.ui.operations import settle
    from desktop.ui.restore_dialog import RestoreDialog

    session = main_window.session
    kept = folder / "backups"
    kept.mkdir()
    BackupSettings.of(state, session).set_folder(kept)
    dialog = BackupDialog(session, state, parent=main_window)
    dialog.show()
    dialog.back_up()
    ticking = QTimer()
    ticking.start(50)
    wait_for(ticking.timeout, lambda: dialog.made is not None, 30_000)
    save(dialog, out, "backup_1_back_up_now")
    dialog.close()

    made = sorted(kept.iterdir())[-1]
    restore = RestoreDialog(folder / "elsewhere.casebook", parent=main_window)
    restore.show()
    restore._show_facts(made, backups.inspect_backup(made))
    save(restore, out, "backup_2_restore")
    restore.close()

    case_window = main_window.windows.open_case(session, main_window.model.case_at(0).id)
    case_window.resize(1000, 700)
    ticking = QTimer()
    ticking.start(50)
    wait_for(ticking.timeout, lambda: case_window.header is not None)
    settle(session)
    main_window.lock()  # the case window closes; only the lock screen is left
    from desktop.ui.signin_dialog import SignInDialog

    lock = main_window.findChild(SignInDialog, "lockDialog")
    save(main_window, out, "lock_over_case_window")
    if lock is not None:
        save(lock, out, "lock_screen_after_case_window")
        lock.reject()


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
        signin.show()  # the keyring is asked once it shows: wait for its answer
        ticking = QTimer()
        ticking.start(50)
        wait_for(ticking.timeout, lambda: signin.remembering_known)
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
        procedure = settings.show_page("procedurePage")
        tabs = procedure.findChild(QTabWidget, "procedureTabs")
        tabs.setCurrentWidget(procedure.findChild(QWidget, "windowsTab"))
        save(settings, out, "settings_5_procedurePage_time_windows")
        tabs.setCurrentIndex(0)
        procedure_dialogs(session, procedure, out)
        settings.close()
        second_factor_enrolment(session, window, out)

        visitor_check(store, out)
        sanctions_wizard(store, out)
        case_file(session, window, state, out)
        lifecycle_dialogs(store, window, state, out)
        letters_and_calendar(store, window, state, out)
        records_windows(store, out)

        help_dialog = HelpDialog(parent=window)
        help_dialog.resize(760, 620)
        save(help_dialog, out, "help")
        help_dialog.close()
        from desktop.ui.about_dialog import AboutDialog

        about = AboutDialog(session, parent=window)
        about.show()
        ticking = QTimer()
        ticking.start(50)
        wait_for(ticking.timeout, lambda: about.facts is not None)
        save(about, out, "about")
        about.close()
        backups_and_lock(store, folder, window, state, out)  # last: it locks the window
        window.close()
        session.close()
        del closed_window
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")))
