"""The front desk's check: is the visitor at reception barred, or under a communication plan?

A name is typed as the visitor gives it; the answer shows as it is typed (misspellings
forgiven): which school, until when, and whom they may contact. Nothing else about a
case is shown. Front-desk accounts get this window straight after signing in, and no
other; case workers open it from the main window (Ctrl+K).
"""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_date, uk_today
from desktop.domain.restrictions import RestrictionKind, applies_on, banner_line
from desktop.errors import CasebookError, SessionEnded, user_message
from desktop.services import frontdesk
from desktop.ui.icons import icon
from desktop.ui.labels import SAMPLE_TITLE

log = logging.getLogger(__name__)

CHECK_DELAY_MS = 250
MIN_LETTERS = 2
TITLE = "Visitor check \u2014 Casebook"
INTRO = (
    "Type the visitor's name as they give it. Spelling mistakes are forgiven. "
    "Only current bars and communication plans are shown."
)


class CheckWindow(QMainWindow):
    """One name in, a plain answer out. `lockRequested` asks the app to lock (front desk)."""

    lockRequested = Signal()

    def __init__(self, session, *, front_desk: bool, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.front_desk = front_desk
        self._locked = False
        self.setObjectName("checkWindow")
        self.setWindowTitle(TITLE + (SAMPLE_TITLE if _is_sample(session) else ""))
        self.setWindowIcon(icon("casebook"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, not front_desk)

        body = self._body = QWidget(self)
        layout = QVBoxLayout(body)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("nameEdit")
        self.name_edit.setPlaceholderText("Visitor's name")
        self.name_edit.setAccessibleName("Visitor's name")
        self.name_edit.setClearButtonEnabled(True)
        self.name_edit.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        name_label = QLabel("Visitor's &name:")
        name_label.setBuddy(self.name_edit)
        self.summary = QLabel()
        self.summary.setObjectName("summaryLabel")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Answer")
        self.results = QTextBrowser()
        self.results.setObjectName("resultsView")
        self.results.setAccessibleName("People found")
        self.results.setOpenLinks(False)
        self.close_button = QPushButton("&Lock" if front_desk else "&Close")
        self.close_button.setObjectName("lockButton" if front_desk else "closeButton")
        self.close_button.setIcon(icon("lock" if front_desk else "quit"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addWidget(intro)
        layout.addWidget(name_label)
        layout.addWidget(self.name_edit)
        layout.addWidget(self.summary)
        layout.addWidget(self.results, 1)
        layout.addLayout(buttons)
        self.setCentralWidget(body)
        self.setTabOrder(self.name_edit, self.results)
        self.setTabOrder(self.results, self.close_button)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.run_check)
        self.name_edit.textChanged.connect(self._timer.start)
        self.name_edit.returnPressed.connect(self.run_check)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._clear)
        if front_desk:
            lock = QAction("&Lock", self)
            lock.setObjectName("lockAction")
            lock.setShortcut(QKeySequence("Ctrl+L"))
            lock.triggered.connect(self.lock)
            self.addAction(lock)
            self.close_button.clicked.connect(self.lock)
            who = getattr(session, "username", "")
            self.statusBar().showMessage(f"Signed in as {who} (front desk)")
        else:
            self.close_button.clicked.connect(self.close)
        self._show_prompt()
        self.resize(560, 480)
        self.name_edit.setFocus()

    # -- locking (the front desk's own window) ----------------------------------------------
    def lock(self) -> None:
        """Close the list, clear the screen and ask for the same person's password again."""
        self.lockRequested.emit()
        if not self.front_desk or self._locked:
            return
        from desktop.ui.signin_dialog import SignInDialog

        username, location = self.session.username, self.session.location
        self.session.close()
        self._locked = True
        self._timer.stop()
        self.name_edit.clear()
        self.results.clear()
        self._body.setEnabled(False)
        dialog = SignInDialog(location, username=username, locked=True, parent=self)
        dialog.setObjectName("lockDialog")
        dialog.accepted.connect(lambda: self._unlocked(dialog))
        dialog.rejected.connect(self.close)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _unlocked(self, dialog) -> None:
        session = dialog.session
        if session is None:
            self.close()
            return
        if not isinstance(session, frontdesk.FrontDeskSession):
            # Someone else signed in from the lock screen ("Switch user"): a case worker
            # gets the main window; this one stays hidden, holding the store's lock.
            from desktop.ui.main_window import MainWindow

            self.main_window = MainWindow(session)
            self.main_window.show()
            self.hide()
            return
        self.session, self._locked = session, False
        self._body.setEnabled(True)
        self._show_prompt()
        self.activateWindow()
        QTimer.singleShot(0, self.name_edit.setFocus)  # once the dialog has let go of it

    # -- checking -------------------------------------------------------------------------
    def _clear(self) -> None:
        self.name_edit.clear()
        self.name_edit.setFocus()

    def _show_prompt(self) -> None:
        self.summary.setText("Type at least two letters of the visitor's name.")
        self.summary.setStyleSheet("")
        self.results.clear()

    def run_check(self) -> None:
        self._timer.stop()
        name = " ".join(self.name_edit.text().split())
        if sum(ch.isalpha() for ch in name) < MIN_LETTERS:
            self._show_prompt()
            return
        try:
            matches = frontdesk.check(self.session, name)
        except SessionEnded as exc:
            self._say(user_message(exc), error=True)
            if self.front_desk:
                self.lock()
            return
        except CasebookError as exc:
            self._say(user_message(exc), error=True)
            return
        log.info("visitor_check matches=%d", len(matches))  # never the name typed
        if not matches:
            self._say(f"No one called \u201c{name}\u201d is barred or under a communication plan.")
            self.results.clear()
            return
        today = uk_today()
        barred = any(
            f.kind is RestrictionKind.BAR and applies_on(f, today)
            for match in matches
            for f in match.restrictions
        )
        count = len(matches)
        noun = "person matches" if count == 1 else "people match"
        self._say(
            f"{count} {noun} \u201c{name}\u201d. Check the details with the visitor.",
            error=barred,
        )
        self.results.setHtml(_matches_html(matches, today))

    def _say(self, text: str, *, error: bool = False) -> None:
        self.summary.setText(text)
        self.summary.setStyleSheet("QLabel { color: #9b1c1c; font-weight: bold; }" if error else "")


def _is_sample(session) -> bool:
    try:
        return bool(session.is_sample)
    except CasebookError:  # a damaged list is reported when it is read for a check
        return False


def _matches_html(matches: list[frontdesk.Match], today) -> str:
    parts = [f"<p style='color:#555'>Checked {html.escape(format_date(today))}</p>"]
    for match in matches:
        parts.append(
            f"<h3 style='margin-bottom:2px'>{html.escape(match.name)}"
            f" <span style='font-weight:normal;color:#555'>({html.escape(match.reference)})"
            "</span></h3><ul style='margin-top:2px'>"
        )
        for facts in match.restrictions:
            line = html.escape(banner_line(facts, today))
            if facts.kind is RestrictionKind.BAR and applies_on(facts, today):
                line = f"<b style='color:#9b1c1c'>{line}</b>"
            parts.append(f"<li>{line}</li>")
        parts.append("</ul>")
    return "".join(parts)
