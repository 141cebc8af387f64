"""The retention review: what falls due when, keeping longer, and deletion that is real.

The proof that deletion is real reads the store's file as bytes, decrypts every page with
the store's key (SQLCipher 4: AES-256-CBC per page, the IV in each page's reserved tail) and
looks for the subject's name and an evidence marker, in live rows and in free space alike.
A control test shows the same reading finds a row that was deleted the ordinary way.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import sqlcipher3
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sqlalchemy import func, select

from desktop.dates import uk_today
from desktop.domain.ladder import SkipAuthority
from desktop.domain.retention import RecordKind
from desktop.domain.roles import Role
from desktop.errors import NotFound, NotPermitted, ValidationError
from desktop.services import (
    audit,
    case_people,
    casefile,
    evidence,
    people,
    retention,
    sanction_reviews,
    sanctions,
    tasks,
)
from desktop.services.case_people import NewPupil
from desktop.services.cases import CaseRow
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.storage import models as m
from desktop.storage.engine import key_pragma
from tests.pdfutil import pdf_text
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import audit_details, open_parent_case, record_first_kind
from tests.services.sanction_support import plan, trust_leader, verbal_warning, written_warning

PAGE, RESERVE, SALT = 4096, 80, 16  # SQLCipher 4's defaults, as the store uses them
EVIDENCE_MARKER = b"EVIDENCE-MARKER-7f3a9c51"
WHEN = dt.datetime(2026, 1, 10, 15, 20, tzinfo=dt.UTC)
YEAR = dt.timedelta(days=365)


# -- reading the file as it is on disk ----------------------------------------------------
def _decrypt_page(key: bytes, page: bytes, number: int) -> bytes:
    start = SALT if number == 1 else 0
    iv = page[PAGE - RESERVE : PAGE - RESERVE + 16]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(page[start : PAGE - RESERVE]) + decryptor.finalize()


def decrypted_bytes(path: Path, key: bytes) -> bytes:
    """Every page of the database file and of its write-ahead log, decrypted: the live
    rows, the free pages and whatever is left in the slack of each page."""
    data = path.read_bytes()
    assert len(data) % PAGE == 0
    pages = [
        _decrypt_page(key, data[at : at + PAGE], at // PAGE + 1) for at in range(0, len(data), PAGE)
    ]
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        log = wal.read_bytes()
        at = 32  # the log's header, then frames of a 24-byte header and a page
        while at + 24 + PAGE <= len(log):
            number = int.from_bytes(log[at : at + 4], "big")
            pages.append(_decrypt_page(key, log[at + 24 : at + 24 + PAGE], number))
            at += 24 + PAGE
    found = b"".join(pages)
    assert b"CREATE TABLE cases" in found  # the key fitted: this is the schema, in clear
    return found


# -- records to review ----------------------------------------------------------------------
def _marker(family: str) -> bytes:
    """A marker only this family's evidence file holds."""
    return EVIDENCE_MARKER + b"-" + family.encode()


def _close(session: UserSession, case: CaseRow) -> None:
    casefile.close_case(session, case_id=case.id, reason="Resolved after a meeting.")


def _subject_id(session: UserSession, case: CaseRow) -> int:
    with session.transaction() as db:
        found = db.scalar(select(m.Case.subject_id).where(m.Case.id == case.id))
        assert found is not None
        return found


def full_case(session: UserSession, leader: UserSession, given: str, family: str) -> CaseRow:
    """A case with something in every table a case reaches: an incident, evidence, a task,
    a written warning with its letters, a lifted plan, another person, a pupil; closed."""
    case = open_parent_case(session, given, family)
    incident = record_first_kind(
        session, case, WHEN, "on_site", f"{given} {family} shouted at the gate."
    )
    evidence.add_evidence(
        session,
        case_id=case.id,
        filename="statement.txt",
        content=_marker(family) + b" a statement about what happened",
    )
    tasks.add_task(session, case_id=case.id, title=f"Call {family}", due_on=dt.date(2026, 2, 1))
    other = people.create_person(
        session, given_name="Olwen", family_name=f"{family}-Other", relation="carer"
    )
    case_people.add_person_to_case(session, case_id=case.id, person_id=other.id, role="carer")
    case_people.link_pupil(
        session,
        person_id=_subject_id(session, case),
        pupil=NewPupil("Sunny", family, 1),
        relation="parent",
    )
    on = dt.date(2026, 2, 2)
    sanctions.take_step(leader, case_id=case.id, draft=verbal_warning(on))
    sanctions.take_step(leader, case_id=case.id, draft=written_warning(on, [incident.id]))
    plan_id = sanctions.take_step(
        leader, case_id=case.id, draft=plan(on, ends=on + dt.timedelta(days=60), review=on)
    ).restriction_id
    assert plan_id is not None
    from tests.services.scoping_calls.sanctions import LIFT

    sanction_reviews.decide(leader, restriction_id=plan_id, decision=LIFT)
    _close(session, case)
    return case


