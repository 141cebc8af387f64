"""The decisions in a bar's or plan's life, from the case window's Sanctions tab: recording
representations, the trust's review (confirm, vary or lift), the review at the end of a
period (let it end or renew it), and an injunction referral's progress.

Each dialog collects what was decided and hands it to `sanction_reviews`, which checks it
against the procedure the sanction was taken under. A refusal is shown in words beside the
field to change, and the dialog stays open with everything typed. Decisions are permanent,
so each asks once more before it is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.dates import format_date, uk_today
from desktop.domain.ladder import role_names
from desktop.domain.restrictions import RestrictionKind
from desktop.domain.roles import Role
from desktop.domain.sanctions import Outcome
from desktop.errors import ValidationError, user_message
from desktop.services import sanction_reviews
from desktop.services.sanction_reviews import Decision, Representations
from desktop.services.sanction_view import Ladder, SanctionRow
from desktop.services.sanctions import LetterChoice
from desktop.services.session import UserSession
from desktop.services.step_letters import LetterPreview
from desktop.ui.dialog_parts import (
    SavingDialog,
    combo_box,
    date_edit,
    from_qdate,
    line_edit,
    named,
    text_edit,
)
from desktop.ui.evidence_viewer import PdfView
from desktop.ui.messages import Messenger
from desktop.ui.operations import Job, ReadOp

ERROR_STYLE = "QLabel { color: #b42318; }"  # the words say it; the red only draws the eye
GENERAL = ""  # the error label for a refusal that names no field on the dialog


class LetterPreviewDialog(QDialog):
    """The letter a decision would send, drawn from memory (nothing is kept or printed)."""

    def __init__(self, shown: LetterPreview, parent=None):
        super().__init__(parent)
        self.setObjectName("letterPreviewDialog")
        self.setWindowTitle(f"{shown.title or 'Letter'} — preview")
        self.pdf_view = PdfView()
        self.pdf_view.setObjectName("letterPreview")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pdf_view, 1)
        layout.addWidget(close)
        assert shown.pdf is not None
        self.pdf_view.show_pdf(shown.pdf)
        self.resize(760, 860)


class LifecycleDialog(SavingDialog):
    """What the decision dialogs share: a form whose fields each have a line for a refusal
    under them, the letter choices, the confirmation, and the save."""

    confirm_title = "Record the decision"

    def __init__(self, session: UserSession, ladder: Ladder, row: SanctionRow, parent=None):
        super().__init__(session, parent)
        self.ladder, self.row = ladder, row
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.errors: dict[str, QLabel] = {}
        self.widgets: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}
        self.preview_dialog: LetterPreviewDialog | None = None
        heading = QLabel(self._heading())
        heading.setObjectName("lifecycleHeading")
        heading.setWordWrap(True)
        heading.setTextFormat(Qt.TextFormat.PlainText)
        self.general_error = self._error_label(GENERAL)
        self.send_box = named(QCheckBox("Send the &letter"), "sendLetterBox", "Send the letter")
        self.send_box.setChecked(True)
        self.large_box = named(QCheckBox("Lar&ge print"), "largePrintBox", "Large print")
        self.queue_box = named(
            QCheckBox("Add to today's print &queue"), "queueLetterBox", "Add to the print queue"
        )
        self.queue_box.setChecked(True)
        self.preview_button = named(
            QPushButton("Pre&view letter…"), "previewLetterButton", "Preview the letter"
        )
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.setObjectName("buttonBox")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.resize(560, 520)
        self._build()  # may size the dialog to suit its fields
        letters = QHBoxLayout()
        for widget in (self.send_box, self.large_box, self.queue_box):
            letters.addWidget(widget)
        letters.addStretch(1)
        letters.addWidget(self.preview_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(self.form)
        layout.addLayout(letters)
        layout.addWidget(self.general_error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.send_box.toggled.connect(self.large_box.setEnabled)
        self.send_box.toggled.connect(self.queue_box.setEnabled)
        self.preview_button.clicked.connect(self.preview_letter)

    # -- building ---------------------------------------------------------------------------
    def _heading(self) -> str:
        row = self.row
        where = ", ".join(row.schools)
        dates = ""
        if row.starts and row.ends:
            dates = f" · {format_date(row.starts)} to {format_date(row.ends)}"
        return f"{row.label}{' — ' + where if where else ''}{dates}\n{row.status_label}"

    def _build(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must build its fields")

    def _error_label(self, field: str) -> QLabel:
        label = QLabel()
        label.setObjectName(f"{field}Error" if field else "lifecycleError")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet(ERROR_STYLE)
        label.hide()
        self.errors[field] = label
        return label

    def _row(self, text: str, field: str, widget: QWidget | QHBoxLayout, focus: QWidget) -> None:
        """A labelled field with its refusal line under it (taking no room until shown);
        `focus` takes the keyboard when the service refuses `field`."""
        label = QLabel(text)
        label.setBuddy(focus)
        cell = QVBoxLayout()
        cell.setContentsMargins(0, 0, 0, 0)
        cell.setSpacing(2)
        if isinstance(widget, QHBoxLayout):
            cell.addLayout(widget)
        else:
            cell.addWidget(widget)
        cell.addWidget(self._error_label(field))
        self.form.addRow(label, cell)
        self.widgets[field] = focus
        self.labels[field] = label

    def _fields(self) -> dict[str, QWidget]:
        return self.widgets

    # -- saving -----------------------------------------------------------------------------
    def _clear_errors(self) -> None:
        for label in self.errors.values():
            label.hide()

    def _refused(self, exc: BaseException) -> None:
        """Say it beside the field to change (or under the form), and put the keyboard there."""
        field = exc.field or GENERAL if isinstance(exc, ValidationError) else GENERAL
        label = self.errors.get(field, self.general_error)
        label.setText(user_message(exc))
        label.show()
        widget = self._field_widget(field)
        if widget is not None:
            widget.setFocus()

    def _request(self) -> Any:
        """What the dialog records (a Decision or Representations)."""
        raise NotImplementedError

    def _write(self, request: Any, choice: LetterChoice) -> Callable[[Job], Any]:
        raise NotImplementedError

    def _question(self, request: Any) -> str:
        raise NotImplementedError

    def _preview(self, job: Job, request: Any, large_print: bool) -> LetterPreview:
        raise NotImplementedError

    def letter_choice(self) -> LetterChoice:
        return LetterChoice(
            self.send_box.isChecked(), self.large_box.isChecked(), self.queue_box.isChecked()
        )

    def accept(self) -> None:
        self._clear_errors()
        request = self._request()
        sending = self.send_box.isChecked()
        question = self._question(request) + (
            " The letter is kept with the case." if sending else ""
        )
        if not Messenger.confirm(
            self,
            self.confirm_title,
            question + "\n\nDecisions are permanent: a later decision can change what happens "
            "next, but this one stays on the record.",
            "Save",
        ):
            return
        self._save(self._write(request, self.letter_choice()), "Saving", hold=self.buttons)

    # -- the letter -------------------------------------------------------------------------
    def preview_letter(self) -> None:
        self._clear_errors()
        request, large = self._request(), self.large_box.isChecked()
        self.preview_button.setEnabled(False)
        ReadOp(
            parent=self,
            session=self.session,
            run=lambda job: self._preview(job, request, large),
            success=self._show_preview,
            failure=self._refused,
            done=lambda: self.preview_button.setEnabled(True),
            progress="Laying out the letter",
        ).start()

    def _show_preview(self, shown: LetterPreview) -> None:
        if shown.pdf is None:
            problem = shown.problem or "This decision sends no letter under the procedure."
            self._refused(ValidationError(problem, GENERAL))
            return
        self.preview_dialog = LetterPreviewDialog(shown, self)
        self.preview_dialog.finished.connect(self.preview_dialog.deleteLater)
        self.preview_dialog.open()


class RepresentationsDialog(LifecycleDialog):
    """The person's written representations about a bar: when they came, what they say."""

    confirm_title = "Record representations"

    def _build(self) -> None:
        self.setObjectName("representationsDialog")
        self.setWindowTitle("Record representations")
        self.received_edit = date_edit("receivedOnEdit", "Received on", uk_today())
        self.summary_edit = text_edit("summaryEdit", "What the representations say")
        self.summary_edit.setPlaceholderText("A summary of what the person wrote")
        self._row("&Received on:", "on", self.received_edit, self.received_edit)
        self._row("&Summary:", "summary", self.summary_edit, self.summary_edit)
        self.summary_edit.setFocus()
        self.resize(560, 400)

    def _request(self) -> Representations:
        return Representations(
            from_qdate(self.received_edit.date()), self.summary_edit.toPlainText()
        )

    def _question(self, request: Representations) -> str:
        return f"Record representations received on {format_date(request.received_on)}?"

    def _write(self, request: Representations, choice: LetterChoice) -> Callable[[Job], Any]:
        restriction_id = self.row.restriction_id
        return lambda job: sanction_reviews.record_representations(
            job.session, restriction_id=restriction_id, given=request, letter=choice
        )

    def _preview(self, job: Job, request: Representations, large_print: bool) -> LetterPreview:
        return sanction_reviews.preview_decision_letter(
            job.session,
            restriction_id=self.row.restriction_id,
            decision=request,
            large_print=large_print,
        )


