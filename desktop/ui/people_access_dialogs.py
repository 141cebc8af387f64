"""The dialogs of Settings › People and access: adding an account, its role, its schools,
its member of staff, and the one-time password shown once.

Each dialog that changes an account saves itself when its OK button is pressed, off the UI
thread; a refusal is said plainly with the focus on the field to fix, and the dialog stays
open with everything chosen. The services decide what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.roles import Role
from desktop.domain.signin import check_new_password
from desktop.errors import ValidationError
from desktop.services import users, users_access
from desktop.services.session import UserSession
from desktop.services.trust import SchoolInfo
from desktop.services.users import UserInfo
from desktop.services.users_access import StaffChoice
from desktop.ui.dialog_parts import line_edit, named, ok_buttons
from desktop.ui.labels import PASSWORD_HINT
from desktop.ui.messages import Messenger
from desktop.ui.operations import Change, Job, WriteOp

NO_STAFF = "Not linked to a member of staff"


def role_combo(current: Role | None = None) -> QComboBox:
    combo = named(QComboBox(), "roleCombo", "Role")
    for role in Role:
        combo.addItem(role.label, role.value)
    if current is not None:
        combo.setCurrentIndex(combo.findData(current.value))
    return combo


def staff_combo(choices: Sequence[StaffChoice], current: int | None = None) -> QComboBox:
    """The trust's staff by name; one linked to another account says so."""
    combo = named(QComboBox(), "staffCombo", "Member of staff")
    combo.addItem(NO_STAFF, None)
    for staff in choices:
        where = ", ".join(part for part in (staff.job_title, staff.school) if part)
        text = f"{staff.name} ({where})" if where else staff.name
        if staff.account and staff.id != current:
            text += f" — linked to {staff.account}"
        combo.addItem(text, staff.id)
    if current is not None and combo.findData(current) >= 0:
        combo.setCurrentIndex(combo.findData(current))
    return combo


