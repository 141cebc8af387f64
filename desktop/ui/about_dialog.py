"""Help › About Casebook: the version, where the open store is, how it is encrypted, and
the versions of the libraries underneath, with a button to copy it all for a support call."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

import desktop
from desktop.services import about
from desktop.services.session import UserSession
from desktop.ui.dialog_parts import named
from desktop.ui.icons import icon
from desktop.ui.operations import ReadOp

DESCRIPTION = (
    "Parent Code of Conduct casework for school trusts: encrypted case files, kept on "
    "this computer, seen only by the people whose role allows it."
)


def _selectable(label: QLabel) -> QLabel:
    from PySide6.QtCore import Qt

    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class AboutDialog(QDialog):
    """Built at once with what needs no store; the store's facts arrive off the UI thread."""

    def __init__(self, session: UserSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.facts: about.AboutFacts | None = None
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About Casebook")
        self.setWindowIcon(icon("casebook"))
        self.setMinimumWidth(560)

        picture = QLabel()
        picture.setPixmap(icon("casebook").pixmap(64, 64))
        title = named(QLabel(f"<h2>Casebook {desktop.__version__}</h2>"), "versionLabel", "Version")
        heading = QHBoxLayout()
        heading.addWidget(picture)
        heading.addWidget(title, 1)

        self.store_label = _selectable(named(QLabel("…"), "storeLabel", "Case store"))
        self.encryption_label = _selectable(named(QLabel("…"), "encryptionLabel", "Encryption"))
        self.provider_label = _selectable(named(QLabel("…"), "providerLabel", "Crypto provider"))
        facts = QFormLayout()
        facts.addRow("Case store:", self.store_label)
        facts.addRow("Encryption:", self.encryption_label)
        facts.addRow("Crypto library:", self.provider_label)

        self.libraries = named(QTreeWidget(), "librariesList", "Library versions")
        self.libraries.setHeaderLabels(["Library", "Version"])
        self.libraries.setRootIsDecorated(False)
        self.libraries.setMinimumHeight(220)
        for name, version in about.library_versions():
            QTreeWidgetItem(self.libraries, [name, version])
        self.libraries.resizeColumnToContents(0)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = named(QPushButton("&Copy details"), "copyDetailsButton", "Copy details")
        self.copy_button.setToolTip("Copy these facts (no case data) to paste into a message")
        self.copy_button.setEnabled(False)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy_details)

        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(_selectable(QLabel(DESCRIPTION)))
        layout.addLayout(facts)
        layout.addWidget(QLabel("Libraries:"))
        layout.addWidget(self.libraries, 1)
        layout.addWidget(buttons)

        ReadOp(
            parent=self,
            session=session,
            run=lambda job: about.about(job.session),
            success=self.show_facts,
            progress="Reading the store's details",
        ).start()

    def show_facts(self, facts: about.AboutFacts) -> None:
        self.facts = facts
        self.store_label.setText(facts.store)
        self.encryption_label.setText(facts.encryption.summary + ".")
        self.provider_label.setText(
            f"{facts.encryption.provider}; SQLite {facts.encryption.sqlite}"
        )
        self.copy_button.setEnabled(True)

    def copy_details(self) -> None:
        if self.facts is not None:
            QApplication.clipboard().setText(self.facts.as_text())
            self.copy_button.setText("Copied")