def _counts(session: UserSession) -> dict[str, int]:
    tables = (
        m.Case,
        m.Person,
        m.Pupil,
        m.Incident,
        m.CaseEvent,
        m.Evidence,
        m.IssuedLetter,
        m.CaseStep,
        m.Restriction,
        m.RestrictionEvent,
        m.CaseTask,
        m.CasePerson,
    )
    with session.transaction() as db:
        return {
            t.__tablename__: db.scalar(select(func.count()).select_from(t)) or 0 for t in tables
        }


@pytest.fixture
def leader(new_store: SetupResult, store_path: Path) -> UserSession:
    return trust_leader(new_store, store_path)


# -- what falls due -----------------------------------------------------------------------
def test_a_closed_case_falls_due_after_its_kinds_period_and_an_open_one_never(
    admin: UserSession,
) -> None:
    quiet = open_parent_case(admin, "Quinn", "Quiet")
    still_open = open_parent_case(admin, "Olly", "Open")
    _close(admin, quiet)
    closed = uk_today()
    # graduated_sanctions keeps a case that went no further than a conversation 730 days.
    assert retention.due_records(admin, today=closed + dt.timedelta(days=729)) == []
    due = retention.due_records(admin, today=closed + dt.timedelta(days=730))
    assert [(r.case_id, r.kind, r.closed_on, r.due_on) for r in due] == [
        (quiet.id, RecordKind.CONCERN_CASE, closed, closed + dt.timedelta(days=730))
    ]
    assert due[0].subject == "Quinn Quiet" and due[0].reference == quiet.reference
    assert still_open.id not in {r.case_id for r in due}
    assert retention.next_review_count(admin, today=closed + 3 * YEAR) == 1


def test_a_case_with_a_written_warning_and_a_plan_is_kept_as_a_sanction_case(
    admin: UserSession, leader: UserSession
) -> None:
    case = full_case(admin, leader, "Wanda", "Warned")
    closed = uk_today()
    assert retention.due_records(admin, today=closed + 5 * YEAR) == []  # six years for sanctions
    due = retention.due_records(admin, today=closed + dt.timedelta(days=2190))
    assert [(r.case_id, r.kind) for r in due] == [(case.id, RecordKind.SANCTION_CASE)]


def test_a_bar_or_plan_still_in_force_keeps_the_case_off_the_list(
    admin: UserSession, leader: UserSession
) -> None:
    case = open_parent_case(admin, "Pat", "Planned")
    on = dt.date(2026, 2, 2)
    sanctions.take_step(leader, case_id=case.id, draft=verbal_warning(on))
    skip = SkipAuthority("Casey Chair", Role.TRUST_LEADER, "Abuse by email to many staff.")
    draft = plan(on, ends=on + dt.timedelta(days=60), review=on, skip=skip)
    sanctions.take_step(leader, case_id=case.id, draft=draft)
    _close(admin, case)
    assert retention.due_records(admin, today=uk_today() + 10 * YEAR) == []


def test_only_the_data_protection_lead_reviews_retention(
    new_store: SetupResult, store_path: Path, leader: UserSession
) -> None:
    manager = sign_in_new_user(new_store, store_path, "bea", "business_manager")
    for session in (leader, manager):
        with pytest.raises(NotPermitted):
            retention.due_records(session)
        with pytest.raises(NotPermitted):
            retention.delete_records(session, record_ids=[1])


# -- keeping longer -----------------------------------------------------------------------
def test_keeping_longer_takes_the_case_off_the_list_until_its_review_date(
    admin: UserSession,
) -> None:
    case = open_parent_case(admin, "Hal", "Held")
    _close(admin, case)
    today = uk_today() + 3 * YEAR
    review = today + dt.timedelta(days=90)
    kept = retention.keep_longer(
        admin,
        record_ids=[case.id],
        reason="A claim is expected in the county court.",
        review_on=review,
        today=today,
    )
    assert kept == 1
    assert retention.due_records(admin, today=today) == []
    assert retention.due_records(admin, today=review - dt.timedelta(days=1)) == []
    back = retention.due_records(admin, today=review)
    assert [(r.case_id, r.kept_reason, r.kept_until) for r in back] == [
        (case.id, "A claim is expected in the county court.", review)
    ]
    # The reason stays with the hold; the trail says only what and until when.
    assert audit_details(admin, "retention.kept") == [
        {"kind": "case_concern", "review_on": review.isoformat()}
    ]


