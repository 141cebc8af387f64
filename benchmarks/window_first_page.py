"""One cold measurement, in a fresh process: Sign in clicked -> main window showing rows.

Run by benchmarks/run.py as `python benchmarks/window_first_page.py STORE PASSWORD`; prints
two numbers: seconds from process start until the sign-in dialog is on screen, and seconds
from clicking Sign in until the main window shows the first page of cases.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

STARTED = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QTableView  # noqa: E402


def wait_until(app: QApplication, done, seconds: float = 30.0) -> bool:
    """Run the event loop until `done()`: sign-in and the first page arrive from threads."""
    deadline = time.perf_counter() + seconds
    while not done() and time.perf_counter() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
    return bool(done())


def main(store: Path, password: str) -> int:
    app = QApplication(sys.argv[:1])
    from desktop.ui.signin_dialog import SignInDialog

    dialog = SignInDialog(store, username="admin")
    dialog.show()
    app.processEvents()
    dialog_shown = time.perf_counter() - STARTED
    dialog.findChild(QLineEdit, "passwordEdit").setText(password)

    clicked = time.perf_counter()
    dialog.findChild(QPushButton, "signInButton").click()
    if not wait_until(app, lambda: dialog.session is not None):
        print("sign-in failed", file=sys.stderr)
        return 1
    from desktop.ui.main_window import MainWindow  # imported after sign-in, as in the app

    with tempfile.TemporaryDirectory() as folder:
        state = QSettings(str(Path(folder) / "state.ini"), QSettings.Format.IniFormat)
        window = MainWindow(dialog.session, state=state)
        window.show()
        model = window.findChild(QTableView, "caseTable").model()
        wait_until(app, lambda: model.rowCount() > 0)
        rows = model.rowCount()
        elapsed = time.perf_counter() - clicked
        window.close()
    if rows == 0:
        print("the main window showed no cases", file=sys.stderr)
        return 1
    print(f"{dialog_shown:.4f} {elapsed:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]), sys.argv[2]))
