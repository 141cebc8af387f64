"""What the case window's tabs share: their base class and the widgets every tab builds.

`CaseTab` keeps the tab contract (`desktop.ui.case_tabs`) in one place: the `changed` and
`loaded` signals, reading through a `ReadOp` where only the newest read is shown, opening
a dialog and coming back to the list, and reloading after a save. A tab says only what
it lays out, what it reads and how it shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.session import UserSession
from desktop.ui.dialog_parts import named, text_edit
from desktop.ui.operations import Job, Latest, ReadOp

T = TypeVar("T")


# -- the widgets --------------------------------------------------------------------------
def make_button(name: str, text: str, accessible: str, tooltip: str = "") -> QPushButton:
    button = named(QPushButton(text), name, accessible)
    if tooltip:
        button.setToolTip(tooltip)
    return button


def selectable_table(
    name: str, accessible: str, headers: Sequence[str], stretch: int
) -> QTableWidget:
    """A read-only table chosen from a whole row at a time; column `stretch` takes the
    width the others leave."""
    table = named(QTableWidget(0, len(headers)), name, accessible)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def list_table(name: str, accessible: str, headers: Sequence[str], stretch: int) -> QTableWidget:
    """A tab's list: a selectable table, striped, one line a row, headings to the left."""
    table = selectable_table(name, accessible, headers, stretch)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.horizontalHeader().setDefaultAlignment(
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    )
    return table


def detail_pane(name: str, accessible: str) -> QPlainTextEdit:
    """The read-only pane under a list that shows the selected row in full."""
    detail = text_edit(name, accessible)
    detail.setReadOnly(True)
    return detail


def empty_note(text: str, *, wrap: bool = True) -> QLabel:
    """What a list says when there is nothing in it (hidden until then)."""
    note = QLabel(text)
    note.setObjectName("emptyNote")
    note.setWordWrap(wrap)
    note.hide()
    return note


def button_row(*buttons: QWidget, lead: Sequence[QWidget] = ()) -> QHBoxLayout:
    """A tab's top row: `lead` on the left, then room, then `buttons` on the right."""
    row = QHBoxLayout()
    for widget in lead:
        row.addWidget(widget)
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    return row


def vertical_split(name: str, *parts: tuple[QWidget, int]) -> QSplitter:
    """The parts one above another, each `(widget, stretch)`, the user moving the borders."""
    split = QSplitter(Qt.Orientation.Vertical)
    split.setObjectName(name)
    for widget, _stretch in parts:
        split.addWidget(widget)
    for index, (_widget, stretch) in enumerate(parts):
        split.setStretchFactor(index, stretch)
    return split


def stack(tab: QWidget, top: QHBoxLayout, *notes: QWidget, main: QWidget) -> None:
    """Lay the tab out: its top row, any notes under it, then `main` taking the rest."""
    layout = QVBoxLayout(tab)
    layout.addLayout(top)
    for note in notes:
        layout.addWidget(note)
    layout.addWidget(main, 1)


def chain_tab_order(*widgets: QWidget) -> None:
    """Tab moves through `widgets` in the order given."""
    for first, second in zip(widgets, widgets[1:], strict=False):
        QWidget.setTabOrder(first, second)


# -- the selection ------------------------------------------------------------------------
def row_at(table: QTableWidget, rows: Sequence[T]) -> T | None:
    """The row of `rows` the table's cursor is on, if any."""
    number = table.currentRow()
    return rows[number] if 0 <= number < len(rows) else None


def restore_selection(
    table: QTableWidget,
    keys: Sequence[Hashable],
    keep: Hashable | None,
    *,
    column: int = 0,
    last: bool = False,
) -> None:
    """After a reload, select the row whose key is `keep` again; failing that the first row
    (the last with `last`); nothing when the list is empty."""
    if keep is not None and keep in keys:
        table.setCurrentCell(keys.index(keep), column)
    elif keys:
        table.setCurrentCell(len(keys) - 1 if last else 0, column)


# -- the tab ------------------------------------------------------------------------------
class CaseTab(QWidget):
    """A tab of the case window, made as `Tab(session, case_id, parent=None)`.

    A subclass sets its own fields after `super().__init__`, then calls `_start()`, which
    builds it (`_build`), connects it (`_connect_signals`), sets its buttons and reads.
    """

    title = ""
    changed = Signal()
    loaded = Signal()  # after each reload has filled the table
    table: QTableWidget  # the list the keyboard comes back to after a dialog

    def __init__(self, session: UserSession, case_id: int, name: str, parent=None):
        super().__init__(parent)
        self.session, self.case_id = session, case_id
        self.setObjectName(name)
        self._latest = Latest()

    def _start(self) -> None:
        self._build()
        self._connect_signals()
        self._update_buttons()
        self.reload()

    # Each tab supplies these five (Qt's metaclass rules out abc here; a tab that forgets
    # one fails on first use, which every tab's tests exercise).
    def _build(self) -> None:
        """Make the tab's widgets, including `self.table`."""
        raise NotImplementedError(f"{type(self).__name__} must build its widgets")

    def _connect_signals(self) -> None:
        """Connect the tab's buttons and table to what they do."""
        raise NotImplementedError(f"{type(self).__name__} must connect its signals")

    def _update_buttons(self) -> None:
        """Enable the buttons that apply to the selected row and the user's role."""
        raise NotImplementedError(f"{type(self).__name__} must say which buttons apply")

    def reload(self) -> None:
        """Read the tab's records again (through `_read`)."""
        raise NotImplementedError(f"{type(self).__name__} must say how it reads")

    def _show(self, result: Any) -> None:
        """Fill the tab with what `reload` read."""
        raise NotImplementedError(f"{type(self).__name__} must say how it shows a read")

    # -- reading ----------------------------------------------------------------------------
    def _read(self, run: Callable[[Job], Any], progress: str) -> None:
        """Run `run` off the UI thread and `_show` what it returns; a newer read drops an
        older one's result."""
        ReadOp(
            parent=self,
            session=self.session,
            run=run,
            success=self._show,
            latest=self._latest,
            progress=progress,
        ).start()

    def when_loaded(self, attempt: Callable[[], bool]) -> None:
        """Run `attempt` now; if it finds nothing to act on yet (it returns False: the tab
        is still reading), run it once more after the next load."""
        if attempt():
            return

        def again() -> None:
            self.loaded.disconnect(again)
            attempt()

        self.loaded.connect(again)

    # -- dialogs ----------------------------------------------------------------------------
    def _open(self, dialog: QDialog, on_accept: Callable[[Any], None] | None = None) -> None:
        """Open `dialog`; once it is accepted, `on_accept(dialog)`, or else (the dialog saved
        itself) reload and say the case changed."""
        if on_accept is None:
            dialog.accepted.connect(self._saved)
        else:
            dialog.accepted.connect(lambda: on_accept(dialog))
        self._show_dialog(dialog)

    def _show_dialog(self, dialog: QDialog) -> None:
        dialog.finished.connect(self._back_from_dialog)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _back_from_dialog(self) -> None:
        """The keyboard comes back to the list the dialog was opened from."""
        self.window().activateWindow()
        self.table.setFocus()

    def _saved(self, _result: object = None) -> None:
        self.reload()
        self.changed.emit()
