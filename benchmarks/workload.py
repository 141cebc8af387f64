"""The encryption figure: one fixed mix of service calls on SQLCipher and on plain SQLite.

Each round, on a copy of the 10,000-case sample: 40 cases opened, 10 of them closed and
reopened (20 updates), 40 searches as the case list makes them (count and first page; some
words short enough to need the LIKE fallback), and 40 cases fetched by reference. The
rounds alternate which engine goes first (ABBA), and each side's figure is its median.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import stores
from desktop.services import casefile, cases, trust
from desktop.services.session import UserSession

ROUNDS = 4
OPENED = 40
UPDATED = 10
SEARCHES = ("smith", "son", "patel", "rebecca", "CB-2025", "ell", "kh", "jo")
LOOKUPS = 40
FAMILY = ("Ashdown", "Bramley", "Coleby", "Dunmore", "Everley", "Fairbank", "Garside", "Holt")
GIVEN = ("Alex", "Bryony", "Callum", "Dana", "Eliot", "Farah", "Gus", "Hana")


@dataclass(frozen=True)
class EncryptionResult:
    encrypted_seconds: float
    plain_seconds: float

    @property
    def ratio(self) -> float:
        return self.encrypted_seconds / self.plain_seconds


def one_round(session: UserSession, references: list[str], round_number: int) -> None:
    """The fixed mix of calls (the same every round, apart from the names of new cases)."""
    school_ids = [s.id for s in trust.list_schools(session)]
    opened = []
    for i in range(OPENED):
        opened.append(
            cases.open_case(
                session,
                given_name=GIVEN[i % len(GIVEN)],
                family_name=f"{FAMILY[i % len(FAMILY)]}{round_number}",
                relationship="parent",
                school_ids=[school_ids[i % len(school_ids)]],
                opened_on=dt.date(2026, 10, 1) + dt.timedelta(days=i % 28),
                summary="Shouted at the office staff over a late bus pass.",
            )
        )
    for row in opened[:UPDATED]:
        casefile.close_case(session, case_id=row.id, reason="Resolved after a meeting.")
        casefile.reopen_case(session, case_id=row.id, reason="Another incident was reported.")
    for i in range(OPENED):
        word = SEARCHES[i % len(SEARCHES)]
        cases.count_cases(session, search=word)
        cases.list_cases(session, search=word, limit=100)
    wanted = references[: LOOKUPS // 2] + [row.reference for row in opened[: LOOKUPS // 2]]
    for reference in wanted:
        cases.get_case(session, reference=reference)


def measure(sample: Path) -> EncryptionResult:
    """Time the workload on a copy of `sample` (a closed store) and on a plain copy of it."""
    with tempfile.TemporaryDirectory(prefix="casebook-bench-enc-") as folder:
        encrypted = stores.copy_store(sample, Path(folder) / "encrypted", "encrypted.casebook")
        plain = stores.plain_copy(sample, Path(folder) / "plain")
        sessions = {
            "encrypted": stores.open_with_engine(encrypted),
            "plain": stores.open_with_engine(plain, plain=True),
        }
        try:
            references = [
                row.reference for row in cases.list_cases(sessions["encrypted"], limit=LOOKUPS)
            ]
            times: dict[str, list[float]] = {"encrypted": [], "plain": []}
            for number in range(ROUNDS):
                order = ("encrypted", "plain") if number % 4 in (0, 3) else ("plain", "encrypted")
                for side in order:
                    started = time.perf_counter()
                    one_round(sessions[side], references, number)
                    times[side].append(time.perf_counter() - started)
        finally:
            for session in sessions.values():
                session.close()
    return EncryptionResult(
        statistics.median(times["encrypted"]), statistics.median(times["plain"])
    )
