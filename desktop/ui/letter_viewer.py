"""An issued letter on screen exactly as it was issued, and what can be done with it: print
it, save a copy as a PDF, put it in (or take it off) the day's print queue.

The letter is shown and printed from memory; nothing is written to a temporary file.
Opening it checks it against the fingerprint taken when it was issued, so a damaged copy is
reported in words rather than shown. Printing and saving a copy are recorded in the audit
trail by the service; a print cancelled at the print dialog records nothing.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_date, format_datetime
from desktop.domain.roles import Operation
from desktop.errors import user_message
from desktop.services import issued_letters
from desktop.services.issued_letters import LetterInfo, OpenedLetter
from desktop.services.session import UserSession
from desktop.ui import printing
from desktop.ui.dialog_parts import named
from desktop.ui.evidence_viewer import ZOOM_STEP, PdfView
from desktop.ui.messages import Messenger
from desktop.ui.open_windows import bring_forward
from desktop.ui.operations import Change, Job, Latest, ReadOp, WriteOp, changes

SHORT_SHA = 16  # characters of the fingerprint shown; the whole of it is in the tooltip
NOT_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')  # what Windows refuses in a file name
PRINTER_NOT_STARTED = (
    "The printer could not be started. Check that it is switched on and connected, then try again."
)


# -- words --------------------------------------------------------------------------------
def documents_folder() -> Path:
    """Where a saved letter is offered first: Documents, or home when there is none yet."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


def suggested_name(info: LetterInfo) -> str:
    """`CB-2026-0042 Written warning.pdf`: the case and the letter, safe as a file name."""
    name = NOT_IN_NAMES.sub("-", f"{info.reference} {info.title}").strip(" .")
    return f"{name[:150].rstrip(' .') or 'Letter'}.pdf"


def job_title(info: LetterInfo) -> str:
    return f"{info.reference} {info.title}"


def printing_words(info: LetterInfo) -> str:
    if info.queued:
        return "Waiting in the print queue"
    if info.printed_at is not None:
        return f"Printed {format_datetime(info.printed_at)}"
    return "Not printed from Casebook"


def correction_words(info: LetterInfo) -> str:
    """ "Corrects letter 3", "Corrected by letter 7", or both; empty for neither."""
    parts = []
    if info.supersedes_id is not None:
        parts.append(f"Corrects letter {info.supersedes_id}")
    if info.superseded_by_id is not None:
        parts.append(f"Corrected by letter {info.superseded_by_id}")
    return " · ".join(parts)


FACT_ROWS = (  # the heading: (label, objectName of the value)
    ("Letter:", "letterTitle"),
    ("To:", "letterRecipient"),
    ("Case:", "letterReference"),
    ("Issued:", "letterIssued"),
    ("Signed by:", "letterSignature"),
    ("Wording:", "letterWording"),
    ("Large print:", "letterLargePrint"),
    ("Correction:", "letterCorrection"),
    ("Printing:", "letterPrinting"),
    ("SHA-256:", "letterSha256"),
)


def facts(info: LetterInfo) -> dict[str, str]:
    """The heading's values, by the objectName of the label that shows each."""
    return {
        "letterTitle": info.title,
        "letterRecipient": info.recipient,
        "letterReference": info.reference,
        "letterIssued": f"{format_date(info.issued_on)} by {info.issued_by or 'unknown'}",
        "letterSignature": f"{info.signed_by or 'not named'} · {info.signature_words}",
        "letterWording": f"version {info.template_version}",
        "letterLargePrint": "Yes" if info.large_print else "No",
        "letterCorrection": correction_words(info),
        "letterPrinting": printing_words(info),
        "letterSha256": f"{info.sha256[:SHORT_SHA]}…",
    }


# -- one viewer per letter ----------------------------------------------------------------
_open: dict[int, LetterViewer] = {}


def show_letter(session: UserSession, letter_id: int, parent: QWidget) -> LetterViewer:
    """The letter's viewer: the one already open, brought to the front, or a new one
    belonging to `parent`'s window (it closes with it)."""
    viewer = _open.get(letter_id)
    if viewer is not None and shiboken6.isValid(viewer) and viewer.session is session:
        bring_forward(viewer)
        return viewer
    viewer = LetterViewer(session, letter_id, parent)
    _open[letter_id] = viewer
    viewer.destroyed.connect(partial(_forget, letter_id, id(viewer)))
    viewer.show()
    return viewer


