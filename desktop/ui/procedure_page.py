"""Settings › Procedure: the trust's policy profile (`forms/settings_procedure.ui`).

The page shows the profile in force (its ladder, what may be done alongside it, its time
windows) and every profile put in force before. Unlike the other pages, nothing here waits
for OK: putting a procedure in force is a decision of its own, confirmed and done at once,
whether it is a shipped one, a file (opened in the editor first), or the text edited in
`ProfileEditor` (desktop/ui/procedure_dialogs.py). The service checks the role and the
profile; a profile it cannot use is shown with its file, line and field, and the one in
force stays in force.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
)

from desktop.dates import format_datetime
from desktop.domain.policy import Profile, Step
from desktop.domain.roles import Operation, Role
from desktop.errors import ValidationError
from desktop.services import policies
from desktop.services.policies import ProfileInForce
from desktop.services.session import UserSession
from desktop.ui.forms import child
from desktop.ui.messages import Messenger
from desktop.ui.operations import WriteOp
from desktop.ui.procedure_dialogs import (
    CHANGES,
    ProfileEditor,
    ShippedProfileDialog,
    confirm_text,
)
from desktop.ui.settings_pages import SettingsPage, SpacedRowsDelegate


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count:,} days"


def _roles(roles: Iterable[Role]) -> str:
    chosen = set(roles)
    return ", ".join(role.label for role in Role if role in chosen) or "No one"


def _step_details(step: Step) -> str:
    """Everything the profile says about a step, for its tooltip."""
    details = [
        f"{step.label}: a {step.kind.label}.",
        f"Recorded by: {_roles(step.take)}.",
        f"Decided and signed by: {_roles(step.authorise)}.",
    ]
    if step.rung not in (None, 1):
        details.append(f"May start here, before the earlier steps: {_roles(step.skip_to)}.")
    if step.review:
        details.append(f"Reviewed by: {_roles(step.review)}.")
    return "\n".join(details)


def _when(iso: str) -> str:
    return format_datetime(dt.datetime.fromisoformat(iso)) if iso else ""


class ProcedurePage(SettingsPage):
    title = "Procedure"
    name = "procedurePage"
    form = "procedure"
    needs = Operation.EDIT_TRUST
    read_only_text = "Your role can see the trust's procedure but not change it."
    STEPS_HEADERS = ("Step", "Decided by", "May start here")
    WINDOWS_HEADERS = ("Time window", "Length")
    HISTORY_HEADERS = ("Version", "Procedure", "Put in force by", "When", "")

    def __init__(self, session: UserSession, parent=None):
        super().__init__(session, parent)
        self.summary = child(self, QLabel, "profileSummary")
        self.steps_table = child(self, QTableWidget, "stepsTable")
        self.windows_table = child(self, QTableWidget, "windowsTable")
        self.history_table = child(self, QTableWidget, "historyTable")
        self.use_shipped_button = child(self, QPushButton, "useShippedButton")
        self.import_button = child(self, QPushButton, "importButton")
        self.edit_button = child(self, QPushButton, "editButton")
        self.in_force: ProfileInForce | None = None
        self._set_up_views()
        for button in (self.use_shipped_button, self.import_button):
            button.setEnabled(not self.read_only)
        if self.read_only:
            self.edit_button.setText("&View text…")
        self._connect_signals()

    def _set_up_views(self) -> None:
        for table, headers in (
            (self.steps_table, self.STEPS_HEADERS),
            (self.windows_table, self.WINDOWS_HEADERS),
            (self.history_table, self.HISTORY_HEADERS),
        ):
            table.setColumnCount(len(headers))
            table.setHorizontalHeaderLabels(headers)
            table.verticalHeader().hide()
            header = table.horizontalHeader()
            header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # A step's roles are shown whole, wrapped onto more lines where the column is narrow.
        steps = self.steps_table.horizontalHeader()
        steps.setStretchLastSection(False)
        steps.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            steps.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            steps.resizeSection(column, 165)
        self.steps_table.setWordWrap(True)
        self.steps_table.setItemDelegate(SpacedRowsDelegate(self.steps_table))
        self.steps_table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.windows_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        self.history_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch
        )

    def _connect_signals(self) -> None:
        self.use_shipped_button.clicked.connect(self.use_shipped)
        self.import_button.clicked.connect(self.import_file)
        self.edit_button.clicked.connect(self.edit)
        # Rows fit their text when it is set; a column made narrower wraps more lines.
        self.steps_table.horizontalHeader().sectionResized.connect(
            lambda *_: self.steps_table.resizeRowsToContents()
        )

    # -- load and save ----------------------------------------------------------------------
    def load(self) -> None:
        self.in_force = policies.profile_in_force(self.session)
        self._show(self.in_force)
        self._show_history(policies.profile_history(self.session))

    def save(self) -> None:
        """Nothing waits for OK: each change was put in force when it was confirmed."""

    # -- changing it ------------------------------------------------------------------------
    def use_shipped(self) -> None:
        if self.read_only or self.in_force is None:
            return
        dialog = ShippedProfileDialog(
            policies.shipped_choices(), self.in_force.profile, parent=self
        )
        dialog.accepted.connect(lambda: self._shipped_chosen(dialog.chosen()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _shipped_chosen(self, profile_id: str) -> None:
        if self.in_force is None:
            return
        try:
            file_name, text = policies.shipped_text(profile_id)
            profile = policies.read(text, file_name)
        except ValidationError as exc:
            Messenger.error(self, exc, "Use a shipped procedure")
            return
        if not Messenger.confirm(
            self,
            "Put this procedure in force?",
            confirm_text(profile, self.in_force.profile),
            "Put in force",
        ):
            return
        self._set_buttons_enabled(False)
        WriteOp(
            parent=self,
            session=self.session,
            run=lambda job: policies.use_shipped_profile(job.session, profile_id=profile_id),
            success=lambda _result: self.load(),
            failure=lambda exc: Messenger.error(self, exc, "Use a shipped procedure"),
            done=lambda: self._set_buttons_enabled(True),
            progress="Putting the procedure in force",
            changes=CHANGES,
        ).start()

    def import_file(self) -> None:
        """Open a .toml file in the editor; it is put in force from there, with Save."""
        if self.read_only:
            return
        path = Messenger.open_path(self, "Import a procedure", "Procedure files (*.toml)")
        if path is None:
            return
        try:
            text = self._read_file(path)
        except (ValidationError, OSError) as exc:
            Messenger.error(self, exc, "Import a procedure")
            return
        self._open_editor(text, path.name)

    @staticmethod
    def _read_file(path: Path) -> str:
        if path.stat().st_size > 4 * policies.MAX_PROFILE_CHARS:
            raise ValidationError(f"{path.name} is far too large to be a procedure.", "profile")
        try:
            return path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(
                f"{path.name} is not UTF-8 text. Save it as UTF-8 and import it again.",
                "profile",
            ) from None

    def edit(self) -> None:
        if self.in_force is not None:
            self._open_editor(self.in_force.text, self.in_force.file_name)

    def _open_editor(self, text: str, file_name: str) -> None:
        if self.in_force is None:
            return
        editor = ProfileEditor(
            self.session,
            text=text,
            file_name=file_name,
            current=self.in_force.profile,
            read_only=self.read_only,
            parent=self,
        )
        editor.accepted.connect(self.load)
        editor.finished.connect(editor.deleteLater)
        editor.open()

    def _set_buttons_enabled(self, enabled: bool) -> None:
        for button in (self.use_shipped_button, self.import_button, self.edit_button):
            button.setEnabled(enabled and (button is self.edit_button or not self.read_only))

    # -- showing it -------------------------------------------------------------------------
    def _show(self, now: ProfileInForce) -> None:
        profile = now.profile
        if now.record_id is None:
            who = "Casebook's default procedure: it is recorded in this store when first used."
        else:
            who = f"Put in force by {html.escape(now.installed_by)} on {_when(now.installed_at)}"
            who += f", from {html.escape(now.file_name)}."
        self.summary.setText(
            f"<b>{html.escape(profile.name)}</b>, version {html.escape(profile.version)}"
            f"<br>{html.escape(profile.description)}"
            f"<br><span style='color: palette(placeholder-text)'>{who}</span>"
        )
        self._show_steps(profile)
        windows, kept = profile.windows, profile.retention
        rows = (
            ("Time given for written representations", windows.representations_days),
            ("A bar lasts, unless the decision says otherwise", windows.default_bar_days),
            ("A communication plan lasts, unless the decision says", windows.default_plan_days),
            ("Longest a bar or plan runs before its review", windows.review_interval_days),
            ("A written warning is kept for", windows.warning_retention_days),
            # How long a closed case is kept, by how far it went (the retention review).
            ("A closed case that went no further than concerns is kept for", kept.concern_days),
            ("A closed case with a formal written warning is kept for", kept.warning_days),
            ("A closed case with a bar, plan or legal action is kept for", kept.sanction_days),
        )
        self.windows_table.setRowCount(len(rows))
        for row, (text, days) in enumerate(rows):
            self.windows_table.setItem(row, 0, QTableWidgetItem(text))
            self.windows_table.setItem(row, 1, QTableWidgetItem(_days(days)))

    def _show_steps(self, profile: Profile) -> None:
        rows: list[tuple[str, Step | None]] = [("The ladder, lowest step first", None)]
        for number, rung in enumerate(profile.rungs, start=1):
            if len(rung) == 1:
                rows.append((f"{number}. {rung[0].label}", rung[0]))
                continue
            rows.append((f"{number}. One or more of:", None))
            rows.extend((f"    \u2022 {step.label}", step) for step in rung)
        rows.append(("Alongside the ladder, at any time", None))
        rows.extend((step.label, step) for step in profile.parallel)
        table = self.steps_table
        table.clearSpans()
        table.setRowCount(len(rows))
        for row, (text, step) in enumerate(rows):
            if step is None:
                item = QTableWidgetItem(text)
                if not text[0].isdigit():  # a heading, not a rung of alternatives
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                table.setItem(row, 0, item)
                table.setSpan(row, 0, 1, len(self.STEPS_HEADERS))
                continue
            label = text + (" (optional)" if step.optional else "")
            tip = _step_details(step)
            # No one need skip to the first step, nor to one taken alongside the ladder.
            skip = "" if step.rung in (None, 1) else _roles(step.skip_to)
            for column, value in enumerate((label, _roles(step.authorise), skip)):
                item = QTableWidgetItem(value)
                item.setToolTip(tip)
                table.setItem(row, column, item)
        table.resizeRowsToContents()

    def _show_history(self, rows: Sequence[policies.ProfileHistoryRow]) -> None:
        self.history_table.setRowCount(len(rows))
        for number, row in enumerate(rows):
            values = (
                row.version,
                row.name,
                row.installed_by,
                _when(row.installed_at),
                "In force" if row.active else "",
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(
                    f"{row.name}, version {row.version}\nFingerprint (SHA-256): {row.digest}"
                )
                if row.active:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.history_table.setItem(number, column, item)
