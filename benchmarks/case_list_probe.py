"""The case list on a big store, in a fresh process: search as you type, or scroll it all.

    python benchmarks/case_list_probe.py search STORE PASSWORD
    python benchmarks/case_list_probe.py memory STORE PASSWORD

Both sign in as `admin` and open the main window, as the app does, and print one JSON
object on stdout.

`search` types each word of WORDS a letter at a time, ROUNDS times. For each keystroke it
times the case list's own reload (what the window does once its typing pause has passed:
`CaseTableModel.set_filters`, the count and first page fetched off the UI thread, the rows
shown) and, straight after, the same query written by hand and run directly through
`sqlcipher3` on a second connection to the same file, the queries the app runs: the count
up to 1,001 (FTS5 trigram MATCH, or for one or two letters a LIKE over the index's copy of
the text), the newest-recorded matches and any case opened later than the page's oldest,
the first 100 rows newest first and their schools (not the Next due column's items, as
before). Milliseconds per keystroke, both lists in typing order.

`memory` shows every case (no status filter), scrolls the table from the first row to the
last (every page fetched) and back, then reports the process's peak resident memory.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableView  # noqa: E402

from benchmarks.peak import peak_kib  # noqa: E402
from benchmarks.qt_wait import wait_for, wait_until  # noqa: E402

WORDS = ("thompson", "rebecca", "mith", "CB-2025-01")
ROUNDS = 3
PAGE_ROWS = 100
COUNT_CAP = 1000  # desktop.services.cases.COUNT_CAP
REACH = 200  # the newest-recorded matches read for a first page (storage.search)
CHECK_LATER_MAX = 200

# Which cases match, as desktop/storage/search.py builds it: the trigram index for three
# letters or more, else the index's own copy of the text (its shadow table), read with
# SQLite's LIKE and `casefold` only for text beyond ASCII. `{id}` is the row's case id.
MATCHED = ("case_search", "case_search.rowid", "case_search.case_search MATCH ?1")
ONE_TEXT = (
    "({col} LIKE ?1 ESCAPE '\\' OR length(CAST({col} AS BLOB)) != length({col}) "
    "AND casefold({col}) LIKE ?1 ESCAPE '\\')"
)
LIKED = (
    "case_search_content",
    "case_search_content.id",
    " OR ".join(ONE_TEXT.format(col=f"case_search_content.{c}") for c in ("c0", "c1")),
)
COUNT = "SELECT count(*) FROM (SELECT {id} FROM {source} WHERE {where} LIMIT ?2)"
# The matches recorded last, read from the index newest first; `+ 0` keeps SQLite from
# looking the index up case by case.
NEWEST_RECORDED = (
    "SELECT cases.id, cases.opened_on FROM {source} JOIN cases ON cases.id = {id} + 0 "
    "WHERE {where} ORDER BY {id} DESC LIMIT ?2"
)
# Cases recorded before those but opened after the page's oldest: checked too.
OPENED_LATER = "SELECT id FROM cases WHERE opened_on > ?1 AND id + 0 < ?2 LIMIT ?3"
LATER_MATCHES = (
    "SELECT cases.opened_on, cases.id FROM {source} JOIN cases ON cases.id = {id} + 0 "
    "WHERE ({where}) AND {id} >= ?2 AND {id} < ?3 AND cases.id + 0 IN ({marks})"
)
PAGE = (
    "SELECT c.id, c.reference, p.given_name, p.family_name, c.status, c.stage, c.opened_on "
    "FROM cases c JOIN persons p ON p.id = c.subject_id WHERE c.id IN ({marks})"
)
SCHOOLS = (
    "SELECT cs.case_id, s.name FROM case_schools cs JOIN schools s ON s.id = cs.school_id "
    "WHERE cs.case_id IN ({marks}) ORDER BY s.name"
)


def direct_connection(store: Path, key: bytes):
    """A second connection to the store, keyed as the app keys its own."""
    import sqlcipher3

    conn = sqlcipher3.connect(str(store), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")  # hex of the store's random key
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.create_function(
        "casefold", 1, lambda v: v.casefold() if isinstance(v, str) else v, deterministic=True
    )
    return conn


def _marks(values: list) -> str:
    return ", ".join("?" for _ in values)


def direct_search(conn, text: str) -> tuple[int, bool, list[int]]:
    """The list's count and first page for one typed word, by hand, as the app reads them:
    the count up to COUNT_CAP + 1; the newest-recorded REACH matches (all of them when the
    count was finished) and any case opened later than the page's oldest but recorded
    before them; the page's rows and their schools.
    Returns the count as the list shows it (number, exact) and the page's case ids."""
    if len(text) >= 3:
        (source, row_id, where), argument = MATCHED, '"' + text.replace('"', '""') + '"'
    else:
        escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        (source, row_id, where), argument = LIKED, f"%{escaped}%"
    parts = {"source": source, "id": row_id, "where": where}
    conn.execute("BEGIN")
    try:
        counted = conn.execute(COUNT.format(**parts), (argument, COUNT_CAP + 1)).fetchone()[0]
        if not counted:
            return 0, True, []
        # Counted out (no more than the cap): every match is read and sorted.
        reach = max(REACH, counted + 1) if counted <= COUNT_CAP else REACH
        seen = conn.execute(NEWEST_RECORDED.format(**parts), (argument, reach)).fetchall()
        candidates = [(opened, case_id) for case_id, opened in seen]
        if len(seen) == reach:
            candidates.sort(reverse=True)
            oldest_id, page_from = seen[-1][0], candidates[PAGE_ROWS - 1][0]
            later = [
                r[0]
                for r in conn.execute(OPENED_LATER, (page_from, oldest_id, CHECK_LATER_MAX + 1))
            ]
            if len(later) > CHECK_LATER_MAX:
                raise SystemExit(f"{text!r}: the app would sort every match here")
            if later:
                query = LATER_MATCHES.format(**parts, marks=_marks(later))
                candidates += conn.execute(query, (argument, min(later), oldest_id, *later))
        candidates.sort(reverse=True)
        case_ids = [case_id for _, case_id in candidates[:PAGE_ROWS]]
        conn.execute(PAGE.format(marks=_marks(case_ids)), case_ids).fetchall()
        conn.execute(SCHOOLS.format(marks=_marks(case_ids)), case_ids).fetchall()
    finally:
        conn.execute("COMMIT")
    return min(counted, COUNT_CAP), counted <= COUNT_CAP, case_ids


