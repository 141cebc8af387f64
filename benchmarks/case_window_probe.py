"""Opening a case window on a full case, in a fresh process.

    python benchmarks/case_window_probe.py STORE PASSWORD

Signs in as `admin`, gives the newest case 200 chronology entries and 50 evidence items in
all (through the services, as a person would add them: 40 text files and 10 small PNG
screenshots), then opens its `CaseWindow` OPENS times. Each open is timed from creating
the window to the window shown with its header and every tab's first load painted. The
first open also imports the tabs' modules. Prints one JSON object on stdout.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSettings  # noqa: E402
from PySide6.QtGui import QColor, QImage  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.qt_wait import wait_until  # noqa: E402

EVENTS = 200
EVIDENCE = 50
PICTURES = 10
OPENS = 6


def png(shade: int) -> bytes:
    image = QImage(640, 360, QImage.Format.Format_RGB32)
    image.fill(QColor(shade, 90, 140))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def fill_case(session) -> int:
    """The newest case, brought up to EVENTS entries and EVIDENCE items; returns its id.

    Evidence goes first: each item adds its own "evidence added" entry to the chronology."""
    from desktop.services import cases, chronology, evidence

    case_id = cases.list_cases(session, limit=1)[0].id
    have = len(evidence.list_evidence(session, case_id=case_id))
    for number in range(have, EVIDENCE):
        picture = number % (EVIDENCE // PICTURES) == 0
        evidence.add_evidence(
            session,
            case_id=case_id,
            filename=f"screenshot-{number}.png" if picture else f"email-{number}.txt",
            content=png(number * 4 % 255) if picture else b"An invented email.\n" * 40,
            description=f"Evidence item {number + 1}",
        )
    kind = next(k for k in chronology.MANUAL_KINDS if k.value == "note")
    have = len(chronology.list_events(session, case_id=case_id))
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    for number in range(have, EVENTS):
        chronology.add_event(
            session,
            case_id=case_id,
            kind=kind.value,
            occurred_at=start + dt.timedelta(hours=number),
            summary=f"Telephone call with the parent ({number + 1})",
            detail="The parent asked about the outcome of the meeting and was told in writing.",
        )
    return case_id


def open_once(session, case_id: int, state: QSettings) -> float:
    from desktop.ui.case_window import CaseWindow

    started = time.perf_counter()
    window = CaseWindow(session, case_id, state=state)
    waiting = [tab for tab in window.tabs if hasattr(tab, "loaded")]
    done: set[int] = set()
    for tab in waiting:
        tab.loaded.connect(lambda t=tab: done.add(id(t)))
    window.show()
    if not wait_until(lambda: window.header is not None and len(done) == len(waiting), 60):
        raise SystemExit("the case window did not finish loading")
    QApplication.processEvents()  # painted
    seconds = time.perf_counter() - started
    window.close()
    QApplication.processEvents()
    return seconds


def main(store: Path, password: str) -> int:
    QApplication(sys.argv[:1])
    from desktop.services import auth, chronology, evidence

    session = auth.sign_in(store, username="admin", password=password)
    case_id = fill_case(session)
    events = len(chronology.list_events(session, case_id=case_id))
    items = len(evidence.list_evidence(session, case_id=case_id))
    folder = tempfile.mkdtemp(prefix="state-", dir=os.environ.get("XDG_CACHE_HOME"))  # run.py's
    state = QSettings(str(Path(folder) / "state.ini"), QSettings.Format.IniFormat)
    opens = [open_once(session, case_id, state) * 1000 for _ in range(OPENS)]
    result = {
        "open_ms": opens[1:],
        "first_ms": opens[0],
        "events": events,
        "evidence": items,
        "note": f"first open of a process (tab modules imported) {opens[0]:.0f} ms",
    }
    print(json.dumps(result))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    raise SystemExit(main(Path(sys.argv[1]), sys.argv[2]))
