"""`casebook init` and `casebook demo`: create a trust's case store, or a sample one."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from desktop.cli.common import (
    PASSWORD_ENV,
    Commands,
    add_command,
    db_option,
    iso_date,
    read_secret,
    sign_out,
    store_path_for,
)
from desktop.errors import StoreExists, ValidationError


def cmd_init(args: argparse.Namespace) -> int:
    """Create a new store, print its recovery key once, optionally save the recovery sheet."""
    from desktop.domain.text import clean_username
    from desktop.paths import keys_file_for
    from desktop.services.setup import (
        AdminDraft,
        SchoolDraft,
        TrustDraft,
        clean_admin,
        clean_trust,
        create_store,
        new_recovery_key,
    )

    path = store_path_for(args)
    if path.exists() or keys_file_for(path).exists():
        raise StoreExists(f"A case store already exists at {path}; Casebook will not overwrite it.")
    # Check everything typed on the command line before asking for a password.
    trust = clean_trust(
        TrustDraft(args.trust, "", None, tuple(SchoolDraft(s) for s in args.school))
    )
    username = clean_username(args.admin)
    sheet = Path(args.recovery_sheet).expanduser() if args.recovery_sheet else None
    if sheet is not None and (sheet.is_dir() or not sheet.parent.is_dir()):
        raise ValidationError(f"Cannot save the recovery sheet as {sheet}.", "recovery_sheet")
    if sheet is not None and (sheet.exists() or sheet.is_symlink()) and not args.force:
        raise ValidationError(
            f"{sheet} already exists; choose another name, or add --force to replace it.",
            "recovery_sheet",
        )
    password, confirm = read_secret(
        PASSWORD_ENV, f"Choose a password for {username}: ", what="password", confirm=True
    )
    admin = clean_admin(AdminDraft(username, args.admin_name, password, confirm))
    recovery_key = new_recovery_key()
    pending = None
    if sheet:
        pending = _write_pending_sheet(sheet, trust.name, path, recovery_key, admin.full_name)
    try:
        result = create_store(path, trust=trust, admin=admin, recovery_key=recovery_key)
    except BaseException:
        if pending:
            pending.unlink(missing_ok=True)
        raise
    sign_out(result.session)
    count = len(trust.schools)
    print(f"Created the case store for {trust.name} ({count} school{'s' * (count != 1)}):")
    print(f"  {path}")
    print(f"Sign in as {username!r} with the password you chose.")
    print()
    print(f"Recovery key: {result.recovery_key}")
    print()
    print("Keep this key safe. It is shown only this once and is the only way back in if every")
    print("password is lost. Write it down or print it and lock it away from this computer:")
    print("anyone with the key and a copy of the store can read every case.")
    if pending and sheet:  # moved into place only now, so the key above is shown regardless
        try:
            os.replace(pending, sheet)
        except BaseException:
            pending.unlink(missing_ok=True)
            raise
        print(f"Recovery sheet saved to {sheet}: print it, lock it away, then delete the file.")
    return 0


def _write_pending_sheet(
    sheet: Path, trust_name: str, store: Path, recovery_key: str, created_by: str
) -> Path:
    """Write the sheet beside its final name first, so a failed setup leaves no stray key."""
    from desktop.services.setup import recovery_sheet_pdf

    data = recovery_sheet_pdf(
        trust_name=trust_name,
        store_name=store.name,
        recovery_key=recovery_key,
        created_by=created_by,
    )
    fd, name = tempfile.mkstemp(prefix=".recovery-", suffix=".pdf", dir=sheet.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def cmd_demo(args: argparse.Namespace) -> int:
    """Create a sample store of invented cases with an account for every role."""
    from desktop.services.demo import SAMPLE_ACCOUNTS, SAMPLE_PASSWORD, create_demo_store

    path = store_path_for(args, sample=True)
    chosen = os.environ.get(PASSWORD_ENV)
    # The same rule as the window's sample: the published password, or the one given.
    password = chosen or SAMPLE_PASSWORD
    progress = _show_progress if sys.stderr.isatty() else None
    started = time.perf_counter()
    try:
        result = create_demo_store(
            path,
            cases=args.cases,
            seed=args.seed,
            password=password,
            today=args.today,
            progress=progress,
        )
    finally:
        if progress:
            sys.stderr.write("\n")
    elapsed = time.perf_counter() - started
    roles = {account[0]: account[2].label for account in SAMPLE_ACCOUNTS}
    print(f"Created a sample store of {result.cases:,} invented cases in {elapsed:.1f} s:")
    print(f"  {result.path}")
    print("Accounts:")
    for username in result.usernames:
        print(f"  {username:<10} {roles.get(username, '')}")
    if chosen:
        print(f"Every account's password is the one in {PASSWORD_ENV}.")
    else:
        print(f"Every account's password: {result.password} (set {PASSWORD_ENV} to choose one)")
    print("The window marks this store as a sample; record no real cases in it.")
    return 0


def _show_progress(done: int, total: int, message: str) -> None:
    percent = 100 if total <= 0 else done * 100 // total
    sys.stderr.write(f"\r{message}: {percent:3d}%".ljust(60))
    sys.stderr.flush()


def register(commands: Commands) -> None:
    from desktop.paths import sample_store_path

    init = add_command(
        commands,
        "init",
        cmd_init,
        summary="create a new case store for a trust",
        description="Create a new encrypted case store for a trust and its schools, with its "
        "first administrator (a data protection lead). Prints the recovery key once.",
    )
    db_option(init)
    init.add_argument("--trust", required=True, metavar="NAME", help="the trust's name")
    init.add_argument(
        "--school",
        required=True,
        action="append",
        metavar="NAME",
        help="a school's name; repeat for each school",
    )
    init.add_argument("--admin", required=True, metavar="USERNAME", help="the first user's name")
    init.add_argument(
        "--admin-name",
        default="Administrator",
        metavar="FULL_NAME",
        help="the first user's full name (default: Administrator)",
    )
    init.add_argument(
        "--recovery-sheet",
        metavar="PDF_PATH",
        help="also save the recovery key as a printable PDF sheet (a new file)",
    )
    init.add_argument(
        "--force",
        action="store_true",
        help="let --recovery-sheet replace a file that already exists",
    )

    demo = add_command(
        commands,
        "demo",
        cmd_demo,
        summary="create a sample store of invented cases",
        description="Create a sample store of invented cases, with one account for every "
        "role, to try Casebook out. Every account gets the same password.",
    )
    db_option(demo, str(sample_store_path()))
    demo.add_argument("--cases", type=int, default=200, metavar="N", help="how many (200)")
    demo.add_argument("--seed", type=int, default=1, metavar="S", help="vary the sample (1)")
    demo.add_argument(
        "--today",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="date the sample as if today were this day (default: today)",
    )
