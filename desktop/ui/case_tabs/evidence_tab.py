"""The case window's Evidence tab: the case's files, with thumbnails, added by dialog or drop.

A file goes into the encrypted store through `services.evidence` on a pool thread, with
progress for a large one; the window never waits. Thumbnails are drawn away from the
screen too, one picture at a time, and kept while the tab lives. Enter or a double-click
opens the in-app viewer; "Export a copy…" is the only way a plain copy leaves Casebook.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QStyle,
    QTableWidgetItem,
)

from desktop.dates import format_datetime
from desktop.domain.evidence import MediaKind, format_size
from desktop.domain.roles import Operation
from desktop.services import evidence
from desktop.services.evidence import EvidenceRow
from desktop.services.session import UserSession
from desktop.ui.case_tabs.common import (
    CaseTab,
    chain_tab_order,
    empty_note,
    list_table,
    make_button,
    restore_selection,
    row_at,
    stack,
)
from desktop.ui.evidence_viewer import EvidenceViewer, export_copy
from desktop.ui.messages import Messenger
from desktop.ui.operations import Change, Job, ReadOp, WriteOp

THUMBNAIL = 48
FILE, KIND, SIZE, ADDED_BY, ADDED_ON, FINGERPRINT = range(6)
KIND_WORDS = {
    MediaKind.IMAGE: "Picture",
    MediaKind.PDF: "PDF document",
    MediaKind.TEXT: "Text",
    MediaKind.AUDIO: "Audio recording",
    MediaKind.VIDEO: "Video",
    MediaKind.OTHER: "File",
}


def make_thumbnail(content: bytes | None) -> QImage | None:
    """A picture's preview, no larger than THUMBNAIL square (run on a pool thread)."""
    if not content:
        return None
    image = QImage.fromData(content)
    if image.isNull():
        return None
    return image.scaled(
        THUMBNAIL,
        THUMBNAIL,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


def _thumbnail_of(evidence_id: int, job: Job) -> QImage | None:
    return make_thumbnail(evidence.thumbnail_source(job.session, evidence_id=evidence_id))


def _add_file(case_id: int, path: Path, job: Job) -> EvidenceRow:
    return evidence.add_evidence_file(
        job.session, case_id=case_id, path=path, progress=job.progress
    )


def _ignore(_exc: BaseException) -> None:
    return None


class EvidenceTab(CaseTab):
    title = "&Evidence"
    thumbnail_ready = Signal(int)  # an evidence id whose preview is now shown

    HEADERS = ("File", "Kind", "Size", "Added by", "Added on", "SHA-256")

    def __init__(self, session: UserSession, case_id: int, parent=None):
        super().__init__(session, case_id, "evidenceTab", parent)
        self.setAcceptDrops(session.can(Operation.EDIT_CASES))
        self.rows: list[EvidenceRow] = []
        self.limit_mb = 0
        self.thumbnails: dict[int, QIcon] = {}
        self.adding = 0  # files on their way in
        self._start()

    # -- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.add_button = make_button("addFilesButton", "A&dd files…", "Add evidence files")
        self.open_button = make_button(
            "openEvidenceButton",
            "&Open",
            "Open the selected file in Casebook",
            "Show the selected file inside Casebook (Enter)",
        )
        self.export_button = make_button(
            "exportEvidenceButton",
            "E&xport a copy…",
            "Export an unencrypted copy of the selected file",
        )
        self.hint = QLabel()
        self.hint.setObjectName("evidenceHint")
        self.hint.setWordWrap(True)
        self.table = list_table("evidenceTable", "Evidence files", self.HEADERS, FILE)
        self.table.verticalHeader().setDefaultSectionSize(THUMBNAIL + 8)
        self.table.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.empty_note = empty_note(
            "No evidence yet. Add screenshots, emails, letters or recordings with Add files…, "
            "or drag them here."
        )
        bar = QHBoxLayout()
        bar.addWidget(self.hint, 1)  # the hint, not a gap, takes the room left of the buttons
        for button in (self.add_button, self.open_button, self.export_button):
            bar.addWidget(button)
        stack(self, bar, self.empty_note, main=self.table)
        chain_tab_order(self.add_button, self.open_button, self.export_button, self.table)

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self.choose_files)
        self.open_button.clicked.connect(self.open_current)
        self.export_button.clicked.connect(self.export_current)
        self.table.activated.connect(lambda _index: self.open_current())  # Enter, double-click
        self.table.currentCellChanged.connect(lambda *_: self._update_buttons())

    # -- reading ----------------------------------------------------------------------------
    def reload(self) -> None:
        case_id = self.case_id

        def run(job):
            rows = evidence.list_evidence(job.session, case_id=case_id)
            return rows, evidence.evidence_limit(job.session)

        self._read(run, "Reading the evidence list")

    def _show(self, result: tuple[list[EvidenceRow], int]) -> None:
        keep = self.current_row()
        self.rows, self.limit_mb = result
        self.hint.setText(
            f"{len(self.rows)} file{'s' if len(self.rows) != 1 else ''}. "
            f"Drag files here or use Add files… (up to {self.limit_mb} MB each)."
        )
        self.table.setRowCount(len(self.rows))
        for number, row in enumerate(self.rows):
            self._fill(number, row)
        self.empty_note.setVisible(not self.rows)
        keys = [r.id for r in self.rows]
        restore_selection(
            self.table, keys, None if keep is None else keep.id, column=FILE, last=True
        )
        self._update_buttons()
        self._load_thumbnails()
        self.loaded.emit()

    def _kind_icon(self, kind: MediaKind) -> QIcon:
        pixmap = {
            MediaKind.AUDIO: QStyle.StandardPixmap.SP_MediaVolume,
            MediaKind.VIDEO: QStyle.StandardPixmap.SP_MediaPlay,
        }.get(kind, QStyle.StandardPixmap.SP_FileIcon)
        return self.style().standardIcon(pixmap)

    def _fill(self, number: int, row: EvidenceRow) -> None:
        name = QTableWidgetItem(row.filename)
        name.setIcon(self.thumbnails.get(row.id) or self._kind_icon(row.kind))
        if row.description:
            name.setToolTip(row.description)
        fingerprint = QTableWidgetItem(row.sha256[:12] + "…")
        fingerprint.setToolTip(row.sha256)
        fingerprint.setData(Qt.ItemDataRole.AccessibleTextRole, f"SHA-256 {row.sha256}")
        items = {
            FILE: name,
            KIND: QTableWidgetItem(KIND_WORDS[row.kind]),
            SIZE: QTableWidgetItem(format_size(row.size)),
            ADDED_BY: QTableWidgetItem(row.added_by),
            ADDED_ON: QTableWidgetItem(format_datetime(row.added_at)),
            FINGERPRINT: fingerprint,
        }
        items[KIND].setToolTip(row.media_type)
        for column, item in items.items():
            self.table.setItem(number, column, item)

    def _load_thumbnails(self) -> None:
        """Draw each picture's preview on a pool thread, one op each, so they arrive one by
        one and the list is usable meanwhile."""
        for row in self.rows:
            if row.kind is not MediaKind.IMAGE or row.id in self.thumbnails:
                continue
            ReadOp(
                parent=self,
                session=self.session,
                run=partial(_thumbnail_of, row.id),
                success=partial(self._thumbnail, row.id),
                failure=_ignore,  # the type's icon stays; opening the file says what is wrong
                progress="Drawing previews",
            ).start()

    def _thumbnail(self, evidence_id: int, image: QImage | None) -> None:
        if image is None:
            return
        icon = QIcon(QPixmap.fromImage(image))
        self.thumbnails[evidence_id] = icon
        for number, row in enumerate(self.rows):
            item = self.table.item(number, FILE)
            if row.id == evidence_id and item is not None:
                item.setIcon(icon)
        self.thumbnail_ready.emit(evidence_id)

    def current_row(self) -> EvidenceRow | None:
        return row_at(self.table, self.rows)

    def _update_buttons(self) -> None:
        chosen = self.current_row() is not None
        self.add_button.setEnabled(self.session.can(Operation.EDIT_CASES))
        self.open_button.setEnabled(chosen)
        self.export_button.setEnabled(chosen)

    # -- adding -----------------------------------------------------------------------------
    def choose_files(self) -> None:
        if not self.add_button.isEnabled():
            return
        names, _ = QFileDialog.getOpenFileNames(self, "Add evidence files", "", "All files (*)")
        self.add_files([Path(name) for name in names])

    def add_files(self, paths: list[Path]) -> None:
        """Add each file in turn, off the UI thread, with progress; refusals are said plainly
        with the file's name, and the others still go in."""
        case_id = self.case_id
        for path in paths:
            self.adding += 1
            WriteOp(
                parent=self,
                session=self.session,
                run=partial(_add_file, case_id, path),
                success=self._saved,
                failure=partial(self._not_added, path),
                done=self._one_less,
                progress=f"Adding {path.name}",
                changes=(Change.CASES,),
            ).start()

    def _one_less(self) -> None:
        self.adding -= 1

    def _not_added(self, path: Path, exc: BaseException) -> None:
        Messenger.error(self, exc, f"Could not add {path.name}")

    def dragEnterEvent(self, event):
        if self.acceptDrops() and self._dropped_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event):
        self.dragEnterEvent(event)

    def dropEvent(self, event):
        paths = self._dropped_paths(event.mimeData())
        if not paths or not self.acceptDrops():
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_files(paths)

    @staticmethod
    def _dropped_paths(mime) -> list[Path]:
        """The files dropped (never folders or web links); empty if there are none."""
        if not mime.hasUrls():
            return []
        paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
        return [p for p in paths if p.is_file()]

    # -- opening and exporting --------------------------------------------------------------
    def open_current(self) -> None:
        row = self.current_row()
        if row is None:
            return
        viewer = EvidenceViewer(self.session, row, self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.show()

    def export_current(self) -> None:
        row = self.current_row()
        if row is not None:
            export_copy(self, self.session, row)
