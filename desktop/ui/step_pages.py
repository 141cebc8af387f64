"""The form for one step in the sanctions wizard: what the step's page asks for, laid out
from `step_requirements`, filled with sensible defaults, and read back as a `StepDraft`.

Each answer sits in a box with its own line for a refusal, so the service's message
appears beside the field it names.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from desktop.dates import format_date, uk_today
from desktop.domain.ladder import SkipAuthority
from desktop.domain.policy import StepKind
from desktop.domain.restrictions import RestrictionKind
from desktop.domain.roles import Role
from desktop.domain.sanctions import NoticeKind, default_period, notice_defaults
from desktop.services.sanction_view import Ladder, StepOption
from desktop.services.sanctions import StepDraft
from desktop.ui.dialog_parts import date_edit, line_edit, named, text_edit, to_qdate

ERROR_STYLE = "QLabel { color: #b42318; }"
DATE_FIELDS = {
    "taken_on",
    "referred_on",
    "starts",
    "ends",
    "review_due",
    "representations_deadline",
}
LONG_FIELDS = {
    "what_was_said",
    "response",
    "outcome",
    "attendees",
    "reasons",
    "reason",
    "post",
    "drop_off_arrangement",
    "circulation",
    "contact_forms",
    "telephone_times",
}
REFERRALS = {
    StepKind.POLICE_OR_LEGAL_REFERRAL,
    StepKind.SOCIAL_CARE_REFERRAL,
    StepKind.LADO_REFERRAL,
}
# What a page asks for beyond `step_requirements`: (field, label), in order.
EXTRA_FIELDS: dict[StepKind, tuple[tuple[str, str], ...]] = {
    StepKind.BAR: (
        ("contact_email", "Contact email during the bar"),
        ("reasons", "Reasons for the bar"),
        ("incidents", "Incidents relied on"),
    ),
    StepKind.COMMUNICATION_PLAN: (("reasons", "Reasons for the plan"),),
}
# The date of the decision, where the page does not already ask for one.
DECISION_DATE_LABELS = {
    StepKind.BAR: "Date of the notice",
    StepKind.COMMUNICATION_PLAN: "Date the plan is issued",
    StepKind.INJUNCTION_REFERRAL: "Date referred",
    StepKind.RESTRICT_STAFF_EMAIL: "Date decided",
}
HINTS = {
    "circulation": "One name or role a line.",
    "contact_forms": "For example: email to the named contact only.",
    "telephone_times": "For example: Tuesdays and Thursdays, 9 to 10am.",
}


def camel(field: str) -> str:
    head, *rest = field.split("_")
    return head + "".join(part.capitalize() for part in rest)


def check_list(name: str, accessible: str, rows: list[tuple[int, str]]) -> QListWidget:
    """A list of ticked choices (incidents, schools), each carrying its id."""
    view = named(QListWidget(), name, accessible)
    for ident, text in rows:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, ident)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        view.addItem(item)
    view.setFixedHeight(max(64, min(140, 26 * len(rows) + 24)))
    return view


def ticked(view: QListWidget) -> list[int]:
    return [
        int(view.item(i).data(Qt.ItemDataRole.UserRole))
        for i in range(view.count())
        if view.item(i).checkState() == Qt.CheckState.Checked
    ]


class StepForm(QWidget):
    """The answers for one step, from `option.requirements` and the step's kind."""

    def __init__(self, ladder: Ladder, option: StepOption, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("stepForm")
        self.ladder = ladder
        self.option = option
        self.kind = option.kind
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        outer = QVBoxLayout(self)
        self.form = QFormLayout()
        outer.addLayout(self.form)
        outer.addStretch(1)  # rows keep their height; the space left goes below them
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.asked_box: QCheckBox | None = None
        self.temporary: QRadioButton | None = None
        self._build()
        self._fill_defaults()

    # -- building -------------------------------------------------------------------------
    def _row(self, field: str, label: str, widget: QWidget, hint: str = "") -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        if hint:
            note = QLabel(hint)
            note.setStyleSheet("QLabel { color: #475467; }")
            layout.addWidget(note)
        error = QLabel()
        error.setObjectName(f"{camel(field)}Error")
        error.setWordWrap(True)
        error.setStyleSheet(ERROR_STYLE)
        error.hide()
        layout.addWidget(error)
        self.form.addRow(f"{label}:", box)
        label_widget = self.form.labelForField(box)
        if isinstance(label_widget, QLabel):
            label_widget.setBuddy(widget)
        self.fields[field] = widget
        self.errors[field] = error
        return widget

    def _widget(self, field: str, label: str) -> QWidget:
        name = camel(field)
        if field in DATE_FIELDS:
            return date_edit(f"{name}Edit", label, uk_today())
        if field == "incidents":
            rows = [
                (i.id, f"{format_date(i.occurred_on)}: {i.summary}") for i in self.ladder.incidents
            ]
            return check_list("incidentsList", label, rows)
        if field == "schools":
            return check_list("schoolsList", label, list(self.ladder.schools))
        if field == "status":
            combo = named(QComboBox(), "statusCombo", label)
            combo.addItem("Referred to the trust's solicitors", "referred")
            return combo
        if field in LONG_FIELDS:
            edit = text_edit(f"{name}Edit", label)
            edit.setFixedHeight(64)
            return edit
        return line_edit(f"{name}Edit", label)

    def _build(self) -> None:
        names = {r.field for r in self.option.requirements}
        date_label = DECISION_DATE_LABELS.get(self.kind)
        if date_label and "taken_on" not in names:
            self._row("taken_on", date_label, date_edit("takenOnEdit", date_label, uk_today()))
        for need in self.option.requirements:
            label = need.label if need.required else f"{need.label} (optional)"
            self._row(
                need.field, label, self._widget(need.field, need.label), HINTS.get(need.field, "")
            )
            if need.field == "starts" and self.kind is StepKind.BAR:
                self._bar_notice_rows()
        for field, label in EXTRA_FIELDS.get(self.kind, ()):
            if field not in self.fields:
                self._row(field, label, self._widget(field, label))
        decided = line_edit("decidedByEdit", "Decided by", text=self.ladder.user_name)
        self._row("decided_by", "Decided by", decided)
        roles = named(QComboBox(), "decidedRoleCombo", "Their role")
        for role in self.option.decide_roles:
            roles.addItem(role.label, role.value)
        self._row("decided_by_role", "Their role", roles)

    def _bar_notice_rows(self) -> None:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.temporary = named(
            QRadioButton("Temporary bar from the notice, pending the trust's review"),
            "temporaryNoticeRadio",
            "Temporary bar now",
        )
        intent = named(
            QRadioButton("Notice of intent: nothing applies until the bar is confirmed"),
            "intentNoticeRadio",
            "Notice of intent",
        )
        self.temporary.setChecked(True)
        layout.addWidget(self.temporary)
        layout.addWidget(intent)
        self._row("notice_kind", "Kind of notice", box)
        self.asked_box = named(
            QCheckBox("Asked to leave the site first, on"), "askedToLeaveCheck", "Asked to leave"
        )
        asked = date_edit("askedToLeaveEdit", "Asked to leave on", uk_today())
        asked.setEnabled(False)
        self.asked_box.toggled.connect(asked.setEnabled)
        self.form.addRow("", self.asked_box)
        self._row("asked_to_leave_on", "Asked to leave on", asked)

    def _fill_defaults(self) -> None:
        today = uk_today()
        if self.kind is StepKind.BAR:
            period, deadline = notice_defaults(today, self.ladder.windows)
            self._set_date("representations_deadline", deadline)
        elif self.kind is StepKind.COMMUNICATION_PLAN:
            period = default_period(RestrictionKind.COMMUNICATION_PLAN, today, self.ladder.windows)
        if self.kind in (StepKind.BAR, StepKind.COMMUNICATION_PLAN):
            self._set_date("ends", period.ends)
            self._set_date("review_due", period.review_due)
        role_combo = self.fields["decided_by_role"]
        assert isinstance(role_combo, QComboBox)
        at = role_combo.findData(self.ladder.user_role.value)
        if at >= 0:
            role_combo.setCurrentIndex(at)
        if self.kind is StepKind.WRITTEN_WARNING:
            self._set_text("signed_by", self.ladder.user_name)
        schools = self.fields.get("schools")
        if isinstance(schools, QListWidget) and schools.count() == 1:
            schools.item(0).setCheckState(Qt.CheckState.Checked)
        if self.kind is StepKind.POLICE_OR_LEGAL_REFERRAL and self.ladder.safety_agency:
            agency, day, reference = self.ladder.safety_agency
            self._set_text("agency_contact", agency.capitalize())
            self._set_text("reference", reference)
            if day is not None:
                self._set_date("referred_on", day)
            self._set_text("reason", "An incident put someone's immediate safety at risk.")

    def _set_date(self, field: str, value: dt.date) -> None:
        edit = self.fields.get(field)
        if isinstance(edit, QDateEdit):
            edit.setDate(to_qdate(value))

    def _set_text(self, field: str, text: str) -> None:
        edit = self.fields.get(field)
        if isinstance(edit, QLineEdit):
            edit.setText(text)
        elif isinstance(edit, QPlainTextEdit):
            edit.setPlainText(text)

    # -- reading --------------------------------------------------------------------------
    def value(self, field: str) -> object:
        widget = self.fields[field]
        if isinstance(widget, QDateEdit):
            return widget.date().toPython()
        if isinstance(widget, QListWidget):
            return ticked(widget)
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, QLineEdit):
            return widget.text()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        return None

    def draft(self, skip: SkipAuthority | None) -> StepDraft:
        own = {"taken_on", "decided_by", "decided_by_role", "schools", "notice_kind"}
        own.add("asked_to_leave_on")
        details = {f: self.value(f) for f in self.fields if f not in own}
        if "taken_on" in self.fields:
            taken_on = self.value("taken_on")
        elif "referred_on" in self.fields:
            taken_on = self.value("referred_on")
        else:
            taken_on = self.value("starts")
        assert isinstance(taken_on, dt.date)
        schools = self.value("schools") if "schools" in self.fields else []
        asked = None
        if self.asked_box is not None and self.asked_box.isChecked():
            asked = self.value("asked_to_leave_on")
        role = self.value("decided_by_role")
        return StepDraft(
            step_id=self.option.id,
            taken_on=taken_on,
            decided_by=str(self.value("decided_by")),
            decided_by_role=Role(str(role)) if role else self.ladder.user_role,
            details=details,
            skip=skip,
            school_ids=tuple(schools) if isinstance(schools, list) else (),
            notice_kind=(
                NoticeKind.INTENT
                if self.temporary is not None and not self.temporary.isChecked()
                else NoticeKind.TEMPORARY
            ),
            asked_to_leave_on=asked if isinstance(asked, dt.date) else None,
        )

    # -- refusals -------------------------------------------------------------------------
    def clear_problems(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()

    def show_problem(self, field: str, message: str) -> bool:
        """Say `message` beside `field` and put the focus there; False if the page has no
        such field (the caller says it elsewhere)."""
        self.clear_problems()
        name = {"details": "", "schools": "schools"}.get(field, field)
        label = self.errors.get(name)
        if label is None:
            return False
        label.setText(message)
        label.show()
        widget = self.fields[name]
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        return True


def wrapped(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        label.setObjectName(name)
    return label


class SkipPage(QWizardPage):
    """Who authorised passing over the earlier steps, and why."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("skipPage")
        self.setTitle("Authority to pass over steps")
        self.intro = wrapped("", "skipIntroLabel")
        self.name_edit = line_edit("skipAuthorisedByEdit", "Authorised by")
        self.role_combo = named(QComboBox(), "skipRoleCombo", "Their role")
        self.why_edit = text_edit("skipJustificationEdit", "Justification")
        form = QFormLayout()
        form.addRow("Authorised by:", self.name_edit)
        form.addRow("Their role:", self.role_combo)
        form.addRow("Justification:", self.why_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        self.name_edit.textChanged.connect(self.completeChanged)
        self.why_edit.textChanged.connect(self.completeChanged)

    def set_option(self, option: StepOption) -> None:
        self.intro.setText(
            f"{option.label} passes over {', '.join(option.skips)}. Say who authorised "
            "that (the procedure allows: "
            + ", ".join(r.label for r in option.skip_roles)
            + ") and why it could not wait."
        )
        chosen = self.role_combo.currentData()
        self.role_combo.clear()
        for role in option.skip_roles:
            self.role_combo.addItem(role.label, role.value)
        at = self.role_combo.findData(chosen)
        self.role_combo.setCurrentIndex(max(at, 0))

    def authority(self) -> SkipAuthority | None:
        role = self.role_combo.currentData()
        if role is None:
            return None
        return SkipAuthority(self.name_edit.text(), Role(role), self.why_edit.toPlainText())

    def isComplete(self) -> bool:
        return bool(
            self.name_edit.text().strip()
            and self.why_edit.toPlainText().strip()
            and self.role_combo.count()
        )
