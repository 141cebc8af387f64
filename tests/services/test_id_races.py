"""Two processes writing one store at once: case references and audit ids never collide.

Each child process signs in to the same store and opens cases as fast as it can, at the
same moment as the other. Every case must be opened (no "database is locked"), every
reference must be different, and the audit chain must still hold afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from desktop.services import audit
from desktop.services.cases import all_cases
from desktop.services.setup import SetupResult
from desktop.storage.models import AuditEntry
from tests.conftest import ADMIN_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
PER_PROCESS = 25
TIMEOUT = 120

# The child: sign in, say "ready", wait for "go", open the cases, print their references.
CHILD = """
import datetime as dt, json, sys
from pathlib import Path
from desktop.services.auth import sign_in
from desktop.services.cases import open_case

path, password, count, name = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
session = sign_in(path, username="admin", password=password)
print("ready", flush=True)
sys.stdin.readline()
references = [
    open_case(
        session,
        given_name=f"{name}{i}",
        family_name="Racer",
        relationship="parent",
        school_ids=[1],
        opened_on=dt.date(2026, 1, 5),
    ).reference
    for i in range(count)
]
session.close()
print(json.dumps(references), flush=True)
"""


def _start(store_path: Path, name: str) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store_path), ADMIN_PASSWORD, str(PER_PROCESS), name],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    if line.strip() != "ready":
        _, err = child.communicate(timeout=TIMEOUT)
        raise AssertionError(f"child {name} did not sign in: {line!r}\n{err}")
    return child


def test_two_processes_opening_cases_at_once(new_store: SetupResult, store_path: Path) -> None:
    # The store was made under conftest's cheap key derivation. Each key slot records its
    # own parameters, so the children (where that monkeypatch does not reach) sign in fast.
    #
    # The children sign in one after the other: sign-in is started "go" together only once
    # it writes through a write transaction too (see desktop.services.auth).
    children = [_start(store_path, name) for name in ("Left", "Right")]
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    results = [child.communicate(timeout=TIMEOUT) for child in children]

    for child, (_, err) in zip(children, results, strict=True):
        assert child.returncode == 0, err
    references = [ref for out, _ in results for ref in json.loads(out)]
    assert len(references) == 2 * PER_PROCESS
    assert sorted(references) == [f"CB-2026-{n:04d}" for n in range(1, 2 * PER_PROCESS + 1)]

    session = new_store.session
    assert sorted(r.reference for r in all_cases(session)) == sorted(references)
    report = audit.verify_chain(session)
    assert report.intact, report
    with session.transaction() as db:
        opened = db.scalar(select(func.count()).where(AuditEntry.action == "case.opened"))
    assert opened == 2 * PER_PROCESS
