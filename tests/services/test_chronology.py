"""The chronology: date order, court-safe edits (a new version, never an overwrite), the
history of every entry, and the export for the legal team (issue 7, item 3)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktop.dates import utc_now
from desktop.domain.chronology import EventKind
from desktop.errors import NotPermitted, ValidationError
from desktop.services import chronology
from desktop.services.cases import CaseRow
from desktop.services.chronology import INCIDENT_ENTRY, MANUAL_KINDS, NOT_CURRENT
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.storage import models as m
from tests.pdfutil import pdf_text
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import add_entry, open_parent_case, record_first_kind

DAY = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def case(admin: UserSession) -> CaseRow:
    return open_parent_case(admin, "Zoë", "O'Brien-Łukasz")


def _rows(session: UserSession) -> list[m.CaseEvent]:
    with session.transaction() as db:
        rows = list(db.scalars(select(m.CaseEvent).order_by(m.CaseEvent.id)))
        db.expunge_all()
        return rows


def test_entries_come_in_date_order_whatever_order_they_were_written(admin, case) -> None:
    later = add_entry(admin, case, "Meeting with mum", DAY + dt.timedelta(days=3), kind="meeting")
    earlier = add_entry(admin, case, "Phone call", DAY, kind="conversation", detail="Line one\nTwo")
    same_time = add_entry(admin, case, "Note at the same time", DAY)
    events = chronology.list_events(admin, case_id=case.id)
    assert [e.id for e in events] == [earlier.id, same_time.id, later.id]
    assert events[0].kind_label == "Conversation" and events[0].detail == "Line one\nTwo"
    assert events[0].recorded_by == "Alex Admin" and not events[0].edited
    assert events[0].recorded_at <= utc_now()
    assert [e.id for e in chronology.list_events(admin, case_id=case.id, kinds=["meeting"])] == [
        later.id
    ]
    assert chronology.list_events(admin, case_id=case.id, kinds=[]) == []


def test_an_edit_is_a_new_version_and_the_old_row_is_untouched(
    new_store: SetupResult, store_path: Path, admin: UserSession, case: CaseRow
) -> None:
    entry = add_entry(admin, case, "Spoke to dad", DAY, detail="He agreed to email only.")
    other = add_entry(admin, case, "Later note", DAY + dt.timedelta(days=1))
    saved_before = _rows(admin)
    manager = sign_in_new_user(new_store, store_path, "bm", "business_manager")
    try:
        edited = chronology.edit_event(
            manager,
            event_id=entry.id,
            summary="Spoke to mum",
            detail="She agreed to email only.",
            reason="It was mum, not dad, on the phone.",
        )
    finally:
        manager.close()
    after = _rows(admin)
    assert len(after) == 3
    for old, now in zip(saved_before, after[:2], strict=True):  # both rows exactly as saved
        assert (old.id, old.summary, old.detail, old.version, old.edit_reason) == (
            now.id,
            now.summary,
            now.detail,
            now.version,
            now.edit_reason,
        )
    new = after[2]
    assert (new.version, new.root_id, new.supersedes_id) == (2, entry.id, entry.id)
    assert new.edit_reason == "It was mum, not dad, on the phone."

    events = chronology.list_events(admin, case_id=case.id)
    assert [e.id for e in events] == [edited.id, other.id]  # the current version, in place
    assert events[0].summary == "Spoke to mum" and events[0].edited and events[0].version == 2
    assert events[0].recorded_by == "Alex Admin" and events[0].edited_by == "Bm"
    assert events[0].recorded_at == entry.recorded_at

    history = chronology.event_history(admin, event_id=entry.id)  # from any version
    assert history == chronology.event_history(admin, event_id=edited.id)
    assert [(v.version, v.summary, v.recorded_by, v.reason) for v in history] == [
        (1, "Spoke to dad", "Alex Admin", ""),
        (2, "Spoke to mum", "Bm", "It was mum, not dad, on the phone."),
    ]
    with admin.transaction() as db:
        detail = db.scalars(
            select(m.AuditEntry.detail).where(m.AuditEntry.action == "chronology.edited")
        ).one()
    assert json.loads(detail) == {"event_id": edited.id, "root_id": entry.id, "version": 2}


def test_three_versions_and_a_new_date(admin, case) -> None:
    entry = add_entry(admin, case, "Letter sent", DAY, kind="letter")
    second = chronology.edit_event(
        admin,
        event_id=entry.id,
        summary="Letter sent",
        detail="",
        reason="Wrong day",
        occurred_at=DAY - dt.timedelta(days=1),
    )
    third = chronology.edit_event(
        admin, event_id=second.id, summary="Letter posted", detail="", reason="Wording"
    )
    assert third.version == 3 and third.occurred_at == DAY - dt.timedelta(days=1)
    assert [v.version for v in chronology.event_history(admin, event_id=entry.id)] == [1, 2, 3]
    assert [v.supersedes_id for v in chronology.event_history(admin, event_id=third.id)] == [
        None,
        entry.id,
        second.id,
    ]


def test_an_out_of_date_version_cannot_be_edited(admin, case) -> None:
    entry = add_entry(admin, case, "Visit", DAY)
    chronology.edit_event(admin, event_id=entry.id, summary="Visit at 9", detail="", reason="Time")
    with pytest.raises(ValidationError) as refused:
        chronology.edit_event(admin, event_id=entry.id, summary="Other", detail="", reason="x")
    assert refused.value.message == NOT_CURRENT
    assert len(chronology.event_history(admin, event_id=entry.id)) == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": "   "}, "reason"),
        ({"summary": "Visit", "detail": ""}, "text"),  # nothing changed
        ({"summary": ""}, "summary"),
        ({"detail": "x" * 100_000}, "detail"),
        ({"occurred_at": utc_now() + dt.timedelta(days=2)}, "occurred_at"),
    ],
)
def test_an_edit_needs_a_reason_and_a_real_change(admin, case, changes, field) -> None:
    entry = add_entry(admin, case, "Visit", DAY)
    values = {"summary": "Visit to the office", "detail": "", "reason": "Clearer"} | changes
    with pytest.raises(ValidationError) as refused:
        chronology.edit_event(admin, event_id=entry.id, **values)
    assert refused.value.field == field
    assert len(_rows(admin)) == 1


def test_an_incidents_entry_is_changed_on_the_incidents_tab(admin, case) -> None:
    row = record_first_kind(admin, case, DAY, "email_or_letter", "An abusive email.")
    with pytest.raises(ValidationError) as refused:
        chronology.edit_event(admin, event_id=row.event_id or 0, summary="x", detail="", reason="y")
    assert refused.value.message == INCIDENT_ENTRY


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"occurred_at": utc_now() + dt.timedelta(hours=1)}, "occurred_at"),
        ({"summary": "  "}, "summary"),
        ({"summary": "x" * 301}, "summary"),
        ({"detail": "x" * 100_000}, "detail"),
        ({"kind": "incident_recorded"}, "kind"),
        ({"kind": "evidence_added"}, "kind"),
        ({"kind": "gossip"}, "kind"),
    ],
)
def test_bad_entries_are_refused(admin, case, changes, field) -> None:
    values: dict[str, Any] = {"kind": "note", "occurred_at": DAY, "summary": "Note"} | changes
    with pytest.raises(ValidationError) as refused:
        chronology.add_event(admin, case_id=case.id, **values)
    assert refused.value.field == field
    assert chronology.list_events(admin, case_id=case.id) == []


def test_every_hand_written_kind_can_be_added(admin, case) -> None:
    for number, kind in enumerate(MANUAL_KINDS):
        add_entry(
            admin, case, f"Entry {number}", DAY + dt.timedelta(minutes=number), kind=kind.value
        )
    kinds = [e.kind for e in chronology.list_events(admin, case_id=case.id)]
    assert kinds == [k.value for k in MANUAL_KINDS]
    assert EventKind.INCIDENT not in MANUAL_KINDS


def test_words_in_any_script_round_trip(admin, case) -> None:
    summary = "Rozmowa z Zoë O'Brien-Łukasz — 李小龍"
    detail = 'Мария said: <b>not bold</b> & "quoted"\nسطر ثان'
    entry = add_entry(admin, case, summary, DAY, detail=detail)
    [shown] = chronology.list_events(admin, case_id=case.id)
    assert (shown.id, shown.summary, shown.detail) == (entry.id, summary, detail)


def test_a_role_that_cannot_change_cases_can_only_read(
    new_store: SetupResult, store_path: Path, admin: UserSession, case: CaseRow
) -> None:
    entry = add_entry(admin, case, "Note", DAY)
    auditor = sign_in_new_user(new_store, store_path, "aud", "auditor", schools=())
    try:
        assert [e.id for e in chronology.list_events(auditor, case_id=case.id)] == [entry.id]
        with pytest.raises(NotPermitted):
            add_entry(auditor, case, "Another", DAY)
        with pytest.raises(NotPermitted):
            chronology.edit_event(auditor, event_id=entry.id, summary="x", detail="", reason="y")
    finally:
        auditor.close()


def test_the_export_is_a_pdf_and_is_audited(admin, case) -> None:
    add_entry(admin, case, "Spoke to mum", DAY)
    data = chronology.chronology_pdf(admin, case_id=case.id)
    assert data.startswith(b"%PDF")
    assert case.reference in pdf_text(data)
    with admin.transaction() as db:
        entry = db.scalars(
            select(m.AuditEntry).where(m.AuditEntry.action == "chronology.exported")
        ).one()
    assert entry.case_id == case.id
    assert json.loads(entry.detail) == {"entries": 1, "exhibits": 0}
