"""The annual report to the board: incidents, the action taken and its outcomes, for a period
and a set of schools, each figure against the period of the same length before it.

The figures are counted by the database (`services.board_figures`) and come back raw in a
`BoardReport`; the PDF and the CSV show them only through `domain.reporting.shown_rows`, so
the report is anonymised (counts from 1 to 4 shown as "fewer than 5"). A named appendix
(each case's reference and subject) is gathered only when asked for (`named=True`), and the
audit trail says so. Making a report, saving it and printing it are each recorded.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.dates import utc_now
from desktop.domain.reporting import BoardReport, check_period, shown_rows
from desktop.domain.roles import Operation
from desktop.errors import ValidationError
from desktop.services import audit, board_appendix, board_figures, exports, scope
from desktop.services.session import UserSession
from desktop.storage.models import School, Trust, case_schools

__all__ = [
    "BoardReport",
    "SavedReport",
    "annual_report",
    "annual_report_csv",
    "annual_report_pdf",
    "record_report_printed",
    "report_file_name",
    "save_annual_report",
]

OTHER_SCHOOLS = "You can report only on the schools you are given."
NO_SUCH_SCHOOL = "There is no such school in this trust."
CSV_HEADER = ("Section", "Item", "This period", "Previous period", "Change")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class SavedReport:
    pdf: Path | None
    csv: Path | None


# -- the report -----------------------------------------------------------------------------
def annual_report(
    session: UserSession,
    *,
    start: dt.date,
    end: dt.date,
    school_ids: Sequence[int] | None = None,
    named: bool = False,
) -> BoardReport:
    """The board's report for `start` to `end` (both included) at `school_ids` (None: every
    school the user may see), with the previous period of the same length; audited. With
    `named`, the appendix of cases with references and names (personal data) is added, and
    the disclosures outside the trust by legal basis (all of them on a report of every
    school; on fewer, those about the chosen schools' cases)."""
    session.require(Operation.BOARD_REPORT)
    period = check_period(start, end)
    bounds = board_figures.bounds_of(period)
    with session.transaction() as db:
        schools, every = _schools(session, db, school_ids)
        ids = [school_id for school_id, _ in schools]
        cases = select(case_schools.c.case_id).where(case_schools.c.school_id.in_(ids))
        with board_figures.gathered(db, bounds, cases) as incidents:
            counts = board_figures.count_incidents(db, incidents)
            response, medians, with_incident = board_figures.response(db, incidents)
            sections = (
                board_figures.totals(db, bounds, cases, counts, with_incident),
                board_figures.categories(db, incidents),
                board_figures.channels(counts),
                board_figures.by_school(db, incidents, schools),
                board_figures.by_month(bounds, counts),
                board_figures.steps(db, bounds, cases),
                board_figures.outcomes(db, bounds, cases),
            )
            appendix = tuple(board_appendix.named_cases(db, bounds, incidents)) if named else None
        disclosed = (
            board_appendix.disclosures(db, bounds, None if every else cases) if named else None
        )
        trust_name = db.scalar(select(Trust.name).order_by(Trust.id).limit(1)) or ""
    report = BoardReport(
        trust_name=trust_name,
        period=period,
        previous=bounds.previous,
        schools=tuple(name for _, name in schools),
        every_school=every,
        made_at=utc_now(),
        sections=(*sections, response),
        response_current=medians[0],
        response_previous=medians[1],
        named_cases=appendix,
        disclosures=disclosed,
    )
    with session.transaction(write=True) as db:
        audit.record(db, session.actor, "report.annual_made", detail=_detail(report))
    return report


def _detail(report: BoardReport, **more: Any) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "from": report.period.start.isoformat(),
        "to": report.period.end.isoformat(),
        "schools": "all" if report.every_school else list(report.schools),
        "named": report.named,
    }
    if report.named_cases is not None:
        detail["named_cases"] = len(report.named_cases)
    return {**detail, **more}


