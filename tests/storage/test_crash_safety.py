"""Crash safety, shown by killing Casebook mid-write hundreds of times (issue 12).

A worker process writes through the services (cases, the key file, backups) and says
after each call returns what it made; it is killed with SIGKILL at a random moment. After
every kill the store must open with the right password, pass SQLite's and SQLCipher's
checks, verify its audit trail, and hold every record a call returned; a backup cut short
must leave nothing under a backup's name, and the next backup removes what it left.

The kill moments come from a seeded random: CASEBOOK_CRASH_SEED=<seed> runs the same
choices again (the timing of a kill against the worker's progress still varies).
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest
from sqlalchemy import select as sql_select

from desktop.errors import StoreDamaged, WrongPassword
from desktop.services import audit, auth, backups, users
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.storage import migrate
from desktop.storage import models as m
from desktop.storage.backup import NAME_PATTERN, PARTIAL_NOTE, store_problems
from desktop.storage.filestore import EncryptedFileStore
from desktop.storage.frontdesk import front_desk_path_for, read_list
from desktop.storage.keyvault import KeyFile, keys_path_for
from tests.conftest import ADMIN_PASSWORD

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="kills forked workers")

ROOT = Path(__file__).resolve().parents[2]
LEADER_PASSWORD = "leader password 1"
KILLS = {"cases": 70, "keys": 65, "backups": 65}
SIGNING_IN = 0.1  # the share of runs whose kill may land while the worker signs in
KEEP = 3  # backups kept
LONGEST_WAIT = 0.2  # seconds from a worker's start to its kill, at most
WAIT_FOR_WORD = 60.0


class Speaker:
    """A child process that answers in JSON lines; its errors go to a file."""

    def __init__(self, args: list[str], errors: Path) -> None:
        self.errors = errors
        with errors.open("wb") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.storage.crash_child", *args],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=sink,
            )
        self._buffer = b""

    def tell(self, text: str) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(text.encode() + b"\n")
        stdin.flush()

    def hear(self, context: str) -> dict[str, Any]:
        stdout: IO[bytes] | None = self.process.stdout
        assert stdout is not None
        deadline = time.monotonic() + WAIT_FOR_WORD
        while b"\n" not in self._buffer:
            ready, _, _ = select.select([stdout], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(stdout.fileno(), 65536) if ready else b""
            if not chunk:
                raise AssertionError(f"{context}: no word from the child\n{self.stderr()}")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return dict(json.loads(line))

    def stderr(self) -> str:
        return self.errors.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Ledger:
    """What the workers said had returned, and what must therefore be in the store."""

    password: str = ADMIN_PASSWORD
    cases: dict[int, str] = field(default_factory=dict)
    records: dict[str, set[int]] = field(
        default_factory=lambda: {"incident": set(), "event": set(), "step": set(), "letter": set()}
    )
    accounts: dict[str, str] = field(default_factory=dict)  # username -> password
    removed: set[str] = field(default_factory=set)
    unsure: set[str] = field(default_factory=set)  # a removal cut short: either way will do
    backups: list[tuple[str, dt.datetime]] = field(default_factory=list)
    kills: collections.Counter[str] = field(default_factory=collections.Counter)

    def take(self, said: list[dict[str, Any]]) -> tuple[str | None, list[str], list[str]]:
        """Note a run's lines; (a password change cut short, accounts added, removed)."""
        new_password, removing = None, None
        added: list[str] = []
        removed: list[str] = []
        for line in said:
            if "case" in line:
                self.cases[line["case"]] = line["reference"]
            for name in ("incident", "event", "step"):
                if name in line:
                    self.records[name].add(line[name])
            if line.get("letter") is not None:
                self.records["letter"].add(line["letter"])
            if line.get("intent") == "password":
                new_password = line["new"]
            elif "password" in line and "added" not in line:
                self.password, new_password = line["password"], None
            elif line.get("intent") == "remove":
                removing = line["username"]
            elif "added" in line:
                self.accounts[line["added"]] = line["password"]
                added.append(line["added"])
            elif "removed" in line:
                self.removed.add(line["removed"])
                self.unsure.discard(line["removed"])
                removed.append(line["removed"])
                removing = None
            elif "backup" in line:
                self.backups.append((line["backup"], dt.datetime.fromisoformat(line["at"])))
        if removing is not None:
            self.unsure.add(removing)
        return new_password, added, removed


