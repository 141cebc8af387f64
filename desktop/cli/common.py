"""What every `casebook` command shares: options, secrets, signing in, output, exit codes.

Command modules import from here; this module never imports a command module, so the
package has no import cycle. Services are imported inside functions, as in the commands.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import logging
import os
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from desktop.errors import CasebookError, StoreMissing, user_message

if TYPE_CHECKING:
    from desktop.services.session import UserSession

PASSWORD_ENV = "CASEBOOK_PASSWORD"  # nosec B105  # an environment variable's name
NEW_PASSWORD_ENV = "CASEBOOK_NEW_PASSWORD"  # nosec B105  # an environment variable's name
CODE_ENV = "CASEBOOK_CODE"  # two-step sign-in: a code from the app, for one command
RECOVERY_KEY_ENV = "CASEBOOK_RECOVERY_KEY"
LOG_FILE_NAME = "casebook-cli.log"
MIN_TABLE_WIDTH = 100  # when the output is not a terminal, or its width is unknown
MIN_SHRUNK_COLUMN = 10
ELLIPSIS = "…"

log = logging.getLogger("casebook.cli")

Command = Callable[[argparse.Namespace], int]


class Commands(Protocol):
    """The `add_parser` side of argparse's subcommands object (its class is private)."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


class NoTerminal(CasebookError):
    """A secret is needed, none was given in the environment, and there is no one to ask."""


# -- building commands -----------------------------------------------------------------------
def add_command(
    commands: Commands, name: str, func: Command, *, summary: str, description: str
) -> argparse.ArgumentParser:
    """One command: `summary` for the command list, `description` for its own --help."""
    sub = commands.add_parser(name, help=summary, description=description)
    sub.set_defaults(func=func)
    return sub


def add_group(commands: Commands, name: str, *, summary: str, description: str) -> Commands:
    """A command with subcommands (`casebook user add`); add them with `add_command`."""
    group = commands.add_parser(name, help=summary, description=description)
    return group.add_subparsers(dest=f"{name}_command", metavar="COMMAND", required=True)


def usual_store() -> str:
    from desktop.paths import default_store_path

    return str(default_store_path())


def db_option(sub: argparse.ArgumentParser, default: str | None = None) -> None:
    """`--db PATH`, which may also come before the command (`casebook --db PATH cases`)."""
    shown = usual_store() if default is None else default
    sub.add_argument("--db", metavar="PATH", help=f"the case store file (default: {shown})")


def user_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--user", required=True, metavar="USERNAME", help="who is signing in")


def iso_date(text: str) -> dt.date:
    """An argparse type: a YYYY-MM-DD date, or a usage error that shows the format."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: use YYYY-MM-DD, for example 2026-11-24"
        ) from None


# -- the store, secrets and signing in -------------------------------------------------------
def chosen_path(args: argparse.Namespace) -> Path | None:
    """The --db given after the command or before it, if any."""
    chosen = getattr(args, "db", None) or getattr(args, "top_db", None)
    return Path(chosen).expanduser() if chosen else None


def store_path_for(args: argparse.Namespace, *, sample: bool = False) -> Path:
    """The --db given (after the command or before it), else the usual or the sample store."""
    from desktop.paths import default_store_path, sample_store_path

    return chosen_path(args) or (sample_store_path() if sample else default_store_path())


def require_store(path: Path) -> None:
    """Refuse at once, before asking for a password or touching the key file, a store that
    is missing, foreign, cut short, or without a sound key file beside it."""
    from desktop.services.store_files import check_store_files

    if not path.exists():
        raise StoreMissing(f"There is no case store at {path}.")
    check_store_files(path)


def read_secret(
    env: str, prompt: str, *, what: str, confirm: bool = False
) -> tuple[str, str | None]:
    """A secret from the environment, or typed (twice when `confirm`) at the terminal."""
    value = os.environ.get(env)
    if value:
        return value, None
    if not sys.stdin.isatty():
        raise NoTerminal(f"No {what} was given: set {env}, or run this in a terminal to type it.")
    try:
        first = getpass.getpass(prompt)
        again = getpass.getpass("Type it again to confirm: ") if confirm else None
    except UnicodeDecodeError:  # bytes typed that are not UTF-8 text
        raise NoTerminal(
            f"What was typed for the {what} is not UTF-8 text; type it again."
        ) from None
    return first, again


@contextmanager
def signed_in(path: Path, username: str, password: str | None = None) -> Iterator[UserSession]:
    """Sign in for one command and always sign out (locking the store) afterwards."""
    from desktop.domain.second_factor import SecondFactorStep
    from desktop.services import auth

    require_store(path)
    if password is None:
        password = read_secret(PASSWORD_ENV, f"Password for {username}: ", what="password")[0]
    session = auth.sign_in(path, username=username, password=password)
    if session.second_factor_step is SecondFactorStep.CODE:
        try:  # two-step sign-in: the code from the app, or a recovery code
            code = read_secret(CODE_ENV, "Code from your authenticator app: ", what="code")[0]
            auth.verify_second_factor(session, code)
        except BaseException:
            sign_out(session)
            raise
    for notice in session.notices:
        print(f"casebook: warning: {notice}", file=sys.stderr)
    try:
        yield session
    finally:
        sign_out(session)


def sign_out(session: UserSession) -> None:
    from desktop.services import auth

    try:
        auth.sign_out(session)
    except Exception:
        log.warning("Signing out could not be recorded; the store is locked anyway.")
        session.close()


# -- output ----------------------------------------------------------------------------------
def print_json(value: object) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def output_width() -> int:
    """The terminal's width; at least MIN_TABLE_WIDTH when it is a file, a pipe or unknown."""
    columns = shutil.get_terminal_size(fallback=(0, 0)).columns
    if columns <= 0 or not sys.stdout.isatty():
        return max(columns, MIN_TABLE_WIDTH)
    return columns


