"""The day's print queue: letters issued and waiting to be printed together, usually at the
end of the day.

Every letter waiting is listed and ticked; untick any to leave for later. "Print selected…"
asks once which printer to use and prints the ticked letters as one job, each starting on a
fresh sheet; once the printer has them they are recorded as printed (in the audit trail)
and leave the list. Enter or a double-click opens a letter to look at it first.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_date
from desktop.domain.roles import Operation
from desktop.services import issued_letters
from desktop.services.issued_letters import LetterInfo, OpenedLetter
from desktop.services.session import UserSession
from desktop.ui import printing
from desktop.ui.dialog_parts import named
from desktop.ui.letter_viewer import PRINTER_NOT_STARTED, show_letter
from desktop.ui.messages import Messenger
from desktop.ui.operations import Change, Latest, ReadOp, WriteOp, changes

HEADERS = ("Reference", "To", "Letter", "Issued on", "Large print")
EMPTY = "No letters are waiting to be printed."
ID_ROLE = Qt.ItemDataRole.UserRole


def letters_words(count: int) -> str:
    return "1 letter" if count == 1 else f"{count:,} letters"


def queue_action_text(count: int) -> str:
    """The menu's words: `Print queue (3)…`, or without a number when nothing waits."""
    return f"&Print queue ({count:,})…" if count else "&Print queue…"


def count_queue(action: QAction, session: UserSession) -> None:
    """Show in `action`'s text how many letters wait (read off the UI thread)."""
    if session.closed or not session.can(Operation.VIEW_CASES):
        action.setText(queue_action_text(0))
        return
    ReadOp(
        parent=action,
        session=session,
        run=lambda job: len(issued_letters.print_queue(job.session)),
        success=lambda count: action.setText(queue_action_text(count)),
        progress="Counting the letters to print",
    ).start()


