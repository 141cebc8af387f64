"""Start-up only: the display check, logging, the error hook, and the first window."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog

import desktop
from desktop import paths

log = logging.getLogger("casebook")

NO_DISPLAY_MESSAGE = (
    "Casebook could not find a display, so its window cannot open here.\n"
    "On a desktop, start Casebook from inside the desktop session.\n"
    "On a server or over SSH, use a virtual screen: xvfb-run -a casebook\n"
    "The command line works without a display: casebook --help"
)
LOG_NAME = "casebook.log"
_handler: logging.Handler | None = None


def display_missing(platform: str | None = None) -> bool:
    """True on Linux when Qt would have no screen to draw on (and would abort)."""
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return False
    return not any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def stop_logging() -> None:
    """Detach and close Casebook's log file (at exit, and between tests)."""
    global _handler
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
        _handler.close()
        _handler = None


def setup_logging() -> Path | None:
    """Log event names and tracebacks to a rotating file; never case data or secrets."""
    global _handler
    stop_logging()
    root = logging.getLogger()
    path = paths.log_dir() / LOG_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        handler, path = logging.StreamHandler(sys.stderr), None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    _handler = handler
    return path


def describe_exception(exc: BaseException) -> str:
    """Where an exception happened, for the log: types and frames, never its message.

    Messages can carry a person's name or typed text, so only the code path is kept.
    """
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        prefix = "caused by " if lines else ""
        lines.append(f"{prefix}{kind.__module__}.{kind.__qualname__}\n")
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_tb(current.__traceback__))
        current = current.__cause__ or current.__context__
    return "".join(lines)


class _ErrorRelay(QObject):
    """Carries an exception from any thread to the UI thread, where the dialog can open."""

    raised = Signal(object)

    def __init__(self, log_path: Path | None) -> None:
        super().__init__()
        self.log_path = log_path
        self._showing = False
        self.raised.connect(self.show)  # direct on the UI thread, queued from others

    @Slot(object)
    def show(self, exc: BaseException) -> None:
        if self._showing or QApplication.instance() is None:
            return  # one box at a time; a failure inside the box is only logged
        self._showing = True
        try:
            from desktop.ui import error_dialog

            error_dialog.show_error(exc, self.log_path, QApplication.activeWindow())
        except Exception as failure:
            log.error("error_dialog.failed\n%s", describe_exception(failure))
        finally:
            self._showing = False


_relay: _ErrorRelay | None = None


def install_excepthook(log_path: Path | None) -> None:
    """Log every uncaught exception and tell the person in plain words; carry on after."""
    global _relay
    _relay = relay = _ErrorRelay(log_path)

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        log.error("uncaught_exception\n%s", describe_exception(exc))
        relay.raised.emit(exc)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            hook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook


def make_application(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication(["casebook", *argv])
    app.setApplicationName(desktop.APP_NAME)
    app.setOrganizationName(desktop.APP_NAME)
    app.setApplicationVersion(desktop.__version__)
    app.setWindowIcon(QIcon(str(paths.RESOURCES_DIR / "icons" / "casebook.svg")))
    return app  # type: ignore[return-value]


def run_flow(store_path: Path):  # -> MainWindow | None
    """Sign in (or set up a new store), then show the main window; None if cancelled.

    The dialog appears first; the main window's modules load in the background while the
    person types, so neither wait adds to the other.
    """
    # A database without its key file still goes to sign-in, which explains what is missing;
    # only a folder with no database at all is a first run.
    from desktop.ui.worker import preload

    if store_path.exists():
        from desktop.ui.signin_dialog import SignInDialog

        dialog = SignInDialog(store_path)
    else:
        from desktop.ui.setup_wizard import SetupWizard

        dialog = SetupWizard(store_path, sample_path=paths.sample_store_path())
    preload("desktop.ui.main_window")
    if dialog.exec() != QDialog.DialogCode.Accepted or getattr(dialog, "session", None) is None:
        log.info("startup.cancelled")
        return None
    session = dialog.session
    dialog.deleteLater()
    from desktop.ui.main_window import MainWindow

    window = MainWindow(session)
    window.show()
    log.info("startup.signed_in")
    return window


def main(argv: list[str] | None = None, *, store_path: Path | None = None) -> int:
    """Open the Casebook window; returns the process exit code."""
    argv = [] if argv is None else list(argv)  # Qt's own options; the CLI has parsed the rest
    if display_missing():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 1
    log_path = setup_logging()
    log.info("startup version=%s", desktop.__version__)
    app = make_application(argv)
    install_excepthook(log_path)
    try:
        window = run_flow(store_path or paths.default_store_path())
    except Exception as exc:  # say so in a window: a desktop launcher has no terminal
        log.error("startup.failed\n%s", describe_exception(exc))
        from desktop.ui import error_dialog

        error_dialog.show_error(exc, log_path)
        stop_logging()
        return 1
    if window is None:
        return 0
    code = app.exec()
    log.info("shutdown")
    stop_logging()
    return code
