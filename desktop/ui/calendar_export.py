"""Exporting the calendar to an .ics file: how far ahead, whether names go in (with a plain
warning, since the file is not encrypted), and where it is saved."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.services.due_export import MAX_EXPORT_DAYS, ExportedCalendar
from desktop.ui.dialog_parts import named
from desktop.ui.messages import Messenger
from desktop.ui.worker import fit_height

DEFAULT_ICS_NAME = "Casebook reviews.ics"
ICS_FILTER = "Calendar files (*.ics)"
NAMES_WARNING = (
    "The names of the people in these cases will be written into the file, and the file is "
    "not encrypted. Anyone who can open it, or the calendar it is put into (and anyone that "
    "calendar is shared with), will see them. Only include names if that calendar is private."
)


def documents_folder() -> Path:
    """Where the file is offered first: Documents, or home when there is none yet."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


def choose_ics_path(parent: QWidget | None) -> Path | None:
    """Ask where to save the calendar file (tests answer through Messenger's backend)."""
    path = Messenger.save_path(
        parent,
        "Save the calendar file",
        str(documents_folder() / DEFAULT_ICS_NAME),
        ICS_FILTER,
    )
    if path is None:
        return None
    return path if path.suffix.lower() == ".ics" else path.with_name(path.name + ".ics")


def exported_words(result: ExportedCalendar) -> str:
    count = "1 event was" if result.events == 1 else f"{result.events:,} events were"
    text = f"{count} saved to {result.path}."
    if result.with_names:
        text += " The file includes names and is not encrypted: keep it somewhere private."
    else:
        text += " It holds case references only, no names."
    return (
        text + " Import it into Outlook or another calendar; exporting again later updates "
        "the same events rather than adding new ones."
    )


class ExportDialog(QDialog):
    """How many days ahead, and whether to include names (with a plain warning)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export to calendar file")
        intro = QLabel(
            "Saves the reviews and deadlines of the coming days, and every overdue one, as an "
            ".ics file that Outlook and other calendar programs can import. Without names the "
            "file shows only case references and what falls due. Saving it is recorded in the "
            "audit trail."
        )
        intro.setWordWrap(True)
        self.days_spin = named(QSpinBox(), "daysSpin", "Days ahead")
        self.days_spin.setRange(1, MAX_EXPORT_DAYS)
        self.days_spin.setValue(90)
        self.days_spin.setSuffix(" days")
        self.names_check = named(
            QCheckBox("Include &names (the file is not encrypted)"), "namesCheck", "Include names"
        )
        self.warning = named(QLabel(NAMES_WARNING), "namesWarning", "Warning about names")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(
            "QLabel { background: #fde8e8; color: #7a1010; border: 1px solid #b42318;"
            " border-radius: 3px; padding: 6px; }"
        )
        self.warning.hide()
        form = QFormLayout()
        form.addRow("&Days ahead:", self.days_spin)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.addButton("&Save as…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("exportOkButton")
        self.ok_button.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("exportCancelButton")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.names_check)
        layout.addWidget(self.warning)
        layout.addStretch(1)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.names_check.toggled.connect(self._names_toggled)
        self.resize(460, 220)
        self.days_spin.setFocus()

    def _names_toggled(self, on: bool) -> None:
        self.warning.setVisible(on)
        if on:
            fit_height(self)

    @property
    def days(self) -> int:
        return self.days_spin.value()

    @property
    def with_names(self) -> bool:
        return self.names_check.isChecked()
