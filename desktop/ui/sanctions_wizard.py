"""Taking action on a case (Take action…, Ctrl+T in the case window).

Where the case stands and the step recommended next; then, for a step that passes over
others, who authorised that and why; the step's own page; its letter, previewed; and a
last look at what will be written. Finish records it all in one transaction through
`sanctions.take_step`; Cancel, on any page, writes nothing. The service checks each page
(`check_step_draft`) and its refusal is shown beside the field it names.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desktop.dates import format_date
from desktop.domain.ladder import SkipAuthority
from desktop.errors import ValidationError, user_message
from desktop.services import sanctions
from desktop.services.sanction_view import Ladder, StepOption
from desktop.services.sanctions import LetterChoice, StepDraft, StepResult
from desktop.services.step_letters import LetterPreview
from desktop.ui.dialog_parts import named
from desktop.ui.evidence_viewer import PdfView
from desktop.ui.operations import Change, ReadOp, WriteOp
from desktop.ui.step_pages import ERROR_STYLE, SkipPage, StepForm, wrapped

log = logging.getLogger(__name__)

CHOOSE, SKIP, STEP, LETTER, CONFIRM = range(5)
STEP_ROLE = Qt.ItemDataRole.UserRole


class ChoosePage(QWizardPage):
    """Where the case stands, and the step to take."""

    def __init__(self, ladder: Ladder):
        super().__init__()
        self.ladder = ladder
        self.setObjectName("choosePage")
        self.setTitle("Where the case stands")
        self.setSubTitle(f"{ladder.reference} \u2014 {ladder.subject}")
        layout = QVBoxLayout(self)
        reached = ladder.reached or "No step has been taken yet."
        layout.addWidget(wrapped(f"Reached so far: {reached}", "reachedLabel"))
        reason = wrapped(ladder.reason, "reasonLabel")
        reason.setStyleSheet("QLabel { font-weight: bold; }")
        layout.addWidget(reason)
        if ladder.referral_first:
            first = wrapped(
                "Someone's immediate safety was at risk and no police or legal referral is "
                "recorded yet. Record the referral first; the other steps follow it.",
                "referralFirstLabel",
            )
            first.setStyleSheet(ERROR_STYLE)
            layout.addWidget(first)
        layout.addWidget(wrapped("Choose the step to record:"))
        self.step_list = named(QListWidget(), "stepList", "Steps")
        layout.addWidget(self.step_list, 1)
        self.about = wrapped("", "stepAboutLabel")
        layout.addWidget(self.about)
        self._fill()
        self.step_list.currentItemChanged.connect(self._chosen)
        self._chosen()

    def _heading(self, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        self.step_list.addItem(item)

    def _fill(self) -> None:
        ladder_steps = [o for o in self.ladder.options if o.rung is not None]
        alongside = [o for o in self.ladder.options if o.rung is None]
        for heading, options in (("The ladder", ladder_steps), ("Alongside the ladder", alongside)):
            if not options:
                continue
            self._heading(heading)
            for option in options:
                text = option.label + ("  \u2605 recommended" if option.recommended else "")
                if option.optional:
                    text += "  (optional)"
                if option.is_skip:
                    text += "  \u2014 passes over " + ", ".join(option.skips)
                refused = option.unavailable
                if refused:
                    text += f"  \u2014 {refused}"
                item = QListWidgetItem(text)
                item.setData(STEP_ROLE, option.id)
                item.setToolTip(refused or option.label)
                if refused:
                    item.setFlags(Qt.ItemFlag.NoItemFlags)
                self.step_list.addItem(item)
                if option.recommended and not refused:
                    self.step_list.setCurrentItem(item)

    def option(self) -> StepOption | None:
        item = self.step_list.currentItem()
        if item is None or item.data(STEP_ROLE) is None:
            return None
        return self.ladder.option(str(item.data(STEP_ROLE)))

    def _chosen(self, *_args: object) -> None:
        option = self.option()
        if option is None:
            self.about.setText("")
        else:
            words = [f"Decided by: {', '.join(r.label for r in option.decide_roles)}."]
            if option.is_skip:
                words.append(
                    "This passes over "
                    + ", ".join(option.skips)
                    + "; a "
                    + " or ".join(r.label for r in option.skip_roles)
                    + " must authorise it, with a written justification."
                )
            words.append("A letter is sent." if option.letter_type else "No letter is sent.")
            self.about.setText(" ".join(words))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.option() is not None

    def nextId(self) -> int:
        option = self.option()
        return SKIP if option is not None and option.is_skip else STEP


class StepPage(QWizardPage):
    """The chosen step's answers, checked by the service before the wizard moves on."""

    def __init__(self, wizard: SanctionsWizard):
        super().__init__()
        self.owner = wizard
        self.setObjectName("stepPage")
        self.form: StepForm | None = None
        self.checked: StepDraft | None = None
        self.checking = False
        self.problem = wrapped("", "stepProblemLabel")
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.hide()
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("stepScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addWidget(self.scroll_area, 1)

    def initializePage(self) -> None:
        option = self.owner.option()
        if self.form is None or self.form.option.id != option.id:
            self.form = StepForm(self.owner.ladder, option)
            self.scroll_area.setWidget(self.form)  # the old form goes with the old widget
            self.checked = None
        self.setTitle(option.label)
        self.setSubTitle("Fill in what the procedure asks for this step.")
        self.problem.hide()

    def draft(self) -> StepDraft:
        assert self.form is not None
        return self.form.draft(self.owner.skip_authority())

    def validatePage(self) -> bool:
        draft = self.draft()
        if self.checked == draft:
            return True
        if self.checking:
            return False
        self.checking = True
        self.owner.button(QWizard.WizardButton.NextButton).setEnabled(False)
        session, case_id = self.owner.session, self.owner.ladder.case_id
        ReadOp(
            parent=self,
            session=session,
            run=lambda job: sanctions.check_step_draft(job.session, case_id=case_id, draft=draft),
            success=lambda _none: self._accepted(draft),
            failure=self._refused,
            done=self._back,
            progress="Checking the step",
        ).start()
        return False

    def _back(self) -> None:
        self.checking = False
        self.owner.button(QWizard.WizardButton.NextButton).setEnabled(True)

    def _accepted(self, draft: StepDraft) -> None:
        self.checked = draft
        assert self.form is not None
        self.form.clear_problems()
        self.problem.hide()
        self.owner.next()

    def _refused(self, exc: BaseException) -> None:
        message = user_message(exc)
        field = exc.field if isinstance(exc, ValidationError) else ""
        log.info("sanctions_wizard.step_refused field=%s", field)
        assert self.form is not None
        if not self.form.show_problem(field or "", message):
            self.form.clear_problems()
            self.problem.setText(message)
            self.problem.show()
        else:
            self.problem.hide()
        self.owner.refused.emit(message)


class LetterPage(QWizardPage):
    """The letter the step sends, previewed, and whether to issue it."""

    def __init__(self, wizard: SanctionsWizard):
        super().__init__()
        self.owner = wizard
        self.setObjectName("letterPage")
        self.setTitle("The letter")
        self.preview: LetterPreview | None = None
        self.note = wrapped("", "letterNoteLabel")
        self.issue_box = named(QCheckBox("&Issue this letter"), "issueLetterCheck", "Issue")
        self.large_box = named(QCheckBox("&Large print"), "largePrintCheck", "Large print")
        self.queue_box = named(
            QCheckBox("Add to today's print &queue"), "queueLetterCheck", "Add to the print queue"
        )
        self.queue_box.setToolTip("Print it with the day's other letters (File › Print queue)")
        self.queue_box.setChecked(True)
        self.pdf_view = PdfView()
        self.pdf_view.setObjectName("letterPreview")
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.issue_box)
        layout.addWidget(self.large_box)
        layout.addWidget(self.queue_box)
        layout.addWidget(self.pdf_view, 1)
        self.large_box.toggled.connect(self._load)
        self.issue_box.toggled.connect(lambda on: self.large_box.setEnabled(on))
        self.issue_box.toggled.connect(lambda on: self.queue_box.setEnabled(on))

    def initializePage(self) -> None:
        option = self.owner.option()
        self.preview = None
        self.pdf_view.setVisible(option.letter_type is not None)
        self.issue_box.setVisible(option.letter_type is not None)
        self.large_box.setVisible(option.letter_type is not None)
        self.queue_box.setVisible(option.letter_type is not None)
        if option.letter_type is None:
            self.note.setText(f"No letter is sent for a {option.label.lower()}.")
            return
        self.issue_box.setEnabled(True)
        self.issue_box.setChecked(True)
        self._load()

    def _load(self, *_args: object) -> None:
        self.note.setText("Laying out the letter\u2026")
        draft = self.owner.draft()
        large = self.large_box.isChecked()
        session, case_id = self.owner.session, self.owner.ladder.case_id
        ReadOp(
            parent=self,
            session=session,
            run=lambda job: sanctions.preview_step_letter(
                job.session, case_id=case_id, draft=draft, large_print=large
            ),
            success=self._show,
            failure=lambda exc: self.note.setText(user_message(exc)),
            progress="Laying out the letter",
        ).start()

    def _show(self, preview: LetterPreview) -> None:
        self.preview = preview
        if preview.problem or preview.pdf is None:
            self.note.setText(
                f"{preview.title} cannot be written yet: {preview.problem} "
                "Go Back to fill it in, or finish without the letter."
            )
            self.issue_box.setChecked(False)
            self.issue_box.setEnabled(False)
            self.pdf_view.hide()
        else:
            self.note.setText(f"{preview.title}, as it will be sent:")
            self.pdf_view.show()
            self.pdf_view.show_pdf(preview.pdf)
        self.owner.previewed.emit()

    def choice(self) -> LetterChoice:
        return LetterChoice(
            issue=self.owner.option().letter_type is not None and self.issue_box.isChecked(),
            large_print=self.large_box.isChecked(),
            queue=self.queue_box.isChecked(),
        )


