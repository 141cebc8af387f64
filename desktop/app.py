"""Start-up only: the display check, logging, the error hook, and the first window."""

from __future__ import annotations

import logging
import os
import sys
import threading
import traceback
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog

import desktop
from desktop import logfiles, paths
from desktop.diagnostics import describe_exception
from desktop.errors import CasebookError, DatabaseDamaged, StoreDamaged, StoreMissing

if TYPE_CHECKING:
    from desktop.ui.check_window import CheckWindow
    from desktop.ui.damaged_store_dialog import DamagedStoreDialog
    from desktop.ui.main_window import MainWindow
    from desktop.ui.setup_wizard import SetupWizard
    from desktop.ui.signin_dialog import SignInDialog
    from desktop.ui.store_lock import StoreLock

log = logging.getLogger("casebook")

NO_DISPLAY_MESSAGE = (
    "Casebook could not find a display, so its window cannot open here.\n"
    "On a desktop, start Casebook from inside the desktop session.\n"
    "On a server or over SSH, use a virtual screen: xvfb-run -a casebook\n"
    "The command line works without a display: casebook --help"
)
LOG_NAME = logfiles.WINDOW_LOG
# After the first dialog shows, the main window's modules start loading (ms).
MAIN_WINDOW_PRELOAD_MS = 250
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
    file_path = paths.log_dir() / LOG_NAME
    path: Path | None = file_path
    try:
        handler: logging.Handler = logfiles.rotating_handler(file_path)
    except OSError:
        handler, path = logging.StreamHandler(sys.stderr), None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # Alembic announces each plugin and migration step at INFO: noise in a support log.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    _handler = handler
    return path


_STACK_LIMIT = 12


def qt_context(skip: int = 2) -> str:
    """The Python stack that led here and the widget chain with focus, for a log entry.

    Only class and object names are recorded: they say which window and field, not what
    was typed in it.
    """
    stack = traceback.format_list(traceback.extract_stack()[:-skip][-_STACK_LIMIT:])
    lines = ["Called from (most recent call last):\n", *stack] if stack else []
    widget = QApplication.focusWidget() if QApplication.instance() is not None else None
    chain: list[str] = []
    while widget is not None and len(chain) < 12:
        name = widget.objectName()
        chain.append(f"{type(widget).__name__}({name})" if name else type(widget).__name__)
        widget = widget.parentWidget()
    if chain:
        lines.append(f"Focus: {' < '.join(chain)}\n")
    return "".join(lines)


class _ErrorRelay(QObject):
    """Carries an exception to the UI thread's event loop, where the dialog can open.

    The dialog always waits for the event loop, even when the error comes on the UI thread:
    it may have been raised inside a signal handler or a delegate's editor, and a modal
    dialog opened there would run a nested event loop while that editor is torn down
    underneath it. From another thread the signal is queued by Qt; on the UI thread `show`
    queues itself with a zero timer. Either way the dialog opens only after Qt has finished
    with the failing handler. (Not a queued connection: naming one loads Qt's namespace,
    some 14 ms, before the first dialog can show.)
    """

    raised = Signal(object)

    def __init__(self, log_path: Path | None) -> None:
        super().__init__()
        self.log_path = log_path
        self._lock = threading.Lock()
        self._busy = False  # a dialog is queued or open: further errors are only logged
        self.raised.connect(self.show)

    def report(self, exc: BaseException) -> None:
        with self._lock:
            if self._busy:
                return
            self._busy = True
        self.raised.emit(exc)

    @Slot(object)
    def show(self, exc: BaseException) -> None:
        QTimer.singleShot(0, partial(self._show_now, exc))

    def _show_now(self, exc: BaseException) -> None:
        try:
            if QApplication.instance() is None:
                return
            from desktop.ui import error_dialog

            error_dialog.show_error(exc, self.log_path, QApplication.activeWindow())
        except Exception as failure:
            log.error("error_dialog.failed\n%s", describe_exception(failure))
        finally:
            with self._lock:
                self._busy = False


_relay: _ErrorRelay | None = None


def install_excepthook(log_path: Path | None) -> None:
    """Log every uncaught exception and tell the person in plain words; carry on after."""
    global _relay
    _relay = relay = _ErrorRelay(log_path)

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        if exc.__traceback__ is None and tb is not None:
            exc = exc.with_traceback(tb)
        on_ui_thread = threading.current_thread() is threading.main_thread()
        try:
            context = qt_context() if on_ui_thread else ""
        except Exception:  # the log entry must be written even if the context cannot be
            context = ""
        log.error("uncaught_exception\n%s", describe_exception(exc, context))
        relay.report(exc)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            hook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook


def make_application(argv: list[str]) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(["casebook", *argv])
    app.setApplicationName(desktop.APP_NAME)
    app.setOrganizationName(desktop.APP_NAME)
    app.setApplicationVersion(desktop.__version__)
    app.setWindowIcon(QIcon(str(paths.RESOURCES_DIR / "icons" / "casebook.svg")))
    return app


def run_flow(store_path: Path) -> MainWindow | CheckWindow | None:
    """Sign in (or set up a new store), then show the main window; None if cancelled.

    The dialog appears first; the main window's modules load in the background while the
    person types, so neither wait adds to the other.
    """
    from desktop.ui.store_lock import StoreLock, lock_path_for

    # Held from before sign-in until the program quits, so a second copy says who has the
    # store open instead of asking for a password it cannot use. The setup wizard holds it
    # too: two wizards must not make the same store.
    lock = StoreLock(store_path)
    if not lock.claim():
        log.info("startup.store_in_use")
        return None
    # Only a folder with no database at all is a first run. A database that is foreign, cut
    # short or without a sound key file beside it is said so at once, with the way forward
    # (restoring a backup), instead of asking for a password that cannot help; the setup
    # wizard never runs there, so no new key file is ever made beside it.
    dialog: SignInDialog | SetupWizard | DamagedStoreDialog
    wizard: SetupWizard | None = None
    if store_path.exists():
        problem = store_problem(store_path)
        if problem is not None:
            dialog = _damaged_store_dialog(store_path, problem, lock)
        else:
            from desktop.ui.signin_dialog import SignInDialog

            dialog = SignInDialog(store_path, offer_restore=True)
    else:
        from desktop.ui.setup_wizard import SetupWizard

        dialog = wizard = SetupWizard(
            store_path, sample_path=paths.sample_store_path(), store_lock=lock
        )
    # The main window's modules load in the background once the dialog is up (started
    # before, they would compete with it for the interpreter and slow its first paint).
    QTimer.singleShot(MAIN_WINDOW_PRELOAD_MS, preload_main_window)
    result = dialog.exec()
    from desktop.ui.damaged_store_dialog import RESTORE_WANTED

    if result == RESTORE_WANTED:  # the sign-in found damage only the password could show
        # The sign-in dialog keeps what it refused with as `refusal` when it finishes so.
        refused = getattr(dialog, "refusal", None) or DatabaseDamaged(store_path.name)
        dialog.deleteLater()
        dialog = _damaged_store_dialog(store_path, refused, lock)
        result = dialog.exec()
    session = dialog.session if result == QDialog.DialogCode.Accepted else None
    if session is None:
        lock.release()
        log.info("startup.cancelled")
        return None
    dialog.deleteLater()
    # The wizard may have opened the sample store instead, or made the folder the lock file
    # goes in; claiming a lock this process holds already changes nothing.
    opened = store_path if wizard is None else wizard.opened_path or store_path
    if lock_path_for(opened) != lock.path:
        lock.release()
        lock = StoreLock(opened)
    if not lock.claim():
        log.info("startup.store_in_use")
        _sign_out(session)
        return None
    from desktop.services.frontdesk import FrontDeskSession

    window: MainWindow | CheckWindow
    if isinstance(session, FrontDeskSession):
        # The front desk sees the visitor check and nothing else.
        from desktop.ui.check_window import CheckWindow

        window = CheckWindow(session, front_desk=True)
    else:
        from desktop.ui.main_window import MainWindow

        window = MainWindow(session)
    lock.keep_while_open(window)
    window.show()
    log.info("startup.signed_in")
    for notice in getattr(session, "notices", ()):
        from desktop.ui.messages import Messenger

        Messenger.warn(window, "The key file was changed outside Casebook", notice)
    return window


def preload_main_window() -> None:
    from desktop.ui.worker import preload

    preload("desktop.ui.main_window")


def store_problem(store_path: Path) -> CasebookError | None:
    """Why the store cannot be opened, as far as can be told without a password: a typed
    error the damaged-store dialog explains, or None (sign-in finds the rest). Reads only."""
    from desktop.services.store_files import check_store_files

    try:
        check_store_files(store_path)
    except (StoreDamaged, StoreMissing) as exc:
        log.warning("startup.store_unusable: %s", type(exc).__name__)
        return exc
    except OSError as exc:  # the sign-in dialog says what the disk said
        log.warning("startup.store_unreadable: %s", type(exc).__name__)
    return None


def _damaged_store_dialog(
    store_path: Path, problem: BaseException, lock: StoreLock
) -> DamagedStoreDialog:
    from desktop.ui.damaged_store_dialog import DamagedStoreDialog

    return DamagedStoreDialog(store_path, problem, store_lock=lock)


def _sign_out(session) -> None:
    """Close a session the window will not use; the key goes even if the audit cannot."""
    from desktop.services import auth

    try:
        auth.sign_out(session)
    except Exception as exc:
        log.warning("sign_out.failed: %s", type(exc).__name__)
        session.close()


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
