"""Settings › Two-step sign-in (`forms/settings_second_factor.ui`).

Everyone may set up an authenticator app for their own account, turn it off (with a code),
make new recovery codes, or move to a new phone. These act at once, like the Signature page.
Administrators also see the trust's rule ("Administrators must use two-step sign-in",
saved with OK like the Trust page) and may turn it off for someone who has lost both their
phone and their recovery codes. The services decide who may do what.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from desktop.domain.roles import Operation
from desktop.errors import user_message
from desktop.services import second_factor
from desktop.services.second_factor import EnrolledAccount, SecondFactorStatus
from desktop.services.session import UserSession
from desktop.ui.dialog_parts import named
from desktop.ui.forms import child
from desktop.ui.messages import Messenger
from desktop.ui.operations import WriteOp
from desktop.ui.procedure_dialogs import ERROR_STYLE
from desktop.ui.second_factor_dialogs import CodeEdit, EnrolmentPanel, RecoveryCodesView
from desktop.ui.settings_pages import SettingsPage

TITLE = "Two-step sign-in"


def _layout_of(area: QWidget) -> QLayout:
    layout = area.layout()
    assert layout is not None, area.objectName()
    return layout


class SecondFactorPage(SettingsPage):
    title = TITLE
    name = "secondFactorPage"
    form = "second_factor"

    def __init__(self, session: UserSession, parent=None):
        super().__init__(session, parent)
        self.status_label = child(self, QLabel, "secondFactorStatus")
        self.required_note = child(self, QLabel, "requiredNote")
        self.set_up_button = child(self, QPushButton, "setUpButton")
        self.enrol_area = child(self, QWidget, "enrolArea")
        self.codes_area = child(self, QWidget, "codesArea")
        self.manage_group = child(self, QGroupBox, "manageGroup")
        self.new_codes_button = child(self, QPushButton, "newCodesButton")
        self.turn_off_button = child(self, QPushButton, "turnOffButton")
        self.manage_error = child(self, QLabel, "manageError")
        self.trust_group = child(self, QGroupBox, "trustGroup")
        self.require_check = child(self, QCheckBox, "requireCheck")
        self.others_list = child(self, QListWidget, "othersList")
        self.turn_off_for_button = child(self, QPushButton, "turnOffForButton")
        # A code field whose Return does not close the settings dialog.
        self.manage_code_edit = named(
            CodeEdit(), "manageCodeEdit", "Code from your app or a recovery code"
        )
        self.manage_code_edit.setPlaceholderText("123456")
        self.manage_code_edit.setMaxLength(24)
        row = self.findChild(QHBoxLayout, "manageRow")
        assert row is not None, "manageRow"
        row.insertWidget(1, self.manage_code_edit)
        child(self, QLabel, "manageCodeLabel").setBuddy(self.manage_code_edit)
        self.manage_error.setStyleSheet(ERROR_STYLE)
        self.manage_error.hide()

        self.codes_view = RecoveryCodesView(session.actor.username, self.codes_area)
        _layout_of(self.codes_area).addWidget(self.codes_view)
        self.codes_area.hide()
        self.enrol_area.hide()
        self.panel: EnrolmentPanel | None = None
        self.status: SecondFactorStatus | None = None
        self.manages = session.can(Operation.MANAGE_USERS)
        self.trust_group.setVisible(self.manages)
        self._busy = False
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.set_up_button.clicked.connect(self.set_up)
        self.new_codes_button.clicked.connect(self.new_codes)
        self.turn_off_button.clicked.connect(self.turn_off)
        self.turn_off_for_button.clicked.connect(self.turn_off_for_them)
        self.others_list.currentRowChanged.connect(lambda _row: self._update_buttons())

    # -- the page's shape: load() and save() ---------------------------------------------
    def load(self) -> None:
        self._show_status(second_factor.status(self.session))
        if self.manages:
            self._show_others(second_factor.accounts_with_second_factor(self.session))

    def save(self) -> None:
        """Only the trust's rule waits for OK; the rest was done when it was chosen."""
        if not self.manages or self.status is None:
            return
        wanted = self.require_check.isChecked()
        if wanted != self.status.trust_requires:
            second_factor.set_trust_rule(self.session, required=wanted)

    # -- setting up -----------------------------------------------------------------------
    def set_up(self) -> None:
        """Show a new QR code; with an app already set up, this moves it to a new phone."""
        if self.panel is not None:
            self.panel.deleteLater()
        replacing = self.status is not None and self.status.enrolled
        self.panel = EnrolmentPanel(self.session, replacing=replacing, parent=self.enrol_area)
        self.panel.enrolled.connect(self._enrolled)
        _layout_of(self.enrol_area).addWidget(self.panel)
        self.enrol_area.show()
        self.codes_area.hide()
        self.set_up_button.hide()
        self.panel.start()

    def _enrolled(self, codes: tuple[str, ...]) -> None:
        if self.panel is not None:
            self.panel.hide()
            self.panel.deleteLater()
            self.panel = None
        self.enrol_area.hide()
        self._show_codes(codes)
        self._reload()

    # -- with a code: new recovery codes, or off ------------------------------------------
    def new_codes(self) -> None:
        code = self.manage_code_edit.text()
        if self._code_missing(code):
            return
        self._run(
            lambda job: second_factor.regenerate_recovery_codes(job.session, code=code),
            "Making new recovery codes",
            success=self._new_codes_made,
        )

    def _new_codes_made(self, codes: tuple[str, ...]) -> None:
        self._show_codes(codes)
        self._reload()

    def turn_off(self) -> None:
        code = self.manage_code_edit.text()
        if self._code_missing(code):
            return
        if not Messenger.confirm(
            self,
            "Turn off two-step sign-in?",
            "Casebook will ask only for your password when you sign in. Your recovery codes "
            "stop working.",
            "Turn off",
        ):
            return
        self._run(
            lambda job: second_factor.disable(job.session, code=code),
            "Turning off two-step sign-in",
            success=lambda _none: self._reload(),
        )

    def _code_missing(self, code: str) -> bool:
        if code.strip():
            return False
        self._show_manage_error("Type a code from your app, or one of your recovery codes.")
        return True

    # -- someone else's -------------------------------------------------------------------
    def turn_off_for_them(self) -> None:
        item = self.others_list.currentItem()
        if item is None:
            return
        username = str(item.data(Qt.ItemDataRole.UserRole))
        if not Messenger.confirm(
            self,
            "Turn off their two-step sign-in?",
            f"{item.text()} will sign in with their password alone (or, if the trust requires "
            "it of them, set it up again at their next sign-in). Do this only when you are "
            "sure it is them asking, for instance in person.",
            "Turn off",
        ):
            return
        self._run(
            lambda job: second_factor.disable_for_user(job.session, username=username),
            "Turning off their two-step sign-in",
            success=lambda _done: self._reload(),
            failure=lambda exc: Messenger.error(self, exc, TITLE),
        )

    # -- running and showing --------------------------------------------------------------
    def _run(self, run, progress: str, *, success, failure=None) -> None:
        self._busy = True
        self.manage_error.hide()
        self._update_buttons()
        WriteOp(
            parent=self,
            session=self.session,
            run=run,
            success=success,
            failure=failure or self._refused,
            done=self._ready,
            progress=progress,
        ).start()

    def _ready(self) -> None:
        self._busy = False
        self._update_buttons()

    def _refused(self, exc: BaseException) -> None:
        """A code refused, the sign-in limits, or the trust's rule: beside the code field."""
        self._show_manage_error(user_message(exc))

    def _show_manage_error(self, text: str) -> None:
        self.manage_error.setText(text)
        self.manage_error.show()
        self.manage_code_edit.setFocus()
        self.manage_code_edit.selectAll()

    def _reload(self) -> None:
        self.manage_code_edit.clear()
        self.manage_error.hide()
        self.load()

    def _show_codes(self, codes: tuple[str, ...]) -> None:
        self.codes_view.show_codes(codes)
        self.codes_area.show()

    def _show_status(self, status: SecondFactorStatus) -> None:
        self.status = status
        if status.enrolled:
            left = status.recovery_codes_left
            words = "recovery code" if left == 1 else "recovery codes"
            self.status_label.setText(
                f"Two-step sign-in is on for your account. You have {left} unused {words}."
                + (" Make new ones below." if left <= 3 else "")
            )
        else:
            self.status_label.setText("Two-step sign-in is off for your account.")
        self.required_note.setVisible(status.required)
        if self.panel is None:
            self.set_up_button.show()
        self.set_up_button.setText(
            "&Set up on a new phone…" if status.enrolled else "&Set up two-step sign-in…"
        )
        self.manage_group.setVisible(status.enrolled)
        self.turn_off_button.setVisible(not status.required)
        self.require_check.setChecked(status.trust_requires)
        self._update_buttons()

    def _show_others(self, accounts: list[EnrolledAccount]) -> None:
        self.others_list.clear()
        for account in accounts:
            item = QListWidgetItem(f"{account.full_name} ({account.username})")
            item.setData(Qt.ItemDataRole.UserRole, account.username)
            self.others_list.addItem(item)
        self._update_buttons()

    def _update_buttons(self) -> None:
        able = not self._busy
        for button in (self.new_codes_button, self.turn_off_button, self.set_up_button):
            button.setEnabled(able)
        self.turn_off_for_button.setEnabled(able and self.others_list.currentItem() is not None)
