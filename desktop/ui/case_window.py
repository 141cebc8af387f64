"""The case window: one case's header, its restrictions banner, and its tabs.

Several may be open at once, one per case (the main window keeps them and raises the one
already open). The window appears at once and fills itself from the services off the UI
thread. When a tab saves something it says so (`changed`), and the window reads its header
and banner again and has the other tabs reload, so every part shows the same case.
"""

from __future__ import annotations

import importlib
import logging
from functools import partial

import shiboken6
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_date, uk_today
from desktop.domain.due import Place
from desktop.domain.restrictions import (
    RestrictionKind,
    applies_on,
    banner_line,
    lapsed_unreviewed,
)
from desktop.domain.roles import Operation
from desktop.errors import NotFound, user_message
from desktop.services import casefile
from desktop.services.casefile import CaseHeader
from desktop.ui.forms import child, load_form
from desktop.ui.icons import icon
from desktop.ui.messages import Messenger
from desktop.ui.operations import BusyIndicator, Change, Latest, ReadOp, WriteOp, changes
from desktop.ui.window_state import restore_layout, save_layout, window_state

log = logging.getLogger(__name__)

STATE_KEY = "case_window"
CASCADE = 32  # how far a second window is moved from the first, so both show
# The tabs, in order: (module in desktop.ui.case_tabs, class). Ctrl+1 is the first.
TABS = (
    ("chronology_tab", "ChronologyTab"),
    ("incidents_tab", "IncidentsTab"),
    ("people_tab", "PeopleTab"),
    ("evidence_tab", "EvidenceTab"),
    ("tasks_tab", "TasksTab"),
    ("sanctions_tab", "SanctionsTab"),
)
LOADING = "Loading the case"
NONE_TODAY = "No restrictions apply today."
SAMPLE_TITLE = " (SAMPLE: invented cases)"

BANNER_STYLES = {
    "bar": "QFrame#bannerFrame { background: #fde8e8; border: 2px solid #b42318;"
    " border-radius: 4px; } QLabel#bannerLabel { color: #7a1010; font-weight: bold; }",
    "plan": "QFrame#bannerFrame { background: #fff4e5; border: 2px solid #b54708;"
    " border-radius: 4px; } QLabel#bannerLabel { color: #6b2c05; font-weight: bold; }",
    "none": "QFrame#bannerFrame { background: #f2f4f7; border: 1px solid #d0d5dd;"
    " border-radius: 4px; } QLabel#bannerLabel { color: #344054; }",
}
OVERDUE_STYLE = (
    "QLabel { background: #b42318; color: white; font-weight: bold; border-radius: 3px;"
    " padding: 2px 8px; }"
)
STATUS_STYLES = {
    "open": "QLabel { background: #e8f1fb; color: #1f4e79; border-radius: 3px; padding: 1px 8px; }",
    "closed": "QLabel { background: #eaecf0; color: #344054; border-radius: 3px;"
    " padding: 1px 8px; }",
}


def tab_classes() -> list[type]:
    """The tab classes, imported when the first window opens (they bring in the services
    each tab reads from)."""
    return [
        getattr(importlib.import_module(f"desktop.ui.case_tabs.{module}"), name)
        for module, name in TABS
    ]


def window_title(header: CaseHeader, *, sample: bool) -> str:
    return f"{header.reference} \u2014 {header.subject} \u2014 Casebook" + (
        SAMPLE_TITLE if sample else ""
    )


def pupils_text(header: CaseHeader) -> str:
    if not header.pupils:
        return "None recorded"
    parts = []
    for pupil in header.pupils:
        where = ", ".join(p for p in (pupil.school, pupil.year_group) if p)
        parts.append(f"{pupil.name} ({where})" if where else pupil.name)
    return "; ".join(parts)


def dates_text(header: CaseHeader) -> str:
    text = format_date(header.opened_on)
    if header.closed:
        text += f"   \u00b7   Closed {format_date(header.closed_on)}"
        if header.closed_reason:
            text += f": {header.closed_reason}"
    return text


def banner_parts(header: CaseHeader) -> tuple[str, str]:
    """(the banner's words, its style: "bar", "plan" or "none"). Restrictions that start
    later are listed after today's, so nobody is surprised by them."""
    today = uk_today()
    now = [f for f in header.restrictions if applies_on(f, today)]
    later = [f for f in header.restrictions if not applies_on(f, today) and f.starts > today]
    lapsed = [f for f in header.restrictions if lapsed_unreviewed(f, today)]
    lines = [header.banner] if now or lapsed else [NONE_TODAY]
    lines += [f"From {format_date(f.starts)}: {banner_line(f, today)}" for f in later]
    if any(f.kind is RestrictionKind.BAR for f in now):
        style = "bar"
    elif now or later or lapsed:
        style = "plan"
    else:
        style = "none"
    return "\n".join(lines), style


