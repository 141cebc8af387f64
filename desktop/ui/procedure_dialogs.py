"""The dialogs behind Settings › Procedure, and the shipped profiles as a choice.

`ProfileChoices` (the shipped profiles as radio buttons) serves the setup wizard and
`ShippedProfileDialog`. `ProfileEditor` holds a profile's TOML text: Save checks it, asks,
and puts it in force through the service; a profile that cannot be used keeps the editor
open with the file, line and field at fault and the cursor on that line.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontDatabase, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.policy import PolicyError, Profile
from desktop.errors import ValidationError
from desktop.services import policies
from desktop.services.policies import ProfileChoice, ProfileInForce
from desktop.services.session import UserSession
from desktop.ui.messages import Messenger
from desktop.ui.operations import Change, WriteOp

ERROR_STYLE = (
    "color: #b00020; background: #fdecee; border: 1px solid #f2b8bf; border-radius: 4px; "
    "padding: 6px;"
)
CHANGES = (Change.TRUST, Change.CASES)  # open case windows offer the new procedure's steps


def confirm_text(new: Profile, current: Profile) -> str:
    """What the person is asked before a procedure replaces the one in force."""
    return (
        f"Put \u201c{new.name}\u201d, version {new.version}, in force for the whole trust, in "
        f"place of \u201c{current.name}\u201d, version {current.version}?\n\n"
        "Steps already taken keep the version of the procedure they were taken under; only "
        "steps taken from now on follow the new one."
    )


class ProfileChoices(QWidget):
    """The shipped profiles as radio buttons, each with its description beneath; the first
    is chosen to begin with. Arrow keys move between them."""

    def __init__(self, choices: Sequence[ProfileChoice], parent=None):
        super().__init__(parent)
        self.setObjectName("profileChoices")
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for choice in choices:
            radio = QRadioButton(f"{choice.name} (version {choice.version})")
            radio.setObjectName(f"profileRadio_{choice.id}")
            radio.setAccessibleDescription(choice.description)
            note = QLabel(choice.description)
            note.setObjectName(f"profileNote_{choice.id}")
            note.setWordWrap(True)
            note.setContentsMargins(24, 0, 0, 10)
            note.setStyleSheet("color: palette(placeholder-text);")
            self.group.addButton(radio)
            self.radios[choice.id] = radio
            layout.addWidget(radio)
            layout.addWidget(note)
        if choices:
            self.radios[choices[0].id].setChecked(True)

    def chosen(self) -> str:
        return next((pid for pid, radio in self.radios.items() if radio.isChecked()), "")

    def choose(self, profile_id: str) -> None:
        if profile_id in self.radios:
            self.radios[profile_id].setChecked(True)


class ShippedProfileDialog(QDialog):
    """Pick one of the profiles Casebook ships; `chosen()` after it is accepted."""

    def __init__(self, choices: Sequence[ProfileChoice], in_force: Profile, parent=None):
        super().__init__(parent)
        self.setObjectName("shippedProfileDialog")
        self.setWindowTitle("Use a shipped procedure")
        intro = QLabel(
            f"In force now: {in_force.name}, version {in_force.version}. The procedure you "
            "choose here replaces it; you can edit it afterwards to match your own policy."
        )
        intro.setObjectName("shippedIntro")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.choices = ProfileChoices(choices)
        # Offer another one than the procedure in force, the only change that makes sense.
        self.choices.choose(next((c.id for c in choices if c.id != in_force.id), in_force.id))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.setObjectName("buttonBox")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Use this procedure")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.choices)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

    def chosen(self) -> str:
        return self.choices.chosen()


class ProfileEditor(QDialog):
    """The profile's TOML text in a monospace editor. Save checks it, asks, and puts it in
    force; a refusal stays here with the message and the cursor on the line at fault."""

    def __init__(
        self,
        session: UserSession,
        *,
        text: str,
        file_name: str,
        current: Profile,
        read_only: bool = False,
        parent=None,
    ):
        super().__init__(parent)
        self.session = session
        self.file_name = file_name
        self.current = current
        self.saved: ProfileInForce | None = None
        self.setObjectName("profileEditor")
        self.setWindowTitle(
            f"The trust's procedure: {file_name}" + (" (read only)" if read_only else "")
        )
        intro = QLabel(
            "The procedure is written in TOML; the comments at the top explain each part. "
            "Change <code>version</code> in <code>[profile]</code> whenever you change the "
            "wording, so each step keeps the wording it was taken under."
        )
        intro.setObjectName("editorIntro")
        intro.setWordWrap(True)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("profileTextEdit")
        self.editor.setAccessibleName("Procedure text")
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setTabChangesFocus(True)  # Tab leaves the box; indent with spaces
        self.editor.setPlainText(text)
        self.editor.setReadOnly(read_only)
        self.position = QLabel()
        self.position.setObjectName("cursorPosition")
        self.error_label = QLabel()
        self.error_label.setObjectName("profileError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        which = QDialogButtonBox.StandardButton
        self.buttons = QDialogButtonBox(which.Close if read_only else which.Save | which.Cancel)
        self.buttons.setObjectName("buttonBox")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.position, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.resize(780, 620)
        self._connect_signals()
        self._show_position()

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.editor.cursorPositionChanged.connect(self._show_position)
        self.editor.textChanged.connect(self._text_changed)

    def save_button(self) -> QPushButton | None:
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def accept(self) -> None:
        """Check the text, ask, then put it in force off the UI thread."""
        save = self.save_button()
        if save is None:
            return
        text = self.editor.toPlainText()
        try:
            profile = policies.read(text, self.file_name)
        except ValidationError as exc:
            self.show_error(exc)
            return
        if not Messenger.confirm(
            self,
            "Put this procedure in force?",
            confirm_text(profile, self.current),
            "Put in force",
        ):
            return
        save.setEnabled(False)
        file_name = self.file_name
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: policies.use_profile_text(job.session, text=text, file_name=file_name),
            success=self._saved,
            failure=self._refused,
            done=lambda: save.setEnabled(True),
            progress="Putting the procedure in force",
            changes=CHANGES,
        ).start()

    def reject(self) -> None:
        """Esc or Cancel: typed changes are not thrown away without asking."""
        changed = self.save_button() is not None and self.editor.document().isModified()
        if changed and not Messenger.confirm(
            self,
            "Discard your changes?",
            "Close the editor and lose what you have typed? The procedure in force stays as it is.",
            "Discard changes",
        ):
            return
        super().reject()

    def _saved(self, result: ProfileInForce) -> None:
        self.saved = result
        super().accept()

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.show_error(exc)
        else:
            Messenger.error(self, exc, self.windowTitle())

    def show_error(self, exc: ValidationError) -> None:
        """The message under the text; for a fault with a line, the cursor goes to it."""
        self.error_label.setText(exc.message)
        self.error_label.show()
        line = exc.line if isinstance(exc, PolicyError) else None
        if line is not None:
            block = self.editor.document().findBlockByNumber(line - 1)
            if block.isValid():
                self.editor.setTextCursor(QTextCursor(block))
                self.editor.centerCursor()
                self._mark(line)
        self.editor.setFocus()

    def _mark(self, line: int) -> None:
        mark = QTextEdit.ExtraSelection()
        mark.format.setBackground(QColor("#fdecee"))
        mark.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        mark.cursor = QTextCursor(self.editor.document().findBlockByNumber(line - 1))
        self.editor.setExtraSelections([mark])

    def _text_changed(self) -> None:
        self.editor.setExtraSelections([])

    def _show_position(self) -> None:
        cursor = self.editor.textCursor()
        self.position.setText(
            f"Line {cursor.blockNumber() + 1}, column {cursor.positionInBlock() + 1}"
        )