@dataclass
class Places:
    store: Path
    backups: Path

    def leftovers(self) -> set[Path]:
        """A backup's temporary files: snapshot folders beside the store, half-written files."""
        snapshots = self.store.parent.glob(f".{self.store.name}.backup-*")
        return set(snapshots) | set(self.backups.glob(".casebook-backup-*.partial"))


def _sign_in_admin(ledger: Ledger, places: Places, maybe: str | None, where: str) -> UserSession:
    """The newest password that returned; or, if a change was cut short, the old or new."""
    tries = [maybe, ledger.password] if maybe else [ledger.password]
    for password in tries:
        try:
            session = auth.sign_in(places.store, username="admin", password=password)
        except WrongPassword:
            continue
        ledger.password = password
        return session
    raise AssertionError(f"{where}: no password opens the store (tried {tries})")


def _front_desk_key(session: UserSession) -> bytes:
    store = session.store
    assert isinstance(store, EncryptedFileStore)
    return store.keys.front_desk


def _front_desk_list(session: UserSession, key: bytes | None = None) -> dict[str, Any] | None:
    """The list, opened with the session's front-desk key (or `key`); it may be locked."""
    store = session.store
    path = front_desk_path_for(Path(store.identity.location))
    return read_list(path, key or _front_desk_key(session), store.identity.store_id)


def _check_store(session: UserSession, ledger: Ledger, where: str) -> None:
    problems = store_problems(session.store)
    assert problems == [], f"{where}: {problems}"
    report = audit.verify_chain(session)
    assert report.intact, f"{where}: {report.findings}"
    content = _front_desk_list(session)  # opens with the key file as it is
    assert content is None or "restrictions" in content, where
    with session.transaction() as db:
        cases = db.execute(
            sql_select(m.Case.id, m.Case.reference).where(m.Case.id.in_(ledger.cases))
        )
        assert {row.id: row.reference for row in cases} == ledger.cases, where
        columns = {
            "incident": m.Incident.id,
            "event": m.CaseEvent.id,
            "step": m.CaseStep.id,
            "letter": m.IssuedLetter.id,
        }
        for name, column in columns.items():
            ids = ledger.records[name]
            found = set(db.scalars(sql_select(column).where(column.in_(ids))))
            assert found == ids, f"{where}: {name} rows lost: {sorted(ids - found)}"
        rows = db.execute(
            sql_select(m.User.username, m.User.active).where(m.User.username.in_(ledger.accounts))
        )
        active = {row.username: row.active for row in rows}
    for username in ledger.accounts:
        if username in ledger.unsure:
            continue
        assert active.get(username) == (username not in ledger.removed), f"{where}: {username}"


def _check_ways_in(
    places: Places, ledger: Ledger, added: list[str], gone: list[str], where: str
) -> None:
    """Accounts added open their slots with their passwords; accounts removed do not."""
    keyfile = KeyFile.load(keys_path_for(places.store))
    for username in added:
        if username in ledger.unsure or username in ledger.removed:
            continue
        try:
            keyfile.open_with_password(username, ledger.accounts[username])
        except WrongPassword:
            raise AssertionError(f"{where}: account {username} lost its way in") from None
    for username in gone:
        try:
            keyfile.open_with_password(username, ledger.accounts[username])
        except WrongPassword:
            continue
        raise AssertionError(f"{where}: removed account {username} still opens a slot")


