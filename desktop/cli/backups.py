"""`casebook backup` and `casebook restore`: an encrypted copy of the store, and putting one back."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.cli.common import (
    PASSWORD_ENV,
    Commands,
    add_command,
    db_option,
    fail,
    read_secret,
    signed_in,
    store_path_for,
    user_option,
)
from desktop.errors import StoreExists, WrongPassword

if TYPE_CHECKING:
    from desktop.services.backups import BackupFacts, RestoreResult

DEFAULT_KEEP = 10  # as desktop.services.backups.DEFAULT_KEEP (not imported: --help stays quick)


def cmd_backup(args: argparse.Namespace) -> int:
    """Write one backup file into --out and print its path; older ones beyond --keep go."""
    from desktop.services.backups import check_backup_folder, make_backup

    path = store_path_for(args)
    folder = check_backup_folder(Path(args.out).expanduser())  # before asking for a password
    progress = _show_progress if sys.stderr.isatty() else None
    with signed_in(path, args.user) as session:
        try:
            info = make_backup(session, folder=folder, keep=args.keep, progress=progress)
        finally:
            if progress:
                sys.stderr.write("\n")
    print(info.path)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Say what the backup holds, then put it at --db (keeping any store there aside)."""
    from desktop.services import backups

    path = store_path_for(args)
    backup = Path(args.backup).expanduser()
    _print_facts(backup, backups.inspect_backup(backup))
    refused = (
        f"A case store already exists at {path}; nothing was changed. Add --force to restore "
        "over it: the store there is then kept beside the restored one under a new name, "
        "never deleted."
    )
    if not args.force and backups.store_present(path):
        return fail(refused)
    password = None
    if args.user:
        password = read_secret(PASSWORD_ENV, f"Password for {args.user}: ", what="password")[0]
    progress = _show_progress if sys.stderr.isatty() else None
    try:
        result = backups.restore_backup(
            backup,
            path,
            force=args.force,
            username=args.user,
            password=password,
            progress=progress,
        )
    except StoreExists:
        return fail(refused)
    except WrongPassword:
        return fail(
            "That username and password do not open the store in this backup (it needs a "
            "password that worked when the backup was made). Nothing was changed."
        )
    finally:
        if progress:
            sys.stderr.write("\n")
    _print_result(result)
    return 0


def _print_facts(backup: Path, facts: BackupFacts) -> None:
    from desktop.dates import format_datetime

    sample = " (a sample store of invented cases)" if facts.is_sample else ""
    print(f"Backup:       {backup}")
    print(f"Trust:        {facts.trust_name}{sample}")
    print(f"Cases:        {facts.cases:,}")
    print(f"Newest entry: {format_datetime(facts.newest_entry_at) or 'none'}")
    made = format_datetime(facts.created_at)
    print(f"Made on:      {made} by Casebook {facts.casebook_version}")


def _print_result(result: RestoreResult) -> None:
    print(f"Restored to {result.store_path}.")
    if result.kept_aside:
        print(
            f"The case store that was there is kept as {result.kept_aside[0]}, with its key "
            "file beside it."
        )
    check = result.check
    if check is None:
        print(
            "Not yet opened: sign in to it, then run `casebook audit verify --db "
            f"{result.store_path} --user USERNAME` to check its audit trail."
        )
        return
    entries = check.audit_entries
    trail = (
        f"its audit trail is intact ({entries:,} entr{'y' if entries == 1 else 'ies'})"
        if entries is not None
        else "its newest audit entry is the one the backup recorded"
    )
    print(f"Checked as {check.username}: it opens, every page is sound, and {trail}.")
    for notice in check.notices:
        print(f"casebook: warning: {notice}", file=sys.stderr)


def _show_progress(done: int, total: int, message: str) -> None:
    percent = 100 if total <= 0 else min(done * 100 // total, 100)
    sys.stderr.write(f"\r{message}: {percent:3d}%".ljust(60))
    sys.stderr.flush()


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of backups: use 1 or more")
    return value


def register(commands: Commands) -> None:
    backup = add_command(
        commands,
        "backup",
        cmd_backup,
        summary="write an encrypted backup of the case store",
        description="Write an encrypted backup of the whole case store (its database, key "
        "file and front-desk list, all from one moment) as one file in a folder, and keep "
        "only this store's last N backups there. Prints the backup file's path. The backup "
        "opens with the same passwords and recovery key as the store.",
    )
    db_option(backup)
    user_option(backup)
    backup.add_argument(
        "--out",
        required=True,
        metavar="FOLDER",
        help="the folder to write it in; it must exist (a drive not plugged in is refused)",
    )
    backup.add_argument(
        "--keep",
        type=_at_least_one,
        default=DEFAULT_KEEP,
        metavar="N",
        help=f"keep this store's last N backups in the folder, deleting older ones "
        f"({DEFAULT_KEEP})",
    )

    restore = add_command(
        commands,
        "restore",
        cmd_restore,
        summary="put a backup's case store in place",
        description="Check a backup, print what it holds, then put its case store at --db. "
        "A store already there is refused unless --force is given; it is then kept beside "
        "the restored one under a new name, never deleted. With --user, the restored copy "
        "is opened with that account's password and checked before anything is replaced.",
    )
    restore.add_argument("--backup", required=True, metavar="FILE", help="the backup file")
    db_option(restore)
    restore.add_argument(
        "--force",
        action="store_true",
        help="restore over an existing store, keeping that store aside under a new name",
    )
    restore.add_argument(
        "--user",
        metavar="USERNAME",
        help="open and check the restored copy as this user first (with the password it "
        "had when the backup was made)",
    )
