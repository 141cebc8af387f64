"""The annual board report over the big store, in a fresh process.

    python benchmarks/report_probe.py STORE PASSWORD

Signs in as `ceo` (the trust leader: every school) and makes the anonymised annual report
for the last school year before the store's day (1 September 2025 to 31 August 2026, set
against the year before), ROUNDS times: each from calling the service
(`board_report.annual_report`, every figure counted by the database, and its audit entry)
to the PDF made (`annual_report_pdf`, charts included). The first round also imports
ReportLab and registers the fonts; the figure is the median of the others. Prints one JSON
object on stdout: the seconds of each round, the service's and the PDF's share of the
median round, the incidents in the period and the PDF's pages.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop.services import auth, board_report  # noqa: E402

ROUNDS = 6
PERIOD = (dt.date(2025, 9, 1), dt.date(2026, 8, 31))


def _pages(pdf: bytes) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def main(store: Path, password: str) -> int:
    session = auth.sign_in(store, username="ceo", password=password)
    rounds: list[tuple[float, float]] = []
    try:
        for _ in range(ROUNDS):
            started = time.perf_counter()
            report = board_report.annual_report(session, start=PERIOD[0], end=PERIOD[1])
            counted = time.perf_counter()
            pdf = board_report.annual_report_pdf(report)
            rounds.append((counted - started, time.perf_counter() - counted))
    finally:
        auth.sign_out(session)
    totals = [query + layout for query, layout in rounds]
    later = rounds[1:]
    middle = sorted(later, key=sum)[len(later) // 2]
    print(
        json.dumps(
            {
                "seconds": [round(t, 4) for t in totals],
                "median_seconds": round(statistics.median(totals[1:]), 4),
                "first_seconds": round(totals[0], 4),
                "service_seconds": round(middle[0], 4),
                "pdf_seconds": round(middle[1], 4),
                "incidents": report.section("totals").figure("Incidents recorded").current,
                "pages": _pages(pdf),
            }
        )
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    raise SystemExit(main(Path(sys.argv[1]), sys.argv[2]))
