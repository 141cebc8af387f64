"""One start-up, in a fresh process, reported the moment its first window has painted.

    python benchmarks/startup_probe.py app STORE   # Casebook as started by `casebook gui --db STORE`
    python benchmarks/startup_probe.py bare        # the baseline: an empty QMainWindow with a QTableView

Both print `shown PEAK_KIB` on stdout when the window's first paint event arrives (the same
hook in both), then leave at once. benchmarks/run.py times each from just before it starts
the process to that line, so interpreter start-up, imports and the first paint all count.
PEAK_KIB is the process's peak resident memory by then.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.peak import peak_kib  # noqa: E402

WATCHED = {"app": {"SignInDialog", "SetupWizard"}, "bare": {"QMainWindow"}}
GIVE_UP_MS = 60_000


def install_hook(app, names: set[str]) -> None:
    """Report and leave on the first paint of a top-level window whose class is in `names`."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
            if (
                event.type() == QEvent.Type.Paint
                and watched.isWidgetType()
                and watched.isWindow()
                and type(watched).__name__ in names
            ):
                sys.stdout.write(f"shown {peak_kib()}\n")
                sys.stdout.flush()
                os._exit(0)
            return False

    app._first_paint = FirstPaint(app)  # kept alive as long as the application
    app.installEventFilter(app._first_paint)
    QTimer.singleShot(GIVE_UP_MS, lambda: os._exit(3))


def bare() -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

    app = QApplication(sys.argv[:1])
    install_hook(app, WATCHED["bare"])
    window = QMainWindow()
    window.setCentralWidget(QTableView())
    window.show()
    return app.exec()


def casebook(store: str) -> int:
    import desktop.app
    from desktop.cli import main

    make_application = desktop.app.make_application

    def hooked(argv):
        app = make_application(argv)
        install_hook(app, WATCHED["app"])
        return app

    desktop.app.make_application = hooked
    return main(["gui", "--db", store])


if __name__ == "__main__":
    if sys.argv[1:2] == ["bare"]:
        raise SystemExit(bare())
    if sys.argv[1:2] == ["app"] and len(sys.argv) == 3:
        raise SystemExit(casebook(sys.argv[2]))
    raise SystemExit(__doc__)
