"""Settings › Signature: my signature image and who may sign for me (`forms/settings_signature.ui`).

Letters I issue, or my delegates issue, carry the image; anyone else's letters leave a space
to sign by hand (the rule is in `desktop.services.signatures`). Nothing here waits for OK:
each change is made at once, in the background, and the service checks the role. Roles
that do not sign letters see a note instead, and the signatories they may sign for.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_date
from desktop.domain.logos import MAX_LOGO_BYTES
from desktop.domain.roles import Operation
from desktop.errors import ValidationError
from desktop.services import signatures
from desktop.services.session import UserSession
from desktop.services.signatures import MySignature, Person
from desktop.ui.forms import child
from desktop.ui.messages import Messenger
from desktop.ui.operations import WriteOp
from desktop.ui.procedure_dialogs import ERROR_STYLE
from desktop.ui.settings_pages import SettingsPage

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg)"
DELEGATES_TITLE = "People who may sign for you"


def pick_signature_file(parent: QWidget) -> Path | None:
    """Ask for the image file; None if the person cancels."""
    return Messenger.open_path(parent, "Choose your signature", IMAGE_FILTER)


def read_image(path: Path) -> bytes:
    """The file's bytes, read no further than one byte past the largest image allowed, so a
    huge file is refused by the size check without being read whole."""
    with path.open("rb") as handle:
        return handle.read(MAX_LOGO_BYTES + 1)


def _person(person: Person) -> str:
    return f"{person.name} ({person.role})"


class DelegatePicker(QDialog):
    """Choose who may issue letters carrying my signature; `chosen()` once accepted."""

    def __init__(self, candidates: Sequence[Person], parent=None):
        super().__init__(parent)
        self.setObjectName("delegatePicker")
        self.setWindowTitle("Allow someone to sign for you")
        intro = QLabel(
            "The person you choose may issue letters carrying your signature, with their "
            "name beneath it. You can stop them at any time; letters they have already "
            "issued keep your signature."
        )
        intro.setObjectName("delegatePickerIntro")
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("candidatesList")
        self.list.setAccessibleName("People who may be allowed to sign for you")
        for person in candidates:
            item = QListWidgetItem(_person(person))
            item.setData(Qt.ItemDataRole.UserRole, person.user_id)
            self.list.addItem(item)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.setObjectName("buttonBox")
        self.ok_button().setText("&Allow")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.currentRowChanged.connect(lambda _row: self._update_ok())
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self._update_ok()
        self.setMinimumWidth(420)

    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _update_ok(self) -> None:
        self.ok_button().setEnabled(self.list.currentItem() is not None)

    def chosen(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))


class SignaturePage(SettingsPage):
    title = "Signature"
    name = "signaturePage"
    form = "signature"
    needs = Operation.SIGN_LETTERS
    read_only_text = "Your role does not sign letters, so there is no signature to keep here."

    def __init__(self, session: UserSession, parent=None):
        super().__init__(session, parent)
        self.image_label = child(self, QLabel, "signatureImage")
        self.stored_label = child(self, QLabel, "signatureStored")
        self.error_label = child(self, QLabel, "signatureError")
        self.choose_button = child(self, QPushButton, "chooseSignatureButton")
        self.remove_button = child(self, QPushButton, "removeSignatureButton")
        self.delegates_list = child(self, QListWidget, "delegatesList")
        self.add_button = child(self, QPushButton, "addDelegateButton")
        self.stop_button = child(self, QPushButton, "stopDelegateButton")
        self.signs_for_label = child(self, QLabel, "signsForLabel")
        self.mine: MySignature | None = None
        self._busy = False
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        if self.read_only:
            child(self, QLabel, "signatureIntro").hide()
            for group in ("signatureGroup", "delegatesGroup"):
                child(self, QGroupBox, group).hide()
        self._connect_signals()
        self._update_buttons()

    def _connect_signals(self) -> None:
        self.choose_button.clicked.connect(self.choose_image)
        self.remove_button.clicked.connect(self.remove_image)
        self.add_button.clicked.connect(self.add_delegate)
        self.stop_button.clicked.connect(self.stop_delegate)
        self.delegates_list.currentRowChanged.connect(lambda _row: self._update_buttons())

    def load(self) -> None:
        self._show(signatures.my_signature(self.session))

    def save(self) -> None:
        """Nothing waits for OK: each change was made when it was chosen."""

    # -- my signature ---------------------------------------------------------------------
    def choose_image(self) -> None:
        path = pick_signature_file(self)
        if path is None:
            return
        self._hide_error()
        self._run(
            lambda job: signatures.register_signature(job.session, image=read_image(path)),
            "Storing your signature",
            failure=self._image_refused,
        )

    def remove_image(self) -> None:
        if not Messenger.confirm(
            self,
            "Remove your signature?",
            "Letters issued from now on leave a space for you to sign by hand. Letters "
            "already issued keep the signature they carry.",
            "Remove",
        ):
            return
        self._hide_error()
        self._run(lambda job: signatures.remove_signature(job.session), "Removing your signature")

    def _image_refused(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.error_label.setText(exc.message)
            self.error_label.show()
        else:
            Messenger.error(self, exc, "Your signature")

    def _hide_error(self) -> None:
        self.error_label.clear()
        self.error_label.hide()

    # -- delegates ------------------------------------------------------------------------
    def add_delegate(self) -> None:
        if self.mine is None or not self.mine.candidates:
            return
        picker = DelegatePicker(self.mine.candidates, self)
        picker.accepted.connect(lambda: self._delegate_chosen(picker.chosen()))
        picker.finished.connect(picker.deleteLater)
        picker.open()

    def _delegate_chosen(self, user_id: int | None) -> None:
        if user_id is None:
            return
        self._run(
            lambda job: signatures.authorise_delegate(job.session, user_id=user_id),
            "Allowing them to sign for you",
        )

    def stop_delegate(self) -> None:
        item = self.delegates_list.currentItem()
        if item is None:
            return
        user_id = int(item.data(Qt.ItemDataRole.UserRole))
        if not Messenger.confirm(
            self,
            "Stop them signing for you?",
            f"Stop {item.text()} issuing letters carrying your signature? Letters they have "
            "already issued keep it.",
            "Stop",
        ):
            return
        self._run(
            lambda job: signatures.revoke_delegate(job.session, user_id=user_id),
            "Stopping them signing for you",
        )

    # -- running and showing --------------------------------------------------------------
    def _run(self, run, progress: str, failure=None) -> None:
        self._busy = True
        self._update_buttons()
        WriteOp(
            parent=self,
            session=self.session,
            run=run,
            success=self._show,
            failure=failure or (lambda exc: Messenger.error(self, exc, DELEGATES_TITLE)),
            done=self._ready,
            progress=progress,
        ).start()

    def _ready(self) -> None:
        self._busy = False
        self._update_buttons()

    def _show(self, mine: MySignature) -> None:
        self.mine = mine
        self._show_image(mine.image)
        if mine.image is not None:
            when = format_date(mine.registered_at)
            self.stored_label.setText(
                f"Stored on {when}. Letters you issue, or your delegates issue, carry it."
            )
        else:
            self.stored_label.setText(
                "No signature stored: letters you sign leave a space to sign by hand."
            )
        self.delegates_list.clear()
        for person in mine.delegates:
            item = QListWidgetItem(_person(person))
            item.setData(Qt.ItemDataRole.UserRole, person.user_id)
            self.delegates_list.addItem(item)
        names = ", ".join(_person(person) for person in mine.signs_for)
        if self.read_only:
            self.signs_for_label.setText(
                f"You may issue letters carrying the signature of: {names}." if names else ""
            )
            self.signs_for_label.setVisible(bool(names))
        else:
            self.signs_for_label.setText(f"You may sign for: {names or 'no one else'}.")
        self._update_buttons()

    def _show_image(self, data: bytes | None) -> None:
        pixmap = QPixmap()
        if not data or not pixmap.loadFromData(data):
            self.image_label.clear()
            self.image_label.setText("No signature")
            return
        room = self.image_label.minimumSize()  # its fixed size, even before it is shown
        self.image_label.setPixmap(
            pixmap.scaled(
                max(1, room.width() - 12),
                max(1, room.height() - 12),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def _update_buttons(self) -> None:
        mine = self.mine
        able = not self.read_only and not self._busy and mine is not None
        self.choose_button.setEnabled(able)
        self.remove_button.setEnabled(able and mine is not None and mine.image is not None)
        has_candidates = mine is not None and bool(mine.candidates)
        self.add_button.setEnabled(able and has_candidates)
        self.add_button.setToolTip(
            ""
            if has_candidates
            else "No one else may issue letters yet: only accounts that work on cases can."
        )
        self.stop_button.setEnabled(able and self.delegates_list.currentItem() is not None)
