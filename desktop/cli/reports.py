"""`casebook report annual`: the annual report to the board, saved as a PDF (and a CSV).

For a period and the schools the user may see (or those named with --school): incidents by
type, by where they happened, by school and by month, the steps taken, the outcomes of bars
and communication plans, and how quickly action followed, each against the previous period
of the same length (`services.board_report`). Anonymised: counts from 1 to 4 are shown as
"fewer than 5". `--named` adds an appendix of the cases with references and names, which is
personal data. The files are written whole, with the audit entry that records them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.common import (
    Commands,
    add_command,
    add_group,
    db_option,
    fail,
    iso_date,
    signed_in,
    store_path_for,
    user_option,
)


def cmd_report_annual(args: argparse.Namespace) -> int:
    from desktop.domain.reporting import check_period
    from desktop.services import board_report, exports, trust

    period = check_period(args.start, args.end)  # a slip in the dates fails before sign-in
    pdf_to = exports.check_target(Path(args.out).expanduser(), "out")
    csv_to = exports.check_target(Path(args.csv).expanduser(), "csv") if args.csv else None
    with signed_in(store_path_for(args), args.user) as session:
        school_ids = None
        if args.school:
            schools = {s.name.casefold(): s.id for s in trust.list_schools(session)}
            unknown = [name for name in args.school if name.strip().casefold() not in schools]
            if unknown:
                return fail(
                    f"There is no school called {unknown[0]!r} among the schools you can see."
                )
            school_ids = [schools[name.strip().casefold()] for name in args.school]
        report = board_report.annual_report(
            session,
            start=period.start,
            end=period.end,
            school_ids=school_ids,
            named=args.named,
        )
        saved = board_report.save_annual_report(
            session, report=report, pdf_to=pdf_to, csv_to=csv_to
        )
    kind = "with a named appendix (personal data)" if report.named else "anonymised"
    print(f"Saved the board report for {period.words}, {kind}, to {saved.pdf}.")
    if saved.csv is not None:
        print(f"Saved its figures to {saved.csv}.")
    return 0


def register(commands: Commands) -> None:
    group = add_group(
        commands,
        "report",
        summary="make the annual report to the board",
        description="Make reports on the trust's casework. `casebook report annual` makes "
        "the annual report to the board.",
    )
    sub = add_command(
        group,
        "annual",
        cmd_report_annual,
        summary="save the annual report to the board as a PDF (and a CSV)",
        description="Save the annual report to the board for a period: incidents by type, "
        "by where they happened, by school and by month, the steps taken, the outcomes of "
        "bars and communication plans and how quickly action followed, each against the "
        "previous period of the same length. Anonymised: counts from 1 to 4 are shown as "
        "'fewer than 5'. Covers the schools you may see, or those named with --school. "
        "--csv also saves the same figures as a spreadsheet file; --named adds an appendix "
        "of the cases with references and names (personal data). Each file is recorded in "
        "the audit trail.",
    )
    db_option(sub)
    user_option(sub)
    sub.add_argument(
        "--from",
        dest="start",
        required=True,
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="the first day of the period",
    )
    sub.add_argument(
        "--to",
        dest="end",
        required=True,
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="the last day of the period",
    )
    sub.add_argument(
        "--school",
        action="append",
        metavar="NAME",
        help="report on this school only (give it again for more schools)",
    )
    sub.add_argument("--out", required=True, metavar="FILE.pdf", help="where to save the PDF")
    sub.add_argument("--csv", metavar="FILE", help="also save the figures as a CSV file")
    sub.add_argument(
        "--named",
        action="store_true",
        help="add the named appendix: case references and names (personal data)",
    )
