"""Settings › People and access: the accounts of the case store (`forms/settings_people_access.ui`).

A data protection lead sees every account, with its role, schools, whether it is switched
on, when it last signed in and whether it must change its password, and adds, changes,
switches off, resets and removes accounts here. Nothing waits for OK: each change is made
at once, off the UI thread (removing an account re-keys the store, which can take a while),
and the services decide what is allowed. Anyone else sees a note instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QDialog, QHeaderView, QPushButton, QTableWidget, QTableWidgetItem

from desktop.dates import format_datetime
from desktop.domain.roles import Operation
from desktop.services import trust, users, users_access
from desktop.services.session import UserSession
from desktop.services.trust import SchoolInfo
from desktop.services.users import UserInfo
from desktop.services.users_access import StaffChoice
from desktop.ui.forms import child
from desktop.ui.messages import Messenger
from desktop.ui.operations import Change, Job, ReadOp, WriteOp
from desktop.ui.people_access_dialogs import (
    AddAccountDialog,
    OneTimePasswordDialog,
    RoleDialog,
    SchoolsDialog,
    StaffDialog,
)
from desktop.ui.settings_pages import SettingsPage

TITLE = "People and access"
HEADERS = (
    "Name",
    "Username",
    "Role",
    "Schools",
    "Active",
    "Last signed in",
    "Must change password",
)
NAME, USERNAME, ROLE, SCHOOLS, ACTIVE, LAST, MUST_CHANGE = range(len(HEADERS))

Everything = tuple[list[UserInfo], list[SchoolInfo], list[StaffChoice]]


def _everything(session: UserSession) -> Everything:
    return (
        users.list_users(session),
        trust.list_schools(session),
        users_access.list_staff_members(session),
    )


class PeopleAccessPage(SettingsPage):
    title = TITLE
    name = "peopleAccessPage"
    form = "people_access"
    needs = Operation.MANAGE_USERS
    read_only_text = "Only the data protection lead adds and changes accounts."
    wanted_size = QSize(1180, 540)  # the dialog grows to this (within the screen): seven columns

    def __init__(self, session: UserSession, parent=None):
        super().__init__(session, parent)
        self.table = child(self, QTableWidget, "accountsTable")
        self.add_button = child(self, QPushButton, "addAccountButton")
        self.role_button = child(self, QPushButton, "changeRoleButton")
        self.schools_button = child(self, QPushButton, "schoolsButton")
        self.staff_button = child(self, QPushButton, "staffButton")
        self.switch_button = child(self, QPushButton, "switchButton")
        self.reset_button = child(self, QPushButton, "resetPasswordButton")
        self.remove_button = child(self, QPushButton, "removeButton")
        self.accounts: list[UserInfo] = []
        self.schools: list[SchoolInfo] = []
        self.staff: list[StaffChoice] = []
        self._busy = False
        self.table.setColumnCount(len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SCHOOLS, QHeaderView.ResizeMode.Stretch)
        if self.read_only:
            self.table.hide()
            for button in self._buttons():
                button.hide()
        self._connect_signals()
        self._update_buttons()

    def _buttons(self) -> list[QPushButton]:
        return [
            self.add_button,
            self.role_button,
            self.schools_button,
            self.staff_button,
            self.switch_button,
            self.reset_button,
            self.remove_button,
        ]

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self.add_account)
        self.role_button.clicked.connect(self.change_role)
        self.schools_button.clicked.connect(self.choose_schools)
        self.staff_button.clicked.connect(self.choose_staff)
        self.switch_button.clicked.connect(self.switch)
        self.reset_button.clicked.connect(self.reset_password)
        self.remove_button.clicked.connect(self.remove)
        self.table.currentCellChanged.connect(lambda *_: self._update_buttons())

    # -- load and save ----------------------------------------------------------------------
    def load(self) -> None:
        if self.read_only:
            return  # the service would refuse: the note says why
        self._show(_everything(self.session))

    def save(self) -> None:
        """Nothing waits for OK: each change was made when it was chosen."""

    def refresh(self) -> None:
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: _everything(job.session),
            success=self._show,
            failure=lambda exc: Messenger.error(self, exc, TITLE),
            progress="Reading the accounts",
        ).start()

    # -- the chosen account -----------------------------------------------------------------
    def chosen(self) -> UserInfo | None:
        row = self.table.currentRow()
        return self.accounts[row] if 0 <= row < len(self.accounts) else None

    def add_account(self) -> None:
        dialog = AddAccountDialog(self.session, self.schools, self.staff, self)
        self._open(dialog, self._added)

    def _added(self, saved: tuple[UserInfo, str | None]) -> None:
        info, password = saved
        if password is not None:
            self._show_password(info.full_name, password)

    def change_role(self) -> None:
        account = self.chosen()
        if account is not None:
            self._open(RoleDialog(self.session, account, self.schools, self), None)

    def choose_schools(self) -> None:
        account = self.chosen()
        if account is not None:
            self._open(SchoolsDialog(self.session, account, self.schools, self), None)

    def choose_staff(self) -> None:
        account = self.chosen()
        if account is not None:
            self._open(StaffDialog(self.session, account, self.staff, self), None)

    def switch(self) -> None:
        account = self.chosen()
        if account is None:
            return
        username, name = account.username, account.full_name
        if account.active:
            if Messenger.confirm(
                self,
                f"Disable {name}'s account?",
                f"{name} will no longer be able to sign in, and any window they have open "
                "locks at its next step. Their password and any computer that remembers them "
                "stop opening the case store. Their cases and history stay. You can enable the "
                "account again later; it then gets a one-time password.",
                "Disable",
            ):
                self._write(
                    lambda job: users_access.disable_user(job.session, username=username),
                    "Disabling the account",
                )
        elif Messenger.confirm(
            self,
            f"Enable {name}'s account?",
            f"{name} will be able to sign in again with a one-time password, shown next, "
            "which you give them in person. They then choose their own.",
            "Enable",
        ):
            self._write(
                lambda job: users_access.enable_user(job.session, username=username),
                "Enabling the account",
                then=lambda saved: self._show_password(name, saved[1]),
            )

    def reset_password(self) -> None:
        account = self.chosen()
        if account is None:
            return
        username, name = account.username, account.full_name
        if Messenger.confirm(
            self,
            f"Reset {name}'s password?",
            f"{name}'s password, and any computer that remembers them, stop working now. "
            "Casebook makes up a one-time password, shown once, which you give them in "
            "person; they must choose their own when they next sign in.",
            "Reset password",
        ):
            self._write(
                lambda job: users_access.reset_password(job.session, username=username),
                "Resetting the password",
                then=lambda password: self._show_password(name, password),
            )

    def remove(self) -> None:
        account = self.chosen()
        if account is None:
            return
        username, name = account.username, account.full_name
        if Messenger.confirm(
            self,
            f"Remove {name}'s account?",
            f"For someone who has left. {name}'s key slot (their password) and any computer "
            "that remembers them are deleted, and the case store is given a new key, so that "
            "neither their password nor a copy of the key file taken earlier opens it. This "
            "can take a while for a large store. Their cases and history stay, under their "
            "name; the account stays in this list, switched off.",
            "Remove",
        ):
            self._write(
                lambda job: users.remove_user(job.session, username=username),
                "Removing the account and giving the case store a new key",
            )

    # -- running and showing ----------------------------------------------------------------
    def _open(self, dialog: QDialog, then: Callable[[Any], object] | None) -> None:
        def finished() -> None:
            saved = getattr(dialog, "saved", None)
            if then is not None and saved is not None:
                then(saved)
            self.refresh()

        dialog.accepted.connect(finished)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _write(
        self,
        run: Callable[[Job], Any],
        progress: str,
        then: Callable[[Any], object] | None = None,
    ) -> None:
        self._busy = True
        self._update_buttons()

        def success(result: Any) -> None:
            if then is not None:
                then(result)
            self.refresh()

        WriteOp(
            parent=self,
            session=self.session,
            run=run,
            success=success,
            failure=lambda exc: Messenger.error(self, exc, TITLE),
            done=self._ready,
            progress=progress,
            changes=(Change.USERS,),
        ).start()

    def _ready(self) -> None:
        self._busy = False
        self._update_buttons()

    def _show_password(self, full_name: str, password: str) -> None:
        dialog = OneTimePasswordDialog(full_name, password, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _show(self, everything: Everything) -> None:
        chosen = self.chosen()
        self.accounts, self.schools, self.staff = everything
        self.table.setRowCount(len(self.accounts))
        for row, account in enumerate(self.accounts):
            for column, text in enumerate(_cells(account)):
                item = QTableWidgetItem(text)
                if account.staff_member:
                    item.setToolTip(f"Member of staff: {account.staff_member}")
                if not account.active:
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(row, column, item)
        usernames = [a.username for a in self.accounts]
        if chosen is not None and chosen.username in usernames:
            self.table.setCurrentCell(usernames.index(chosen.username), NAME)
        elif self.accounts and self.table.currentRow() < 0:
            self.table.setCurrentCell(0, NAME)
        self._update_buttons()

    def _update_buttons(self) -> None:
        account = self.chosen()
        able = not self.read_only and not self._busy
        chosen = able and account is not None
        self.add_button.setEnabled(able)
        for button in (self.role_button, self.staff_button, self.remove_button):
            button.setEnabled(chosen)
        self.schools_button.setEnabled(
            chosen and account is not None and not account.role.trust_wide
        )
        self.switch_button.setEnabled(chosen)
        self.switch_button.setText("&Enable" if account and not account.active else "&Disable")
        self.reset_button.setEnabled(chosen and account is not None and account.active)


def _cells(account: UserInfo) -> Sequence[str]:
    return (
        account.full_name,
        account.username,
        account.role.label,
        ", ".join(account.schools) if not account.role.trust_wide else "Every school",
        "Yes" if account.active else "Switched off",
        format_datetime(account.last_signed_in_at) or "Never",
        "Yes" if account.must_change_password else "",
    )