def _schools(
    session: UserSession, db: Session, school_ids: Sequence[int] | None
) -> tuple[list[tuple[int, str]], bool]:
    """The schools reported on, by name, and whether they are every school in the trust."""
    visible = [
        (row.id, row.name)
        for row in db.execute(
            select(School.id, School.name)
            .where(scope.school_visible(session.actor))
            .order_by(func.lower(School.name), School.id)
        )
    ]
    every_school = db.scalar(select(func.count(School.id)))
    if school_ids is None:
        return visible, len(visible) == every_school
    wanted = set(school_ids)
    if not wanted:
        raise ValidationError("Choose at least one school to report on.", "schools")
    known = set(db.scalars(select(School.id).where(School.id.in_(sorted(wanted)))))
    if wanted - known:
        raise ValidationError(NO_SUCH_SCHOOL, "schools")
    scope.require_schools(session.actor, wanted, OTHER_SCHOOLS)
    chosen = [(school_id, name) for school_id, name in visible if school_id in wanted]
    return chosen, len(chosen) == every_school


# -- the files ------------------------------------------------------------------------------
def annual_report_pdf(report: BoardReport) -> bytes:
    """The report as an A4 PDF (ReportLab loads only now)."""
    from reports.annual_report import make_annual_report

    return make_annual_report(report)


def _cell(text: str) -> str:
    """A cell a spreadsheet shows as text: a name typed as `=...` is not run as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def annual_report_csv(report: BoardReport) -> bytes:
    """The same figures as the PDF, shown the same way (never the named appendix): one row
    per figure with this period, the previous one and the change. UTF-8 with a byte-order
    mark, so a spreadsheet reads the schools' names correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in shown_rows(report):
        item = row.item
        if row.previous_item:
            item += f" (against {row.previous_item})"
        writer.writerow([_cell(row.section), _cell(item), row.current, row.previous, row.change])
    return out.getvalue().encode("utf-8-sig")


def report_file_name(report: BoardReport, suffix: str = ".pdf") -> str:
    """`Board report 2025-09-01 to 2026-08-31.pdf`."""
    period = f"{report.period.start.isoformat()} to {report.period.end.isoformat()}"
    named = " (named)" if report.named else ""
    return f"Board report {period}{named}{suffix}"


def save_annual_report(
    session: UserSession,
    *,
    report: BoardReport,
    pdf_to: Path | None = None,
    csv_to: Path | None = None,
    pdf: bytes | None = None,
) -> SavedReport:
    """Write the report as a PDF and/or a CSV where the person chose, each file whole or not
    at all, in one transaction with the audit entry that records them (`exports`).
    `pdf` is the PDF already made from `report` (the preview's), if there is one."""
    session.require(Operation.BOARD_REPORT)
    if pdf_to is None and csv_to is None:
        raise ValidationError("Choose where to save the report.", "to")
    targets = []
    if pdf_to is not None:
        targets.append(("pdf", exports.check_target(Path(pdf_to), "pdf_to")))
    if csv_to is not None:
        targets.append(("csv", exports.check_target(Path(csv_to), "csv_to")))
    if len({path.resolve() for _, path in targets}) < len(targets):
        raise ValidationError("Save the PDF and the CSV under different names.", "csv_to")
    contents = {
        form: (pdf or annual_report_pdf(report)) if form == "pdf" else annual_report_csv(report)
        for form, _ in targets
    }
    paths = [path for _, path in targets]
    with _exporting(paths) as outs, session.transaction(write=True) as db:
        for (form, _), out in zip(targets, outs, strict=True):
            out.write(contents[form])
        files = {form: hashlib.sha256(contents[form]).hexdigest() for form, _ in targets}
        audit.record(db, session.actor, "report.annual_saved", detail=_detail(report, files=files))
        for out in outs:
            out.place()
    found = dict(targets)
    return SavedReport(found.get("pdf"), found.get("csv"))


@contextlib.contextmanager
def _exporting(paths: list[Path]) -> Iterator[list[exports.Export]]:
    """Several `exports.Export`s, all undone if anything inside the block fails."""
    outs = [exports.Export(path) for path in paths]
    try:
        yield outs
    except BaseException:
        for out in outs:
            out.discard()
        raise


def record_report_printed(session: UserSession, *, report: BoardReport) -> None:
    """Note in the audit trail that the report was sent to a printer (it leaves the store)."""
    session.require(Operation.BOARD_REPORT)
    with session.transaction(write=True) as db:
        audit.record(db, session.actor, "report.annual_printed", detail=_detail(report))
