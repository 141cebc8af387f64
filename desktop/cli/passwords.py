"""`casebook recover` and `casebook passwd`: a new password, with the recovery key or the old one."""

from __future__ import annotations

import argparse

from desktop.cli.common import (
    NEW_PASSWORD_ENV,
    PASSWORD_ENV,
    RECOVERY_KEY_ENV,
    Commands,
    add_command,
    db_option,
    read_secret,
    require_store,
    sign_out,
    signed_in,
    store_path_for,
    user_option,
)


def cmd_recover(args: argparse.Namespace) -> int:
    """Set a new password with the recovery key, when the old one is lost."""
    from desktop.services.auth import reset_password_with_recovery_key

    path = store_path_for(args)
    require_store(path)
    key, _ = read_secret(RECOVERY_KEY_ENV, "Recovery key: ", what="recovery key")
    new, confirm = read_secret(
        NEW_PASSWORD_ENV, f"New password for {args.user}: ", what="new password", confirm=True
    )
    session = reset_password_with_recovery_key(
        path, recovery_key=key, username=args.user, new_password=new, confirm=confirm
    )
    sign_out(session)
    print(f"The password for {session.actor.username} has been reset; sign in with the new one.")
    print("The recovery key still works: keep it locked away.")
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    """Change your own password (your current one is needed)."""
    from desktop.services.auth import change_password

    path = store_path_for(args)
    require_store(path)
    current = read_secret(PASSWORD_ENV, f"Current password for {args.user}: ", what="password")[0]
    with signed_in(path, args.user, current) as session:
        new, confirm = read_secret(
            NEW_PASSWORD_ENV, "New password: ", what="new password", confirm=True
        )
        change_password(session, current_password=current, new_password=new, confirm=confirm)
    print(f"The password for {session.actor.username} has been changed.")
    return 0


def register(commands: Commands) -> None:
    recover = add_command(
        commands,
        "recover",
        cmd_recover,
        summary="set a new password with the recovery key",
        description=f"Set a new password for a user with the trust's recovery key (from "
        f"{RECOVERY_KEY_ENV}, or typed). The new password comes from {NEW_PASSWORD_ENV}, "
        "or is typed twice.",
    )
    db_option(recover)
    user_option(recover)

    passwd = add_command(
        commands,
        "passwd",
        cmd_passwd,
        summary="change your password",
        description=f"Change your password. The current one comes from {PASSWORD_ENV} or is "
        f"typed; the new one from {NEW_PASSWORD_ENV} or is typed twice.",
    )
    db_option(passwd)
    user_option(passwd)