def _check_backups(
    places: Places, ledger: Ledger, before: set[Path], made: int, where: str
) -> None:
    """Only whole backups carry a backup's name; what a killed one left is a temporary file
    the next backup can find, and removes."""
    finals = {  # each whole, every part's hash as its manifest says
        path.name: backups.inspect_backup(path).created_at
        for path in places.backups.iterdir()
        if NAME_PATTERN.fullmatch(path.name)
    }
    if ledger.backups:
        name, made_at = ledger.backups[-1]
        newer = [at for at in finals.values() if at > made_at]
        # Kept, unless backups made since (their calls cut short) pushed it out of the last 3.
        assert name in finals or len(newer) >= KEEP, f"{where}: {name} is gone"
    left = places.leftovers()
    assert not (made and before & left), f"{where}: a backup left {sorted(before & left)}"
    noted = {
        Path((folder / PARTIAL_NOTE).read_text())
        for folder in left
        if (folder / PARTIAL_NOTE).exists()
    }
    for path in left:
        assert path.is_dir() or path.absolute() in noted, f"{where}: {path} is named nowhere"


def _run_and_kill(
    server: Speaker, order: dict[str, Any], wait: float, where: str
) -> list[dict[str, Any]]:
    server.tell(json.dumps(order))
    said = []
    while "started" not in (started := server.hear(where)):
        said.append(started)
    time.sleep(wait)
    os.kill(started["started"], signal.SIGKILL)
    server.tell("reap")
    while "reaped" not in (line := server.hear(where)):
        said.append(line)
    code = line["reaped"]
    assert code == -signal.SIGKILL, (
        f"{where}: the worker ended by itself ({code})\n{server.stderr()}"
    )
    return said


