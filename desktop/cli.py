"""The `casebook` command: set up a store, list cases, manage users, check the audit trail.

For administrators, scripts and support staff working without the window. It never imports
Qt widgets; only `casebook gui` (or no command at all) hands over to `desktop.app`. Services
are imported inside each command so `casebook --help` answers at once.

Exit codes: 0 done, 1 a problem explained in one line on stderr, 2 a usage mistake,
130 interrupted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import logging
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from desktop import __version__
from desktop.errors import CasebookError, StoreExists, StoreMissing, ValidationError, user_message

if TYPE_CHECKING:
    from desktop.services.cases import CaseRow
    from desktop.services.session import UserSession

PASSWORD_ENV = "CASEBOOK_PASSWORD"
NEW_PASSWORD_ENV = "CASEBOOK_NEW_PASSWORD"
RECOVERY_KEY_ENV = "CASEBOOK_RECOVERY_KEY"
LOG_FILE_NAME = "casebook-cli.log"

log = logging.getLogger("casebook.cli")


class NoTerminal(CasebookError):
    """A secret is needed, none was given in the environment, and there is no one to ask."""


# -- small helpers ---------------------------------------------------------------------------
def _chosen_path(args: argparse.Namespace) -> Path | None:
    chosen = getattr(args, "db", None) or args.top_db
    return Path(chosen).expanduser() if chosen else None


def store_path_for(args: argparse.Namespace, *, sample: bool = False) -> Path:
    """The --db given (after the command or before it), else the usual or the sample store."""
    from desktop.paths import default_store_path, sample_store_path

    return _chosen_path(args) or (sample_store_path() if sample else default_store_path())


def _require_store(path: Path) -> None:
    if not path.exists():
        raise StoreMissing(f"There is no case store at {path}.")


def read_secret(
    env: str, prompt: str, *, what: str, confirm: bool = False
) -> tuple[str, str | None]:
    """A secret from the environment, or typed (twice when `confirm`) at the terminal."""
    value = os.environ.get(env)
    if value:
        return value, None
    if not sys.stdin.isatty():
        raise NoTerminal(f"No {what} was given: set {env}, or run this in a terminal to type it.")
    first = getpass.getpass(prompt)
    again = getpass.getpass("Type it again to confirm: ") if confirm else None
    return first, again


def _password(username: str) -> str:
    return read_secret(PASSWORD_ENV, f"Password for {username}: ", what="password")[0]


@contextmanager
def signed_in(path: Path, username: str, password: str | None = None) -> Iterator[UserSession]:
    """Sign in for one command and always sign out (locking the store) afterwards."""
    from desktop.services import auth

    _require_store(path)
    if password is None:
        password = _password(username)
    session = auth.sign_in(path, username=username, password=password)
    try:
        yield session
    finally:
        _sign_out(session)


def _sign_out(session: UserSession) -> None:
    from desktop.services import auth

    try:
        auth.sign_out(session)
    except Exception:
        log.warning("Signing out could not be recorded; the store is locked anyway.")
        session.close()


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: use YYYY-MM-DD, for example 2026-11-24"
        ) from None


# -- commands --------------------------------------------------------------------------------
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
    _sign_out(result.session)
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
    from desktop.dates import uk_today
    from reports.recovery_sheet import build_recovery_sheet

    data = build_recovery_sheet(
        trust_name=trust_name,
        store_name=store.name,
        recovery_key=recovery_key,
        created_on=uk_today(),
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
    import secrets

    from desktop.services.demo import SAMPLE_ACCOUNTS, create_demo_store

    path = store_path_for(args, sample=True)
    chosen = os.environ.get(PASSWORD_ENV)
    password = chosen or secrets.token_urlsafe(12)
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
        print(f"Every account's password: {result.password}")
    return 0


def _show_progress(done: int, total: int, message: str) -> None:
    percent = 100 if total <= 0 else done * 100 // total
    sys.stderr.write(f"\r{message}: {percent:3d}%".ljust(60))
    sys.stderr.flush()


def cmd_cases(args: argparse.Namespace) -> int:
    """List the cases this user may see, as a table or as JSON."""
    from desktop.services.cases import all_cases

    path = store_path_for(args)
    with signed_in(path, args.user) as session:
        if args.school:
            rows = _cases_at_school(session, args.school, args.status)
        else:
            rows = all_cases(session, status=args.status)
    if args.json:
        print(json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2))
    else:
        _print_table(rows)
    return 0


def _cases_at_school(session: UserSession, name: str, status: str | None) -> list[CaseRow]:
    from desktop.services.cases import list_cases
    from desktop.services.trust import list_schools

    schools = list_schools(session, include_inactive=True)
    matches = [s.id for s in schools if s.name.casefold() == " ".join(name.split()).casefold()]
    if not matches:
        known = "; ".join(s.name for s in schools) or "none"
        raise ValidationError(f"You have no school called {name!r}. Your schools: {known}.")
    rows: list[CaseRow] = []
    while True:
        page = list_cases(session, school_id=matches[0], status=status, offset=len(rows), limit=500)
        rows.extend(page)
        if len(page) < 500:
            return rows


def _print_table(rows: Sequence[CaseRow]) -> None:
    from desktop.dates import format_date
    from desktop.domain.cases import stage_label

    header = ("Reference", "Subject", "Schools", "Status", "Stage", "Opened")
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
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    for line in [header, *lines]:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )
    print(f"{len(rows):,} case{'s' * (len(rows) != 1)}")


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Walk the hash-chained audit trail and say whether every entry is as written."""
    from desktop.errors import AuditChainBroken
    from desktop.services.audit import verify_chain

    path = store_path_for(args)
    with signed_in(path, args.user) as session:
        report = verify_chain(session)
    if report.broken_at is not None:
        raise AuditChainBroken(report.broken_at, report.reason)
    print(f"Audit trail intact: {report.entries} entries")
    return 0