@pytest.mark.parametrize(
    ("reason", "days", "field"),
    [
        ("", 30, "reason"),
        ("   ", 30, "reason"),
        ("Expected claim.", 0, "review_on"),
        ("Expected claim.", -5, "review_on"),
        ("Expected claim.", 11 * 365, "review_on"),
    ],
)
def test_keeping_longer_needs_a_reason_and_a_review_date_ahead(
    admin: UserSession, reason: str, days: int, field: str
) -> None:
    case = open_parent_case(admin, "Hal", "Held")
    _close(admin, case)
    today = uk_today() + 3 * YEAR
    with pytest.raises(ValidationError) as info:
        retention.keep_longer(
            admin,
            record_ids=[case.id],
            reason=reason,
            review_on=today + dt.timedelta(days=days),
            today=today,
        )
    assert info.value.field == field
    assert retention.next_review_count(admin, today=today) == 1


def test_a_record_not_due_is_neither_kept_nor_deleted(admin: UserSession) -> None:
    due = open_parent_case(admin, "Dee", "Due")
    young = open_parent_case(admin, "Yan", "Young")
    _close(admin, due)
    before = _counts(admin)
    today = uk_today() + 3 * YEAR
    with pytest.raises(ValidationError, match="no longer due"):
        retention.delete_records(admin, record_ids=[due.id, young.id], today=today)
    with pytest.raises(ValidationError, match="no longer due"):
        retention.keep_longer(
            admin,
            record_ids=[young.id],
            reason="Why not.",
            review_on=today + YEAR,
            today=today,
        )
    with pytest.raises(ValidationError, match="Choose at least one"):
        retention.delete_records(admin, record_ids=[], today=today)
    assert _counts(admin) == before  # all or nothing: the due case is still there


# -- deletion for real ----------------------------------------------------------------------
def test_deletion_removes_the_case_and_all_it_held_from_the_decrypted_file(
    admin: UserSession, leader: UserSession, store_path: Path
) -> None:
    key = admin.store.key  # type: ignore[attr-defined]
    gone = full_case(admin, leader, "Quinton", "Zebrowski")
    stays = full_case(admin, leader, "Keeley", "Keepworth")
    reopened_stays = open_parent_case(admin, "Rory", "Recent")
    before = _counts(admin)
    raw = decrypted_bytes(store_path, key)
    # The reading finds them while they are there (so its finding nothing later means it).
    assert b"Zebrowski" in raw and _marker("Zebrowski") in raw and b"Keepworth" in raw

    today = uk_today() + 7 * YEAR
    due = {r.case_id for r in retention.due_records(admin, today=today)}
    assert due == {gone.id, stays.id}
    heard: list[tuple[int, int, str]] = []
    result = retention.delete_records(
        admin, record_ids=[gone.id], today=today, progress=lambda *a: heard.append(a)
    )
    assert result.counts == {RecordKind.SANCTION_CASE: 1} and result.compacted
    assert heard[-1][0] == heard[-1][1] and heard[0][0] == 0

    after = _counts(admin)
    assert after["cases"] == before["cases"] - 1
    assert after["persons"] == before["persons"] - 2  # the subject and the other carer
    assert after["pupils"] == before["pupils"] - 1
    for table in ("incidents", "evidence", "letters", "case_steps", "restrictions", "case_tasks"):
        assert after[table] == before[table] // 2, table  # the other full case keeps its own
    raw = decrypted_bytes(store_path, key)
    for trace in (b"Zebrowski", b"Quinton", _marker("Zebrowski"), gone.reference.encode()):
        assert trace not in raw, trace
    assert b"Keepworth" in raw and _marker("Keepworth") in raw  # the other case is untouched
    assert audit.verify_chain(admin).intact
    # What the trail keeps: kinds, numbers, the rule; never a name or a reference.
    (detail,) = audit_details(admin, retention.DELETED)
    assert detail["records"] == {"case_sanction": 1}
    assert detail["rule"] == "Trust retention schedule: parental conduct records"
    assert detail["contents"]["evidence"] == 1 and detail["contents"]["people"] == 2
    assert "Zebrowski" not in str(detail) and gone.reference not in str(detail)
    assert {r.case_id for r in retention.due_records(admin, today=today)} == {stays.id}
    assert reopened_stays.id not in due


def test_the_search_index_no_longer_finds_a_deleted_case(admin: UserSession) -> None:
    from desktop.services.cases import find_cases

    case = open_parent_case(admin, "Ingrid", "Indexworth")
    _close(admin, case)
    assert [c.id for c in find_cases(admin, search="Indexworth").rows] == [case.id]
    assert [c.id for c in find_cases(admin, search="In").rows] == [case.id]
    retention.delete_records(admin, record_ids=[case.id], today=uk_today() + 3 * YEAR)
    assert find_cases(admin, search="Indexworth").rows == []
    assert find_cases(admin, search="In").rows == []