class ConfirmPage(QWizardPage):
    """What Finish will write, said plainly."""

    def __init__(self, wizard: SanctionsWizard):
        super().__init__()
        self.owner = wizard
        self.setObjectName("confirmPage")
        self.setTitle("Record the step")
        self.summary = named(QPlainTextEdit(), "confirmSummary", "What will be recorded")
        self.summary.setReadOnly(True)
        self.problem = wrapped("", "confirmProblemLabel")
        self.problem.setStyleSheet(ERROR_STYLE)
        layout = QVBoxLayout(self)
        layout.addWidget(wrapped("Finish records all of this together. Cancel records nothing."))
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.problem)

    def initializePage(self) -> None:
        self.problem.clear()
        self.summary.setPlainText(self.owner.summary())


class SanctionsWizard(QWizard):
    """Take action on one case; `done_step` holds the result once Finish has recorded it."""

    refused = Signal(str)  # a page's check was refused (the message is on the page)
    previewed = Signal()  # the letter page has its preview (or its problem)
    recorded = Signal(object)  # the StepResult

    def __init__(self, session, ladder: Ladder, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sanctionsWizard")
        self.setWindowTitle(f"Take action \u2014 {ladder.reference}")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Record step")
        self.session = session
        self.ladder = ladder
        self.done_step: StepResult | None = None
        self.saving = False
        self.choose_page = ChoosePage(ladder)
        self.skip_page = SkipPage()
        self.step_page = StepPage(self)
        self.letter_page = LetterPage(self)
        self.confirm_page = ConfirmPage(self)
        for ident, page in (
            (CHOOSE, self.choose_page),
            (SKIP, self.skip_page),
            (STEP, self.step_page),
            (LETTER, self.letter_page),
            (CONFIRM, self.confirm_page),
        ):
            self.setPage(ident, page)
        self.setStartId(CHOOSE)
        self.currentIdChanged.connect(self._entered)
        self.resize(720, 640)

    def option(self) -> StepOption:
        option = self.choose_page.option()
        assert option is not None
        return option

    def _entered(self, ident: int) -> None:
        if ident == SKIP:
            self.skip_page.set_option(self.option())

    def skip_authority(self) -> SkipAuthority | None:
        return self.skip_page.authority() if self.option().is_skip else None

    def draft(self) -> StepDraft:
        return self.step_page.draft()

    def summary(self) -> str:
        option, draft = self.option(), self.draft()
        lines = [
            f"Case: {self.ladder.reference} \u2014 {self.ladder.subject}",
            f"Step: {option.label}, {format_date(draft.taken_on)}",
            f"Decided by: {draft.decided_by} ({draft.decided_by_role.label})",
        ]
        if draft.skip is not None:
            lines.append(
                f"Passes over {', '.join(option.skips)} on the authority of "
                f"{draft.skip.authorised_by} ({draft.skip.role.label}): {draft.skip.justification}"
            )
        if draft.school_ids:
            names = dict(self.ladder.schools)
            lines.append("Schools: " + ", ".join(names.get(i, str(i)) for i in draft.school_ids))
        for need in option.requirements:
            value = draft.details.get(need.field)
            if value in (None, "", []) or need.field == "schools":
                continue
            if need.field == "incidents" and isinstance(value, list):
                days = {i.id: format_date(i.occurred_on) for i in self.ladder.incidents}
                value = ", ".join(days.get(int(v), str(v)) for v in value)
            elif hasattr(value, "isoformat"):
                value = format_date(value)  # type: ignore[arg-type]
            lines.append(f"{need.label}: {value}")
        lines.append("")
        lines.append("Finish will write:")
        lines.append(f"\u2022 the {option.label.lower()} on the case's record and its chronology")
        choice = self.letter_page.choice()
        if choice.issue:
            lines.append(
                "\u2022 the letter"
                + (" in large print" if choice.large_print else "")
                + (", added to today's print queue" if choice.queue else ", not queued to print")
            )
        elif option.letter_type:
            lines.append("\u2022 no letter (not issued)")
        if option.kind.restriction is not None:
            lines.append("\u2022 the restriction and its scheduled reviews")
        return "\n".join(lines)

    def nextId(self) -> int:
        ident = self.currentId()
        if ident == CHOOSE:
            return self.choose_page.nextId()
        return {SKIP: STEP, STEP: LETTER, LETTER: CONFIRM}.get(ident, -1)

    def accept(self) -> None:
        """Finish: record the step off the UI thread, and close only once it is written."""
        if self.done_step is not None:
            super().accept()
            return
        if self.saving:
            return
        self.saving = True
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        draft, letter = self.draft(), self.letter_page.choice()
        case_id = self.ladder.case_id
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: sanctions.take_step(
                job.session, case_id=case_id, draft=draft, letter=letter
            ),
            success=self._recorded,
            failure=self._refused,
            done=self._saved_or_not,
            progress="Recording the step",
            changes=(Change.CASES,),
        ).start()

    def _saved_or_not(self) -> None:
        self.saving = False
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)

    def _recorded(self, result: StepResult) -> None:
        self.done_step = result
        self.recorded.emit(result)
        super().accept()

    def _refused(self, exc: BaseException) -> None:
        message = user_message(exc)
        self.confirm_page.problem.setText(f"Not recorded: {message} Go Back to change it.")
        self.refused.emit(message)