class ReasonDialog(QDialog):
    """Asks why a case is being closed or reopened; the reason goes on the chronology."""

    def __init__(self, title: str, prompt: str, action: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reasonDialog")
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        label = QLabel(prompt)
        label.setWordWrap(True)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setAccessibleName("Reason")
        self.reason_edit.setTabChangesFocus(True)
        label.setBuddy(self.reason_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("reasonOkButton")
        self.ok_button.setEnabled(False)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("reasonCancelButton")
        layout.addWidget(label)
        layout.addWidget(self.reason_edit)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(
            lambda: self.ok_button.setEnabled(bool(self.reason.strip()))
        )
        self.resize(440, 220)

    @property
    def reason(self) -> str:
        return self.reason_edit.toPlainText()


class CaseWindow(QMainWindow):
    """One case: header, banner and tabs. Reads through the services only."""

    def __init__(self, session, case_id: int, *, state=None, parent=None):
        super().__init__(parent)
        self.setObjectName("caseWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowIcon(icon("casebook"))
        self.session = session
        self.case_id = case_id
        self.state = state if state is not None else window_state()
        self.header: CaseHeader | None = None
        self._latest = Latest()
        self._layout_restored = False
        self.reason_dialog: ReasonDialog | None = None
        self.wizard: QDialog | None = None

        central = QWidget()
        central.setObjectName("caseCentral")
        load_form("case_window", central)
        self.setCentralWidget(central)
        self.subject_label = child(central, QLabel, "subjectLabel")
        self.reference_label = child(central, QLabel, "referenceLabel")
        self.status_label = child(central, QLabel, "statusLabel")
        self.stage_label = child(central, QLabel, "stageLabel")
        self.schools_label = child(central, QLabel, "schoolsLabel")
        self.pupils_label = child(central, QLabel, "pupilsLabel")
        self.dates_label = child(central, QLabel, "datesLabel")
        self.banner_frame = child(central, QFrame, "bannerFrame")
        self.banner_icon = child(central, QLabel, "bannerIcon")
        self.banner_label = child(central, QLabel, "bannerLabel")
        self.overdue_label = child(central, QLabel, "overdueLabel")
        self.tab_widget = child(central, QTabWidget, "caseTabs")
        for label in central.findChildren(QLabel):
            label.setTextFormat(Qt.TextFormat.PlainText)  # names are typed by people
        font = self.subject_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.subject_label.setFont(font)
        self.overdue_label.setStyleSheet(OVERDUE_STYLE)
        self.overdue_label.hide()
        self.banner_frame.hide()  # until the header is in: never a wrong "no restrictions"

        self.tabs = [cls(session, case_id, parent=self.tab_widget) for cls in tab_classes()]
        for tab in self.tabs:
            self.tab_widget.addTab(tab, tab.title)

        self._build_actions()
        self._build_menus_and_toolbar()
        self.busy_indicator = BusyIndicator()
        self.statusBar().addWidget(self.busy_indicator)
        self._connect_signals()
        self.setWindowTitle("Casebook \u2014 case")
        self.resize(1000, 700)
        self.reload_header()

    # -- building -------------------------------------------------------------------------
    def _action(self, name, text, icon_name=None, shortcuts=()):
        action = QAction(text, self)
        action.setObjectName(name)
        if icon_name:
            action.setIcon(icon(icon_name))
        if shortcuts:
            action.setShortcuts([QKeySequence(k) for k in shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        tip = text.replace("&", "").rstrip("…")
        if shortcuts:
            tip += (
                f" ({QKeySequence(shortcuts[0]).toString(QKeySequence.SequenceFormat.NativeText)})"
            )
        action.setToolTip(tip)
        self.addAction(action)
        return action

    def _build_actions(self):
        self.take_action_action = self._action(
            "takeActionAction", "&Take action…", "restriction", ("Ctrl+T",)
        )
        self.close_case_action = self._action("closeCaseAction", "&Close case…", "close_case")
        self.reopen_case_action = self._action("reopenCaseAction", "Re&open case…", "reopen_case")
        self.refresh_action = self._action("caseRefreshAction", "&Refresh", "refresh", ("F5",))
        self.close_window_action = self._action(
            "closeWindowAction", "Close &window", "quit", ("Ctrl+W",)
        )
        self.tab_actions = [
            self._action(f"tab{n}Action", f"Go to tab {n}", shortcuts=(f"Ctrl+{n}",))
            for n in range(1, len(TABS) + 1)
        ]
        self.next_tab_action = self._action(
            "nextTabAction", "&Next tab", shortcuts=("Ctrl+Tab", "Ctrl+PgDown")
        )
        self.previous_tab_action = self._action(
            "previousTabAction", "&Previous tab", shortcuts=("Ctrl+Shift+Tab", "Ctrl+PgUp")
        )
        for action in (self.take_action_action, self.close_case_action, self.reopen_case_action):
            action.setEnabled(False)  # until the header says which applies

    def _build_menus_and_toolbar(self):
        menus = self.menuBar()
        case_menu = menus.addMenu("C&ase")
        case_menu.addAction(self.take_action_action)
        case_menu.addSeparator()
        case_menu.addActions([self.close_case_action, self.reopen_case_action])
        case_menu.addSeparator()
        case_menu.addAction(self.close_window_action)
        view_menu = menus.addMenu("&View")
        view_menu.addAction(self.refresh_action)
        view_menu.addSeparator()
        view_menu.addActions([self.next_tab_action, self.previous_tab_action])
        for action, tab in zip(self.tab_actions, self.tabs, strict=False):
            action.setText(tab.title)
        view_menu.addActions(self.tab_actions)

        toolbar = self.addToolBar("Case")
        toolbar.setObjectName("caseToolBar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(20, 20))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.take_action_action)
        toolbar.addActions([self.close_case_action, self.reopen_case_action])
        toolbar.addSeparator()
        toolbar.addAction(self.refresh_action)

    def _connect_signals(self):
        self.take_action_action.triggered.connect(self.take_action)
        self.close_case_action.triggered.connect(self.ask_to_close_case)
        self.reopen_case_action.triggered.connect(self.ask_to_reopen_case)
        self.refresh_action.triggered.connect(self.refresh)
        self.close_window_action.triggered.connect(self.close)
        for number, action in enumerate(self.tab_actions):
            action.triggered.connect(partial(self.show_tab, number))
        self.next_tab_action.triggered.connect(partial(self._step_tab, 1))
        self.previous_tab_action.triggered.connect(partial(self._step_tab, -1))
        for tab in self.tabs:
            tab.changed.connect(partial(self._tab_changed, tab))
        changes().changed.connect(self._changed)

    # -- reading ----------------------------------------------------------------------------
    def reload_header(self):
        """Read the header and banner again, off the UI thread."""
        if self.session.closed:
            return
        case_id = self.case_id
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: casefile.case_header(job.session, case_id=case_id),
            success=self.show_header,
            failure=self._load_failed,
            progress=LOADING,
            latest=self._latest,
        ).start()

    def show_header(self, header: CaseHeader):
        self.setWindowTitle(window_title(header, sample=self.session.is_sample))
        self.subject_label.setText(header.subject)
        self.reference_label.setText(header.reference)
        self.status_label.setText(header.status_label)
        self.status_label.setStyleSheet(STATUS_STYLES.get(header.status, ""))
        self.stage_label.setText(header.stage_label)
        self.schools_label.setText(", ".join(header.schools))
        self.pupils_label.setText(pupils_text(header))
        self.dates_label.setText(dates_text(header))
        text, style = banner_parts(header)
        self.banner_label.setText(text)
        self.banner_frame.setStyleSheet(BANNER_STYLES[style])
        icon_name = {"bar": "barred", "plan": "restriction", "none": "no_restriction"}[style]
        self.banner_icon.setPixmap(icon(icon_name).pixmap(24, 24))
        self.banner_frame.show()
        self.overdue_label.setVisible(header.review_overdue)
        editable = self.session.can(Operation.EDIT_CASES)
        self.take_action_action.setEnabled(editable and not header.closed)
        self.close_case_action.setEnabled(editable and not header.closed)
        self.reopen_case_action.setEnabled(editable and header.closed)
        self.close_case_action.setVisible(not header.closed)
        self.reopen_case_action.setVisible(header.closed)
        self.header = header  # last: a header that is set is one that is shown

    def _load_failed(self, exc: BaseException):
        log.info("case_window.load_refused: %s", type(exc).__name__)
        if isinstance(exc, NotFound) or self.header is None:
            self.header = None
            self.subject_label.setText(user_message(exc))
            for label in (self.reference_label, self.status_label, self.stage_label):
                label.clear()
            self.banner_frame.hide()
            self.tab_widget.setEnabled(False)
            self.take_action_action.setEnabled(False)
            self.close_case_action.setEnabled(False)
            self.reopen_case_action.setEnabled(False)
        else:
            Messenger.error(self, exc)

    def refresh(self):
        """Everything afresh (F5): the header, the banner and every tab."""
        self.reload_header()
        for tab in self.tabs:
            tab.reload()

    def _tab_changed(self, source):
        self.reload_header()
        for tab in self.tabs:
            if tab is not source:
                tab.reload()

    def _changed(self, what: str):
        if what == Change.CASES and not self.session.closed:
            self.reload_header()

    def show_tab(self, number: int):
        if 0 <= number < self.tab_widget.count():
            self.tab_widget.setCurrentIndex(number)
            self.tab_widget.currentWidget().setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_place(self, place: Place, target_id: int) -> None:
        """Show the tab that settles a calendar item, with its record selected and, for a
        bar or plan, the dialog that records the decision open."""
        names = [name for _module, name in TABS]
        if place is Place.TASKS:
            self.show_tab(names.index("TasksTab"))
            self.tabs[names.index("TasksTab")].select_task(target_id)
            return
        self.show_tab(names.index("SanctionsTab"))
        if place in (Place.REPRESENTATIONS, Place.REVIEW, Place.PERIOD_REVIEW):
            self.tabs[names.index("SanctionsTab")].resolve(place, target_id)

    def _step_tab(self, step: int):
        count = self.tab_widget.count()
        if count:
            self.show_tab((self.tab_widget.currentIndex() + step) % count)

    # -- taking action ----------------------------------------------------------------------
    def take_action(self):
        """Open the sanctions wizard on where the case stands (read off the UI thread)."""
        if self.header is None or (self.wizard is not None and shiboken6.isValid(self.wizard)):
            return
        from desktop.services import sanction_view
        from desktop.ui.sanctions_wizard import SanctionsWizard

        case_id = self.case_id

        def opened(ladder):
            wizard = SanctionsWizard(self.session, ladder, self)
            self.wizard = wizard
            wizard.accepted.connect(self.refresh)
            wizard.finished.connect(wizard.deleteLater)
            wizard.open()

        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: sanction_view.case_ladder(job.session, case_id=case_id),
            success=opened,
            progress="Reading where the case stands",
        ).start()

    # -- closing and reopening ---------------------------------------------------------------
    def ask_to_close_case(self):
        self._ask_reason(
            "Close case",
            "Why is this case being closed? The reason is kept in the case's chronology. "
            "A closed case stays searchable and can be reopened.",
            "Close case",
            closing=True,
        )

    def ask_to_reopen_case(self):
        self._ask_reason(
            "Reopen case",
            "Why is this case being reopened? The reason is kept in the case's chronology.",
            "Reopen case",
            closing=False,
        )

    def _ask_reason(self, title: str, prompt: str, action: str, *, closing: bool):
        if self.header is None:
            return
        dialog = ReasonDialog(title, prompt, action, self)
        self.reason_dialog = dialog
        dialog.accepted.connect(lambda: self._reason_given(dialog, closing=closing))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _reason_given(self, dialog: ReasonDialog, *, closing: bool):
        header = self.header
        if header is None:
            return
        reason = dialog.reason
        verb = "Close" if closing else "Reopen"
        if not Messenger.confirm(
            self,
            f"{verb} case",
            f"{verb} {header.reference} ({header.subject})? The reason will be added to the "
            "chronology and cannot be removed.",
            f"{verb} case",
        ):
            return
        service = casefile.close_case if closing else casefile.reopen_case
        case_id = self.case_id
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: service(job.session, case_id=case_id, reason=reason),
            success=self._status_changed,
            progress="Closing the case" if closing else "Reopening the case",
            changes=(Change.CASES,),
        ).start()

    def _status_changed(self, header: CaseHeader):
        self.show_header(header)
        for tab in self.tabs:
            tab.reload()  # the chronology has a new entry
        self.statusBar().showMessage(f"Case {'closed' if header.closed else 'reopened'}.", 5000)

    # -- Qt events ------------------------------------------------------------------------
    def showEvent(self, event):
        if not self._layout_restored:
            self._layout_restored = True
            restore_layout(self.state, STATE_KEY, self)
            self._cascade()
        super().showEvent(event)

    def _cascade(self):
        """Move off another case window that sits in exactly the same place."""
        taken = {
            w.pos().toTuple()
            for w in QApplication.topLevelWidgets()
            if isinstance(w, CaseWindow) and w is not self and w.isVisible()
        }
        while self.pos().toTuple() in taken:
            self.move(self.pos().x() + CASCADE, self.pos().y() + CASCADE)

    def closeEvent(self, event):
        """The window's size and place are kept for the next case window."""
        if self._layout_restored:
            save_layout(self.state, STATE_KEY, self)
        if self.reason_dialog is not None and shiboken6.isValid(self.reason_dialog):
            self.reason_dialog.close()
        if self.wizard is not None and shiboken6.isValid(self.wizard):
            self.wizard.reject()
        super().closeEvent(event)