class SchoolPicker(QListWidget):
    """The trust's schools, each with a tick; only school roles are given schools."""

    def __init__(self, schools: Sequence[SchoolInfo], chosen: Sequence[int] = ()) -> None:
        super().__init__()
        named(self, "schoolsList", "Schools whose cases they see")
        self.setMaximumHeight(120)
        for school in schools:
            item = QListWidgetItem(school.name)
            item.setData(Qt.ItemDataRole.UserRole, school.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = school.id in chosen
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.addItem(item)

    def chosen(self) -> list[int]:
        return [
            int(self.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.count())
            if self.item(row).checkState() == Qt.CheckState.Checked
        ]


class AccountWriteDialog(QDialog):
    """A dialog that saves one change to accounts with OK (see the module)."""

    def __init__(self, session: UserSession, title: str, ok: str, parent: QWidget | None):
        super().__init__(parent)
        self.session = session
        self.saved: Any = None
        self.setWindowTitle(title)
        self.buttons, self.ok_button = ok_buttons(ok, "saveAccountButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(460)

    def _save(self, run: Callable[[Job], Any], progress: str) -> None:
        self.buttons.setEnabled(False)
        WriteOp(
            parent=self,
            session=self.session,
            run=run,
            success=self._saved,
            failure=self._refused,
            done=lambda: self.buttons.setEnabled(True),
            progress=progress,
            changes=(Change.USERS,),
        ).start()

    def _saved(self, result: Any) -> None:
        self.saved = result
        super().accept()

    def _refused(self, exc: BaseException) -> None:
        Messenger.error(self, exc, self.windowTitle())
        if isinstance(exc, ValidationError):
            widget = self.fields().get(exc.field or "")
            if widget is not None:
                widget.setFocus()

    def fields(self) -> dict[str, QWidget]:
        """The widget to fix when the service refuses a field."""
        return {}


class AddAccountDialog(AccountWriteDialog):
    """A new account: who, their role and schools, and their first password. `saved` is
    (UserInfo, the one-time password or None)."""

    def __init__(
        self,
        session: UserSession,
        schools: Sequence[SchoolInfo],
        staff: Sequence[StaffChoice],
        parent: QWidget | None = None,
    ):
        super().__init__(session, "Add an account", "&Add account", parent)
        self.setObjectName("addAccountDialog")
        self.full_name_edit = line_edit("fullNameEdit", "Full name")
        self.full_name_edit.setMaxLength(200)
        self.username_edit = line_edit(
            "usernameEdit", "Username", placeholder="For example: j.smith"
        )
        self.username_edit.setMaxLength(64)
        self.role_combo = role_combo(Role.BUSINESS_MANAGER)
        self.schools = SchoolPicker(schools)
        self.staff_combo = staff_combo(staff)
        self.generate_radio = named(
            QRadioButton("&Make up a one-time password, to hand over in person"),
            "generatePasswordRadio",
            "Make up a one-time password",
        )
        self.type_radio = named(
            QRadioButton("&Type a first password"), "typePasswordRadio", "Type a first password"
        )
        group = QButtonGroup(self)
        group.addButton(self.generate_radio)
        group.addButton(self.type_radio)
        self.generate_radio.setChecked(True)
        self.password_edit = line_edit("passwordEdit", "First password")
        self.confirm_edit = line_edit("confirmPasswordEdit", "First password again")
        for edit in (self.password_edit, self.confirm_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        note = QLabel(
            f"Either way, they choose their own password when they first sign in. {PASSWORD_HINT}"
        )
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Full name:", self.full_name_edit)
        form.addRow("&Username:", self.username_edit)
        form.addRow("&Role:", self.role_combo)
        form.addRow("Sc&hools:", self.schools)
        form.addRow("Member of s&taff:", self.staff_combo)
        form.addRow("", self.generate_radio)
        form.addRow("", self.type_radio)
        form.addRow("&Password:", self.password_edit)
        form.addRow("&Again:", self.confirm_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.role_combo.currentIndexChanged.connect(lambda _index: self._update())
        self.type_radio.toggled.connect(lambda _on: self._update())
        self._update()

    def _role(self) -> Role:
        return Role(self.role_combo.currentData())

    def _update(self) -> None:
        self.schools.setEnabled(not self._role().trust_wide)
        typed = self.type_radio.isChecked()
        self.password_edit.setEnabled(typed)
        self.confirm_edit.setEnabled(typed)

    def fields(self) -> dict[str, QWidget]:
        return {
            "full_name": self.full_name_edit,
            "username": self.username_edit,
            "role": self.role_combo,
            "schools": self.schools,
            "staff_member": self.staff_combo,
            "password": self.password_edit,
            "confirm": self.confirm_edit,
        }

    def accept(self) -> None:
        role = self._role()
        values = {
            "username": self.username_edit.text(),
            "full_name": self.full_name_edit.text(),
            "role": role.value,
            "school_ids": [] if role.trust_wide else self.schools.chosen(),
            "staff_member_id": self.staff_combo.currentData(),
        }
        typed = self.type_radio.isChecked()
        password, confirm = self.password_edit.text(), self.confirm_edit.text()

        def run(job: Job) -> tuple[UserInfo, str | None]:
            if typed:
                check_new_password(password, confirm)
            first = password if typed else users_access.one_time_password()
            info = users.add_user(job.session, password=first, must_change_password=True, **values)
            return info, None if typed else first

        self._save(run, "Adding the account")


class RoleDialog(AccountWriteDialog):
    """Another role for an account, with schools for a school role."""

    def __init__(
        self,
        session: UserSession,
        account: UserInfo,
        schools: Sequence[SchoolInfo],
        parent: QWidget | None = None,
    ):
        super().__init__(session, f"Change the role of {account.full_name}", "&Change", parent)
        self.setObjectName("roleDialog")
        self.account = account
        self.role_combo = role_combo(account.role)
        self.schools = SchoolPicker(schools, account.school_ids)
        note = QLabel(
            "When the new role opens less of the case store, or more, the store is given a "
            "new key; that can take a little while for a large store."
        )
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Role:", self.role_combo)
        form.addRow("Sc&hools:", self.schools)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.role_combo.currentIndexChanged.connect(lambda _index: self._update())
        self._update()

    def _update(self) -> None:
        self.schools.setEnabled(not Role(self.role_combo.currentData()).trust_wide)

    def fields(self) -> dict[str, QWidget]:
        return {"role": self.role_combo, "schools": self.schools}

    def accept(self) -> None:
        role = Role(self.role_combo.currentData())
        school_ids = [] if role.trust_wide else self.schools.chosen()
        username = self.account.username
        self._save(
            lambda job: users.change_role(
                job.session, username=username, role=role.value, school_ids=school_ids
            ),
            "Changing the role (the case store may get a new key)",
        )


class SchoolsDialog(AccountWriteDialog):
    """The schools whose cases a school-role account sees."""

    def __init__(
        self,
        session: UserSession,
        account: UserInfo,
        schools: Sequence[SchoolInfo],
        parent: QWidget | None = None,
    ):
        super().__init__(session, f"Schools for {account.full_name}", "&Save", parent)
        self.setObjectName("schoolsDialog")
        self.account = account
        self.schools = SchoolPicker(schools, account.school_ids)
        intro = QLabel(f"{account.full_name} sees the cases of the schools ticked here.")
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.schools)
        layout.addWidget(self.buttons)

    def fields(self) -> dict[str, QWidget]:
        return {"schools": self.schools}

    def accept(self) -> None:
        username, school_ids = self.account.username, self.schools.chosen()
        self._save(
            lambda job: users_access.set_schools(
                job.session, username=username, school_ids=school_ids
            ),
            "Saving their schools",
        )


class StaffDialog(AccountWriteDialog):
    """Which member of staff an account belongs to."""

    def __init__(
        self,
        session: UserSession,
        account: UserInfo,
        staff: Sequence[StaffChoice],
        parent: QWidget | None = None,
    ):
        super().__init__(session, f"Member of staff for {account.full_name}", "&Save", parent)
        self.setObjectName("staffDialog")
        self.account = account
        self.staff_combo = staff_combo(staff, account.staff_member_id)
        form = QFormLayout()
        form.addRow("Member of s&taff:", self.staff_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def fields(self) -> dict[str, QWidget]:
        return {"staff_member": self.staff_combo}

    def accept(self) -> None:
        username, staff_id = self.account.username, self.staff_combo.currentData()
        self._save(
            lambda job: users_access.link_staff_member(
                job.session, username=username, staff_member_id=staff_id
            ),
            "Saving their member of staff",
        )


class OneTimePasswordDialog(QDialog):
    """The one-time password, shown this once, with a button to copy it."""

    def __init__(self, full_name: str, password: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("oneTimePasswordDialog")
        self.setWindowTitle("One-time password")
        self.password = password
        intro = QLabel(
            f"The one-time password for {full_name} is below. Give it to them in person, or "
            "read it to them over the telephone, never by email. It is shown only now: "
            "Casebook does not keep it. They must choose their own password when they sign in."
        )
        intro.setObjectName("oneTimePasswordIntro")
        intro.setWordWrap(True)
        self.password_label = QLabel(password)
        named(self.password_label, "oneTimePasswordLabel", "One-time password")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.6)
        self.password_label.setFont(font)
        self.password_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.password_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = named(QPushButton("&Copy"), "copyPasswordButton", "Copy the password")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.setObjectName("buttonBox")
        self.buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.password_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def copy(self) -> None:
        """Onto the clipboard (which Casebook wipes when it locks, if the copy is still there)."""
        QGuiApplication.clipboard().setText(self.password)
        self.copy_button.setText("Copied")
