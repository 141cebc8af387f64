"""Time what people wait for: making the 10,000-case sample, signing in, searching.

Run by `make bench` (or `python benchmarks/run.py`). Uses the real Argon2 settings, so the
sign-in figure is what a user feels. Prints a table and exits 1 if a target is missed.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop.services import auth, cases  # noqa: E402
from desktop.services.demo import SAMPLE_PASSWORD, create_demo_store  # noqa: E402

CASES = 10_000
REPEATS = 5
SEARCH = "smi"
DEMO_TARGET = 30.0
FIRST_PAGE_TARGET = 1.0
SEARCH_TARGET = 0.5
DIALOG_TARGET = 1.0


def _seconds(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def first_page(path: Path, password: str) -> float:
    """From pressing Sign in to having the case count and the first 100 rows."""
    started = time.perf_counter()
    session = auth.sign_in(path, username="admin", password=password)
    cases.count_cases(session)
    cases.list_cases(session, limit=100)
    elapsed = time.perf_counter() - started
    auth.sign_out(session)
    return elapsed


def window_first_page(path: Path, password: str) -> tuple[float, float]:
    """Cold, in a fresh process each time: (start-up to sign-in dialog, click to rows)."""
    script = Path(__file__).with_name("window_first_page.py")
    runs = []
    for _ in range(REPEATS):
        out = subprocess.run(
            [sys.executable, str(script), str(path), password],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        runs.append((float(out[0]), float(out[1])))
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def search(path: Path, password: str) -> float:
    """One search as the user types it: the first page of matches."""
    session = auth.sign_in(path, username="admin", password=password)
    try:
        return statistics.median(
            _seconds(lambda: cases.list_cases(session, search=SEARCH, limit=100))
            for _ in range(REPEATS)
        )
    finally:
        auth.sign_out(session)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="casebook-bench-") as folder:
        path = Path(folder) / "bench.casebook"
        demo_seconds = _seconds(lambda: create_demo_store(path, cases=CASES, seed=1))
        page_seconds = statistics.median(first_page(path, SAMPLE_PASSWORD) for _ in range(REPEATS))
        search_seconds = search(path, SAMPLE_PASSWORD)
        dialog_seconds, window_seconds = window_first_page(path, SAMPLE_PASSWORD)

    rows = [
        (f"Make the {CASES:,}-case sample store", demo_seconds, DEMO_TARGET),
        (f"Sign in to first page (median of {REPEATS})", page_seconds, FIRST_PAGE_TARGET),
        (f'Search "{SEARCH}", first 100 (median of {REPEATS})', search_seconds, SEARCH_TARGET),
        (f"Start-up to sign-in dialog (cold, median of {REPEATS})", dialog_seconds, DIALOG_TARGET),
        ("Sign in clicked to window rows (cold, median)", window_seconds, FIRST_PAGE_TARGET),
    ]
    print(f"{'Measure':<54}{'Result':>10}{'Target':>10}  Status")
    missed = 0
    for label, seconds, target in rows:
        ok = seconds < target
        missed += not ok
        status = "ok" if ok else "MISSED"
        result, goal = f"{seconds:.3f} s", f"< {target:g} s"
        print(f"{label:<54}{result:>10}{goal:>10}  {status}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