def test_a_person_another_case_refers_to_stays(admin: UserSession) -> None:
    first = open_parent_case(admin, "Sam", "Shared")
    subject = _subject_id(admin, first)
    second = casefile_case_on(admin, subject)
    _close(admin, first)
    retention.delete_records(admin, record_ids=[first.id], today=uk_today() + 3 * YEAR)
    with admin.transaction() as db:
        assert db.get(m.Person, subject) is not None
        assert db.get(m.Case, second) is not None


def casefile_case_on(session: UserSession, person_id: int) -> int:
    """A second case on the same person."""
    from desktop.services.casefile import FirstIncident, new_case

    first = FirstIncident(
        occurred_at=WHEN, channel="on_site", description="Again at the gate.", category_ids=(1,)
    )
    return new_case(session, subject=person_id, school_ids=[1], first_incident=first).id


def test_plain_deletion_leaves_the_name_in_the_file_which_this_reading_finds(
    admin: UserSession, store_path: Path, tmp_path: Path
) -> None:
    """The control: without secure delete and vacuum a deleted name stays in free space,
    and the reading above would have found it."""
    key = admin.store.key  # type: ignore[attr-defined]
    open_parent_case(admin, "Ulla", "Unvacuumed")
    admin.close()
    copy = tmp_path / "copy.casebook"
    shutil.copy(store_path, copy)
    conn = sqlcipher3.connect(str(copy), isolation_level=None)
    conn.execute(key_pragma(key))
    conn.execute("PRAGMA secure_delete = OFF")
    conn.execute("DELETE FROM case_schools")
    conn.execute("DELETE FROM case_events")
    conn.execute("DELETE FROM incidents")
    conn.execute("DELETE FROM cases")
    conn.execute("DELETE FROM persons")
    assert conn.execute("SELECT count(*) FROM persons").fetchone() == (0,)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert b"Unvacuumed" in decrypted_bytes(copy, key)


# -- the certificate ------------------------------------------------------------------------
def test_the_certificate_says_what_went_under_which_rule_by_whom_and_no_names(
    admin: UserSession, tmp_path: Path
) -> None:
    cases = [open_parent_case(admin, "Cora", f"Certified{n}") for n in range(3)]
    for case in cases:
        _close(admin, case)
    result = retention.delete_records(
        admin, record_ids=[c.id for c in cases], today=uk_today() + 3 * YEAR
    )
    certificate = retention.deletion_certificate(admin, number=result.certificate)
    assert certificate.records == ((RecordKind.CONCERN_CASE, 3, 730),)
    assert certificate.deleted_by == "Alex Admin" and certificate.compacted is True
    assert certificate.trust == "Oakfield Learning Trust"
    assert retention.deletion_certificates(admin) == [certificate]
    to = tmp_path / "certificate.pdf"
    assert retention.save_certificate(admin, number=result.certificate, to=to) == to
    text = pdf_text(to.read_bytes())
    assert "Certificate of deletion" in text and "Alex Admin" in text
    assert "Trust retention schedule: parental conduct records" in text
    assert "Certified" not in text and cases[0].reference not in text
    assert audit_details(admin, "retention.certificate_saved")[0]["certificate"] == (
        result.certificate
    )


def test_saving_the_certificate_where_it_cannot_go_says_so_and_writes_nothing(
    admin: UserSession, tmp_path: Path
) -> None:
    case = open_parent_case(admin, "Cora", "Certified")
    _close(admin, case)
    number = retention.delete_records(
        admin, record_ids=[case.id], today=uk_today() + 3 * YEAR
    ).certificate
    with pytest.raises(ValidationError, match="does not exist"):
        retention.save_certificate(admin, number=number, to=tmp_path / "nowhere" / "c.pdf")
    with pytest.raises(ValidationError, match="cannot save files"):
        retention.save_certificate(admin, number=number, to=Path("/proc/certificate.pdf"))
    assert not Path("/proc/certificate.pdf").exists()
    assert audit_details(admin, "retention.certificate_saved") == []
    with pytest.raises(NotFound):
        retention.deletion_certificate(admin, number=1)


def test_an_unanswered_subject_access_request_keeps_the_subjects_cases(
    admin: UserSession,
) -> None:
    case = open_parent_case(admin, "Asa", "Asking")
    _close(admin, case)
    today = uk_today() + 3 * YEAR
    with admin.transaction(write=True) as db:  # as the subject access service records one
        request = m.SubjectAccessRequest(
            person_id=_subject_id(admin, case),
            requester_name="Asa Asking",
            received_on=today,
            due_on=today + dt.timedelta(days=30),
            recorded_at=dt.datetime.now(dt.UTC),
        )
        db.add(request)
    assert retention.due_records(admin, today=today) == []
    with admin.transaction(write=True) as db:
        answered = db.get(m.SubjectAccessRequest, request.id)
        assert answered is not None
        answered.status, answered.completed_on = "completed", today
    assert [r.case_id for r in retention.due_records(admin, today=today)] == [case.id]
