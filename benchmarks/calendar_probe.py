"""Opening the review calendar and changing its month, in a fresh process.

    python benchmarks/calendar_probe.py STORE PASSWORD

Signs in to the 10,000-case sample as `ceo` (a trust leader: every school), then opens the
`CalendarWindow` OPENS times, each timed from creating the window to its month shown and
painted with the month's items (its `loaded` signal), 1.5 s apart so the last window's
reading ahead is over (a person opens the calendar once, not five times in a row); the
first open also imports the calendar's modules and reads a cold store, and is reported
apart. Then, in the last window, Page Down and Page Up
MOVES times each on the month grid, timed from the key to the new month painted. Months
next to the one shown are read ahead in the background, as the window does for a person;
the wait before each key lets that finish, as a person reading the month would. Prints
one JSON object on stdout.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.qt_wait import pause, wait_until  # noqa: E402

OPENS = 5
MOVES = 4
READING_MS = 400  # a person looks at the month before paging on
SETTLE_MS = 1500  # between opens: the last window's reading ahead is done, as in use


def open_once(session, state: QSettings):  # noqa: ANN001, ANN201
    from desktop.ui.calendar_window import CalendarWindow

    started = time.perf_counter()
    window = CalendarWindow(session, state=state)
    shown: list[bool] = []
    window.loaded.connect(lambda: shown.append(True))
    window.show()
    if not wait_until(lambda: bool(shown), 60):
        raise SystemExit("the calendar did not load")
    QApplication.processEvents()  # painted
    return window, (time.perf_counter() - started) * 1000


def move_once(window, key: Qt.Key) -> float:  # noqa: ANN001
    pause(READING_MS)
    from desktop.ui.calendar_grid import MonthGrid

    grid = window.findChild(MonthGrid, "monthGrid")
    shown: list[bool] = []
    window.loaded.connect(lambda: shown.append(True))
    started = time.perf_counter()
    QTest.keyClick(grid, key)
    if not wait_until(lambda: bool(shown), 60):
        raise SystemExit("the month did not load")
    QApplication.processEvents()
    return (time.perf_counter() - started) * 1000


def main(store: Path, password: str) -> int:
    QApplication(sys.argv[:1])
    from desktop.services import auth

    session = auth.sign_in(store, username="ceo", password=password)
    folder = tempfile.mkdtemp(prefix="state-", dir=os.environ.get("XDG_CACHE_HOME"))
    state = QSettings(str(Path(folder) / "state.ini"), QSettings.Format.IniFormat)
    opens, window = [], None
    for _ in range(OPENS):
        if window is not None:
            pause(SETTLE_MS)  # the months either side are read ahead meanwhile
            window.close()
            QApplication.processEvents()
        window, ms = open_once(session, state)
        opens.append(ms)
    moves = []
    for _ in range(MOVES):
        moves.append(move_once(window, Qt.Key.Key_PageDown))
    for _ in range(MOVES):
        moves.append(move_once(window, Qt.Key.Key_PageUp))
    print(
        json.dumps(
            {
                "open_ms": statistics.median(opens[1:]),
                "first_open_ms": opens[0],
                "month_ms": statistics.median(moves),
                "month_max_ms": max(moves),
            }
        )
    )
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    raise SystemExit(main(Path(sys.argv[1]), sys.argv[2]))
