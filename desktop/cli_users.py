"""`casebook user add|list|remove`: accounts for the trust's staff, from the command line.

Signing in as a data protection lead is needed; the services check it. Each account's
password wraps its own key slot, so adding one never reveals or changes anyone else's.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

NEW_USER_PASSWORD_ENV = "CASEBOOK_NEW_PASSWORD"


def cmd_user_add(args: argparse.Namespace) -> int:
    """Add an account with a role and, for school roles, the schools it may see."""
    from desktop.cli import read_secret, signed_in, store_path_for
    from desktop.errors import ValidationError
    from desktop.services.trust import list_schools
    from desktop.services.users import add_user

    path = store_path_for(args)
    with signed_in(path, args.user) as session:
        known = list_schools(session, include_inactive=True)
        schools = {s.name.casefold(): s.id for s in known}
        wanted = [" ".join(name.split()).casefold() for name in args.school or []]
        unknown = [
            name for name, key in zip(args.school or [], wanted, strict=True) if key not in schools
        ]
        if unknown:
            names = "; ".join(s.name for s in known)
            raise ValidationError(f"There is no school called {unknown[0]!r}. Schools: {names}.")
        password, confirm = read_secret(
            NEW_USER_PASSWORD_ENV,
            f"Password for {args.username}: ",
            what="password for the new account",
            confirm=True,
        )
        if confirm is not None and confirm != password:
            raise ValidationError("The two passwords are not the same.")
        info = add_user(
            session,
            username=args.username,
            full_name=args.full_name,
            role=args.role,
            school_ids=[schools[name] for name in wanted],
            password=password,
        )
    where = ", ".join(info.schools) if info.schools else "every school"
    print(f"Added {info.username} ({info.role.label}) for {where}.")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    """List every account with its role, schools and whether it is active."""
    from desktop.cli import signed_in, store_path_for
    from desktop.services.users import list_users

    with signed_in(store_path_for(args), args.user) as session:
        users = list_users(session)
    rows = [
        (
            u.username,
            u.full_name,
            u.role.label,
            ", ".join(u.schools) or "every school",
            "active" if u.active else "removed",
        )
        for u in users
    ]
    header = ("Username", "Name", "Role", "Schools", "State")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def cmd_user_remove(args: argparse.Namespace) -> int:
    """Switch an account off and delete its key slot; its cases and audit entries stay."""
    from desktop.cli import signed_in, store_path_for
    from desktop.services.users import remove_user

    with signed_in(store_path_for(args), args.user) as session:
        remove_user(session, username=args.username)
    print(f"Removed {args.username.strip().lower()}: that password no longer opens the store.")
    return 0


def add_user_commands(
    commands: Any,
    db_option: Callable[[argparse.ArgumentParser, str], None],
    user_option: Callable[[argparse.ArgumentParser], None],
    usual: str,
) -> None:
    """Register `casebook user ...` on the main parser's subcommands."""
    from desktop.domain.roles import Role

    user = commands.add_parser(
        "user",
        help="add, list or remove user accounts",
        description="Manage user accounts (needs a data protection lead's sign-in).",
    )
    user_commands = user.add_subparsers(dest="user_command", metavar="COMMAND", required=True)

    add = user_commands.add_parser(
        "add",
        help="add an account",
        description=f"Add an account. Its password comes from {NEW_USER_PASSWORD_ENV} or is "
        "typed twice. School roles (front desk, business manager, headteacher) need at "
        "least one --school; trust roles see every school.",
    )
    add.set_defaults(func=cmd_user_add)
    db_option(add, usual)
    user_option(add)
    add.add_argument("--username", required=True, help="the new account's username")
    add.add_argument("--full-name", required=True, metavar="NAME", help="their full name")
    add.add_argument(
        "--role", required=True, choices=[r.value for r in Role], help="what they may do"
    )
    add.add_argument(
        "--school", action="append", metavar="NAME", help="a school they work for; repeat"
    )

    listing = user_commands.add_parser("list", help="list the accounts")
    listing.set_defaults(func=cmd_user_list)
    db_option(listing, usual)
    user_option(listing)

    remove = user_commands.add_parser(
        "remove",
        help="switch an account off",
        description="Switch an account off and delete its key slot. Its history stays.",
    )
    remove.set_defaults(func=cmd_user_remove)
    db_option(remove, usual)
    user_option(remove)
    remove.add_argument("--username", required=True, help="the account to remove")
