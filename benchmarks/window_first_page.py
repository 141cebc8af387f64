"""One cold measurement, in a fresh process: Sign in clicked -> main window showing rows.

Run by benchmarks/run.py as `python benchmarks/window_first_page.py STORE PASSWORD [TYPING]`;
prints two numbers: seconds from process start until the sign-in dialog is on screen, and
seconds from clicking Sign in until the main window shows the first page of cases.

As in the app, the dialog starts loading the sign-in code, and the main window's modules
are loaded in the background once it shows (`desktop.app.run_flow` does the same); the
click comes TYPING seconds later (default 0: at once), the time a person takes to type.
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

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QTableView  # noqa: E402

# Sign-in and the first page arrive from threads: wait in an event loop that sleeps.
from benchmarks.qt_wait import wait_until  # noqa: E402
from desktop.ui.worker import preload  # noqa: E402


def main(store: Path, password: str, typing: float = 0.0) -> int:
    app = QApplication(sys.argv[:1])
    from desktop.ui.signin_dialog import SignInDialog

    dialog = SignInDialog(store, username="admin")
    dialog.show()
    app.processEvents()
    dialog_shown = time.perf_counter() - STARTED
    preload("desktop.ui.main_window")  # as desktop.app.run_flow does
    if typing:
        wait_until(lambda: False, typing)  # the event loop runs while the password is typed
    dialog.findChild(QLineEdit, "passwordEdit").setText(password)

    clicked = time.perf_counter()
    dialog.findChild(QPushButton, "signInButton").click()
    if not wait_until(lambda: dialog.session is not None):
        print("sign-in failed", file=sys.stderr)
        return 1
    from desktop.ui.main_window import MainWindow  # imported after sign-in, as in the app

    with tempfile.TemporaryDirectory() as folder:
        state = QSettings(str(Path(folder) / "state.ini"), QSettings.Format.IniFormat)
        window = MainWindow(dialog.session, state=state)
        window.show()
        model = window.findChild(QTableView, "caseTable").model()
        wait_until(lambda: model.rowCount() > 0)
        app.processEvents()  # the rows painted
        rows = model.rowCount()
        elapsed = time.perf_counter() - clicked
        window.close()
    if rows == 0:
        print("the main window showed no cases", file=sys.stderr)
        return 1
    print(f"{dialog_shown:.4f} {elapsed:.4f}")
    return 0


if __name__ == "__main__":
    typing = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    raise SystemExit(main(Path(sys.argv[1]), sys.argv[2], typing))
