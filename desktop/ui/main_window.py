"""The main window: the case list with its search and filters, locking, and the menus.

It also opens the other windows a case worker uses: a case (double-click, Enter, or its
reference typed into the search box), New case (Ctrl+N), Visitor check (Ctrl+K), Print queue.
One window per case: asking for a case already open raises its window.
Locking (Ctrl+L, or after the trust's lock time unused) closes every other window and
wipes Casebook's copy from the clipboard; only the same person unlocking resumes.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QTableView,
    QToolButton,
    QWidget,
)

from desktop.domain.cases import parse_reference
from desktop.domain.roles import Operation
from desktop.services import auth
from desktop.services import cases as case_service
from desktop.services import trust as trust_service
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession
from desktop.ui.backup_scheduler import BackupScheduler
from desktop.ui.case_list import CaseColumns, count_text
from desktop.ui.case_table_model import CaseTableModel
from desktop.ui.change_password_dialog import ChangePasswordDialog
from desktop.ui.clipboard_guard import ClipboardGuard
from desktop.ui.due_reminders import DueStatusLabel, remind
from desktop.ui.forms import child, load_form
from desktop.ui.help_dialog import HelpDialog
from desktop.ui.icons import icon
from desktop.ui.idle import IdleMonitor
from desktop.ui.labels import ALL_SCHOOLS, STATUS_CHOICES, roles_who_can
from desktop.ui.main_menus import build_actions, build_menus_and_toolbar
from desktop.ui.messages import Messenger
from desktop.ui.open_windows import OpenWindows
from desktop.ui.operations import BusyIndicator, Change, ReadOp, changes, settle
from desktop.ui.print_queue import count_queue
from desktop.ui.records_windows import (
    connect_records_actions,
    open_records_window,
    records_actions,
)
from desktop.ui.restore_dialog import restore_from_main
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.signin_dialog import SignInDialog
from desktop.ui.window_state import restore_layout, save_layout, window_state

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250
STATE_KEY = "main_window"
NO_CASES_YET = "There are no cases yet. Cases opened at your schools will be listed here."
SAMPLE_TITLE = " (SAMPLE: invented cases)"
SAMPLE_BADGE = "Sample trust: invented cases"
SAMPLE_TIP = "This store holds invented cases for trying Casebook. Do not record real cases in it."
NO_MATCHES = "No cases match the search and filters. Clear the search or widen the filters."


def not_permitted_note() -> str:
    """Who may see the case list, read from the permission table rather than restated."""
    return (
        f"The case list is for these roles: {roles_who_can(Operation.VIEW_CASES)}. To check "
        "whether a visitor is barred, use Visitor check (Ctrl+K)."
    )


class MainWindow(QMainWindow):
    """Shows the cases the signed-in user may see; locks, and hands over to settings."""

    # Made by `desktop.ui.main_menus.build_actions`.
    new_case_action: QAction
    check_action: QAction
    open_case_action: QAction
    calendar_action: QAction
    print_queue_action: QAction
    lock_action: QAction
    settings_action: QAction
    password_action: QAction
    quit_action: QAction
    refresh_action: QAction
    find_action: QAction
    help_action: QAction
    about_action: QAction
    backup_action: QAction
    restore_action: QAction
    annual_report_action: QAction
    subject_access_action: QAction
    disclosure_log_action: QAction
    retention_action: QAction
    audit_action: QAction

    def __init__(self, session: UserSession, *, state=None):
        super().__init__()
        self.setObjectName("mainWindow")
        self.session = session
        self.state = state if state is not None else window_state()
        self.preferences = trust_service.Preferences()
        self.locked = False
        self._layout_restored = False
        self._reminded: tuple[str, int] | None = None
        self.reminder = None  # the reminder after sign-in, while it is open
        self.windows = OpenWindows(self.state, self)  # case windows and the visitor check
        self.backups = BackupScheduler(self, self.state)  # daily, on close, weekly reminder
        self.idle = IdleMonitor(self)  # locks after the trust's time without use
        self.clipboard_guard = ClipboardGuard(self)  # what was copied goes when it locks
        self._resume: tuple[object, tuple] = (None, ())  # who locked, and their filters

        self.central = central = QWidget()
        central.setObjectName("centralWidget")
        load_form("main_window", central)
        self.setCentralWidget(central)
        self.search_edit = child(central, QLineEdit, "searchEdit")
        self.school_combo = child(central, QComboBox, "schoolCombo")
        self.status_combo = child(central, QComboBox, "statusCombo")
        self.case_table = child(central, QTableView, "caseTable")
        self.empty_label = child(central, QLabel, "emptyLabel")
        self.filter_bar = child(central, QWidget, "filterBar")
        self.search_edit.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self._clear_search = QShortcut(
            QKeySequence(Qt.Key.Key_Escape),
            self.search_edit,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        self._open_keys = [
            QShortcut(QKeySequence(key), self.case_table, context=Qt.ShortcutContext.WidgetShortcut)
            for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ]
        for text, value in STATUS_CHOICES:
            self.status_combo.addItem(text, value)

        self.model = CaseTableModel(session, self)
        self.case_table.setModel(self.model)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)

        self._build_actions()
        self._build_menus_and_toolbar()
        self._build_status_bar()
        self.columns = CaseColumns(self.case_table)
        self._connect_signals()
        self.resize(1100, 700)
        self._start_session(session)

    # -- building -------------------------------------------------------------------------
    def _build_actions(self):
        build_actions(self)

    def _build_menus_and_toolbar(self):
        build_menus_and_toolbar(self)

    def _build_status_bar(self):
        bar = self.statusBar()
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.user_label = QLabel()
        self.user_label.setObjectName("userLabel")
        self.lock_button = QToolButton()
        self.lock_button.setObjectName("lockButton")
        self.lock_button.setText("Lock")
        self.lock_button.setIcon(icon("lock"))
        self.lock_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.lock_button.setAutoRaise(True)
        self.lock_button.setToolTip(self.lock_action.toolTip())
        self.sample_label = QLabel(SAMPLE_BADGE)
        self.sample_label.setObjectName("sampleLabel")
        self.sample_label.setToolTip(SAMPLE_TIP)
        self.sample_label.setStyleSheet(
            "QLabel { background: #fff3cd; color: #664d03; border: 1px solid #e0c36a;"
            " border-radius: 3px; padding: 1px 6px; font-weight: bold; }"
        )
        self.sample_label.hide()
        self.busy_indicator = BusyIndicator()  # shown by a load that takes a while
        self.due_label = DueStatusLabel()
        bar.addWidget(self.count_label)
        bar.addWidget(self.due_label)
        bar.addWidget(self.busy_indicator)
        bar.addPermanentWidget(self.sample_label)
        bar.addPermanentWidget(self.user_label)
        bar.addPermanentWidget(self.lock_button)

    def _connect_signals(self):
        self.lock_action.triggered.connect(self.lock)
        self.lock_button.clicked.connect(self.lock)
        self.idle.idle.connect(self.auto_lock)
        self.settings_action.triggered.connect(self.open_settings)
        self.password_action.triggered.connect(self.change_password)
        self.quit_action.triggered.connect(self.close)
        self.refresh_action.triggered.connect(self.refresh)
        self.find_action.triggered.connect(self.focus_search)
        self.help_action.triggered.connect(self.show_help)
        self.about_action.triggered.connect(self.show_about)
        self.search_edit.textChanged.connect(self._search_timer.start)
        self._clear_search.activated.connect(self.search_edit.clear)
        self.search_edit.returnPressed.connect(self._search_entered)
        self.new_case_action.triggered.connect(self.new_case)
        self.check_action.triggered.connect(self.show_check)
        self.print_queue_action.triggered.connect(self.show_print_queue)
        self.calendar_action.triggered.connect(self.show_calendar)
        self.backup_action.triggered.connect(self.backups.back_up_now)
        self.restore_action.triggered.connect(self.restore_from_backup)
        connect_records_actions(self)
        self.due_label.open_calendar.connect(self.show_calendar)
        self.open_case_action.triggered.connect(self.open_selected_case)
        self.case_table.doubleClicked.connect(self._open_row)
        for shortcut in self._open_keys:
            shortcut.activated.connect(self.open_selected_case)
        self._search_timer.timeout.connect(self.apply_filters)
        self.school_combo.currentIndexChanged.connect(self.apply_filters)
        self.status_combo.currentIndexChanged.connect(self.apply_filters)
        self.model.totalChanged.connect(self._show_total)
        self.model.loadFailed.connect(self._show_refusal)
        changes().changed.connect(self._changed)

    # -- the session ----------------------------------------------------------------------
    @staticmethod
    def _who(session: UserSession) -> tuple[str, int]:
        return (session.store.identity.store_id, session.actor.user_id)

    def _start_session(self, session: UserSession, filters: tuple | None = None):
        """Fill the window for a (new) signed-in session and load the first page, with the
        person's default filters or (unlocking) `filters`: (school, status)."""
        self.session = session
        self.locked = False
        self.model.set_session(session)
        actor = session.actor
        self.user_label.setText(f"Signed in as {actor.full_name} ({actor.role_label})")
        self.preferences = trust_service.get_preferences(session)
        self._refresh_trust()
        self._follow_lock_time()
        prefs = self.preferences
        school, status = filters or (prefs.default_school_id, prefs.default_status)
        self._fill_schools(school)
        self.status_combo.blockSignals(True)
        status_index = self.status_combo.findData(status)
        self.status_combo.setCurrentIndex(max(0, status_index))
        self.status_combo.blockSignals(False)
        self.search_edit.clear()
        self._search_timer.stop()
        self._set_enabled(True)
        self.filter_bar.setVisible(session.can(Operation.VIEW_CASES))  # the service still checks
        self.count_label.clear()  # until the first page arrives: an empty table, no verdict
        self.empty_label.hide()
        self.case_table.show()
        self.central.show()
        self.apply_filters()
        self.search_edit.setFocus()
        count_queue(self.print_queue_action, session)
        self.due_label.refresh(session)
        who = self._who(session)
        if who != self._reminded:  # once per person signing in, not on every unlock
            self._reminded = who
            remind(self, session, self.state, self.show_calendar)
        self.backups.start(session)

    def _refresh_trust(self):
        name = trust_service.get_trust(self.session).name
        sample = self.session.is_sample
        self.setWindowTitle(f"Casebook — {name}{SAMPLE_TITLE if sample else ''}")
        self.sample_label.setVisible(sample)

    def _follow_lock_time(self):
        """Count down the trust's lock time afresh (at sign-in, and when it is changed)."""
        self.idle.start(trust_service.auto_lock_minutes(self.session))

    def _fill_schools(self, select_id):
        combo = self.school_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(ALL_SCHOOLS, None)
        for school in trust_service.list_schools(self.session):
            combo.addItem(school.name, school.id)
        combo.setCurrentIndex(max(0, combo.findData(select_id)) if select_id is not None else 0)
        combo.blockSignals(False)

    def _set_enabled(self, enabled: bool):
        for action in (self.lock_action, self.settings_action, self.password_action):
            action.setEnabled(enabled)
        self.lock_button.setEnabled(enabled)
        viewing = enabled and self.session.can(Operation.VIEW_CASES)
        for action in (self.refresh_action, self.find_action, self.open_case_action):
            action.setEnabled(viewing)
        self.print_queue_action.setEnabled(viewing)
        self.calendar_action.setEnabled(viewing)
        self.new_case_action.setEnabled(enabled and self.session.can(Operation.EDIT_CASES))
        self.check_action.setEnabled(enabled)
        can_back_up = enabled and self.session.can(Operation.BACKUP)
        self.backup_action.setEnabled(can_back_up)
        self.restore_action.setEnabled(can_back_up)
        for action, operation in records_actions(self):
            action.setEnabled(enabled and self.session.can(operation))

    def _end_session(self):
        """Sign out and leave nothing about a case on screen or in the model."""
        self.locked = True
        self.backups.stop()
        self.idle.stop()
        self.windows.close_all()
        if self.reminder is not None:
            self.reminder.close()  # it lists case references
            self.reminder = None
        self.due_label.clear()
        # A typed name is as private as the list; setText (not clear) also empties Undo.
        self.search_edit.setText("")
        self._search_timer.stop()
        self.model.clear()
        self.central.hide()
        self.setWindowTitle("Casebook (locked)")
        self.count_label.setText("Locked")
        self.user_label.clear()
        self._set_enabled(False)
        if not settle(self.session):
            log.warning("operations.still_running_at_sign_out")
        if not self.session.closed:
            try:
                auth.sign_out(self.session)
            except Exception as exc:  # the key must go even if the audit entry cannot be written
                log.error("sign_out.failed: %s", type(exc).__name__)
                self.session.close()

    # -- handlers -------------------------------------------------------------------------
    def apply_filters(self):
        self._search_timer.stop()
        if self.locked or self.session.closed:
            return
        self.model.set_filters(
            search=self.search_edit.text(),
            school_id=self.school_combo.currentData(),
            status=self.status_combo.currentData() or None,
        )

    def _search_entered(self):
        """Enter in the search box: a reference opens its case; anything else searches."""
        text = self.search_edit.text()
        self.apply_filters()
        if parse_reference(text) is None or self.locked or self.session.closed:
            return
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: case_service.get_case(job.session, reference=text),
            success=lambda row: self.open_case(row.id),
            progress="Opening the case",
        ).start()

    def _open_row(self, index):
        if index.isValid():
            self.open_case(self.model.case_at(index.row()).id)

    def open_selected_case(self):
        """Open the case selected in the list (Enter, or File › Open case)."""
        index = self.case_table.currentIndex()
        if index.isValid() and not self.locked:
            self._open_row(index)

    def open_case(self, case_id: int):
        """Show the case's window: the one already open, or a new one."""
        if not (self.locked or self.session.closed):
            self.windows.open_case(self.session, case_id)

    def new_case(self):
        """Ask for a new case; once saved, its window opens."""
        if self.locked or not self.session.can(Operation.EDIT_CASES):
            return
        from desktop.ui.new_case_dialog import NewCaseDialog

        dialog = NewCaseDialog(self.session, parent=self)
        dialog.accepted.connect(lambda: self._case_created(dialog.created))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _case_created(self, row: CaseRow | None):
        if row is not None:
            self.open_case(row.id)

    def show_check(self):
        """The visitor check (Ctrl+K): is this person barred, or under a communication plan?"""
        if not (self.locked or self.session.closed):
            self.windows.show_check(self.session)

    def restore_from_backup(self):
        """File > Restore from a backup...: signs out once the person confirms, then asks
        for a sign-in to the restored store."""
        if not self.locked:
            restore_from_main(self, end_session=self._end_session, signed_in=self._unlocked)

    def show_annual_report(self):
        """Reports > Annual board report..."""
        open_records_window(self, Operation.BOARD_REPORT)

    def show_calendar(self):
        """The calendar of reviews and deadlines (Ctrl+Shift+C); an item opens its case at
        the place that settles it."""
        if not self.locked and self.session.can(Operation.VIEW_CASES):
            self.windows.show_calendar(self.session, self._open_due)

    def _open_due(self, item):
        self.windows.open_case(self.session, item.case_id).show_place(item.place, item.target_id)

    def show_print_queue(self):
        """The letters waiting to be printed (Ctrl+Shift+P); the menu item counts them."""
        if not self.locked and self.print_queue_action.isEnabled():
            self.windows.show_print_queue(self.session, self.print_queue_action)

    def refresh(self):
        if not self.locked:
            self._fill_schools(self.school_combo.currentData())
            self.apply_filters()

    def focus_search(self):
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def _show_total(self, total: int):
        if self.locked:
            return
        self.count_label.setText(count_text(total, self.model.total_exact))
        if total:
            self.empty_label.hide()
            self.case_table.show()
            return
        self.empty_label.setText(NO_MATCHES if self.model.any_cases else NO_CASES_YET)
        self.case_table.hide()
        self.empty_label.show()

    def _show_refusal(self, message: str):
        self.count_label.setText("No cases")
        self.empty_label.setText(f"{message}\n\n{not_permitted_note()}")
        self.case_table.hide()
        self.empty_label.show()

    def lock(self):
        """Sign out, clear the screen and ask for the password again (Ctrl+L)."""
        if self.locked:
            return
        if self.preferences.confirm_before_lock and not Messenger.confirm(
            self,
            "Lock Casebook",
            "Lock Casebook now? You will need your password to carry on.",
            "Lock",
        ):
            return
        self._lock_now()

    def auto_lock(self):
        """Nobody has used Casebook for the trust's lock time: lock without asking."""
        if not (self.locked or self.session.closed):
            log.info("window.auto_locked")
            self._lock_now()

    def _lock_now(self):
        if self.locked:  # locked by itself while the question was open
            return
        # The lock screen signs in again where this store was opened from.
        username, path = self.session.actor.username, self.session.store.location
        filters = (self.school_combo.currentData(), self.status_combo.currentData())
        self._resume = (self._who(self.session), filters)
        self._end_session()
        self.clipboard_guard.clear_ours()
        log.info("window.locked")
        dialog = SignInDialog(path, username=username, locked=True, parent=self)
        dialog.setObjectName("lockDialog")
        dialog.accepted.connect(lambda: self._unlocked(dialog))
        dialog.rejected.connect(self.close)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _unlocked(self, dialog):
        log.info("window.unlocked")
        from desktop.services.frontdesk import FrontDeskSession

        if isinstance(dialog.session, FrontDeskSession):
            # "Switch user" to a front-desk account: the visitor check, and nothing of this
            # window (which stays hidden, locked, holding the store's lock).
            from desktop.ui.check_window import CheckWindow

            self.check_window = CheckWindow(dialog.session, front_desk=True)
            self.check_window.show()
            self.hide()
            return
        (who, filters), self._resume = self._resume, (None, ())
        # The same person finds the list as they left it; anyone else starts afresh.
        self._start_session(dialog.session, filters if who == self._who(dialog.session) else None)

    def open_settings(self):
        dialog = SettingsDialog(self.session, parent=self)
        dialog.accepted.connect(self._settings_saved)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _settings_saved(self):
        # The settings dialog saves as it closes; say so to every window, this one included.
        changes().announce(Change.TRUST, Change.SCHOOLS, Change.PREFERENCES)

    def _changed(self, what: str):
        """A write changed something this window shows: show it afresh."""
        if self.locked or self.session.closed:
            return
        if what == Change.TRUST:
            self._refresh_trust()
            self._follow_lock_time()
        elif what in (Change.LETTERS, Change.CASES):
            count_queue(self.print_queue_action, self.session)
            self.due_label.refresh(self.session)
        elif what == Change.PREFERENCES:
            self.preferences = trust_service.get_preferences(self.session)
        elif what == Change.SCHOOLS:
            self._fill_schools(self.school_combo.currentData())
            self.apply_filters()

    def change_password(self):
        dialog = ChangePasswordDialog(self.session, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def show_help(self):
        dialog = self.findChild(HelpDialog)
        if dialog is None:
            dialog = HelpDialog(self)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def show_about(self):
        from desktop.ui.about_dialog import AboutDialog

        dialog = AboutDialog(self.session, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    # -- Qt events ------------------------------------------------------------------------
    def showEvent(self, event):
        if not self._layout_restored:
            self._layout_restored = True
            restore_layout(self.state, STATE_KEY, self, self.case_table.horizontalHeader())
            self.columns.adopt_restored_header()
        super().showEvent(event)

    def closeEvent(self, event):
        """Closing the window signs out; the window's size is kept for next time."""
        if self._layout_restored:
            save_layout(self.state, STATE_KEY, self, self.case_table.horizontalHeader())
        self.windows.close_all()
        if not self.session.closed:
            self.backups.closing(self.session)  # waits, with a small progress window
            self._end_session()
        for dialog in self.findChildren(HelpDialog):
            dialog.close()
        log.info("window.closed")
        super().closeEvent(event)
