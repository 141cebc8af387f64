"""The engine's transactions: writers queue for the lock instead of failing or interleaving."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from desktop.storage.engine import (
    BUSY_TIMEOUT_MS,
    configure_new_database,
    make_engine,
    session_factory,
    writing,
)
from desktop.storage.keyvault import new_database_key

HOLD = 0.3  # how long the first writer keeps the lock once the second is waiting


@pytest.fixture
def engines(tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on one WAL store, as two processes (or two users) would have."""
    path, key = tmp_path / "two.casebook", new_database_key()
    first, second = make_engine(path, key), make_engine(path, key)
    configure_new_database(first, path)
    with first.begin() as conn:
        conn.execute(text("CREATE TABLE numbers (n INTEGER PRIMARY KEY, who TEXT)"))
    yield first, second
    first.dispose()
    second.dispose()


def _take_next(db: Session, who: str) -> int:
    """Read the highest number, write the next: the pattern of case references and audit ids."""
    n = int(db.scalar(text("SELECT coalesce(max(n), 0) + 1 FROM numbers")) or 0)
    db.execute(text("INSERT INTO numbers (n, who) VALUES (:n, :who)"), {"n": n, "who": who})
    return n


def test_busy_timeout_is_set_on_every_connection(engines: tuple[Engine, Engine]) -> None:
    first, _ = engines
    with first.connect() as a, first.connect() as b:
        for conn in (a, b):
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
    assert BUSY_TIMEOUT_MS >= 5000


def test_a_writer_waits_for_the_other_and_sees_its_number(
    engines: tuple[Engine, Engine],
) -> None:
    first, second = session_factory(engines[0]), session_factory(engines[1])
    waiting = threading.Event()
    result: dict[str, object] = {}

    def second_writer() -> None:
        started = time.monotonic()
        waiting.set()
        try:
            with writing(second) as db:
                result["n"] = _take_next(db, "second")
        except Exception as exc:  # reported to the main thread below
            result["error"] = exc
        result["waited"] = time.monotonic() - started

    with writing(first) as db:
        # The lock is taken at BEGIN, before anything is read or written.
        thread = threading.Thread(target=second_writer)
        thread.start()
        assert waiting.wait(5)
        time.sleep(HOLD)
        assert "n" not in result and "error" not in result  # still queued for the lock
        assert _take_next(db, "first") == 1
    thread.join(10)

    assert "error" not in result, result.get("error")
    assert result["n"] == 2  # read after the first writer committed: no clash, no gap
    assert isinstance(result["waited"], float) and result["waited"] >= HOLD * 0.9


def test_readers_are_not_held_up_by_a_writer(engines: tuple[Engine, Engine]) -> None:
    first, second = session_factory(engines[0]), session_factory(engines[1])
    with writing(first) as db:
        _take_next(db, "first")
        started = time.monotonic()
        with second.begin() as reader:  # a read transaction: plain BEGIN
            assert reader.scalar(text("SELECT count(*) FROM numbers")) == 0  # not committed yet
        assert time.monotonic() - started < 1
    with second.begin() as reader:
        assert reader.scalar(text("SELECT count(*) FROM numbers")) == 1


def test_a_write_transaction_that_fails_leaves_nothing(engines: tuple[Engine, Engine]) -> None:
    sessions: sessionmaker[Session] = session_factory(engines[0])
    with pytest.raises(RuntimeError), writing(sessions) as db:
        _take_next(db, "doomed")
        raise RuntimeError("part way through")
    with writing(sessions) as db:
        assert _take_next(db, "next") == 1
