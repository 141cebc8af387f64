"""An injunction referral's progress, from the case window's Sanctions tab: legal advice
received, an application to the court, then granted, refused or withdrawn. The moves the
referral may make come from `domain.injunctions`, through `sanction_view`; the service
checks them again."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from desktop.dates import format_date, uk_today
from desktop.domain.injunctions import InjunctionState
from desktop.errors import ValidationError, user_message
from desktop.services import sanction_reviews
from desktop.services.sanction_view import TakenStep
from desktop.services.session import UserSession
from desktop.ui.dialog_parts import SavingDialog, combo_box, date_edit, from_qdate, text_edit
from desktop.ui.lifecycle_dialogs import ERROR_STYLE
from desktop.ui.messages import Messenger


class InjunctionDialog(SavingDialog):
    """An injunction referral's next step: advice received, an application, the outcome."""

    def __init__(self, session: UserSession, step: TakenStep, parent=None):
        super().__init__(session, parent)
        self.step = step
        self.setObjectName("injunctionDialog")
        self.setWindowTitle("Injunction progress")
        heading = QLabel(f"{step.label}\nNow: {step.state}")
        heading.setWordWrap(True)
        heading.setTextFormat(Qt.TextFormat.PlainText)
        self.state_combo = combo_box("injunctionStateCombo", "What has happened")
        for state in step.injunction_next:
            self.state_combo.addItem(state.label, state)
        self.on_edit = date_edit("injunctionOnEdit", "On", uk_today())
        self.note_edit = text_edit("injunctionNoteEdit", "Note")
        self.error_label = QLabel()
        self.error_label.setObjectName("lifecycleError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.setObjectName("buttonBox")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("&What happened:", self.state_combo)
        form.addRow("&On:", self.on_edit)
        form.addRow("&Note:", self.note_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.resize(520, 340)

    def _fields(self) -> dict[str, QWidget]:
        return {"on": self.on_edit, "note": self.note_edit, "to": self.state_combo}

    def _refused(self, exc: BaseException) -> None:
        self.error_label.setText(user_message(exc))
        self.error_label.show()
        field = exc.field if isinstance(exc, ValidationError) else ""
        widget = self._field_widget(field or "")
        if widget is not None:
            widget.setFocus()

    def accept(self) -> None:
        self.error_label.hide()
        to = InjunctionState(self.state_combo.currentData())
        on, note = from_qdate(self.on_edit.date()), self.note_edit.toPlainText()
        if not Messenger.confirm(
            self,
            self.windowTitle(),
            f"Record “{to.label}” on {format_date(on)}? This stays on the record.",
            "Save",
        ):
            return
        step_id = self.step.id
        self._save(
            lambda job: sanction_reviews.advance_injunction(
                job.session, case_step_id=step_id, to=to, on=on, note=note
            ),
            "Saving",
            hold=self.buttons,
        )