class PrintQueueWindow(QDialog):
    """The letters waiting to be printed, ticked to print together in one job."""

    loaded = Signal()  # after each read of the queue has filled the list

    def __init__(self, session: UserSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.letters: list[LetterInfo] = []
        self.busy = False
        self._latest = Latest()
        self.setObjectName("printQueueWindow")
        self.setWindowTitle("Print queue — letters waiting to be printed")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._build()
        self._connect_signals()
        self.resize(820, 480)
        self._update_buttons()
        self.reload()

    # -- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        intro = QLabel(
            "Letters issued wait here until they are printed. Untick any to leave for later; "
            "Enter opens the letter under the cursor."
        )
        intro.setWordWrap(True)
        self.empty_note = named(QLabel(EMPTY), "emptyNote", EMPTY)
        self.empty_note.hide()
        self.list = named(QTreeWidget(), "queueList", "Letters waiting to be printed")
        self.list.setColumnCount(len(HEADERS))
        self.list.setHeaderLabels(HEADERS)
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setAllColumnsShowFocus(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.list.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.count_label = named(QLabel(), "queueCount", "How many letters are ticked")
        self.status = named(QLabel(), "queueStatus", "What was done")
        self.all_button = named(QPushButton("Select &all"), "selectAllButton", "Tick every letter")
        self.none_button = named(
            QPushButton("Select &none"), "selectNoneButton", "Untick every letter"
        )
        self.view_button = named(
            QPushButton("&View letter…"), "viewLetterButton", "Open the letter under the cursor"
        )
        self.print_button = named(
            QPushButton("&Print selected…"), "printSelectedButton", "Print the ticked letters"
        )
        self.print_button.setToolTip("Print the ticked letters in one job (Ctrl+P)")
        self.remove_button = named(
            QPushButton("&Remove from queue…"),
            "removeFromQueueButton",
            "Take the ticked letters off the queue",
        )
        self.remove_button.setToolTip("Take the ticked letters off the queue without printing")
        self.close_button = named(QPushButton("&Close"), "closeButton", "Close")
        ticks = QHBoxLayout()
        for button in (self.all_button, self.none_button):
            ticks.addWidget(button)
        ticks.addWidget(self.count_label)
        ticks.addStretch(1)
        ticks.addWidget(self.view_button)
        actions = QHBoxLayout()
        actions.addWidget(self.status, 1)
        for button in (self.print_button, self.remove_button, self.close_button):
            actions.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(ticks)
        layout.addWidget(self.empty_note)
        layout.addWidget(self.list, 1)
        layout.addLayout(actions)
        order = (
            self.list,
            self.all_button,
            self.none_button,
            self.view_button,
            self.print_button,
            self.remove_button,
            self.close_button,
        )
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _connect_signals(self) -> None:
        self.all_button.clicked.connect(lambda: self._tick_all(True))
        self.none_button.clicked.connect(lambda: self._tick_all(False))
        self.view_button.clicked.connect(self.view_current)
        self.print_button.clicked.connect(self.print_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.close_button.clicked.connect(self.close)
        self.list.activated.connect(lambda _index: self.view_current())  # Enter, double-click
        self.list.itemChanged.connect(lambda *_: self._update_buttons())
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self).activated.connect(
            self.print_selected
        )
        changes().changed.connect(self._changed)

    # -- reading ----------------------------------------------------------------------------
    def reload(self) -> None:
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: issued_letters.print_queue(job.session),
            success=self._show,
            latest=self._latest,
            progress="Reading the print queue",
        ).start()

    def _show(self, letters: list[LetterInfo]) -> None:
        # A letter left unticked stays so; one new to the list comes ticked.
        unticked = {letter_id for letter_id, ticked in self._ticks().items() if not ticked}
        current = self.current_letter()
        self.letters = letters
        self.list.blockSignals(True)
        self.list.clear()
        for letter in letters:
            item = QTreeWidgetItem(
                [
                    letter.reference,
                    letter.recipient,
                    letter.title,
                    format_date(letter.issued_on),
                    "Yes" if letter.large_print else "",
                ]
            )
            item.setData(0, ID_ROLE, letter.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                0, Qt.CheckState.Unchecked if letter.id in unticked else Qt.CheckState.Checked
            )
            item.setToolTip(2, f"{letter.title} — issued by {letter.issued_by or 'unknown'}")
            self.list.addTopLevelItem(item)
        self.list.blockSignals(False)
        keep = 0
        if current is not None:
            keep = next((i for i, x in enumerate(letters) if x.id == current.id), 0)
        items = self._items()
        if items:
            self.list.setCurrentItem(items[keep])
        self.empty_note.setVisible(not letters)
        self.list.setVisible(bool(letters))
        self._update_buttons()
        self.loaded.emit()

    def _changed(self, what: str) -> None:
        if what in (Change.LETTERS, Change.CASES) and not self.session.closed:
            self.reload()

    # -- the ticks --------------------------------------------------------------------------
    def _items(self) -> list[QTreeWidgetItem]:
        rows = (self.list.topLevelItem(row) for row in range(self.list.topLevelItemCount()))
        return [item for item in rows if item is not None]

    def _ticks(self) -> dict[int, bool]:
        return {
            item.data(0, ID_ROLE): item.checkState(0) == Qt.CheckState.Checked
            for item in self._items()
        }

    def ticked_ids(self) -> list[int]:
        """The ticked letters, in the order listed (the order they print in)."""
        return [letter_id for letter_id, ticked in self._ticks().items() if ticked]

    def _tick_all(self, on: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        for item in self._items():
            item.setCheckState(0, state)

    def current_letter(self) -> LetterInfo | None:
        item = self.list.currentItem()
        row = -1 if item is None else self.list.indexOfTopLevelItem(item)
        return self.letters[row] if 0 <= row < len(self.letters) else None

    def _update_buttons(self) -> None:
        ticked = len(self.ticked_ids())
        can_edit = self.session.can(Operation.EDIT_CASES)
        listed = bool(self.letters)
        self.count_label.setText(
            f"{ticked} of {letters_words(len(self.letters))} ticked" if listed else ""
        )
        self.all_button.setEnabled(listed)
        self.none_button.setEnabled(listed)
        self.view_button.setEnabled(self.current_letter() is not None)
        self.print_button.setEnabled(can_edit and bool(ticked) and not self.busy)
        self.remove_button.setEnabled(can_edit and bool(ticked) and not self.busy)

    def _set_busy(self, on: bool) -> None:
        self.busy = on
        self._update_buttons()

    # -- actions ----------------------------------------------------------------------------
    def view_current(self) -> None:
        letter = self.current_letter()
        if letter is not None:
            show_letter(self.session, letter.id, self)

    def print_selected(self) -> None:
        """Read the ticked letters, ask for the printer once, print them as one job."""
        letter_ids = self.ticked_ids()
        if not letter_ids or not self.print_button.isEnabled():
            return
        self._set_busy(True)
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: issued_letters.queued_pdfs(job.session, letter_ids=letter_ids),
            success=self._print,
            failure=self._refused,
            progress=f"Getting {letters_words(len(letter_ids))} ready to print",
        ).start()

    def _refused(self, exc: BaseException) -> None:
        self._set_busy(False)
        Messenger.error(self, exc, "The letters were not printed")

    def _print(self, opened: list[OpenedLetter]) -> None:
        title = letters_words(len(opened))
        try:
            printed = printing.print_pdfs(self, [letter.pdf for letter in opened], title)
        except OSError:
            self._set_busy(False)
            Messenger.warn(self, "The letters were not printed", PRINTER_NOT_STARTED)
            return
        if not printed:
            self._set_busy(False)
            self.status.setText("Nothing was recorded as printed.")
            return
        letter_ids = [letter.info.id for letter in opened]
        self._write(
            lambda job: issued_letters.record_printed(job.session, letter_ids=letter_ids),
            f"{title.capitalize()} sent to the printer.",
            "Noting that the letters were printed",
        )

    def remove_selected(self) -> None:
        """Take the ticked letters off the queue, after asking; they stay with their cases."""
        letter_ids = self.ticked_ids()
        if not letter_ids or not self.remove_button.isEnabled():
            return
        words = letters_words(len(letter_ids))
        question = (
            f"Take {words} off the print queue without printing "
            f"{'it' if len(letter_ids) == 1 else 'them'}?\n\nEach letter stays with its case "
            "and can be printed or queued again from there."
        )
        if not Messenger.confirm(self, "Remove from the print queue", question, "Remove"):
            return
        self._set_busy(True)
        self._write(
            lambda job: issued_letters.remove_from_queue(job.session, letter_ids=letter_ids),
            f"{words.capitalize()} taken off the queue.",
            "Taking the letters off the queue",
        )

    def _write(self, run, done: str, progress: str) -> None:  # noqa: ANN001
        WriteOp(
            parent=self,
            session=self.session,
            run=run,
            success=lambda _count: self.status.setText(done),
            done=lambda: self._set_busy(False),
            progress=progress,
            changes=(Change.LETTERS,),
        ).start()