def open_window(store: Path, password: str):
    from desktop.services import auth
    from desktop.ui import operations
    from desktop.ui.main_window import MainWindow

    session = auth.sign_in(store, username="admin", password=password)
    # Inside the run's temporary folder (run.py points XDG_CACHE_HOME there): this process
    # leaves by os._exit, so it would not remove a folder of its own.
    state_dir = tempfile.mkdtemp(prefix="state-", dir=os.environ.get("XDG_CACHE_HOME"))
    state = QSettings(str(Path(state_dir) / "state.ini"), QSettings.Format.IniFormat)
    window = MainWindow(session, state=state)
    window.resize(1200, 800)
    window.show()
    table = window.findChild(QTableView, "caseTable")
    model = table.model()
    if not wait_until(lambda: model.rowCount() > 0 and not model.loading, 60):
        raise SystemExit("the main window showed no cases")
    # What sign-in starts besides the list (the status bar's count of what is due, the
    # reminder, the print queue's count) runs to its end first: keystrokes are timed on a
    # window at rest, not against the sign-in's own reading.
    if not wait_until(lambda: operations.running() == 0, 60):
        raise SystemExit("the main window did not settle after sign-in")
    return session, window, table, model


def search(store: Path, password: str) -> dict[str, object]:
    app = QApplication.instance()
    session, window, table, model = open_window(store, password)
    conn = direct_connection(store, session.store.key)
    app_ms: list[float] = []
    direct_ms: list[float] = []
    matches: dict[str, int] = {}
    for number in range(ROUNDS + 1):  # the first round warms both up and is not counted
        for word in WORDS:
            for end in range(1, len(word) + 1):
                text = word[:end]
                started = time.perf_counter()
                if not wait_for(model.loaded, lambda t=text: model.set_filters(search=t)):
                    raise SystemExit(f"the case list did not load {text!r}")
                app.processEvents()  # the rows painted
                app_seconds = time.perf_counter() - started
                started = time.perf_counter()
                found, exact, page = direct_search(conn, text)
                direct_seconds = time.perf_counter() - started
                if (found, exact) != (model.total, model.total_exact):
                    shown = (model.total, model.total_exact)
                    raise SystemExit(f"{text!r}: the list found {shown}, SQL {(found, exact)}")
                if page != [model.case_at(i).id for i in range(model.rowCount())]:
                    raise SystemExit(f"{text!r}: the list and the SQL show different cases")
                if number:
                    app_ms.append(app_seconds * 1000)
                    direct_ms.append(direct_seconds * 1000)
                    matches[text] = found if exact else -found  # -1000: more than 1,000
    conn.close()
    window.close()
    return {"app_ms": app_ms, "direct_ms": direct_ms, "matches": matches}


def session_total(session) -> int:
    from desktop.services import cases

    return cases.count_cases(session)


def memory(store: Path, password: str) -> dict[str, object]:
    session, window, table, model = open_window(store, password)
    if model.total < session_total(session):  # the window opens on open cases: show them all
        wait_for(model.loaded, lambda: model.set_filters(search="", school_id=None, status=None))
    started = time.perf_counter()
    while model.rowCount() < model.total:
        before = model.rowCount()
        table.scrollToBottom()  # the view asks the model for the next page
        arrived = wait_until(lambda b=before: model.rowCount() > b and not model.loading, 60)
        if not arrived:
            raise SystemExit(f"scrolling stopped at row {model.rowCount()} of {model.total}")
    table.scrollToTop()
    QApplication.processEvents()
    seconds = time.perf_counter() - started
    result = {
        "peak_mb": peak_kib() / 1024,
        "rows": model.rowCount(),
        "total": model.total,
        "scroll_seconds": seconds,
    }
    window.close()
    return result


def main(mode: str, store: Path, password: str) -> int:
    QApplication(sys.argv[:1])
    chosen = {"search": search, "memory": memory}[mode]
    print(json.dumps(chosen(store, password)))
    sys.stdout.flush()
    os._exit(0)  # the figures are out; skip tearing down threads and windows


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("search", "memory"):
        raise SystemExit(__doc__)
    raise SystemExit(main(sys.argv[1], Path(sys.argv[2]), sys.argv[3]))