class ReviewDecisionDialog(LifecycleDialog):
    """The trust's review: confirm a bar not yet in force, vary one in force, or lift."""

    end_of_period = False
    OUTCOMES = {
        Outcome.CONFIRM: ("&Confirm", "confirmRadio"),
        Outcome.VARY: ("&Vary", "varyRadio"),
        Outcome.LIFT: ("L&ift", "liftRadio"),
    }
    WORDS = {
        Outcome.CONFIRM: "Confirm",
        Outcome.VARY: "Vary",
        Outcome.LIFT: "Lift",
        Outcome.RENEW: "Renew",
        Outcome.END: "Let end",
    }

    def _offered(self) -> tuple[Outcome, ...]:
        return self.row.review_outcomes

    def _build(self) -> None:
        self.setObjectName("periodReviewDialog" if self.end_of_period else "reviewDecisionDialog")
        self.setWindowTitle("End-of-period review" if self.end_of_period else "Review decision")
        self.confirm_title = self.windowTitle()
        self.outcome_group = QButtonGroup(self)
        self.radios: dict[Outcome, QRadioButton] = {}
        outcomes = QHBoxLayout()
        for outcome in self._offered():
            text, name = self.OUTCOMES[outcome]
            radio = named(QRadioButton(text), name, text.replace("&", ""))
            self.outcome_group.addButton(radio)
            self.radios[outcome] = radio
            outcomes.addWidget(radio)
        outcomes.addStretch(1)
        first = next(iter(self.radios.values()))
        first.setChecked(True)
        self.on_edit = date_edit("decidedOnEdit", "Decided on", uk_today())
        self.by_edit = line_edit("decidedByEdit", "Who decided", text=self.ladder.user_name)
        self.role_combo = combo_box("decidedRoleCombo", "Their role")
        roles = list(self.row.review_roles)
        if self.ladder.user_role not in roles:
            roles.append(self.ladder.user_role)  # the user, by default; refused if not allowed
        for role in roles:
            self.role_combo.addItem(role.label, role)
        self.role_combo.setCurrentIndex(self.role_combo.findData(self.ladder.user_role))
        who = QHBoxLayout()
        who.addWidget(self.by_edit, 1)
        who.addWidget(self.role_combo)
        self.reasons_edit = text_edit("reasonsEdit", "The reasons")
        self.reasons_edit.setPlaceholderText("The person is told these in writing")
        dated = [o for o in self._offered() if o in self.row.proposals]
        today = uk_today()
        offered = self.row.proposals[dated[0]] if dated else None
        self.ends_edit = date_edit("endsEdit", "Ends on", offered.ends if offered else today)
        self.review_edit = date_edit(
            "reviewDueEdit", "Review by", offered.review_due if offered else today
        )
        dates = QHBoxLayout()
        dates.addWidget(self.ends_edit)
        review_label = QLabel("Re&view by:")
        review_label.setBuddy(self.review_edit)
        dates.addWidget(review_label)
        dates.addWidget(self.review_edit)
        dates.addStretch(1)
        self.dates_widget = QWidget()
        self.dates_widget.setLayout(dates)
        dates.setContentsMargins(0, 0, 0, 0)
        self.school_boxes: list[tuple[QCheckBox, int]] = []
        names = dict((name, school_id) for school_id, name in self.ladder.schools)
        schools = QHBoxLayout()
        for number, name in enumerate(self.row.schools):
            if name in names:
                box = named(QCheckBox(name), f"schoolBox{number}", name)
                box.setChecked(True)
                self.school_boxes.append((box, names[name]))
                schools.addWidget(box)
        schools.addStretch(1)
        self.schools_widget = QWidget()
        self.schools_widget.setLayout(schools)
        schools.setContentsMargins(0, 0, 0, 0)
        roles_hint = QLabel(
            f"Under this procedure the review is decided by a {role_names(self.row.review_roles)}."
        )
        roles_hint.setObjectName("reviewRolesHint")
        roles_hint.setWordWrap(True)
        roles_hint.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._row("&Decision:", "outcome", outcomes, first)
        self._row("Decided &on:", "on", self.on_edit, self.on_edit)
        self._row("Decided &by:", "decided_by", who, self.by_edit)
        self.form.addRow("", roles_hint)
        self._row("&Reasons:", "reasons", self.reasons_edit, self.reasons_edit)
        self._row("&Ends on:", "ends", self.dates_widget, self.ends_edit)
        self.widgets["review_due"] = self.review_edit
        self._row("&Schools:", "schools", self.schools_widget, self.schools_widget)
        self.outcome_group.buttonToggled.connect(lambda *_: self._outcome_changed())
        self._outcome_changed()
        self.resize(620, 600)

    def outcome(self) -> Outcome:
        return next(o for o, radio in self.radios.items() if radio.isChecked())

    def _outcome_changed(self) -> None:
        outcome = self.outcome()
        dated = outcome in self.row.proposals
        self.dates_widget.setEnabled(dated)
        self.schools_widget.setEnabled(outcome is Outcome.VARY)
        if outcome is not Outcome.VARY:
            for box, _school_id in self.school_boxes:
                box.setChecked(True)

    def _request(self) -> Decision:
        outcome = self.outcome()
        dated = outcome in self.row.proposals
        schools = None
        if outcome is Outcome.VARY and self.school_boxes:
            schools = tuple(i for box, i in self.school_boxes if box.isChecked())
        return Decision(
            on=from_qdate(self.on_edit.date()),
            decided_by=self.by_edit.text(),
            decided_by_role=Role(self.role_combo.currentData()),  # Qt hands back the str
            outcome=outcome,
            reasons=self.reasons_edit.toPlainText(),
            ends=from_qdate(self.ends_edit.date()) if dated else None,
            review_due=from_qdate(self.review_edit.date()) if dated else None,
            school_ids=schools,
        )

    def _question(self, request: Decision) -> str:
        what = "bar" if self.row.kind is RestrictionKind.BAR else "communication plan"
        text = f"{self.WORDS[request.outcome]} the {what}, decided by {request.decided_by.strip()}"
        if request.ends and request.review_due:
            text += (
                f", to end on {format_date(request.ends)} and be reviewed by "
                f"{format_date(request.review_due)}"
            )
        return text + "?"

    def _write(self, request: Decision, choice: LetterChoice) -> Callable[[Job], Any]:
        restriction_id, end_of_period = self.row.restriction_id, self.end_of_period
        return lambda job: sanction_reviews.decide(
            job.session,
            restriction_id=restriction_id,
            decision=request,
            end_of_period=end_of_period,
            letter=choice,
        )

    def _preview(self, job: Job, request: Decision, large_print: bool) -> LetterPreview:
        return sanction_reviews.preview_decision_letter(
            job.session,
            restriction_id=self.row.restriction_id,
            decision=request,
            end_of_period=self.end_of_period,
            large_print=large_print,
        )


class PeriodReviewDialog(ReviewDecisionDialog):
    """The review at the end of a period: let the restriction end, or renew it."""

    end_of_period = True
    OUTCOMES = {
        Outcome.END: ("&Let it end", "endRadio"),
        Outcome.RENEW: ("Re&new", "renewRadio"),
    }

    def _offered(self) -> tuple[Outcome, ...]:
        return self.row.period_outcomes

    def _build(self) -> None:
        super()._build()
        self.labels["ends"].setText("New &end:")
        self.form.setRowVisible(self.labels["schools"], False)
