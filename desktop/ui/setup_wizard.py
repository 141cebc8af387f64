"""The first-run wizard: set up a real trust, open the invented sample trust, or restore
a backup (a new computer after the old one was lost).

The pages (desktop/ui/setup_pages.py) collect what the person types; this class turns it into
drafts, asks the setup service to check and create the store, makes the sample off the
UI thread with a progress dialog, and restores through the restore dialog
(desktop/ui/restore_dialog.py) before signing in to the restored store.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWizard

from desktop.errors import ValidationError
from desktop.services.setup import (
    AdminDraft,
    TrustDraft,
    clean_admin,
    clean_trust,
    create_store,
    recovery_sheet_pdf,
)
from desktop.ui.icons import icon
from desktop.ui.messages import Messenger
from desktop.ui.setup_pages import (
    ADMIN,
    PROCEDURE,
    RECOVERY,
    SCHOOLS,
    TRUST,
    WELCOME,
    AdminPage,
    ProcedurePage,
    RecoveryPage,
    SchoolsPage,
    SetupPage,
    TrustPage,
    WelcomePage,
)
from desktop.ui.worker import Task, start

if TYPE_CHECKING:
    from desktop.services.session import UserSession
    from desktop.ui.signin_dialog import SignInDialog
    from desktop.ui.store_lock import StoreLock

log = logging.getLogger(__name__)

SAMPLE_CASES = 300
SAMPLE_USERNAME = "admin"

# Which page holds the input a ValidationError names, so the message appears beside it.
FIELD_PAGES = {
    "trust_name": TRUST,
    "trust_address": TRUST,
    "logo": TRUST,
    "schools": SCHOOLS,
    "school_name": SCHOOLS,
    "school_address": SCHOOLS,
    "headteacher": SCHOOLS,
    "profile": PROCEDURE,
    "full_name": ADMIN,
    "username": ADMIN,
    "password": ADMIN,
    "confirm": ADMIN,
}


@contextmanager
def _wait_cursor() -> Iterator[None]:
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


class SetupWizard(QWizard):
    """After `exec()`: `session` is the signed-in UserSession and `opened_path` its store."""

    def __init__(
        self,
        store_path: Path,
        *,
        sample_path: Path,
        store_lock: StoreLock | None = None,
        parent=None,
    ):
        super().__init__(parent)
        self.store_path = Path(store_path)
        self.sample_path = Path(sample_path)
        # The lock start-up holds on `store_path`, let go while a backup is put there.
        self.store_lock = store_lock
        self.session: UserSession | None = None
        self.opened_path: Path | None = None
        self.restored_as: str | None = None  # set once a backup is restored: who to sign in
        self._sign_in: SignInDialog | None = None  # the sign-in to the restored store
        self._task: Task | None = None

        self.setWindowTitle("Set up Casebook")
        self.setWindowIcon(icon("casebook"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setPixmap(QWizard.WizardPixmap.LogoPixmap, icon("casebook").pixmap(48, 48))
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setMinimumSize(640, 480)
        self.resize(720, 560)

        self.welcome_page = WelcomePage(self.store_path, self.sample_path)
        self.trust_page = TrustPage()
        self.schools_page = SchoolsPage()
        self.procedure_page = ProcedurePage()
        self.admin_page = AdminPage()
        self.recovery_page = RecoveryPage(self.store_path)
        self.setPage(WELCOME, self.welcome_page)
        self.setPage(TRUST, self.trust_page)
        self.setPage(SCHOOLS, self.schools_page)
        self.setPage(PROCEDURE, self.procedure_page)
        self.setPage(ADMIN, self.admin_page)
        self.setPage(RECOVERY, self.recovery_page)
        self.setStartId(WELCOME)

    # -- what the pages hold ----------------------------------------------------------------
    def trust_draft(self) -> TrustDraft:
        name, address, logo = self.trust_page.details()
        return TrustDraft(
            name, address, logo, self.schools_page.schools(), self.procedure_page.chosen()
        )

    def admin_draft(self) -> AdminDraft:
        return self.admin_page.draft()

    def recovery_sheet(self, recovery_key: str) -> bytes:
        """The printable sheet for the key on show, with the names typed so far."""
        return recovery_sheet_pdf(
            trust_name=self.trust_page.details()[0],
            store_name=self.store_path.name,
            recovery_key=recovery_key,
            created_by=self.admin_page.draft().full_name,
        )

    # -- checking ---------------------------------------------------------------------------
    def check_trust(self) -> bool:
        try:
            clean_trust(self.trust_draft())
        except ValidationError as exc:
            self.show_problem(exc)
            return False
        return True

    def check_admin(self) -> bool:
        try:
            clean_trust(self.trust_draft())
            clean_admin(self.admin_draft())
        except ValidationError as exc:
            self.show_problem(exc)
            return False
        return True

    def show_problem(self, exc: ValidationError) -> None:
        """Show the message on the page holding the input it names, going back if need be."""
        target = FIELD_PAGES.get(exc.field or "", self.currentId())
        if target == self.currentId() or target not in self.visitedIds():
            cast(SetupPage, self.currentPage()).show_problem(exc.message, exc.field)
            return
        # Not from inside validatePage: QWizard is still handling the Next click.
        QTimer.singleShot(0, lambda: self._go_back_to(target, exc))

    def _go_back_to(self, target: int, exc: ValidationError) -> None:
        for _ in range(len(self.visitedIds())):
            if self.currentId() == target:
                break
            self.back()
        cast(SetupPage, self.page(target)).show_problem(exc.message, exc.field)

    # -- finishing --------------------------------------------------------------------------
    def create_trust(self, recovery_key: str) -> bool:
        """Create the real store with the key on show; False (and a message) if it fails."""
        if self.session is not None:
            return True
        try:
            with _wait_cursor():
                result = create_store(
                    self.store_path,
                    trust=self.trust_draft(),
                    admin=self.admin_draft(),
                    recovery_key=recovery_key,
                )
        except ValidationError as exc:
            self.show_problem(exc)
            return False
        except Exception as exc:
            Messenger.error(self, exc, "The case store was not created")
            return False
        self.session = result.session
        self.opened_path = self.store_path
        return True

    def open_sample(self) -> bool:
        """Open the sample: sign in to one made earlier, or make it (in the background).

        Returns True only when signed in already; after making the sample the wizard
        accepts itself.
        """
        if self.session is not None:
            return True
        if self.sample_path.exists():
            return self._sign_in_to_existing_sample()
        self._make_sample()
        return False

    def _sign_in_to_existing_sample(self) -> bool:
        """A sample made earlier opens like any store: with an account and its password."""
        from desktop.services.demo import SAMPLE_PASSWORD_RULE
        from desktop.ui.signin_dialog import SignInDialog

        dialog = SignInDialog(
            self.sample_path,
            username=SAMPLE_USERNAME,
            sample_note=f"Invented cases for trying Casebook. {SAMPLE_PASSWORD_RULE}",
            parent=self,
        )
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted or dialog.session is None:
                return False
            self.session = dialog.session
        finally:
            dialog.deleteLater()
        self.opened_path = self.sample_path
        return True

    def _make_sample(self) -> None:
        demo = importlib.import_module("desktop.services.demo")
        path, cases = self.sample_path, SAMPLE_CASES

        def make(progress):
            return demo.create_demo_store(path, cases=cases, progress=progress)

        self._set_buttons_enabled(False)
        self.welcome_page.show_progress(0, 0, "Making the sample trust")
        self._task = Task(make)
        self._task.signals.progress.connect(self.welcome_page.show_progress)
        self._task.signals.succeeded.connect(self._sample_made)
        self._task.signals.failed.connect(self._sample_failed)
        start(self._task)

    def making_sample(self) -> bool:
        return self._task is not None

    def reject(self) -> None:
        # The sample cannot be stopped half-way; Cancel and Esc wait until it is made.
        if not self.making_sample():
            super().reject()

    def _set_buttons_enabled(self, enabled: bool) -> None:
        for which in (QWizard.WizardButton.FinishButton, QWizard.WizardButton.CancelButton):
            self.button(which).setEnabled(enabled)

    def _done_making(self) -> None:
        self._task = None
        self.welcome_page.hide_progress()
        self._set_buttons_enabled(True)

    def _sample_made(self, result) -> None:
        self._done_making()
        if not self._sign_in_sample(result.password):
            return
        Messenger.info(
            self,
            "Sample trust ready",
            "The sample trust is ready, filled with invented cases. You are signed in as "
            f"{SAMPLE_USERNAME}. To see Casebook as other people would, lock it (Ctrl+L), "
            "choose \u201cSwitch user\u201d and sign in as any of these "
            f"users: {', '.join(result.usernames)}. They all share the "
            f"password \u201c{result.password}\u201d. Next time, choose \u201cOpen the "
            "sample trust\u201d and sign in with one of them.",
        )
        self.accept()

    def _sample_failed(self, exc: BaseException) -> None:
        self._done_making()
        Messenger.error(self, exc, "The sample trust was not made")

    def _sign_in_sample(self, password: str) -> bool:
        auth = importlib.import_module("desktop.services.auth")
        try:
            with _wait_cursor():
                session = auth.sign_in(
                    self.sample_path, username=SAMPLE_USERNAME, password=password
                )
        except Exception as exc:
            Messenger.error(self, exc, "The sample trust did not open")
            return False
        self.session = session
        self.opened_path = self.sample_path
        return True

    # -- restoring a backup -----------------------------------------------------------------
    def restore_from_backup(self) -> bool:
        """Open the restore dialog over the wizard; once the backup is in place, the sign-in
        dialog opens on it and the wizard accepts itself when someone signs in. Returns
        True only when signed in already."""
        if self.session is not None:
            return True
        if self.restored_as is not None:  # restored, but the sign-in was cancelled
            self._sign_in_to_restored()
            return False
        from desktop.ui.restore_dialog import RestoreDialog

        try:
            self.store_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            Messenger.error(self, exc, "The backup cannot be restored here")
            return False
        dialog = RestoreDialog(self.store_path, self, close_store=self._let_go_of_store)
        dialog.restored_for.connect(self._backup_restored)
        dialog.finished.connect(self._hold_store_again)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return False

    def _let_go_of_store(self) -> None:
        # Restoring refuses a store held open by a window: this process's own lock included.
        if self.store_lock is not None:
            self.store_lock.release()

    def _hold_store_again(self) -> None:
        if self.store_lock is not None and not self.store_lock.take():
            log.warning("setup.store_lock_not_taken_again")

    def _backup_restored(self, username: str) -> None:
        self.restored_as = username
        # After the restore dialog has closed: not from inside its signal.
        QTimer.singleShot(0, self, self._sign_in_to_restored)

    def _sign_in_to_restored(self) -> None:
        from desktop.ui.signin_dialog import SignInDialog

        dialog = SignInDialog(self.store_path, username=self.restored_as or "", parent=self)
        dialog.setObjectName("signInAfterRestore")
        # Held here, not in a lambda connected to the dialog's own signal: the wrapper must
        # outlive the dialog's deletion (PySide crashed freeing it from inside it).
        self._sign_in = dialog
        dialog.accepted.connect(self._signed_in_to_restored)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _signed_in_to_restored(self) -> None:
        dialog = self._sign_in
        if dialog is None or dialog.session is None:
            return
        self.session = dialog.session
        self.opened_path = self.store_path
        self.accept()
