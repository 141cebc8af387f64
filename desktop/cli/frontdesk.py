"""`casebook check`: is the person at reception barred, or under a communication plan?"""

from __future__ import annotations

import argparse

from desktop.cli.common import (
    PASSWORD_ENV,
    Commands,
    add_command,
    db_option,
    print_json,
    read_secret,
    require_store,
    store_path_for,
    user_option,
)


def cmd_check(args: argparse.Namespace) -> int:
    """Look a name up on the front-desk list; a mistyped name still finds the person."""
    from desktop.dates import format_date, uk_today
    from desktop.domain.restrictions import banner_line
    from desktop.services import auth, frontdesk

    path = store_path_for(args)
    require_store(path)
    password = read_secret(PASSWORD_ENV, f"Password for {args.user}: ", what="password")[0]
    session = auth.sign_in_any(path, username=args.user, password=password)
    try:
        matches = frontdesk.check(session, args.name)
    finally:
        if isinstance(session, frontdesk.FrontDeskSession):
            session.close()
        else:
            auth.sign_out(session)
    if args.json:
        print_json([match.as_json() for match in matches])
        return 0
    if not matches:
        print(f"No one called {args.name!r} is barred or under a communication plan.")
        return 0
    today = uk_today()
    print(f"Checked {format_date(today)}:")
    for match in matches:
        print(f"{match.name} ({match.reference})")
        for facts in match.restrictions:
            print(f"  {banner_line(facts, today)}")
    return 0


def register(commands: Commands) -> None:
    check = add_command(
        commands,
        "check",
        cmd_check,
        summary="is this visitor barred or under a communication plan?",
        description="Look a name up on the list of current bars and communication plans, "
        "as the front desk does: which schools, until when, and whom to contact. Forgives "
        "typos and common spellings. Prints nothing else about a case. With --json, an "
        "array of matches (empty when no one matches); the exit code is 0 either way.",
    )
    db_option(check)
    user_option(check)
    check.add_argument("--json", action="store_true", help="print the matches as JSON")
    check.add_argument("name", help="the visitor's name, as they give it")
