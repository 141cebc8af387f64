"""Casebook's own help, read from resources/help so it works with no internet connection."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

from desktop.paths import RESOURCES_DIR
from desktop.ui.icons import icon

HELP_DIR = RESOURCES_DIR / "help"


class HelpDialog(QDialog):
    """A browser over the help pages; stays open beside the main window while you work."""

    def __init__(self, parent=None, page: str = "index.html"):
        super().__init__(parent)
        self.setObjectName("helpDialog")
        self.setWindowTitle("Casebook Help")
        self.setWindowIcon(icon("help"))
        self.browser = QTextBrowser()
        self.browser.setObjectName("helpBrowser")
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(True)
        self.browser.setSearchPaths([str(HELP_DIR)])
        self.browser.setSource(QUrl.fromLocalFile(str(HELP_DIR / page)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setObjectName("buttonBox")
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(760, 640)