def cmd_recover(args: argparse.Namespace) -> int:
    """Set a new password with the recovery key, when the old one is lost."""
    from desktop.services.auth import reset_password_with_recovery_key

    path = store_path_for(args)
    _require_store(path)
    key, _ = read_secret(RECOVERY_KEY_ENV, "Recovery key: ", what="recovery key")
    new, confirm = read_secret(
        NEW_PASSWORD_ENV, f"New password for {args.user}: ", what="new password", confirm=True
    )
    session = reset_password_with_recovery_key(
        path, recovery_key=key, username=args.user, new_password=new, confirm=confirm
    )
    _sign_out(session)
    print(f"The password for {session.actor.username} has been reset; sign in with the new one.")
    print("The recovery key still works: keep it locked away.")
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    """Change your own password (your current one is needed)."""
    from desktop.services.auth import change_password

    path = store_path_for(args)
    _require_store(path)
    current = read_secret(PASSWORD_ENV, f"Current password for {args.user}: ", what="password")[0]
    with signed_in(path, args.user, current) as session:
        new, confirm = read_secret(
            NEW_PASSWORD_ENV, "New password: ", what="new password", confirm=True
        )
        change_password(session, current_password=current, new_password=new, confirm=confirm)
    print(f"The password for {session.actor.username} has been changed.")
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    """Open the Casebook window."""
    from desktop.app import main as gui_main

    return gui_main(store_path=_chosen_path(args))


