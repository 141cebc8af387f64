"""The `casebook` command: set up a store, list cases, manage users, check the audit trail.

For administrators, scripts and support staff working without the window. It never imports
Qt widgets; only `casebook gui` (or no command at all) hands over to `desktop.app`. Services
are imported inside each command so `casebook --help` answers at once.

Each command group is one module here with a `register(commands)` function, listed once in
COMMAND_GROUPS; what they share (options, secrets, signing in, tables, exit codes) is in
`desktop.cli.common`, which never imports a command module.

Exit codes: 0 done, 1 a problem explained in one line on stderr, 2 a usage mistake,
130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from desktop import __version__
from desktop.cli.common import (
    NEW_PASSWORD_ENV,
    PASSWORD_ENV,
    RECOVERY_KEY_ENV,
    Command,
    run_command,
    setup_logging,
)

# In the order `casebook --help` lists them. A new group: its module, plus one name here.
COMMAND_GROUPS = (
    "store",
    "cases",
    "casefile",
    "letters",
    "calendar",
    "reports",
    "frontdesk",
    "audit",
    "backups",
    "passwords",
    "users",
    "gui",
)


def build_parser() -> argparse.ArgumentParser:
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
    for name in COMMAND_GROUPS:
        importlib.import_module(f"desktop.cli.{name}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code; never shows a traceback."""
    from desktop.cli.gui import cmd_gui

    setup_logging()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage mistake
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
    unreadable = _unreadable_secret()
    if unreadable:  # checked here, once, so no command meets it half-way through
        print(
            f"casebook: {unreadable} holds bytes that are not UTF-8 text. Set it again, or "
            "unset it and type the secret when asked.",
            file=sys.stderr,
        )
        return 2
    func: Command = getattr(args, "func", cmd_gui)
    return run_command(func, args)


def _unreadable_secret() -> str | None:
    """The first secret variable set to bytes that are not UTF-8 (Python keeps each such
    byte as a lone surrogate, which no password check or key derivation can take)."""
    from desktop.domain.text import is_text

    for name in (PASSWORD_ENV, NEW_PASSWORD_ENV, RECOVERY_KEY_ENV):
        if not is_text(os.environ.get(name, "")):
            return name
    return None