def fit_widths(
    natural: Sequence[int], available: int, shrink: Sequence[Sequence[int]], gap: int = 2
) -> list[int]:
    """Column widths that fit `available`, narrowing the columns in `shrink` group by group.

    Within a group the widest column gives way first; none goes below MIN_SHRUNK_COLUMN,
    so on a very narrow terminal the table may still be wider than the screen.
    """
    widths = list(natural)
    excess = sum(widths) + gap * (len(widths) - 1) - available
    for group in shrink:
        while excess > 0:
            widest = max(group, key=lambda i: widths[i])
            if widths[widest] <= MIN_SHRUNK_COLUMN:
                break
            widths[widest] -= 1
            excess -= 1
    return widths


def truncate(cell: str, width: int) -> str:
    return cell if len(cell) <= width else cell[: max(width - 1, 0)] + ELLIPSIS


def print_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    shrink: Sequence[Sequence[int]] = (),
    width: int | None = None,
) -> None:
    """Left-aligned columns, one line per row, cut with "…" to fit the terminal."""
    lines = [header, *rows]
    natural = [max(len(line[i]) for line in lines) for i in range(len(header))]
    widths = fit_widths(natural, output_width() if width is None else width, shrink)
    for line in lines:
        cells = (truncate(c, w).ljust(w) for c, w in zip(line, widths, strict=True))
        print("  ".join(cells).rstrip())


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'s' * (count != 1)}"


# -- running and failing ---------------------------------------------------------------------
class _StderrHandler(logging.Handler):
    """Writes to whatever sys.stderr is at the time, so redirection is always honoured."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def setup_logging() -> None:
    root = logging.getLogger()
    if root.handlers:  # the app or a test harness has already decided
        return
    handler = _StderrHandler(logging.WARNING)
    handler.setFormatter(logging.Formatter("casebook: %(levelname)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


def log_unexpected(exc: BaseException) -> None:
    """Keep where it happened for support, as the window's log does (desktop.diagnostics)."""
    from desktop import logfiles
    from desktop.dates import utc_now
    from desktop.diagnostics import describe_exception
    from desktop.paths import log_dir

    text = f"{utc_now().isoformat(timespec='seconds')} unexpected {describe_exception(exc)}\n"
    with suppress(OSError):
        logfiles.append_entry(log_dir() / LOG_FILE_NAME, text)


def fail(message: str) -> int:
    print(f"casebook: {message}", file=sys.stderr)
    return 1


def run_command(func: Command, args: argparse.Namespace) -> int:
    """Run a command, turning every failure into an exit code and at most one line."""
    try:
        return func(args)
    except KeyboardInterrupt:
        return 130
    except EOFError:
        return fail("Cancelled: nothing was typed.")
    except BrokenPipeError:
        with suppress(Exception):  # the reader went away (`| head`); say nothing more
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (CasebookError, OSError) as exc:
        return fail(user_message(exc))
    except Exception as exc:
        log_unexpected(exc)
        return fail(user_message(exc))
