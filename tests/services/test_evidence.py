"""Evidence: files kept inside the encrypted store exactly, with their fingerprint, and the
one audited way a plain copy leaves it."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tracemalloc
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.domain.chronology import EventKind
from desktop.errors import NotPermitted, ValidationError
from desktop.services import evidence
from desktop.services.cases import CaseRow, open_case
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.storage import models as m
from desktop.storage.keyvault import keys_path_for
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import audit_details, open_parent_case

MARKER = b"EVIDENCEMARKER5521"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 100


@pytest.fixture
def case(admin: UserSession) -> CaseRow:
    return open_parent_case(admin, "Pat", "Quinn")


def _counts(session: UserSession) -> tuple[int, int]:
    with session.transaction() as db:
        files = len(db.scalars(select(m.Evidence.id)).all())
        events = len(
            db.scalars(
                select(m.CaseEvent.id).where(m.CaseEvent.kind == EventKind.EVIDENCE_ADDED.value)
            ).all()
        )
        return files, events


def test_bytes_round_trip_exactly_with_their_fingerprint(admin: UserSession, case: CaseRow) -> None:
    content = os.urandom(300_000) + MARKER
    row = evidence.add_evidence(
        admin, case_id=case.id, filename="recording.mp3", content=content, description="Gate"
    )
    assert (row.size, row.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert (row.media_type, row.added_by, row.description) == ("audio/mpeg", "Alex Admin", "Gate")
    assert evidence.evidence_content(admin, evidence_id=row.id) == content
    assert evidence.list_evidence(admin, case_id=case.id) == [row]
    assert audit_details(admin, "evidence.viewed") == [{"evidence_id": row.id}]
    added = audit_details(admin, "evidence.added")[0]
    assert added["sha256"] == row.sha256 and "filename" not in added


def test_adding_evidence_adds_a_chronology_entry(admin: UserSession, case: CaseRow) -> None:
    row = evidence.add_evidence(admin, case_id=case.id, filename="post.png", content=PNG)
    with admin.transaction() as db:
        event = db.scalars(select(m.CaseEvent).where(m.CaseEvent.evidence_id == row.id)).one()
        assert (event.kind, event.version, event.root_id) == ("evidence_added", 1, event.id)
        assert event.case_id == case.id and "post.png" in event.summary
        assert event.recorded_by_id == admin.actor.user_id


def test_a_file_is_read_in_chunks_with_progress(
    admin: UserSession, case: CaseRow, tmp_path: Path
) -> None:
    path = tmp_path / "Zoë’s letter.pdf"
    content = PDF + os.urandom(3 * evidence.CHUNK + 5)
    path.write_bytes(content)
    reports: list[tuple[int, int, str]] = []
    row = evidence.add_evidence_file(
        admin, case_id=case.id, path=path, progress=lambda *r: reports.append(r)
    )
    assert row.filename == "Zoë’s letter.pdf" and row.media_type == "application/pdf"
    assert [total for _, total, _ in reports] == [len(content)] * 5
    assert [done for done, _, _ in reports] == [
        0,
        evidence.CHUNK,
        2 * evidence.CHUNK,
        3 * evidence.CHUNK,
        len(content),
    ]
    assert reports[0][2] == "Adding Zoë’s letter.pdf to the encrypted case store"
    assert evidence.evidence_content(admin, evidence_id=row.id) == content


def test_a_large_file_is_never_held_whole_in_python(
    admin: UserSession, case: CaseRow, tmp_path: Path
) -> None:
    size = 24 * 1024 * 1024
    path = tmp_path / "video.mp4"
    with path.open("wb") as handle:
        for _ in range(size // evidence.CHUNK):
            handle.write(os.urandom(evidence.CHUNK))
    tracemalloc.start()
    try:
        evidence.add_evidence_file(admin, case_id=case.id, path=path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * evidence.CHUNK, f"peak {peak / size:.2f} times the file"


def test_the_content_is_not_on_disk_in_the_clear(
    new_store: SetupResult, case: CaseRow, store_path: Path
) -> None:
    session = new_store.session
    evidence.add_evidence(
        session, case_id=case.id, filename="note.txt", content=b"said " + MARKER + b" twice"
    )
    session.store.engine.dispose()  # the last connection closes: the WAL is checkpointed
    session.close()
    files = [store_path, Path(f"{store_path}-wal"), keys_path_for(store_path)]
    checked = [p for p in files if p.exists()]
    assert store_path in checked
    for path in checked:
        assert MARKER not in path.read_bytes(), path.name


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (PNG, "screenshot.jpg", "image/png"),  # the bytes prove it: the name is wrong
        (b"\xff\xd8\xff\xe0" + b"0" * 20, "photo", "image/jpeg"),
        (b"GIF89a" + b"0" * 20, "x.bin", "image/gif"),
        (PDF, "letter.PDF", "application/pdf"),
        (b"not a png at all", "post.png", "application/octet-stream"),
        (b"Dear Sir", "email.txt", "text/plain"),
        (b"From: a@b", "message.eml", "message/rfc822"),
        (b"\0\0\0\x18ftypmp42", "clip.mp4", "video/mp4"),
    ],
)
def test_the_type_is_sniffed_or_guessed(
    admin: UserSession, case: CaseRow, head: bytes, name: str, expected: str
) -> None:
    row = evidence.add_evidence(admin, case_id=case.id, filename=name, content=head)
    assert row.media_type == expected


def test_an_empty_file_is_refused_and_nothing_saved(
    admin: UserSession, case: CaseRow, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    for attempt in (
        lambda: evidence.add_evidence(admin, case_id=case.id, filename="a.txt", content=b""),
        lambda: evidence.add_evidence_file(admin, case_id=case.id, path=empty),
    ):
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.message == "This file is empty (0 bytes), so there is nothing to keep."
    assert _counts(admin) == (0, 0)


def test_an_oversized_file_gets_the_limit_and_where_to_change_it(
    admin: UserSession, case: CaseRow, tmp_path: Path
) -> None:
    assert evidence.evidence_limit(admin) == 200
    assert evidence.set_evidence_limit(admin, megabytes=1) == 1
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (3 * 1024 * 1024 // 2))
    for attempt in (
        lambda: evidence.add_evidence_file(admin, case_id=case.id, path=big),
        lambda: evidence.add_evidence(
            admin, case_id=case.id, filename="big.bin", content=big.read_bytes()
        ),
    ):
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.message == (
            "This file is 1.5 MB; the limit is 1 MB (change it in Settings → Trust)."
        )
    assert _counts(admin) == (0, 0)
    assert audit_details(admin, "trust.evidence_limit_changed") == [{"megabytes": 1}]


def test_only_trust_roles_change_the_limit_within_bounds(
    admin: UserSession, new_store: SetupResult, store_path: Path
) -> None:
    for bad in (0, 901, -5):
        with pytest.raises(ValidationError):
            evidence.set_evidence_limit(admin, megabytes=bad)
    bm = sign_in_new_user(new_store, store_path, "bm", "business_manager")
    try:
        with pytest.raises(NotPermitted):
            evidence.set_evidence_limit(bm, megabytes=500)
        assert evidence.evidence_limit(bm) == 200
    finally:
        bm.close()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\sam\\Desktop\\photo.jpg", "photo.jpg"),
        ("folder/sub/letter.pdf", "letter.pdf"),
        ("Zoë O'Brien-Smith.txt", "Zoë O'Brien-Smith.txt"),
        (unicodedata.normalize("NFD", "Zoë.txt"), unicodedata.normalize("NFD", "Zoë.txt")),
        ("письмо.txt", "письмо.txt"),
        ("رسالة.txt", "رسالة.txt"),
        ("手紙.txt", "手紙.txt"),
    ],
)
def test_names_keep_their_last_part_exactly(
    admin: UserSession, case: CaseRow, given: str, kept: str
) -> None:
    row = evidence.add_evidence(admin, case_id=case.id, filename=given, content=b"text")
    assert row.filename == kept
    assert [r.filename for r in evidence.list_evidence(admin, case_id=case.id)] == [kept]


@pytest.mark.parametrize(
    "name", ["bad\x00name.txt", "tab\there.txt", "photo\u202egpj.exe", "..", "a/", ""]
)
def test_names_that_could_mislead_are_refused(admin: UserSession, case: CaseRow, name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        evidence.add_evidence(admin, case_id=case.id, filename=name, content=b"text")
    assert refused.value.field == "filename"
    assert _counts(admin) == (0, 0)


def test_an_incident_from_another_case_is_refused(admin: UserSession, case: CaseRow) -> None:
    other = open_case(
        admin,
        given_name="Sam",
        family_name="Other",
        relationship="parent",
        school_ids=[1],
        opened_on=dt.date(2026, 1, 5),
    )
    with admin.transaction(write=True) as db:
        incident = m.Incident(
            case_id=other.id,
            occurred_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
            channel="on_site",
            recorded_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        )
        db.add(incident)
        db.flush()
        incident_id = incident.id
    with pytest.raises(ValidationError) as refused:
        evidence.add_evidence(
            admin, case_id=case.id, filename="a.txt", content=b"x", incident_id=incident_id
        )
    assert refused.value.field == "incident"
    row = evidence.add_evidence(
        admin, case_id=other.id, filename="a.txt", content=b"x", incident_id=incident_id
    )
    assert row.incident_id == incident_id


def test_export_writes_the_exact_bytes_and_is_audited(
    admin: UserSession, case: CaseRow, tmp_path: Path
) -> None:
    content = PNG + MARKER
    row = evidence.add_evidence(admin, case_id=case.id, filename="post.png", content=content)
    target = tmp_path / "out" / "copy.png"
    target.parent.mkdir()
    target.write_bytes(b"older file")  # the person agreed to replace it
    assert evidence.export_evidence(admin, evidence_id=row.id, to=target) == target
    assert target.read_bytes() == content
    assert sorted(p.name for p in target.parent.iterdir()) == ["copy.png"]  # no .part left
    assert audit_details(admin, "evidence.exported") == [
        {"evidence_id": row.id, "sha256": row.sha256}
    ]
    with pytest.raises(ValidationError):
        evidence.export_evidence(admin, evidence_id=row.id, to=tmp_path)
    with pytest.raises(ValidationError):
        evidence.export_evidence(admin, evidence_id=row.id, to=tmp_path / "nowhere" / "x.png")
    assert len(audit_details(admin, "evidence.exported")) == 1


def test_thumbnails_only_for_pictures(admin: UserSession, case: CaseRow) -> None:
    picture = evidence.add_evidence(admin, case_id=case.id, filename="post.png", content=PNG)
    letter = evidence.add_evidence(admin, case_id=case.id, filename="letter.pdf", content=PDF)
    assert evidence.thumbnail_source(admin, evidence_id=picture.id) == PNG
    assert evidence.thumbnail_source(admin, evidence_id=letter.id) is None
    assert audit_details(admin, "evidence.viewed") == []  # a list's preview is not a viewing
    assert evidence.get_evidence(admin, evidence_id=letter.id).kind.value == "pdf"


def test_a_file_that_changes_while_read_is_refused_and_nothing_saved(
    admin: UserSession, case: CaseRow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "growing.txt"
    path.write_bytes(b"0123456789" * 1000)
    real = os.fstat

    class Shorter:
        def __init__(self, result: os.stat_result) -> None:
            self.st_size = result.st_size - 10  # the file grew after its size was taken

    monkeypatch.setattr(evidence.os, "fstat", lambda fd: Shorter(real(fd)))
    with pytest.raises(ValidationError) as refused:
        evidence.add_evidence_file(admin, case_id=case.id, path=path)
    assert "changed while it was being read" in refused.value.message
    assert _counts(admin) == (0, 0)
