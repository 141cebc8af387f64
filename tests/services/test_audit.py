"""The audit trail: every write is recorded, and tampering shows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select, text

from desktop.errors import NotPermitted, ValidationError
from desktop.services.audit import AuditWriter, verify_chain
from desktop.services.auth import change_password, sign_in
from desktop.services.cases import open_case
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.services.trust import save_school, update_trust
from desktop.services.users import add_user
from desktop.storage.models import AuditEntry

PASSWORD = "another password 1"


def _entries(session: UserSession) -> list[AuditEntry]:
    with session.transaction() as db:
        return list(db.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _last(session: UserSession) -> AuditEntry:
    return _entries(session)[-1]


def _sql(session: UserSession, *statements: str) -> None:
    """Reach past the services, as someone with the key and a SQLite shell could."""
    with session.store.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def _add(session: UserSession, username: str, role: str) -> None:
    add_user(
        session,
        username=username,
        full_name=username.title(),
        role=role,
        school_ids=[1],
        password=PASSWORD,
    )


def test_store_creation_is_the_first_entry(new_store: SetupResult) -> None:
    first = _entries(new_store.session)[0]
    assert (first.id, first.action, first.username) == (1, "store.created", "admin")
    assert first.prev_hash == "0" * 64


def test_every_write_adds_an_entry(new_store: SetupResult) -> None:
    session = new_store.session
    admin_id = session.actor.user_id

    def check(action: str, count_before: int, *, case_id: int | None = None) -> None:
        entries = _entries(session)
        assert len(entries) == count_before + 1
        assert entries[-1].action == action
        assert entries[-1].username == "admin"
        assert entries[-1].user_id == admin_id
        assert entries[-1].case_id == case_id
        assert entries[-1].at.tzinfo is not None

    n = len(_entries(session))
    row = open_case(
        session,
        given_name="Ann",
        family_name="Smith",
        relationship="parent",
        school_ids=[1],
        opened_on=dt.date(2026, 1, 5),
    )
    check("case.opened", n, case_id=row.id)

    n = len(_entries(session))
    update_trust(session, name="Oakfield Trust", address="")
    check("trust.updated", n)
    assert '"name"' in _last(session).detail

    n = len(_entries(session))
    school = save_school(session, school_id=None, name="Cedar School")
    check("school.added", n)
    n = len(_entries(session))
    save_school(session, school_id=school.id, name="Cedar High School")
    check("school.updated", n)

    n = len(_entries(session))
    _add(session, "bm", "business_manager")
    check("user.added", n)

    n = len(_entries(session))
    change_password(session, current_password="admin password 1", new_password="brand new password")
    check("user.password_changed", n)


def test_entries_record_the_acting_user(new_store: SetupResult, store_path: Path) -> None:
    _add(new_store.session, "bm", "business_manager")
    bm = sign_in(store_path, username="bm", password=PASSWORD)
    try:
        open_case(
            bm,
            given_name="Ann",
            family_name="Smith",
            relationship="parent",
            school_ids=[1],
            opened_on=dt.date(2026, 1, 5),
        )
        last = _last(bm)
        assert (last.action, last.username, last.user_id) == (
            "case.opened",
            "bm",
            bm.actor.user_id,
        )
    finally:
        bm.close()


def test_a_failed_write_adds_no_entry(new_store: SetupResult) -> None:
    before = len(_entries(new_store.session))
    with pytest.raises(ValidationError):
        save_school(new_store.session, school_id=None, name="Ash Primary")
    assert len(_entries(new_store.session)) == before


def test_untouched_trail_is_intact(new_store: SetupResult) -> None:
    _add(new_store.session, "bm", "business_manager")
    before = len(_entries(new_store.session))
    report = verify_chain(new_store.session)
    assert report.intact
    assert report.broken_at is None
    assert report.entries == before
    # Verifying is itself recorded, and the chain still holds afterwards.
    assert _last(new_store.session).action == "audit.verified"
    assert json.loads(_last(new_store.session).detail) == {
        "intact": True,
        "entries": before,
        "findings": 0,
    }
    assert verify_chain(new_store.session).entries == before + 1


def test_edited_entry_is_detected(new_store: SetupResult) -> None:
    _add(new_store.session, "bm", "business_manager")
    _sql(
        new_store.session,
        "DROP TRIGGER audit_entries_no_update",
        """UPDATE audit_entries SET detail = '{"schools": 9}' WHERE id = 1""",
    )
    report = verify_chain(new_store.session)
    assert not report.intact
    assert report.broken_at == 1
    assert report.reason


def test_edited_middle_entry_is_detected(new_store: SetupResult) -> None:
    session = new_store.session
    for name in ("aa", "bb", "cc"):
        _add(session, name, "headteacher")
    _sql(
        session,
        "DROP TRIGGER audit_entries_no_update",
        "UPDATE audit_entries SET username = 'someone' WHERE id = 3",
    )
    report = verify_chain(session)
    assert (report.intact, report.broken_at) == (False, 3)


def test_deleted_middle_entry_is_detected(new_store: SetupResult) -> None:
    session = new_store.session
    for name in ("aa", "bb", "cc"):
        _add(session, name, "headteacher")
    _sql(session, "DROP TRIGGER audit_entries_no_delete", "DELETE FROM audit_entries WHERE id = 2")
    report = verify_chain(session)
    assert (report.intact, report.broken_at) == (False, 2)


def test_deleted_newest_entry_is_detected(new_store: SetupResult) -> None:
    session = new_store.session
    for name in ("aa", "bb"):
        _add(session, name, "headteacher")
    newest = _last(session).id
    _sql(
        session,
        "DROP TRIGGER audit_entries_no_delete",
        f"DELETE FROM audit_entries WHERE id = {newest}",
    )
    report = verify_chain(session)
    assert (report.intact, report.broken_at) == (False, newest)


def test_triggers_refuse_update_and_delete(new_store: SetupResult) -> None:
    session = new_store.session
    before = [(e.id, e.detail, e.entry_hash) for e in _entries(session)]
    with pytest.raises(Exception) as update:  # noqa: B017 - driver error class varies
        _sql(session, "UPDATE audit_entries SET detail = '{}' WHERE id = 1")
    assert "append-only" in str(update.value)
    with pytest.raises(Exception) as delete:  # noqa: B017
        _sql(session, "DELETE FROM audit_entries WHERE id = 1")
    assert "append-only" in str(delete.value)
    assert [(e.id, e.detail, e.entry_hash) for e in _entries(session)] == before
    assert verify_chain(session).intact


def test_batch_writer_continues_the_chain(new_store: SetupResult) -> None:
    session = new_store.session
    with session.transaction() as db:
        writer = AuditWriter(db)
        for i in range(50):
            writer.add(session.actor, "test.batch", detail={"i": i, "name": "Zoë ✓"})
    entries = _entries(session)
    assert [e.id for e in entries] == list(range(1, len(entries) + 1))
    assert verify_chain(session).intact


def test_an_auditor_can_verify(new_store: SetupResult, store_path: Path) -> None:
    _add(new_store.session, "auditor", "auditor")
    auditor = sign_in(store_path, username="auditor", password=PASSWORD)
    try:
        assert verify_chain(auditor).intact
        assert _last(auditor).username == "auditor"
    finally:
        auditor.close()


@pytest.mark.parametrize("role", ["business_manager", "headteacher"])
def test_school_roles_cannot_verify(new_store: SetupResult, store_path: Path, role: str) -> None:
    _add(new_store.session, "someone", role)
    session = sign_in(store_path, username="someone", password=PASSWORD)
    try:
        before = len(_entries(session))
        with pytest.raises(NotPermitted):
            verify_chain(session)
        assert len(_entries(session)) == before
    finally:
        session.close()
