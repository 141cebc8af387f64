"""Settings, in Picard's shape: a list of pages on the left, the chosen page on the right.

OK saves every page in turn; a page whose service refuses (bad input, or a role that may
not change it) is shown with the reason and the dialog stays open. Cancel discards, except
that a page holding typed work (the letter wording) asks first whether to save it.
Later versions add a page by appending its class to `PAGES`; a page may ask for more room
with a `wanted_size`.
"""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QStackedWidget,
    QVBoxLayout,
)

from desktop.errors import CasebookError
from desktop.services.session import UserSession
from desktop.ui.categories_page import CategoriesPage
from desktop.ui.icons import icon
from desktop.ui.letter_templates_page import LetterTemplatesPage
from desktop.ui.messages import Messenger
from desktop.ui.people_access_page import PeopleAccessPage
from desktop.ui.procedure_page import ProcedurePage
from desktop.ui.second_factor_page import SecondFactorPage
from desktop.ui.settings_pages import PreferencesPage, SchoolsPage, SettingsPage, TrustPage
from desktop.ui.signature_page import SignaturePage

log = logging.getLogger(__name__)

PAGES: list[type[SettingsPage]] = [
    TrustPage,
    SchoolsPage,
    PeopleAccessPage,
    CategoriesPage,
    ProcedurePage,
    LetterTemplatesPage,
    SignaturePage,
    SecondFactorPage,
    PreferencesPage,
]


@runtime_checkable
class HoldsUnsavedWork(Protocol):
    """A page whose typed work is saved by a button of its own, so Cancel must ask."""

    def has_unsaved_changes(self) -> bool: ...

    def may_close(self) -> bool:
        """Ask whether to save, discard or stay; True if the dialog may close."""
        ...


class SettingsDialog(QDialog):
    """Every settings page, saved together with OK."""

    def __init__(self, session: UserSession, parent=None):
        super().__init__(parent)
        self.session = session
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setWindowIcon(icon("settings"))

        self.page_list = QListWidget()
        self.page_list.setObjectName("pageList")
        self.page_list.setFixedWidth(170)
        self.page_list.setStyleSheet("QListWidget::item { padding: 6px 4px; }")
        self.page_stack = QStackedWidget()
        self.page_stack.setObjectName("pageStack")
        self.heading = QLabel()
        self.heading.setObjectName("pageHeading")
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.heading.setFont(font)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.setObjectName("buttonBox")

        right = QVBoxLayout()
        right.addWidget(self.heading)
        right.addWidget(self.page_stack, 1)
        body = QHBoxLayout()
        body.addWidget(self.page_list)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.buttons)

        self.pages: list[SettingsPage] = []
        for page_class in PAGES:
            page = page_class(session)
            self.pages.append(page)
            self.page_list.addItem(page.title)
            self.page_stack.addWidget(page)
            try:
                page.load()
            except CasebookError as exc:
                Messenger.error(self, exc, "Settings")
                page.setEnabled(False)

        self.page_list.currentRowChanged.connect(self._page_chosen)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.page_list.setCurrentRow(0)
        self.resize(760, 500)

    def _page_chosen(self, row: int) -> None:
        if 0 <= row < len(self.pages):
            self.page_stack.setCurrentIndex(row)
            self.heading.setText(self.pages[row].title)
            self._make_room(self.pages[row])

    def _make_room(self, page: SettingsPage) -> None:
        """A page that needs more room than the rest (the letter editor) grows the dialog,
        as far as the screen allows; it never shrinks back under the person's hand."""
        wanted = getattr(page, "wanted_size", None)
        if not isinstance(wanted, QSize):
            return
        screen = self.screen()
        if screen is not None:
            wanted = wanted.boundedTo(screen.availableGeometry().size())
        self.resize(self.size().expandedTo(wanted))

    def show_page(self, name: str) -> SettingsPage:
        """Bring the page with this objectName to the front."""
        for row, page in enumerate(self.pages):
            if page.objectName() == name:
                self.page_list.setCurrentRow(row)
                return page
        raise LookupError(name)

    def current_page(self) -> SettingsPage:
        return self.pages[self.page_stack.currentIndex()]

    def accept(self) -> None:
        for row, page in enumerate(self.pages):
            if not page.isEnabled():
                continue
            try:
                page.save()
            except CasebookError as exc:
                log.info("settings.save_refused page=%s: %s", page.objectName(), type(exc).__name__)
                self.page_list.setCurrentRow(row)
                Messenger.error(self, exc, f"Settings — {page.title}")
                return
        log.info("settings.saved")
        super().accept()

    def reject(self) -> None:
        """Cancel, Esc or the close box: a page holding unsaved typed work asks first."""
        for row, page in enumerate(self.pages):
            if not (page.isEnabled() and isinstance(page, HoldsUnsavedWork)):
                continue
            if page.has_unsaved_changes():
                self.page_list.setCurrentRow(row)
                if not page.may_close():
                    return
        super().reject()