@pytest.mark.slow
def test_killed_mid_write_hundreds_of_times_the_store_stays_whole(
    new_store: SetupResult, store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in the workers (crash_child.py): the schema's head is read once, not per sign-in.
    monkeypatch.setattr(migrate, "head_revision", functools.cache(migrate.head_revision))
    seed = int(os.environ.get("CASEBOOK_CRASH_SEED") or random.randrange(2**32))
    rng = random.Random(seed)
    ledger = Ledger()
    places = Places(store_path, tmp_path / "backups")
    places.backups.mkdir()
    users.add_user(
        new_store.session,
        username="leader",
        full_name="Casey Chair",
        role="trust_leader",
        password=LEADER_PASSWORD,
    )
    new_store.session.close()
    kinds = [kind for kind, count in KILLS.items() for _ in range(count)]
    rng.shuffle(kinds)
    server = Speaker(["serve"], tmp_path / "server-errors.txt")
    started = time.monotonic()
    try:
        for run, kind in enumerate(kinds, start=1):
            where = f"seed {seed}, run {run} ({kind})"
            order = {
                "kind": kind,
                "run": run,
                "seed": rng.randrange(2**32),
                "store": str(store_path),
                "backups": str(places.backups),
                "keep": KEEP,
                "username": "admin" if kind == "keys" else "leader",
                "password": ledger.password if kind == "keys" else LEADER_PASSWORD,
                "removable": sorted(set(ledger.accounts) - ledger.removed),
                "kill_signing_in": rng.random() < SIGNING_IN,
            }
            before = places.leftovers()
            said = _run_and_kill(server, order, rng.uniform(0, LONGEST_WAIT), where)
            ledger.kills[kind] += 1
            maybe, added, gone = ledger.take(said)
            session = _sign_in_admin(ledger, places, maybe, where)
            try:
                _check_store(session, ledger, where)
            finally:
                session.close()
            _check_ways_in(places, ledger, added, gone, where)
            if kind == "backups":
                made = sum("backup" in line for line in said)
                _check_backups(places, ledger, before, made, where)
            if kind != "keys" and not any("signed_in" in line for line in said):
                # Killed while signing in: that attempt counts as failed until one succeeds,
                # as for a person whose laptop died there. The password still opens it.
                auth.sign_in(store_path, username="leader", password=LEADER_PASSWORD).close()
    finally:
        server.stop()
    seconds = time.monotonic() - started
    where = f"seed {seed}, after {sum(ledger.kills.values())} kills"

    # Every account that was added and not removed still opens its slot.
    kept = [u for u in ledger.accounts if u not in ledger.removed | ledger.unsure]
    _check_ways_in(places, ledger, kept, sorted(ledger.removed), where)
    # The next backup clears what killed ones left, and its copy restores and checks out.
    session = _sign_in_admin(ledger, places, None, where)
    try:
        last = backups.make_backup(session, folder=places.backups, keep=KEEP)
    finally:
        session.close()
    assert places.leftovers() == set(), where
    restored = backups.restore_backup(
        last.path, tmp_path / "restored.casebook", username="admin", password=ledger.password
    )
    assert restored.check is not None and restored.check.audit_entries, where
    assert sum(ledger.kills.values()) >= 200 and ledger.cases and ledger.backups, ledger.kills
    print(f"\n{where}: {dict(ledger.kills)} in {seconds:.1f} s")


# -- single moments ---------------------------------------------------------------------------
def test_a_backup_cut_short_leaves_only_temporary_files_which_the_next_backup_removes(
    new_store: SetupResult, store_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    places = Places(store_path, folder)
    stalled = Speaker(
        ["stall-backup", str(store_path), ADMIN_PASSWORD, str(folder)], tmp_path / "stall.txt"
    )
    try:
        assert "stalled" in stalled.hear("stalled backup")
        running = places.leftovers()
        assert len(running) == 2 and not any(NAME_PATTERN.fullmatch(p.name) for p in running)
        # Another backup meanwhile leaves a running backup's files alone.
        first = backups.make_backup(new_store.session, folder=folder)
        assert places.leftovers() == running
    finally:
        stalled.process.kill()
        stalled.stop()
    assert places.leftovers() == running  # nothing cleans up after a kill but the next backup
    assert [p for p in folder.iterdir() if NAME_PATTERN.fullmatch(p.name)] == [first.path]

    second = backups.make_backup(new_store.session, folder=folder)
    assert places.leftovers() == set()
    assert {p.name for p in folder.iterdir()} == {first.path.name, second.path.name}
    backups.inspect_backup(second.path)


@pytest.mark.parametrize("moment", ["key-file", "commit", "checkpoint"])
def test_a_rekey_cut_short_leaves_a_store_that_checks_out_and_keys_again(
    new_store: SetupResult, store_path: Path, tmp_path: Path, moment: str
) -> None:
    """Cut short between the front-desk list and the key file, the list must still open
    with the key file on disk. Cut short before the database commits, the key file has a
    new key the file never got: the next re-key must start from the key the file has. Cut
    short after `PRAGMA rekey` and before its checkpoint, the log holds the pages under the
    new key and the file under the old: opening the store folds the log in, so every page
    checks out."""
    for username in ("ursula", "victor"):
        users.add_user(
            new_store.session,
            username=username,
            full_name=username.title(),
            role="headteacher",
            school_ids=[1],
            password=f"password of {username}",
        )
    new_store.session.close()
    dying = Speaker(
        ["die-in-rekey", moment, str(store_path), ADMIN_PASSWORD, "ursula"], tmp_path / "die.txt"
    )
    assert dying.process.wait(timeout=60) == -signal.SIGKILL, dying.stderr()
    _check_opens_whole(store_path)
    for username in ("victor", "ursula"):
        session = auth.sign_in(store_path, username="admin", password=ADMIN_PASSWORD)
        try:
            before = _front_desk_key(session)
            users.remove_user(session, username=username)
        finally:
            session.close()
        session = _check_opens_whole(store_path)
    # Once re-keyed, the list opens with the new front-desk key only.
    with pytest.raises(StoreDamaged):
        _front_desk_list(session, before)


def _check_opens_whole(store_path: Path) -> UserSession:
    """Sign in, check every page and the audit trail, read the front-desk list; lock."""
    session = auth.sign_in(store_path, username="admin", password=ADMIN_PASSWORD)
    try:
        assert store_problems(session.store) == []
        assert audit.verify_chain(session).intact
        _front_desk_list(session)
    finally:
        session.close()
    return session