def open_viewers() -> list[LetterViewer]:
    """The letters on screen now (the main window closes them all when it locks)."""
    return [v for v in _open.values() if shiboken6.isValid(v) and v.isVisible()]


def _forget(letter_id: int, token: int, *_args: object) -> None:
    if id(_open.get(letter_id)) == token:
        del _open[letter_id]


class LetterViewer(QDialog):
    """One issued letter: its facts above, its pages below, and the buttons to act on it."""

    shown = Signal()  # the letter, or why it cannot be shown, is on screen
    updated = Signal()  # the facts were read afresh (printed, queued or corrected)

    def __init__(self, session: UserSession, letter_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.letter_id = session, letter_id
        self.info: LetterInfo | None = None
        self.pdf = b""
        self.busy = False
        self._latest = Latest()
        self.setObjectName("letterViewer")
        self.setWindowTitle(f"Letter {letter_id}")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._build()
        self._connect_signals()
        self.resize(900, 860)
        self._update_buttons()
        self._load()

    # -- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        # The facts in two columns, so the letter keeps most of the height.
        columns = (QFormLayout(), QFormLayout())
        self.forms: dict[str, QFormLayout] = {}
        self.values: dict[str, QLabel] = {}
        for number, (label, name) in enumerate(FACT_ROWS):
            value = QLabel()
            value.setObjectName(name)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            form = columns[number * 2 // len(FACT_ROWS)]
            form.addRow(label, value)
            self.forms[name], self.values[name] = form, value
        self.details = QHBoxLayout()
        for form in columns:
            self.details.addLayout(form, 1)
        self._show_rows(False)
        self.message = named(QLabel(), "viewerMessage", "Why the letter is not shown")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setText("Opening the letter…")
        self.pdf_view = PdfView()
        self.pdf_view.setObjectName("letterPages")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.message)
        self.stack.addWidget(self.pdf_view)
        self.zoom_in_button = named(QPushButton("Zoom &in"), "zoomInButton", "Zoom in")
        self.zoom_out_button = named(QPushButton("Zoom &out"), "zoomOutButton", "Zoom out")
        self.fit_button = named(QPushButton("&Fit width"), "fitButton", "Fit the page's width")
        self.print_button = named(QPushButton("P&rint…"), "printButton", "Print the letter")
        self.print_button.setToolTip("Print the letter (Ctrl+P)")
        self.save_button = named(
            QPushButton("&Save as PDF…"), "saveAsPdfButton", "Save a copy as a PDF file"
        )
        self.save_button.setToolTip("Save an unencrypted copy as a PDF file (Ctrl+Shift+S)")
        self.queue_button = named(
            QPushButton("Add to print &queue"), "queueButton", "Add to or remove from the queue"
        )
        self.reissue_button = named(
            QPushButton("Re-&issue"), "reissueButton", "Issue a corrected or large-print copy"
        )
        reissue = QMenu(self.reissue_button)
        self.correct_action = reissue.addAction("Issue a &correction…")
        self.large_print_action = reissue.addAction("Issue in &large print…")
        self.reissue_button.setMenu(reissue)
        self.reissue_button.setToolTip(
            "Make the letter again from the case as recorded now, dated today; this one is kept"
        )
        self.close_button = named(QPushButton("&Close"), "closeButton", "Close")
        self.status = named(QLabel(), "letterStatus", "What was done")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        actions = QHBoxLayout()
        for button in (self.zoom_in_button, self.zoom_out_button, self.fit_button):
            actions.addWidget(button)
        actions.addWidget(self.status, 1)
        for button in (
            self.print_button,
            self.save_button,
            self.queue_button,
            self.reissue_button,
            self.close_button,
        ):
            actions.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.details)
        layout.addWidget(self.stack, 1)
        layout.addLayout(actions)

    def _connect_signals(self) -> None:
        self.print_button.clicked.connect(self.print_letter)
        self.save_button.clicked.connect(self.save_copy)
        self.queue_button.clicked.connect(self.toggle_queue)
        self.close_button.clicked.connect(self.close)
        self.correct_action.triggered.connect(lambda: self.reissue(large_print=None))
        self.large_print_action.triggered.connect(lambda: self.reissue(large_print=True))
        self.zoom_in_button.clicked.connect(lambda: self._zoom(ZOOM_STEP))
        self.zoom_out_button.clicked.connect(lambda: self._zoom(1 / ZOOM_STEP))
        self.fit_button.clicked.connect(self._fit)
        keys = (
            (QKeySequence.StandardKey.ZoomIn, lambda: self._zoom(ZOOM_STEP)),
            ("Ctrl+=", lambda: self._zoom(ZOOM_STEP)),
            (QKeySequence.StandardKey.ZoomOut, lambda: self._zoom(1 / ZOOM_STEP)),
            ("Ctrl+0", self._fit),
            (QKeySequence.StandardKey.Print, self.print_letter),
            ("Ctrl+Shift+S", self.save_copy),
        )
        for key, act in keys:
            QShortcut(QKeySequence(key), self).activated.connect(act)
        for page_key, step in ((Qt.Key.Key_PageDown, 1), (Qt.Key.Key_PageUp, -1)):
            turn = QShortcut(
                QKeySequence(page_key), self.pdf_view
            )  # only while the pages have keys
            turn.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            turn.activated.connect(lambda s=step: self.pdf_view.show_page(self.pdf_view.page + s))
        changes().changed.connect(self._changed)

    # -- reading ----------------------------------------------------------------------------
    def _load(self) -> None:
        letter_id = self.letter_id
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: issued_letters.open_letter(job.session, letter_id=letter_id),
            success=self._loaded,
            failure=self._failed,
            progress="Opening the letter",
        ).start()

    def _loaded(self, opened: OpenedLetter) -> None:
        self._show_info(opened.info)
        try:
            self.pdf_view.show_pdf(opened.pdf)
        except ValueError:
            self._say("This letter cannot be shown: its PDF could not be read.")
            return
        self.pdf = opened.pdf
        self.stack.setCurrentWidget(self.pdf_view)
        self.pdf_view.scroll_area.setFocus()
        self._update_buttons()
        self.shown.emit()

    def _failed(self, exc: BaseException) -> None:
        self._say(user_message(exc))

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)
        self._update_buttons()
        self.close_button.setFocus()
        self.shown.emit()

    def _show_info(self, info: LetterInfo) -> None:
        self.info = info
        self.setWindowTitle(f"{info.title} — {info.reference}")
        for name, text in facts(info).items():
            self.values[name].setText(text)
        self.values["letterSha256"].setToolTip(info.sha256)
        self._show_rows(True)
        correction = self.values["letterCorrection"]
        self.forms["letterCorrection"].setRowVisible(correction, bool(correction_words(info)))
        self._update_buttons()
        self.updated.emit()

    def _show_rows(self, on: bool) -> None:
        for name, value in self.values.items():
            self.forms[name].setRowVisible(value, on)

    def _changed(self, what: str) -> None:
        """A letter was printed, queued or corrected somewhere: read this one's facts again."""
        if what not in (Change.LETTERS, Change.CASES) or self.info is None:
            return
        if self.session.closed:
            return
        case_id, letter_id = self.info.case_id, self.letter_id

        def run(job: Job) -> LetterInfo | None:
            found = issued_letters.case_letters(job.session, case_id=case_id)
            return next((letter for letter in found if letter.id == letter_id), None)

        ReadOp(
            parent=self,
            session=self.session,
            run=run,
            success=lambda info: self._show_info(info) if info is not None else None,
            latest=self._latest,
            progress="Reading the letter's details",
        ).start()

    # -- the buttons ------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        ready = self.info is not None and bool(self.pdf) and not self.busy
        can_edit = self.session.can(Operation.EDIT_CASES)
        self.print_button.setEnabled(ready and can_edit)
        self.save_button.setEnabled(ready)
        self.queue_button.setEnabled(ready and can_edit)
        later = self.info.superseded_by_id if self.info is not None else None
        self.reissue_button.setEnabled(ready and can_edit and later is None)
        if later is not None:
            self.reissue_button.setToolTip(f"Corrected already by letter {later}; open that one")
        queued = self.info is not None and self.info.queued
        self.queue_button.setText("Remove from print &queue" if queued else "Add to print &queue")
        for button in (self.zoom_in_button, self.zoom_out_button, self.fit_button):
            button.setEnabled(bool(self.pdf))

    def _zoom(self, step: float) -> None:
        if self.pdf:
            self.pdf_view.zoom_by(step)

    def _fit(self) -> None:
        if self.pdf:
            self.pdf_view.fit_width()

    def _write(self, run, done: str, progress: str) -> None:  # noqa: ANN001
        """Run a change off the UI thread; say `done` once it is written."""
        self.busy = True
        self._update_buttons()
        WriteOp(
            parent=self,
            session=self.session,
            run=run,
            success=lambda _result: self.status.setText(done),
            done=self._idle,
            progress=progress,
            changes=(Change.LETTERS,),
        ).start()

    def _idle(self) -> None:
        self.busy = False
        self._update_buttons()

    def print_letter(self) -> None:
        """Print (Ctrl+P); once the printer has it, the letter is recorded as printed."""
        info = self.info
        if info is None or not self.print_button.isEnabled():
            return
        try:
            printed = printing.print_pdf(self, self.pdf, job_title(info))
        except OSError:
            Messenger.warn(self, "The letter was not printed", PRINTER_NOT_STARTED)
            return
        if not printed:
            return  # cancelled at the print dialog: nothing is recorded
        letter_id = self.letter_id
        self._write(
            lambda job: issued_letters.record_printed(job.session, letter_ids=[letter_id]),
            "Sent to the printer.",
            "Noting that the letter was printed",
        )

    def save_copy(self) -> None:
        """Save as PDF (Ctrl+Shift+S) where the person chooses; the service records it."""
        info = self.info
        if info is None or not self.save_button.isEnabled():
            return
        suggested = documents_folder() / suggested_name(info)
        path = Messenger.save_path(
            self, "Save the letter as a PDF", str(suggested), "PDF documents (*.pdf)"
        )
        if path is None:
            return
        letter_id = self.letter_id
        self.busy = True
        self._update_buttons()
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: issued_letters.save_copy(job.session, letter_id=letter_id, path=path),
            success=self._saved,
            done=self._idle,
            progress="Saving the letter",
        ).start()

    def _saved(self, path: Path) -> None:
        self.status.setText(f"Saved as {Path(path).name}")
        self.status.setToolTip(str(path))
        Messenger.info(
            self,
            "Letter saved",
            f"The letter was saved as {path}.\n\nThis copy is not encrypted: anyone who can "
            "open that folder can read it. Saving it is recorded in the audit trail.",
        )

    def toggle_queue(self) -> None:
        info = self.info
        if info is None or not self.queue_button.isEnabled():
            return
        letter_ids = [self.letter_id]
        if info.queued:
            self._write(
                lambda job: issued_letters.remove_from_queue(job.session, letter_ids=letter_ids),
                "Taken off the print queue.",
                "Taking the letter off the print queue",
            )
        else:
            self._write(
                lambda job: issued_letters.add_to_queue(job.session, letter_ids=letter_ids),
                "Added to the print queue.",
                "Adding the letter to the print queue",
            )

    def reissue(self, *, large_print: bool | None) -> None:
        """Issue the letter again (a correction, or a large-print copy): made from the case
        as recorded now and dated today; this letter is kept and the new one names it."""
        info = self.info
        if info is None or not self.reissue_button.isEnabled():
            return
        what = "a large-print copy of" if large_print else "a correction to"
        if not Messenger.confirm(
            self,
            "Re-issue the letter",
            f"Issue {what} this letter?\n\nCasebook makes it again from the case as it is "
            "recorded now (names, address, the trust's wording), dated today, and adds it to "
            "the print queue. This letter is kept unchanged, marked as corrected.",
            "Issue",
        ):
            return
        letter_id = self.letter_id
        self.busy = True
        self._update_buttons()
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: issued_letters.issue_correction(
                job.session, letter_id=letter_id, large_print=large_print
            ),
            success=self._reissued,
            done=self._idle,
            progress="Issuing the letter again",
            changes=(Change.LETTERS,),
        ).start()

    def _reissued(self, info: LetterInfo) -> None:
        self.status.setText(f"Issued again as letter {info.id}.")
        show_letter(self.session, info.id, self.parentWidget() or self)

    def done(self, result: int) -> None:
        # Let go of the letter as soon as the window closes.
        self.pdf = b""
        self.pdf_view.pdf = b""
        super().done(result)
