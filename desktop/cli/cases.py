"""`casebook cases`: list the cases a user may see, as a table or as JSON."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from desktop.cli.common import (
    Commands,
    add_command,
    db_option,
    plural,
    print_json,
    print_table,
    signed_in,
    store_path_for,
    user_option,
)
from desktop.errors import ValidationError

if TYPE_CHECKING:
    from desktop.services.cases import CaseRow
    from desktop.services.session import UserSession

HEADER = ("Reference", "Subject", "Schools", "Status", "Stage", "Opened")
# When the table is too wide, the school list gives way first, then the subject (it names
# the case, so it keeps its width longer), then the stage.
SHRINK = ((2,), (1,), (4,))
PAGE = 500


def cmd_cases(args: argparse.Namespace) -> int:
    """List the cases this user may see, as a table or as JSON."""
    from desktop.services.cases import all_cases

    path = store_path_for(args)
    with signed_in(path, args.user) as session:
        if args.school:
            rows = _cases_at_school(session, args.school, args.status, args.needs_attention)
        else:
            rows = all_cases(session, status=args.status, needs_attention=args.needs_attention)
    if args.json:
        print_json([row.as_json() for row in rows])
    else:
        _print_cases(rows)
    return 0


def _cases_at_school(
    session: UserSession, name: str, status: str | None, needs_attention: bool
) -> list[CaseRow]:
    from desktop.dates import uk_today
    from desktop.services.cases import list_cases
    from desktop.services.trust import list_schools

    schools = list_schools(session, include_inactive=True)
    matches = [s.id for s in schools if s.name.casefold() == " ".join(name.split()).casefold()]
    if not matches:
        known = "; ".join(s.name for s in schools) or "none"
        raise ValidationError(f"You have no school called {name!r}. Your schools: {known}.")
    rows: list[CaseRow] = []
    today = uk_today()
    while True:
        page = list_cases(
            session,
            school_id=matches[0],
            status=status,
            needs_attention=needs_attention,
            offset=len(rows),
            limit=PAGE,
            today=today,
        )
        rows.extend(page)
        if len(page) < PAGE:
            return rows


def _print_cases(rows: Sequence[CaseRow]) -> None:
    from desktop.dates import format_date
    from desktop.domain.cases import stage_label

    lines = [
        (
            r.reference,
            r.subject,
            "; ".join(r.schools),
            r.status.capitalize(),
            stage_label(r.stage),
            format_date(r.opened),
        )
        for r in rows
    ]
    print_table(HEADER, lines, shrink=SHRINK)
    print(plural(len(rows), "case"))


def register(commands: Commands) -> None:
    cases = add_command(
        commands,
        "cases",
        cmd_cases,
        summary="list the cases you may see",
        description="List the cases this user may see, newest first: reference, subject, "
        "schools, status, stage and the date opened. The table fits the terminal, cutting "
        "long subjects and school lists short with '…'; --json gives every value in full.",
    )
    db_option(cases)
    user_option(cases)
    cases.add_argument("--json", action="store_true", help="print JSON instead of a table")
    cases.add_argument("--status", choices=("open", "closed"), help="only open or closed cases")
    cases.add_argument("--school", metavar="NAME", help="only cases at this school")
    cases.add_argument(
        "--needs-attention",
        action="store_true",
        help="only cases with something overdue or due within a week (a deadline for "
        "representations, a review, the end of a bar or plan, or a task)",
    )
