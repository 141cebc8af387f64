"""The case window's Sanctions tab: the case's bars and plans with the decisions they wait
for, the steps taken under the procedure (with any skip's authority), and the letters
issued (View letter, Enter or a double-click opens one as it was issued).

The buttons follow the selected bar or plan (and, for an injunction, the selected step);
whether a decision is allowed is for the service to say, in words, in the dialog.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QTableWidgetItem, QVBoxLayout, QWidget

from desktop.dates import format_date
from desktop.domain.due import Place
from desktop.domain.roles import Operation
from desktop.services import issued_letters, sanction_view
from desktop.services.issued_letters import LetterInfo
from desktop.services.sanction_view import Ladder, SanctionRow, TakenStep
from desktop.services.session import UserSession
from desktop.ui.case_tabs.common import (
    CaseTab,
    button_row,
    chain_tab_order,
    empty_note,
    list_table,
    make_button,
    restore_selection,
    row_at,
    stack,
    vertical_split,
)
from desktop.ui.injunction_dialog import InjunctionDialog
from desktop.ui.letter_viewer import correction_words, printing_words, show_letter
from desktop.ui.lifecycle_dialogs import (
    PeriodReviewDialog,
    RepresentationsDialog,
    ReviewDecisionDialog,
)
from desktop.ui.operations import Change, Job, changes

SANCTION_HEADERS = ("Bar or plan", "Schools", "Status", "Starts", "Ends", "Review by", "Reps by")
STEP_HEADERS = ("Date", "Step", "Decided by", "Skip authorised by", "Procedure", "Injunction")
LETTER_HEADERS = ("Dated", "Letter", "To", "Signed by", "Printing")


def sanction_cells(row: SanctionRow) -> tuple[str, ...]:
    deadline = format_date(row.representations_deadline)
    if row.representations_on is not None:
        deadline = f"Received {format_date(row.representations_on)}"
    return (
        row.label,
        ", ".join(row.schools),
        row.status_label,
        format_date(row.starts),
        format_date(row.ends),
        format_date(row.review_due),
        deadline,
    )


def step_cells(step: TakenStep) -> tuple[str, ...]:
    decided = step.decided_by + (f", {step.decided_by_role}" if step.decided_by_role else "")
    skip = ""
    if step.skip_authorised_by:
        skip = step.skip_authorised_by + (f", {step.skip_role}" if step.skip_role else "")
    return (
        format_date(step.taken_on),
        step.label,
        decided,
        skip,
        step.profile_version,
        step.state,
    )


def letter_cells(letter: LetterInfo) -> tuple[str, ...]:
    correction = correction_words(letter)
    return (
        format_date(letter.issued_on),
        letter.title + (f" ({correction})" if correction else ""),
        letter.recipient,
        letter.signed_by,
        printing_words(letter),
    )


class SanctionsTab(CaseTab):
    title = "&Sanctions"

    def __init__(self, session: UserSession, case_id: int, parent=None):
        super().__init__(session, case_id, "sanctionsTab", parent)
        self.ladder: Ladder | None = None
        self.sanctions: list[SanctionRow] = []
        self.steps: list[TakenStep] = []
        self.letters: list[LetterInfo] = []
        self._start()

    # -- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.representations_button = make_button(
            "representationsButton",
            "Record &representations…",
            "Record representations about the selected bar",
        )
        self.review_button = make_button(
            "reviewDecisionButton",
            "Review &decision…",
            "Record the review decision on the selected bar or plan",
            "Confirm, vary or lift the selected bar or plan",
        )
        self.period_button = make_button(
            "periodReviewButton",
            "&End-of-period review…",
            "Record the end-of-period review of the selected bar or plan",
            "Let the selected bar or plan end, or renew it for a new period",
        )
        self.injunction_button = make_button(
            "injunctionButton",
            "In&junction progress…",
            "Record the progress of the selected injunction referral",
        )
        self.summary = QLabel()
        self.summary.setObjectName("sanctionsSummary")
        self.summary.setWordWrap(True)
        self.table = list_table(
            "sanctionsTable", "Bars and plans on this case", SANCTION_HEADERS, 0
        )
        self.steps_table = list_table(
            "stepsTable", "Steps taken under the procedure", STEP_HEADERS, 1
        )
        self.letters_table = list_table(
            "lettersTable", "Letters issued on this case", LETTER_HEADERS, 1
        )
        self.letter_button = make_button(
            "viewLetterButton",
            "Vie&w letter…",
            "Open the selected letter",
            "Open the letter as it was issued: print it or save a copy (Enter)",
        )
        self.empty_note = empty_note("No bar or communication plan on this case.")
        self.steps_note = empty_note("No step has been taken under the procedure yet.")
        self.letters_note = empty_note("No letter has been issued on this case.")
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        steps_label = QLabel("Steps &taken")
        steps_label.setBuddy(self.steps_table)
        lower_layout.addWidget(steps_label)
        lower_layout.addWidget(self.steps_note)
        lower_layout.addWidget(self.steps_table, 1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.empty_note)
        top_layout.addWidget(self.table, 1)
        bar = button_row(
            self.representations_button,
            self.review_button,
            self.period_button,
            self.injunction_button,
        )
        letters = QWidget()
        letters_layout = QVBoxLayout(letters)
        letters_layout.setContentsMargins(0, 0, 0, 0)
        letters_label = QLabel("&Letters issued")
        letters_label.setBuddy(self.letters_table)
        letters_head = QHBoxLayout()
        letters_head.addWidget(letters_label)
        letters_head.addStretch(1)
        letters_head.addWidget(self.letter_button)
        letters_layout.addLayout(letters_head)
        letters_layout.addWidget(self.letters_note)
        letters_layout.addWidget(self.letters_table, 1)
        split = vertical_split("sanctionsSplit", (top, 1), (lower, 1), (letters, 1))
        stack(self, bar, self.summary, main=split)
        chain_tab_order(
            self.representations_button,
            self.review_button,
            self.period_button,
            self.injunction_button,
            self.table,
            self.steps_table,
            self.letter_button,
            self.letters_table,
        )

    def _connect_signals(self) -> None:
        self.representations_button.clicked.connect(self.record_representations)
        self.review_button.clicked.connect(self.review_decision)
        self.period_button.clicked.connect(self.period_review)
        self.injunction_button.clicked.connect(self.injunction_progress)
        self.table.currentCellChanged.connect(lambda *_: self._update_buttons())
        self.steps_table.currentCellChanged.connect(lambda *_: self._update_buttons())
        self.letters_table.currentCellChanged.connect(lambda *_: self._update_buttons())
        self.letters_table.activated.connect(lambda _index: self.view_letter())
        self.letter_button.clicked.connect(self.view_letter)
        changes().changed.connect(self._changed)

    # -- reading ----------------------------------------------------------------------------
    def reload(self) -> None:
        case_id = self.case_id

        def run(job: Job) -> tuple[Ladder, list[LetterInfo]]:
            ladder = sanction_view.case_ladder(job.session, case_id=case_id)
            return ladder, issued_letters.case_letters(job.session, case_id=case_id)

        self._read(run, "Reading the sanctions")

    def _changed(self, what: str) -> None:
        """A letter was printed or queued (a letter viewer, the print queue): show it."""
        if what == Change.LETTERS and not self.session.closed:
            self.reload()

    def _show(self, result: tuple[Ladder, list[LetterInfo]]) -> None:
        ladder, letters = result
        keep = self.current_sanction()
        keep_step = row_at(self.steps_table, self.steps)
        keep_letter = self.current_letter()
        self.ladder = ladder
        self.sanctions, self.steps = list(ladder.sanctions), list(ladder.steps)
        self.letters = letters
        self._fill(self.table, [sanction_cells(r) for r in self.sanctions])
        self._fill(self.steps_table, [step_cells(s) for s in self.steps])
        self._fill(self.letters_table, [letter_cells(letter) for letter in letters])
        self.summary.setText(
            f"Under the procedure in force: {ladder.profile_name}, version "
            f"{ladder.profile_version}. Each bar or plan keeps the version it was taken under."
        )
        self.empty_note.setVisible(not self.sanctions)
        self.steps_note.setVisible(not self.steps)
        self.letters_note.setVisible(not letters)
        restore_selection(
            self.table,
            [r.restriction_id for r in self.sanctions],
            None if keep is None else keep.restriction_id,
        )
        restore_selection(
            self.steps_table,
            [s.id for s in self.steps],
            None if keep_step is None else keep_step.id,
            last=True,
        )
        restore_selection(
            self.letters_table,
            [letter.id for letter in letters],
            None if keep_letter is None else keep_letter.id,
        )
        self._update_buttons()
        self.loaded.emit()

    def _fill(self, table, rows: list[tuple[str, ...]]) -> None:  # noqa: ANN001
        table.setRowCount(len(rows))
        for number, cells in enumerate(rows):
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(number, column, item)

    def current_sanction(self) -> SanctionRow | None:
        return row_at(self.table, self.sanctions)

    def current_step(self) -> TakenStep | None:
        return row_at(self.steps_table, self.steps)

    def current_letter(self) -> LetterInfo | None:
        return row_at(self.letters_table, self.letters)

    def _update_buttons(self) -> None:
        editable = (
            self.ladder is not None
            and not self.ladder.closed
            and self.session.can(Operation.EDIT_CASES)
        )
        row = self.current_sanction()
        self.representations_button.setEnabled(
            editable and row is not None and row.can_record_representations
        )
        self.review_button.setEnabled(editable and row is not None and row.can_review)
        self.period_button.setEnabled(editable and row is not None and row.can_end_period)
        step = self.current_step()
        self.injunction_button.setEnabled(
            editable and step is not None and bool(step.injunction_next)
        )
        self.letter_button.setEnabled(self.current_letter() is not None)

    def resolve(self, place: Place, restriction_id: int) -> None:
        """Select the bar or plan and open what settles a calendar item on it: the
        representations, the review decision or the end-of-period review, whichever the
        sanction now allows (the first that applies, in the order the item suggests)."""
        order = {
            Place.REPRESENTATIONS: (self.representations_button, self.review_button),
            Place.REVIEW: (self.review_button, self.period_button),
            Place.PERIOD_REVIEW: (self.period_button, self.review_button),
        }.get(place, ())

        def attempt() -> bool:
            ids = [r.restriction_id for r in self.sanctions]
            if restriction_id not in ids:
                return False
            self.table.setCurrentCell(ids.index(restriction_id), 0)
            self.table.setFocus()
            self._update_buttons()
            for button in order:
                if button.isEnabled():
                    button.click()
                    break
            return True

        self.when_loaded(attempt)

    # -- actions ----------------------------------------------------------------------------
    def record_representations(self) -> None:
        row = self.current_sanction()
        if row is not None and self.ladder and self.representations_button.isEnabled():
            self._open(RepresentationsDialog(self.session, self.ladder, row, self))

    def review_decision(self) -> None:
        row = self.current_sanction()
        if row is not None and self.ladder and self.review_button.isEnabled():
            self._open(ReviewDecisionDialog(self.session, self.ladder, row, self))

    def period_review(self) -> None:
        row = self.current_sanction()
        if row is not None and self.ladder and self.period_button.isEnabled():
            self._open(PeriodReviewDialog(self.session, self.ladder, row, self))

    def injunction_progress(self) -> None:
        step = self.current_step()
        if step is not None and self.injunction_button.isEnabled():
            self._open(InjunctionDialog(self.session, step, self))

    def view_letter(self) -> None:
        letter = self.current_letter()
        if letter is not None:
            show_letter(self.session, letter.id, self)