# -- the parser ------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    from desktop.paths import default_store_path, sample_store_path

    usual = str(default_store_path())
    parser = argparse.ArgumentParser(
        prog="casebook",
        description=(
            "Casebook keeps a school trust's Parent Code of Conduct case files in an "
            "encrypted store. Run it without a command to open the window."
        ),
        epilog=(
            f"Passwords are read from {PASSWORD_ENV} (and {NEW_PASSWORD_ENV}, "
            f"{RECOVERY_KEY_ENV}) when set; otherwise Casebook asks for them."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--db", dest="top_db", metavar="PATH", help="the case store file")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    def command(name: str, func: Callable[[argparse.Namespace], int], summary: str, text: str):
        sub = commands.add_parser(name, help=summary, description=text)
        sub.set_defaults(func=func)
        return sub

    def db_option(sub: argparse.ArgumentParser, default: str) -> None:
        sub.add_argument("--db", metavar="PATH", help=f"the case store file (default: {default})")

    def user_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--user", required=True, metavar="USERNAME", help="who is signing in")

    init = command(
        "init",
        cmd_init,
        "create a new case store for a trust",
        "Create a new encrypted case store for a trust and its schools, with its first "
        "administrator (a data protection lead). Prints the recovery key once.",
    )
    db_option(init, usual)
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
        help="also save the recovery key as a printable PDF sheet",
    )

    demo = command(
        "demo",
        cmd_demo,
        "create a sample store of invented cases",
        "Create a sample store of invented cases, with one account for every role, to try "
        "Casebook out. Every account gets the same password.",
    )
    db_option(demo, str(sample_store_path()))
    demo.add_argument("--cases", type=int, default=200, metavar="N", help="how many (200)")
    demo.add_argument("--seed", type=int, default=1, metavar="S", help="vary the sample (1)")
    demo.add_argument(
        "--today",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="date the sample as if today were this day (default: today)",
    )

    cases = command(
        "cases",
        cmd_cases,
        "list the cases you may see",
        "List the cases this user may see, newest first: reference, subject, schools, "
        "status, stage and the date opened.",
    )
    db_option(cases, usual)
    user_option(cases)
    cases.add_argument("--json", action="store_true", help="print JSON instead of a table")
    cases.add_argument("--status", choices=("open", "closed"), help="only open or closed cases")
    cases.add_argument("--school", metavar="NAME", help="only cases at this school")

    audit = commands.add_parser(
        "audit", help="check the audit trail", description="Work with the audit trail."
    )
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)
    verify = audit_commands.add_parser(
        "verify",
        help="check that no audit entry was changed or removed",
        description="Check every audit entry against the hash chain. Exits 1 and names the "
        "first entry that was changed, removed or added out of turn.",
    )
    verify.set_defaults(func=cmd_audit_verify)
    db_option(verify, usual)
    user_option(verify)

    recover = command(
        "recover",
        cmd_recover,
        "set a new password with the recovery key",
        f"Set a new password for a user with the trust's recovery key (from "
        f"{RECOVERY_KEY_ENV}, or typed). The new password comes from {NEW_PASSWORD_ENV}, "
        "or is typed twice.",
    )
    db_option(recover, usual)
    user_option(recover)

    passwd = command(
        "passwd",
        cmd_passwd,
        "change your password",
        f"Change your password. The current one comes from {PASSWORD_ENV} or is typed; "
        f"the new one from {NEW_PASSWORD_ENV} or is typed twice.",
    )
    db_option(passwd, usual)
    user_option(passwd)

    from desktop.cli_users import add_user_commands

    add_user_commands(commands, db_option, user_option, usual)

    gui = command("gui", cmd_gui, "open the Casebook window (the default)", "Open the window.")
    db_option(gui, "the store you last opened")
    return parser


# -- running ---------------------------------------------------------------------------------
class _StderrHandler(logging.Handler):
    """Writes to whatever sys.stderr is at the time, so redirection is always honoured."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def _setup_logging() -> None:
    root = logging.getLogger()
    if root.handlers:  # the app or a test harness has already decided
        return
    handler = _StderrHandler(logging.WARNING)
    handler.setFormatter(logging.Formatter("casebook: %(levelname)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


def _log_unexpected(exc: BaseException) -> None:
    """Keep where it happened for support, but not the message: it may hold personal data."""
    from desktop.dates import utc_now
    from desktop.paths import log_dir

    kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
    frames = "".join(traceback.format_tb(exc.__traceback__))
    text = f"{utc_now().isoformat(timespec='seconds')} unexpected {kind}\n{frames}\n"
    with suppress(OSError):
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / LOG_FILE_NAME).open("a", encoding="utf-8") as handle:
            handle.write(text)


def _fail(message: str) -> int:
    print(f"casebook: {message}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code; never shows a traceback."""
    _setup_logging()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage mistake
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
    func: Callable[[argparse.Namespace], int] = getattr(args, "func", cmd_gui)
    try:
        return func(args)
    except KeyboardInterrupt:
        return 130
    except EOFError:
        return _fail("Cancelled: nothing was typed.")
    except BrokenPipeError:
        with suppress(Exception):  # the reader went away (`| head`); say nothing more
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (CasebookError, OSError) as exc:
        return _fail(user_message(exc))
    except Exception as exc:
        _log_unexpected(exc)
        return _fail(user_message(exc))
