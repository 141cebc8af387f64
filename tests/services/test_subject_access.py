"""Subject access requests: recording and extending them, and the bundle: every record about
the person, no hidden third party anywhere in it, and a zip that opens only with its
password. Counts are checked against SQL written here, apart from the service's queries."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
import pyzipper
from sqlalchemy import func, or_, select

from desktop.domain.disclosures import LegalBasis
from desktop.domain.due import DueKind, DueState, Place
from desktop.domain.subject_access import REDACTED, WITHHELD_FILE
from desktop.errors import NotPermitted, ValidationError
from desktop.services import case_people, disclosures, due, evidence, sanctions
from desktop.services import subject_access as sar
from desktop.services.case_people import NewPupil
from desktop.services.due import DueView
from desktop.services.setup import SetupResult
from desktop.services.subject_access import Passage
from desktop.storage import models as m
from tests.pdfutil import pdf_text
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import (
    add_entry,
    audit_details,
    open_parent_case,
    record_first_kind,
)
from tests.services.scoping_calls.sanctions import WARNING
from tests.services.staffing import add_staff

TODAY = dt.date(2026, 3, 10)
RECEIVED = dt.date(2026, 3, 2)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
HIDDEN = ("Sarah Okafor", "Okafor", "Tom Pike", "Jo Bloggs", "Robin Hale", "Ann Ash")


@pytest.fixture
def world(new_store: SetupResult, store_path: Path):
    """Dana Fletcher's case (an incident naming staff, a pupil and a witness; a note; a
    letter; two evidence files) and Robin Hale's case, on which Dana is named and was a
    party to an incident."""
    admin = new_store.session
    leader = sign_in_new_user(new_store, store_path, "ceo", "trust_leader")
    staff_id = add_staff(admin, "Sarah Okafor")
    dana = open_parent_case(admin, "Dana", "Fletcher")
    robin = open_parent_case(admin, "Robin", "Hale")
    case_people.link_pupil(
        admin,
        person_id=subject_id(admin, robin),
        pupil=NewPupil("Tom", "Pike", 1),
        relation="parent",
    )
    case_people.link_pupil(
        admin,
        person_id=subject_id(admin, dana),
        pupil=NewPupil("Lily", "Fletcher", 1),
        relation="parent",
    )
    record_first_kind(
        admin,
        dana,
        dt.datetime(2026, 2, 1, 9, 0),
        "on_site",
        "Shouted at Sarah Okafor at the gate while Tom Pike watched.",
        staff_targeted_ids=[staff_id],
        witnesses=["Jo Bloggs"],
    )
    add_entry(admin, dana, "Mrs Okafor called Dana back", dt.datetime(2026, 2, 2, 10, 0))
    sanctions.take_step(leader, case_id=dana.id, draft=WARNING)
    evidence.add_evidence(
        admin,
        case_id=dana.id,
        filename="email.txt",
        content=b"From Dana to Sarah Okafor: I am sorry.\nDana",
        media_type="text/plain",
    )
    evidence.add_evidence(admin, case_id=dana.id, filename="gate.png", content=PNG)
    case_people.add_person_to_case(
        admin, case_id=robin.id, person_id=subject_id(admin, dana), role="witness"
    )
    other = record_first_kind(
        admin, robin, dt.datetime(2026, 2, 3, 15, 0), "on_site", "Robin Hale argued with Dana."
    )
    with admin.transaction(write=True) as db:
        db.add(
            m.IncidentParty(incident_id=other.id, role="witness", person_id=subject_id(admin, dana))
        )
    return admin, dana, robin


def subject_id(admin, case) -> int:
    with admin.transaction() as db:
        found = db.scalar(select(m.Case.subject_id).where(m.Case.id == case.id))
    assert found is not None
    return found


def _counts(admin, person_id: int) -> dict[str, int]:
    """What Casebook holds about the person, counted directly."""
    with admin.transaction() as db:
        cases = select(m.Case.id).where(m.Case.subject_id == person_id)
        party = select(m.IncidentParty.incident_id).where(m.IncidentParty.person_id == person_id)

        def count(model, *where) -> int:
            return db.scalar(select(func.count()).select_from(model).where(*where)) or 0

        return {
            "Cases about you": count(m.Case, m.Case.subject_id == person_id),
            "Your part in other cases": count(m.CasePerson, m.CasePerson.person_id == person_id),
            "Incidents": count(
                m.Incident, or_(m.Incident.case_id.in_(cases), m.Incident.id.in_(party))
            ),
            "Chronology entries": count(m.CaseEvent, m.CaseEvent.case_id.in_(cases)),
            "Steps and decisions": count(m.CaseStep, m.CaseStep.case_id.in_(cases)),
            "Letters": count(m.IssuedLetter, m.IssuedLetter.case_id.in_(cases)),
            "Evidence files": count(m.Evidence, m.Evidence.case_id.in_(cases)),
        }


def _export(admin, request_id: int, to: Path) -> sar.ExportedBundle:
    return sar.export_bundle(admin, request_id=request_id, to=to, today=TODAY)


def _unzip(path: Path, password: str) -> dict[str, bytes]:
    with pyzipper.AESZipFile(path) as archive:
        archive.setpassword(password.encode())
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_bundle_holds_every_record_and_no_hidden_name(world, tmp_path: Path) -> None:
    admin, dana, _robin = world
    request = sar.record_request(
        admin, person_id=subject_id(admin, dana), received_on=RECEIVED, today=TODAY
    )
    review = sar.review_request(admin, request_id=request.id)
    flagged = {f.text for f in review.flags}
    assert {"Sarah Okafor", "Okafor", "Tom Pike", "Jo Bloggs", "Robin Hale"} <= flagged
    assert not any("Dana" in f.text or "Lily" in f.text for f in review.flags)  # her own
    sar.apply_redactions(
        admin,
        request_id=request.id,
        passages=[
            Passage(f.item, f.text, f.party) for f in review.flags if f.text != WITHHELD_FILE
        ],
    )

    exported = _export(admin, request.id, tmp_path / "bundle.zip")
    files = _unzip(exported.path, exported.password)
    data = json.loads(files["records.json"])
    held = {s["section"]: len(s["records"]) for s in data["sections"]}
    for section, expected in _counts(admin, subject_id(admin, dana)).items():
        assert held.get(section, 0) == expected, section
    letters = [n for n in files if n.startswith("letters/")]
    evidence_files = [n for n in files if n.startswith("evidence/")]
    assert len(evidence_files) + len(letters) + len(data["files_left_out"]) == (
        held["Letters"] + held["Evidence files"]
    )
    assert "evidence/E2.png" in files  # a picture cannot be read for names: kept unless ticked
    texts = {name: body.decode("utf-8", "replace") for name, body in files.items()}
    texts["records.pdf"] = pdf_text(files["records.pdf"])
    for name in letters:
        texts[name] = pdf_text(files[name])
    for name, text in texts.items():
        for hidden in HIDDEN:
            assert hidden.casefold() not in text.casefold(), (name, hidden)
    assert REDACTED in texts["records.pdf"] and "Dana Fletcher" in texts["records.pdf"]
    assert "I am sorry" in texts["evidence/E1.txt"]  # redacted copy, the rest kept


def test_the_zip_does_not_open_without_its_password(world, tmp_path: Path) -> None:
    admin, dana, _robin = world
    request = sar.record_request(
        admin, person_id=subject_id(admin, dana), received_on=RECEIVED, today=TODAY
    )
    exported = _export(admin, request.id, tmp_path / "bundle.zip")
    with pyzipper.AESZipFile(exported.path) as archive:
        with pytest.raises(RuntimeError):
            archive.read("records.json")
        archive.setpassword(b"not-the-password")
        with pytest.raises(RuntimeError):
            archive.read("records.json")
    assert "records.json" in _unzip(exported.path, exported.password)
    assert exported.password not in (tmp_path / "bundle.zip").read_bytes().decode("latin-1")
    for detail in audit_details(admin, "subject_access.exported"):
        assert exported.password not in json.dumps(detail)


def test_export_logs_the_disclosure_and_answers_the_request(world, tmp_path: Path) -> None:
    admin, dana, _robin = world
    request = sar.record_request(
        admin, person_id=subject_id(admin, dana), received_on=RECEIVED, today=TODAY
    )
    exported = _export(admin, request.id, tmp_path / "bundle.zip")
    logged = disclosures.list_disclosures(admin)
    assert [(d.basis, d.request_id, d.id) for d in logged] == [
        (LegalBasis.SUBJECT_ACCESS, request.id, exported.disclosure_id)
    ]
    assert logged[0].recipient == "Dana Fletcher"
    answered = sar.get_request(admin, request_id=request.id)
    assert answered.completed_on == TODAY and answered.state_words(TODAY) == "Answered on time"


def test_a_person_with_no_records_gets_a_bundle_saying_so(new_store: SetupResult, tmp_path):
    admin = new_store.session
    request = sar.record_request(
        admin, person_id=None, requester_name="Kim Nobody", received_on=RECEIVED, today=TODAY
    )
    exported = _export(admin, request.id, tmp_path / "none.zip")
    files = _unzip(exported.path, exported.password)
    assert "holds no records about this person" in pdf_text(files["records.pdf"])
    assert json.loads(files["records.json"])["records_held"] is False
    assert exported.records == 0


def test_an_export_to_a_missing_or_unwritable_folder_writes_nothing(world, tmp_path: Path):
    admin, dana, _robin = world
    request = sar.record_request(
        admin, person_id=subject_id(admin, dana), received_on=RECEIVED, today=TODAY
    )
    with pytest.raises(ValidationError, match="does not exist"):
        _export(admin, request.id, tmp_path / "gone" / "bundle.zip")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    # Root writes anywhere it is allowed to: /proc takes no new files from anyone.
    folder = locked if not os.access(locked, os.W_OK) else Path("/proc")
    try:
        with pytest.raises(ValidationError, match="cannot save files"):
            _export(admin, request.id, folder / "bundle.zip")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)
    assert disclosures.list_disclosures(admin) == []
    assert sar.get_request(admin, request_id=request.id).completed_on is None


def test_deadlines_and_extensions(new_store: SetupResult) -> None:
    admin = new_store.session
    request = sar.record_request(
        admin,
        person_id=None,
        requester_name="Kim Nobody",
        received_on=dt.date(2026, 1, 31),
        today=dt.date(2026, 2, 1),
    )
    assert request.due_on == dt.date(2026, 2, 28)
    with pytest.raises(ValidationError, match="at most two months"):
        sar.extend_request(
            admin,
            request_id=request.id,
            extended_to=dt.date(2026, 4, 29),
            reason="Complex",
            today=dt.date(2026, 2, 10),
        )
    with pytest.raises(ValidationError, match="has passed"):
        sar.extend_request(
            admin,
            request_id=request.id,
            extended_to=dt.date(2026, 4, 1),
            reason="Complex",
            today=dt.date(2026, 3, 1),
        )
    extended = sar.extend_request(
        admin,
        request_id=request.id,
        extended_to=dt.date(2026, 4, 28),
        reason="Many records",
        today=dt.date(2026, 2, 28),
    )
    assert extended.deadline == dt.date(2026, 4, 28)
    with pytest.raises(ValidationError, match="future"):
        sar.record_request(
            admin,
            person_id=None,
            requester_name="Kim",
            received_on=dt.date(2026, 2, 2),
            today=dt.date(2026, 2, 1),
        )


def test_the_calendar_shows_the_deadline_to_the_data_protection_lead_only(
    new_store: SetupResult, store_path: Path
) -> None:
    admin = new_store.session
    request = sar.record_request(
        admin, person_id=None, requester_name="Kim Nobody", received_on=RECEIVED, today=TODAY
    )
    view = DueView(start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30))
    items = [
        i for i in due.due_items(admin, view=view, today=TODAY) if i.kind is DueKind.SUBJECT_ACCESS
    ]
    assert [(i.date, i.state, i.place, i.target_id) for i in items] == [
        (dt.date(2026, 4, 2), DueState.UPCOMING, Place.SUBJECT_ACCESS, request.id)
    ]
    late = due.due_items(admin, view=view, today=dt.date(2026, 4, 5))
    assert [i.state for i in late if i.kind is DueKind.SUBJECT_ACCESS] == [DueState.OVERDUE]
    leader = sign_in_new_user(new_store, store_path, "ceo", "trust_leader")
    assert not [
        i for i in due.due_items(leader, view=view, today=TODAY) if i.kind is DueKind.SUBJECT_ACCESS
    ]


def test_redactions_are_kept_removed_and_audited(world) -> None:
    admin, dana, _robin = world
    request = sar.record_request(
        admin, person_id=subject_id(admin, dana), received_on=RECEIVED, today=TODAY
    )
    flag = next(f for f in sar.review_request(admin, request_id=request.id).flags)
    kept = sar.apply_redactions(
        admin, request_id=request.id, passages=[Passage(flag.item, flag.text, flag.party)] * 2
    )
    assert [(r.item, r.text) for r in kept] == [(flag.item, flag.text)]
    assert sar.remove_redactions(admin, request_id=request.id, redaction_ids=[kept[0].id]) == []
    assert audit_details(admin, "subject_access.redacted") == [
        {"request_id": request.id, "items": [flag.item]}
    ]
    assert len(audit_details(admin, "subject_access.unredacted")) == 1


def test_a_file_left_out_whole_is_not_in_the_zip(world, tmp_path: Path) -> None:
    admin, dana, _robin = world
    request = sar.record_request(
        admin, person_id=subject_id(admin, dana), received_on=RECEIVED, today=TODAY
    )
    review = sar.review_request(admin, request_id=request.id)
    picture = next(f for f in review.flags if f.text == WITHHELD_FILE)
    sar.apply_redactions(
        admin, request_id=request.id, passages=[Passage(picture.item, picture.text, picture.party)]
    )
    exported = _export(admin, request.id, tmp_path / "bundle.zip")
    files = _unzip(exported.path, exported.password)
    assert PNG not in files.values()
    assert any(w.startswith("evidence:") for w in exported.withheld)


def test_only_the_data_protection_lead_may(new_store: SetupResult, store_path: Path) -> None:
    leader = sign_in_new_user(new_store, store_path, "ceo", "trust_leader")
    with pytest.raises(NotPermitted):
        sar.list_requests(leader)
    with pytest.raises(NotPermitted):
        sar.record_request(leader, person_id=None, requester_name="Kim", received_on=RECEIVED)
