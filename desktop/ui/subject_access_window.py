"""Subject access requests: the list with each deadline, the review of what is held with the
passages naming other people (tick to hide), and the export of the encrypted bundle.

For the data protection lead; every rule is in `desktop.services.subject_access`. The
bundle's password is shown once, in `BundlePasswordDialog`, with a button to copy it (the
main window's clipboard guard wipes the copy when Casebook locks).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_date, uk_today
from desktop.services import subject_access as sar
from desktop.services.subject_access import ExportedBundle, Passage, Review
from desktop.ui.icons import icon
from desktop.ui.messages import Messenger
from desktop.ui.operations import ReadOp, WriteOp
from desktop.ui.subject_access_dialogs import ExtendDialog, NewRequestDialog

TITLE = "Subject access requests"
REQUEST_ROLE = Qt.ItemDataRole.UserRole
PASSAGE_ROLE = Qt.ItemDataRole.UserRole + 1

_open: dict[int, SubjectAccessWindow] = {}


def open_subject_access(parent: QWidget | None, session, request_id: int | None = None):
    """Show the subject access window (one per session), with `request_id` chosen if given."""
    window = _open.get(id(session))
    if window is None:
        window = SubjectAccessWindow(session, parent)
        _open[id(session)] = window
        window.destroyed.connect(lambda *_: _open.pop(id(session), None))
    window.wanted = request_id
    window.show()
    window.raise_()
    window.activateWindow()
    window.reload()
    return window


class SubjectAccessWindow(QMainWindow):
    def __init__(self, session, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.setObjectName("subjectAccessWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setWindowIcon(icon("casebook"))
        self.setWindowTitle(TITLE)
        self.session = session
        self.fixed_today = today
        self.wanted: int | None = None
        self.review: Review | None = None
        self.password_dialog: BundlePasswordDialog | None = None
        self.request_dialog: QDialog | None = None
        self._build()
        self._connect_signals()
        self.resize(1100, 700)

    @property
    def today(self) -> dt.date:
        return self.fixed_today or uk_today()

    def _build(self) -> None:
        self.requests = QTreeWidget()
        self.requests.setObjectName("requestsList")
        self.requests.setHeaderLabels(["Request", "Requester", "Received", "Deadline", "State"])
        self.requests.setRootIsDecorated(False)
        self.new_button = QPushButton("&New request…")
        self.new_button.setObjectName("newRequestButton")
        self.extend_button = QPushButton("E&xtend…")
        self.extend_button.setObjectName("extendButton")
        self.export_button = QPushButton("&Export bundle…")
        self.export_button.setObjectName("exportBundleButton")
        buttons = QHBoxLayout()
        for button in (self.new_button, self.extend_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.addWidget(self.requests)
        top_layout.addLayout(buttons)

        self.review_label = QLabel("Choose a request to review what is held.")
        self.review_label.setObjectName("reviewLabel")
        self.review_label.setWordWrap(True)
        self.flags = QTreeWidget()
        self.flags.setObjectName("flagsList")
        self.flags.setHeaderLabels(["Hide", "Record", "Words", "Who", "In context"])
        self.flags.setColumnWidth(0, 48)
        self.flags.setRootIsDecorated(False)
        self.flags.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tick_name_button = QPushButton("Hide this name &everywhere")
        self.tick_name_button.setObjectName("tickNameButton")
        self.save_button = QPushButton("&Save redactions")
        self.save_button.setObjectName("saveRedactionsButton")
        lower = QHBoxLayout()
        lower.addWidget(self.tick_name_button)
        lower.addStretch(1)
        lower.addWidget(self.save_button)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.addWidget(self.review_label)
        bottom_layout.addWidget(self.flags)
        bottom_layout.addLayout(lower)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        self.setCentralWidget(splitter)
        self._update_buttons()

    def _connect_signals(self) -> None:
        self.requests.currentItemChanged.connect(self._chosen)
        self.new_button.clicked.connect(self.new_request)
        self.extend_button.clicked.connect(self.extend)
        self.export_button.clicked.connect(self.export)
        self.tick_name_button.clicked.connect(self.tick_name)
        self.save_button.clicked.connect(self.save_redactions)

    # -- the list ---------------------------------------------------------------------------
    def reload(self) -> None:
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: sar.list_requests(job.session),
            success=self._fill,
            progress="Reading the requests",
        ).start()

    def _fill(self, rows: list[sar.RequestRow]) -> None:
        current = self.current_request()
        chosen = self.wanted or (current.id if current is not None else None)
        self.wanted = None
        self.requests.clear()
        for row in rows:
            deadline = format_date(row.deadline) + (" (extended)" if row.extended_to else "")
            item = QTreeWidgetItem(
                [
                    row.reference,
                    row.requester_name,
                    format_date(row.received_on),
                    deadline,
                    row.state_words(self.today),
                ]
            )
            item.setData(0, REQUEST_ROLE, row)
            self.requests.addTopLevelItem(item)
            if row.id == chosen:
                self.requests.setCurrentItem(item)
        first = self.requests.topLevelItem(0)
        if self.requests.currentItem() is None and first is not None:
            self.requests.setCurrentItem(first)
        self._update_buttons()

    def current_request(self) -> sar.RequestRow | None:
        item = self.requests.currentItem()
        return item.data(0, REQUEST_ROLE) if item is not None else None

    def _update_buttons(self) -> None:
        row = self.current_request()
        self.extend_button.setEnabled(row is not None and row.may_extend(self.today))
        self.export_button.setEnabled(row is not None)
        reviewed = self.review is not None and row is not None and self.review.request.id == row.id
        self.save_button.setEnabled(reviewed)
        self.tick_name_button.setEnabled(reviewed and self.flags.topLevelItemCount() > 0)

    def _chosen(self, *_args) -> None:
        self.review = None
        self.flags.clear()
        self._update_buttons()
        row = self.current_request()
        if row is None:
            return
        self.review_label.setText(f"Reading what is held about {row.requester_name}…")
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: sar.review_request(job.session, request_id=row.id),
            success=self._show_review,
            progress="Gathering the records",
        ).start()

    # -- the review ---------------------------------------------------------------------------
    def _show_review(self, review: Review) -> None:
        current = self.current_request()
        if current is None or current.id != review.request.id:
            return
        self.review = review
        hidden = {(r.item, r.text.casefold()) for r in review.redactions}
        self.flags.clear()
        for flag in review.flags:
            where = review.place(flag.item)
            item = QTreeWidgetItem(["", where, flag.text, flag.party.label, flag.excerpt])
            item.setToolTip(1, where)
            item.setToolTip(4, flag.excerpt)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = (flag.item, flag.text.casefold()) in hidden
            item.setCheckState(0, Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            item.setData(0, PASSAGE_ROLE, Passage(flag.item, flag.text, flag.party))
            self.flags.addTopLevelItem(item)
        if review.nothing_held:
            words = "Casebook holds no records about this person. The bundle will say so."
        else:
            words = (
                f"{len(review.records)} records and {len(review.files)} files about "
                f"{review.person_name}. {len(review.flags)} passages name someone else: tick "
                f"those to hide, then Save redactions. {len(review.redactions)} hidden so far."
            )
        self.review_label.setText(words)
        for column in range(1, 4):
            self.flags.resizeColumnToContents(column)
        self._update_buttons()

    def passage_items(self) -> list[QTreeWidgetItem]:
        found = (self.flags.topLevelItem(i) for i in range(self.flags.topLevelItemCount()))
        return [item for item in found if item is not None]

    def tick_name(self) -> None:
        """Tick every passage with the same words as the one chosen."""
        chosen = self.flags.currentItem()
        if chosen is None:
            return
        words = chosen.text(2).casefold()
        for item in self.passage_items():
            if item.text(2).casefold() == words:
                item.setCheckState(0, Qt.CheckState.Checked)

    def _ticked(self) -> dict[tuple[str, str], Passage]:
        """The passages ticked to hide, by record and words."""
        return {
            (p.item, p.text.casefold()): p
            for item in self.passage_items()
            if item.checkState(0) == Qt.CheckState.Checked
            for p in [item.data(0, PASSAGE_ROLE)]
        }

    def _ready_to_export(self, row: sar.RequestRow) -> bool:
        """Ticks saved, and any passage naming someone else left showing on purpose."""
        review = self.review
        if review is None or review.request.id != row.id:
            return True
        saved = {(r.item, r.text.casefold()) for r in review.redactions}
        if set(self._ticked()) != saved:
            Messenger.warn(
                self,
                "Save the redactions first",
                "The bundle hides only the passages saved as redactions, and what is ticked "
                "here has changed since. Click Save redactions, or put the ticks back as "
                "they were.",
            )
            return False
        showing = [f for f in review.flags if (f.item, f.text.casefold()) not in saved]
        if not showing:
            return True
        many = len(showing) != 1
        return Messenger.confirm(
            self,
            "Export without hiding them?",
            f"{len(showing)} passage{'s' if many else ''} naming someone else "
            f"{'are' if many else 'is'} not hidden and will be in the bundle as "
            f"{'they stand' if many else 'it stands'}. Export it anyway?",
            "Export anyway",
        )

    def save_redactions(self) -> None:
        review = self.review
        if review is None:
            return
        ticked = self._ticked()
        to_add = list(ticked.values())
        to_remove = [r.id for r in review.redactions if (r.item, r.text.casefold()) not in ticked]
        request_id = review.request.id

        def run(job):
            sar.remove_redactions(job.session, request_id=request_id, redaction_ids=to_remove)
            sar.apply_redactions(job.session, request_id=request_id, passages=to_add)
            return sar.review_request(job.session, request_id=request_id)

        WriteOp(
            parent=self, session=self.session, run=run, success=self._show_review,
            progress="Saving the redactions",
        ).start()  # fmt: skip

    # -- requests -----------------------------------------------------------------------------
    def new_request(self) -> None:
        dialog = NewRequestDialog(self.session, self, today=self.today)
        self.request_dialog = dialog
        dialog.recorded.connect(self._recorded)
        dialog.open()

    def _recorded(self, row: sar.RequestRow) -> None:
        self.wanted = row.id
        self.reload()

    def extend(self) -> None:
        row = self.current_request()
        if row is None:
            return
        dialog = ExtendDialog(self.session, row, self, today=self.today)
        self.request_dialog = dialog
        dialog.recorded.connect(self._recorded)
        dialog.open()

    def export(self) -> None:
        row = self.current_request()
        if row is None or not self._ready_to_export(row):
            return
        path = Messenger.save_path(
            self,
            "Save the subject access bundle",
            f"subject-access-{row.reference}.zip",
            "Encrypted zip (*.zip)",
        )
        if path is None:
            return
        today = self.fixed_today
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: sar.export_bundle(job.session, request_id=row.id, to=path, today=today),
            success=self._exported,
            progress="Making the bundle",
        ).start()

    def _exported(self, result: ExportedBundle) -> None:
        self.statusBar().showMessage(f"Bundle saved: {result.path}", 8000)
        self.password_dialog = BundlePasswordDialog(result, self)
        self.password_dialog.open()
        current = self.current_request()
        self.wanted = current.id if current is not None else None
        self.reload()


class BundlePasswordDialog(QDialog):
    """The bundle's password, shown this once, with a button to copy it."""

    def __init__(self, result: ExportedBundle, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("bundlePasswordDialog")
        self.setWindowTitle("The bundle's password")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.password = result.password
        left_out = f" {len(result.withheld)} files were left out." if result.withheld else ""
        intro = QLabel(
            f"The bundle is saved at {result.path} ({result.records} records, "
            f"{result.files} files).{left_out} It opens only with the password below. Send "
            "the password separately from the bundle (by letter or telephone, not in the same "
            "email). It is shown only now: Casebook does not keep it."
        )
        intro.setObjectName("bundlePasswordIntro")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.password_label = QLabel(result.password)
        self.password_label.setObjectName("bundlePasswordLabel")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.5)
        self.password_label.setFont(font)
        self.password_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.password_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setObjectName("copyPasswordButton")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.password_label)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def copy(self) -> None:
        """Onto the clipboard (which Casebook wipes when it locks, if the copy is still there)."""
        QGuiApplication.clipboard().setText(self.password)
        self.copy_button.setText("Copied")
