"""The processes `test_crash_safety.py` kills: run as `python -m tests.storage.crash_child`.

`serve` imports Casebook once, then for each order read from stdin forks a worker, which
signs in and writes through the services until it is killed, printing one JSON line to
stdout as each call returns (what it made, so the test can look for it afterwards). After
the test has killed the worker it writes "reap"; the server reaps the worker and says how
it ended. Forking from a process that has imported everything keeps each run to the cost
of signing in, so hundreds of kills fit in a minute.

`stall-backup` starts a backup and stops half-way through writing the backup file, to be
killed there. `die-in-rekey` removes an account (which gives the store a new key) and dies
at one moment of it: `key-file`, after the front-desk list is written under the new key,
before the key file is; `commit`, after both, just before the database commits;
`checkpoint`, after `PRAGMA rekey`, before its log is checkpointed.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import random
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import keyring
from keyring.backends import fail

from desktop.storage import keyvault, migrate

# Argon2id as cheap as in tests/conftest.py; each slot records its own parameters.
keyvault.DEFAULT_KDF = keyvault.KdfParams(time_cost=1, memory_kib=8192, parallelism=1)
keyring.set_keyring(fail.Keyring())
# The schema's newest revision, read from the migration scripts once rather than at every
# sign-in: they do not change while the test runs.
migrate.head_revision = functools.cache(migrate.head_revision)

from desktop.dates import uk_today  # noqa: E402
from desktop.domain.roles import Role  # noqa: E402
from desktop.services import (  # noqa: E402
    auth,
    backups,
    categories,
    chronology,
    incidents,
    sanctions,
    users,
)
from desktop.services.cases import open_case  # noqa: E402
from desktop.services.session import UserSession  # noqa: E402

WORKER_SECONDS = 30.0  # a worker the test never kills stops by itself


def say(message: dict[str, Any]) -> None:
    """One line in one write: a kill cannot leave half of it in the pipe."""
    os.write(1, (json.dumps(message) + "\n").encode())


# -- what a worker does until it is killed ---------------------------------------------------
def case_round(session: UserSession, rng: random.Random, tag: str) -> None:
    """Open a case, record an incident, add a chronology entry, take a verbal warning with
    its letter: each as the services do it for a person at the desk."""
    today = uk_today()
    case = open_case(
        session,
        given_name="Dana",
        family_name=f"Driver {tag}",
        relationship="parent",
        school_ids=[1],
        opened_on=today - dt.timedelta(days=40),
    )
    say({"case": case.id, "reference": case.reference})
    first = categories.list_categories(session)[0]
    when = dt.datetime.combine(today - dt.timedelta(days=30), dt.time(15, 20))
    incident = incidents.record_incident(
        session,
        case_id=case.id,
        occurred_at=when,
        channel="on_site",
        description=f"Shouted at staff at the gate ({tag}).",
        category_ids=[first.id],
    )
    say({"incident": incident.id})
    event = chronology.add_event(
        session,
        case_id=case.id,
        kind="note",
        occurred_at=when + dt.timedelta(days=rng.randint(1, 5)),
        summary=f"Telephoned the office to complain ({tag}).",
    )
    say({"event": event.id})
    step = sanctions.take_step(
        session,
        case_id=case.id,
        draft=sanctions.StepDraft(
            step_id="verbal_warning",
            taken_on=today - dt.timedelta(days=20),
            decided_by="Ann Ash",
            decided_by_role=Role.HEADTEACHER,
            details={
                "spoken_by": "Ann Ash, headteacher",
                "what_was_said": "That shouting at staff must stop.",
                "response": "Apologised.",
            },
        ),
    )
    say({"step": step.step_row_id, "letter": step.letter_id})


class KeyRounds:
    """An administrator changing the key file: their own password, accounts added (a
    front-desk one publishes the front-desk list) and removed (a new store key)."""

    def __init__(self, session: UserSession, order: dict[str, Any]) -> None:
        self.session = session
        self.password = str(order["password"])
        self.removable = list(order["removable"])

    def round(self, rng: random.Random, tag: str) -> None:
        roll = rng.random()
        if roll < 0.4:
            new = f"admin password {tag}"
            say({"intent": "password", "new": new})
            auth.change_password(self.session, current_password=self.password, new_password=new)
            self.password = new
            say({"password": new})
        elif roll < 0.8 or not self.removable:
            role = "front_desk" if roll >= 0.65 else "headteacher"
            username, password = f"user-{tag}", f"password of user {tag}"
            say({"intent": "add", "username": username})
            users.add_user(
                self.session,
                username=username,
                full_name=f"Person {tag}",
                role=role,
                school_ids=[1],
                password=password,
            )
            self.removable.append(username)
            say({"added": username, "password": password, "role": role})
        else:
            username = self.removable.pop(rng.randrange(len(self.removable)))
            say({"intent": "remove", "username": username})
            users.remove_user(self.session, username=username)
            say({"removed": username})


def work(order: dict[str, Any]) -> None:
    if order["kill_signing_in"]:
        say({"started": os.getpid()})
    rng = random.Random(order["seed"])
    session = auth.sign_in(
        Path(order["store"]), username=order["username"], password=order["password"]
    )
    say({"signed_in": order["username"]})
    if not order["kill_signing_in"]:
        say({"started": os.getpid()})
    keys = KeyRounds(session, order) if order["kind"] == "keys" else None
    deadline, n = time.monotonic() + WORKER_SECONDS, 0
    while time.monotonic() < deadline:
        n += 1
        tag = f"{order['run']}-{n}"
        if keys is not None:
            keys.round(rng, tag)
        elif order["kind"] == "cases":
            case_round(session, rng, tag)
        else:
            made = backups.make_backup(session, folder=Path(order["backups"]), keep=order["keep"])
            say({"backup": made.path.name, "at": made.facts.created_at.isoformat()})
    say({"done": n})


def serve() -> None:
    while line := sys.stdin.readline():
        order = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                work(order)
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        if not sys.stdin.readline():  # no "reap": the test stopped before killing it
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        say({"reaped": os.waitstatus_to_exitcode(status)})


# -- single moments, for the tests that name one -------------------------------------------
def stall_backup(store: str, password: str, folder: str) -> None:
    """Make a backup that stops half-way through writing its file, until killed."""
    from desktop.storage import backup
    from desktop.storage.backup_file import copy_hashing as copy

    def copy_then_stall(source: Any, out: Any, *args: Any) -> Any:
        if out is None:
            return copy(source, out, *args)
        out.write(source.read(4096))
        out.flush()
        say({"stalled": os.getpid()})
        while True:
            time.sleep(1)

    setattr(backup, "copy_hashing", copy_then_stall)  # noqa: B010
    session = auth.sign_in(Path(store), username="admin", password=password)
    backups.make_backup(session, folder=Path(folder))


def die_in_rekey(moment: str, store: str, password: str, username: str) -> None:
    """Remove an account, and die at `moment` of the re-key that follows."""
    import types

    import sqlcipher3
    from sqlalchemy.orm import Session

    from desktop.storage import frontdesk, rekeying

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    encode, save = frontdesk.encode, keyvault.KeyFile.save
    listed = []

    def encode_and_note(*args: Any, **kwargs: Any) -> bytes:
        listed.append(kwargs.get("previous"))
        return encode(*args, **kwargs)

    def save_or_die(self: keyvault.KeyFile, keys: keyvault.Keys | None = None) -> None:
        if moment == "key-file" and listed:
            die()
        save(self, keys)

    commit = Session.commit

    def commit_or_die(self: Session) -> None:
        if moment == "commit" and rekeying.PLAN_INFO in self.info:
            die()
        commit(self)

    class Rekeying:
        def __init__(self, connection: Any) -> None:
            self.connection = connection

        def execute(self, sql: str) -> Any:
            if moment == "checkpoint" and "wal_checkpoint" in sql:
                die()
            return self.connection.execute(sql)

        def close(self) -> None:
            self.connection.close()

    Session.commit = commit_or_die  # type: ignore[method-assign]
    frontdesk.encode = encode_and_note
    keyvault.KeyFile.save = save_or_die  # type: ignore[method-assign]
    connect = types.SimpleNamespace(
        connect=lambda *args, **kwargs: Rekeying(sqlcipher3.connect(*args, **kwargs))
    )
    setattr(rekeying, "sqlcipher3", connect)  # noqa: B010
    session = auth.sign_in(Path(store), username="admin", password=password)
    users.remove_user(session, username=username)


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    if command == "serve":
        serve()
    elif command == "stall-backup":
        stall_backup(*arguments)
    elif command == "die-in-rekey":
        die_in_rekey(*arguments)
    else:
        raise SystemExit(f"unknown command {command!r}")
