"""`casebook calendar`: what falls due in the next days, and everything overdue.

Bar and plan reviews, their end dates, representations deadlines, written warnings
lapsing and follow-up tasks, from the cases the user may see (`services.due`). As a
table, as JSON for a script, or saved as an `.ics` file for Outlook (audited).
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

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

HEADER = ("Date", "State", "Kind", "Case", "School", "Owner")
SHRINK = ((4, 5),)
DEFAULT_DAYS = 30


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days") from None
    if not 1 <= days <= 3660:
        raise argparse.ArgumentTypeError("give between 1 and 3660 days")
    return days


def cmd_calendar(args: argparse.Namespace) -> int:
    from desktop.dates import format_date, uk_today
    from desktop.domain.due import DueState
    from desktop.services import due, due_export

    path = store_path_for(args)
    today = uk_today()
    with signed_in(path, args.user) as session:
        view = due.DueView(start=today, end=today + dt.timedelta(days=args.days))
        items = due.due_items(session, view=view, today=today)
        if args.ics:
            saved = due_export.export_ics(
                session, to=Path(args.ics).expanduser(), days=args.days, today=today
            )
            print(f"Saved {plural(saved.events, 'event')} to {saved.path}.")
            return 0
    if args.json:
        print_json(
            [
                {
                    "date": item.date.isoformat(),
                    "kind": item.kind.value,
                    "reference": item.reference,
                    "state": item.state.value,
                    "school": ", ".join(item.schools),
                    "title": item.title,
                    "owner": item.owner,
                }
                for item in items
            ]
        )
        return 0
    if not items:
        print(f"Nothing falls due in the next {plural(args.days, 'day')}, and nothing is overdue.")
        return 0
    rows = [
        (
            format_date(item.date),
            item.state.label,
            item.kind.label,
            item.reference,
            ", ".join(item.schools),
            item.owner,
        )
        for item in items
    ]
    print_table(HEADER, rows, shrink=SHRINK)
    late = sum(1 for item in items if item.state is DueState.OVERDUE)
    print(f"\n{plural(len(items), 'item')}, {late:,} overdue.")
    return 0


def register(commands: Commands) -> None:
    sub = add_command(
        commands,
        "calendar",
        cmd_calendar,
        summary="list reviews, deadlines and tasks falling due, and everything overdue",
        description="List what falls due in the next days (bar and communication-plan "
        "reviews and end dates, representations deadlines, written warnings lapsing, "
        "follow-up tasks) on the cases you may see. Overdue items are always listed, "
        "whatever --days says. --json prints an array of items with date (ISO), kind, "
        "reference, state and school; --ics saves them as a calendar file for Outlook, "
        "with case references and kinds only (recorded in the audit trail).",
    )
    db_option(sub)
    user_option(sub)
    sub.add_argument(
        "--days",
        type=_days,
        default=DEFAULT_DAYS,
        metavar="N",
        help=f"how many days ahead to look (default {DEFAULT_DAYS})",
    )
    out = sub.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the items as JSON")
    out.add_argument("--ics", metavar="FILE", help="save the items as an .ics calendar file")
