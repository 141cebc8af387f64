"""`casebook user add|list|remove|reset-password`: accounts for the trust's staff, from the
command line.

Signing in as a data protection lead is needed; the services check it. Each account's
password wraps its own key slot, so adding one never reveals or changes anyone else's.
"""

from __future__ import annotations

import argparse

from desktop.cli.common import (
    NEW_PASSWORD_ENV,
    Commands,
    add_command,
    add_group,
    db_option,
    print_table,
    read_secret,
    signed_in,
    store_path_for,
    user_option,
)
from desktop.errors import ValidationError

HEADER = ("Username", "Name", "Role", "Schools", "State")
# When the table is too wide, the school list gives way first, then the name, then the role.
SHRINK = ((3,), (1,), (2,))


def cmd_user_add(args: argparse.Namespace) -> int:
    """Add an account with a role and, for school roles, the schools it may see."""
    from desktop.domain.roles import Role
    from desktop.domain.text import clean_username
    from desktop.services.trust import list_schools
    from desktop.services.users import add_user

    role = Role(args.role)
    username = clean_username(args.username)  # checked before asking for any password
    if role.trust_wide and args.school:  # checked before asking for any password
        raise ValidationError(
            f"Schools do not apply to trust-wide roles: {role.value} sees every school, "
            "so leave out --school.",
            "schools",
        )
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
            NEW_PASSWORD_ENV,
            f"Password for {username}: ",
            what="password for the new account",
            confirm=True,
        )
        if confirm is not None and confirm != password:
            raise ValidationError("The two passwords are not the same.")
        info = add_user(
            session,
            username=username,
            full_name=args.full_name,
            role=role.value,
            school_ids=[schools[name] for name in wanted],
            password=password,
        )
    where = ", ".join(info.schools) if info.schools else "every school"
    print(f"Added {info.username} as {info.role.label} for {where}.")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    """List every account with its role, schools and whether it is active."""
    from desktop.services.users import list_users

    with signed_in(store_path_for(args), args.user) as session:
        users = list_users(session)
    rows = [
        (
            u.username,
            u.full_name,
            u.role.label,
            ", ".join(u.schools) or "every school",
            "active" if u.active else "switched off",
        )
        for u in users
    ]
    print_table(HEADER, rows, shrink=SHRINK)
    return 0


def cmd_user_remove(args: argparse.Namespace) -> int:
    """Switch an account off and delete its key slot; its cases and audit entries stay."""
    import sys
    import time

    from desktop.domain.text import normalise_username
    from desktop.services.users import remove_user

    username = normalise_username(args.username)  # checked before signing in
    with signed_in(store_path_for(args), args.user) as session:
        if sys.stderr.isatty():  # for a person waiting; a script reads only the outcome
            print("Removing the account and giving the store a new key…", file=sys.stderr)
        started = time.perf_counter()
        remove_user(session, username=username)
        seconds = time.perf_counter() - started
    print(
        f"Removed {username} in {seconds:.1f} s: that password, and any "
        "old copy of the key file, no longer opens the store."
    )
    return 0


def cmd_user_reset_password(args: argparse.Namespace) -> int:
    """Give an account a one-time password, printed once, to be changed at its next sign-in."""
    from desktop.domain.text import normalise_username
    from desktop.services.users_access import reset_password

    username = normalise_username(args.username)  # checked before signing in
    with signed_in(store_path_for(args), args.user) as session:
        password = reset_password(session, username=username)
    print(
        f"One-time password for {username}: {password}\n"
        "Give it to them in person. Their old password and remembered devices no longer "
        "work; they must choose a new password when they next sign in."
    )
    return 0


def register(commands: Commands) -> None:
    from desktop.domain.roles import Role

    user = add_group(
        commands,
        "user",
        summary="add, list, remove user accounts or reset a password",
        description="Manage user accounts (needs a data protection lead's sign-in).",
    )
    add = add_command(
        user,
        "add",
        cmd_user_add,
        summary="add an account",
        description=f"Add an account. Its password comes from {NEW_PASSWORD_ENV} or is typed "
        "twice. School roles (front desk, business manager, headteacher) need at least one "
        "--school; trust roles see every school and take no --school.",
    )
    db_option(add)
    user_option(add)
    add.add_argument(
        "--username",
        required=True,
        help="the new account's username: letters, digits, dots, dashes or underscores",
    )
    add.add_argument("--full-name", required=True, metavar="NAME", help="their full name")
    add.add_argument(
        "--role", required=True, choices=[r.value for r in Role], help="what they may do"
    )
    add.add_argument(
        "--school", action="append", metavar="NAME", help="a school they work for; repeat"
    )

    listing = add_command(
        user,
        "list",
        cmd_user_list,
        summary="list the accounts",
        description="List every account, removed ones too: username, full name, role, the "
        "schools it may see, and whether it is active.",
    )
    db_option(listing)
    user_option(listing)

    remove = add_command(
        user,
        "remove",
        cmd_user_remove,
        summary="switch an account off",
        description="Switch an account off and delete its key slot. Its history stays.",
    )
    db_option(remove)
    user_option(remove)
    remove.add_argument("--username", required=True, help="the account to remove")

    reset = add_command(
        user,
        "reset-password",
        cmd_user_reset_password,
        summary="give an account a one-time password",
        description="Give an account a one-time password in place of its own, printed once "
        "to hand over in person; its old password and remembered devices stop working, and "
        "it must choose a new password at its next sign-in.",
    )
    db_option(reset)
    user_option(reset)
    reset.add_argument("--username", required=True, help="the account whose password to reset")
