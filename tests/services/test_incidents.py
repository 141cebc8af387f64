"""Incidents: recorded with their chronology entry, changed only with a reason, and counted
per member of staff targeted (issue 7, item 4)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from desktop.dates import UK, uk_today, utc_now
from desktop.domain.chronology import EventKind
from desktop.errors import NotPermitted, ValidationError
from desktop.services import categories, chronology, incidents
from desktop.services.cases import CaseRow
from desktop.services.incidents import AgencyReport
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.storage import models as m
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import audit_details, open_parent_case
from tests.services.staffing import add_staff

WHEN = dt.datetime(2026, 1, 5, 8, 40, tzinfo=dt.UTC)
NAMES = (
    "Zoë O'Brien-Smith",
    "Łukasz Żółć",
    "李小龍",
    "Мария Иванова",
    "محمد علي",
    "Siân Ní Bhriain",
)


@pytest.fixture
def case(admin: UserSession) -> CaseRow:
    return open_parent_case(admin, "Pat", "Quinn")


@pytest.fixture
def kinds(admin: UserSession) -> list[int]:
    return [c.id for c in categories.list_categories(admin)]


def _record(session: UserSession, case: CaseRow, kinds: list[int], **changes: Any):
    values: dict[str, Any] = {
        "case_id": case.id,
        "occurred_at": WHEN,
        "channel": "on_site",
        "location": "School gate",
        "description": "Shouted at the class teacher at pick-up.",
        "category_ids": [kinds[1], kinds[0]],
    }
    values.update(changes)
    return incidents.record_incident(session, **values)


def _edit(session: UserSession, row: incidents.IncidentRow, **changes: Any):
    values: dict[str, Any] = {
        "incident_id": row.id,
        "occurred_at": row.occurred_at,
        "channel": row.channel,
        "location": row.location,
        "description": row.description,
        "category_ids": [c.id for c in row.categories],
        "staff_targeted_ids": [s.id for s in row.staff_targeted],
        "witnesses": row.witnesses,
        "people_affected": row.people_affected,
        "agencies": row.agencies,
        "immediate_threat": row.immediate_threat,
        "reason": "Corrected after speaking to the witness.",
    }
    values.update(changes)
    return incidents.edit_incident(session, **values)


def _counts(session: UserSession) -> tuple[int, int, int, int]:
    with session.transaction() as db:
        return (
            db.scalar(select(func.count()).select_from(m.Incident)) or 0,
            db.scalar(select(func.count()).select_from(m.CaseEvent)) or 0,
            db.scalar(select(func.count()).select_from(m.IncidentParty)) or 0,
            db.scalar(select(func.count()).select_from(m.IncidentAgency)) or 0,
        )


# -- recording ------------------------------------------------------------------------------
def test_an_incident_is_recorded_with_its_chronology_entry(
    admin: UserSession, case: CaseRow, kinds: list[int]
) -> None:
    jo = add_staff(admin, "Jo Smith")
    head = add_staff(admin, "Ann Ash", job_title="Headteacher")
    row = _record(
        admin,
        case,
        kinds,
        staff_targeted_ids=[jo, head],
        witnesses=["Sam Lee"],
        people_affected=["A Year 3 pupil"],
        agencies=[AgencyReport("lado", dt.date(2026, 1, 6), "LADO-42")],
    )
    assert [c.id for c in row.categories] == [kinds[0], kinds[1]]  # the trust's order
    assert [s.name for s in row.staff_targeted] == ["Jo Smith", "Ann Ash"]
    assert row.staff_targeted[0].school == "Ash Primary"
    assert row.witnesses == ("Sam Lee",) and row.people_affected == ("A Year 3 pupil",)
    assert row.agencies == (AgencyReport("lado", dt.date(2026, 1, 6), "LADO-42"),)
    assert row.recorded_by == "Alex Admin" and row.versions == 1
    assert incidents.list_incidents(admin, case_id=case.id) == [row]
    assert incidents.get_incident(admin, incident_id=row.id) == row

    [event] = chronology.list_events(admin, case_id=case.id)
    assert event.kind == EventKind.INCIDENT.value and event.incident_id == row.id
    assert event.id == row.event_id and event.root_id == event.id and event.version == 1
    assert event.occurred_at == WHEN and not event.edited
    assert event.summary.startswith("Incident: Threat of violence or harm")
    assert "Shouted at the class teacher" in event.detail and "Jo Smith" in event.detail
    assert "LADO-42" in event.detail
    [entry] = audit_details(admin, "incident.recorded")
    assert entry == {"incident_id": row.id, "event_id": event.id}


def test_a_time_without_a_zone_is_uk_time(admin: UserSession, case: CaseRow, kinds) -> None:
    summer = dt.datetime(2025, 7, 1, 8, 30)  # BST: 07:30 UTC
    row = _record(admin, case, kinds, occurred_at=summer)
    assert row.occurred_at == summer.replace(tzinfo=UK).astimezone(dt.UTC)
    assert row.occurred_at.hour == 7


def test_names_in_any_script_round_trip_exactly(admin: UserSession, case: CaseRow, kinds) -> None:
    staff = add_staff(admin, NAMES[0])
    row = _record(
        admin,
        case,
        kinds,
        location="Café d'Été — Ysgol Gymraeg",
        description="Said to " + ", ".join(NAMES) + ".",
        staff_targeted_ids=[staff],
        witnesses=list(NAMES[1:4]),
        people_affected=list(NAMES[3:]),
    )
    again = incidents.get_incident(admin, incident_id=row.id)
    assert again.location == "Café d'Été — Ysgol Gymraeg"
    assert again.staff_targeted[0].name == NAMES[0]
    assert again.witnesses == NAMES[1:4]
    assert again.people_affected == NAMES[3:]
    assert all(name in again.description for name in NAMES)


def test_repeated_names_are_kept_once(admin: UserSession, case: CaseRow, kinds) -> None:
    row = _record(admin, case, kinds, witnesses=["Mrs O'Brien", "mrs obrien", " ", "Sam"])
    assert row.witnesses == ("Mrs O'Brien", "Sam")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"occurred_at": utc_now() + dt.timedelta(days=1)}, "occurred_at"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 100_000}, "description"),
        ({"category_ids": []}, "categories"),
        ({"category_ids": [999]}, "categories"),
        ({"channel": "carrier_pigeon"}, "channel"),
        ({"location": "x" * 201}, "location"),
        ({"witnesses": ["x" * 201]}, "witnesses"),
        ({"people_affected": ["bad\x00name"]}, "people_affected"),
        ({"agencies": [AgencyReport("interpol")]}, "agencies"),
        ({"agencies": [AgencyReport("police"), AgencyReport("police")]}, "agencies"),
        ({"agencies": [AgencyReport("police", dt.date(2026, 1, 4))]}, "agencies"),
        ({"agencies": [AgencyReport("police", uk_today() + dt.timedelta(days=2))]}, "agencies"),
        ({"staff_targeted_ids": [999]}, "staff_targeted"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(
    admin: UserSession, case: CaseRow, kinds, changes: dict[str, Any], field: str
) -> None:
    values = {"staff_targeted_ids": [add_staff(admin, "Jo")], **changes}
    before = _counts(admin)
    with pytest.raises(ValidationError) as refused:
        _record(admin, case, kinds, **values)
    assert refused.value.field == field
    assert refused.value.message  # a sentence for the person, never a traceback
    assert _counts(admin) == before


def test_the_agency_date_cannot_come_before_the_incident(admin, case, kinds) -> None:
    with pytest.raises(ValidationError) as refused:
        _record(admin, case, kinds, agencies=[AgencyReport("police", dt.date(2026, 1, 4))])
    assert "before the incident" in refused.value.message
    assert "04/01/2026" in refused.value.message and "05/01/2026" in refused.value.message


def test_staff_of_another_school_cannot_be_named(admin, case, kinds) -> None:
    birch = add_staff(admin, "Bea Birch", school_id=2)
    gone = add_staff(admin, "Len Left", active=False)
    for staff in (birch, gone):
        with pytest.raises(ValidationError) as refused:
            _record(admin, case, kinds, staff_targeted_ids=[staff])
        assert refused.value.field == "staff_targeted"
    assert incidents.list_incidents(admin, case_id=case.id) == []


def test_a_switched_off_category_is_not_offered_for_new_incidents(admin, case, kinds) -> None:
    categories.set_category_active(admin, category_id=kinds[3], active=False)
    with pytest.raises(ValidationError) as refused:
        _record(admin, case, kinds, category_ids=[kinds[3]])
    assert refused.value.field == "categories"


# -- immediate threat -----------------------------------------------------------------------
@pytest.mark.parametrize("agencies", [[], [AgencyReport("lado")], [AgencyReport("social_care")]])
def test_an_immediate_threat_needs_the_referral_first(admin, case, kinds, agencies) -> None:
    before = _counts(admin)
    with pytest.raises(ValidationError) as refused:
        _record(admin, case, kinds, immediate_threat=True, agencies=agencies)
    assert refused.value.field == "agencies"
    assert "police" in refused.value.message and "legal team" in refused.value.message
    assert _counts(admin) == before


@pytest.mark.parametrize("agency", ["police", "legal_team"])
def test_an_immediate_threat_with_the_referral_is_recorded(admin, case, kinds, agency) -> None:
    told = AgencyReport(agency, dt.date(2026, 1, 5), "REF 1")
    row = _record(admin, case, kinds, immediate_threat=True, agencies=[told])
    assert row.immediate_threat and row.agencies == (told,)
    [event] = chronology.list_events(admin, case_id=case.id)
    assert "Immediate threat to safety: yes" in event.detail


# -- changing -------------------------------------------------------------------------------
def test_an_edit_adds_a_version_and_keeps_the_old_one(
    new_store: SetupResult, store_path: Path, admin: UserSession, case: CaseRow, kinds
) -> None:
    jo = add_staff(admin, "Jo Smith")
    row = _record(admin, case, kinds, staff_targeted_ids=[jo], witnesses=["Sam Lee"])
    manager = sign_in_new_user(new_store, store_path, "bm", "business_manager")
    try:
        changed = _edit(
            manager,
            row,
            description="Shouted and swore at the class teacher at pick-up.",
            category_ids=[kinds[1]],
            witnesses=["Sam Lee", "Kim Park"],
            reason="Second witness came forward.",
        )
    finally:
        manager.close()
    assert changed.id == row.id and changed.versions == 2 and changed.edited
    assert changed.event_id != row.event_id
    assert changed.witnesses == ("Sam Lee", "Kim Park")
    assert [c.id for c in changed.categories] == [kinds[1]]
    assert changed.recorded_by == "Alex Admin"  # the incident's first recorder

    [event] = chronology.list_events(admin, case_id=case.id)
    assert event.id == changed.event_id and event.version == 2 and event.edited
    assert event.recorded_by == "Alex Admin" and event.edited_by == "Bm"
    assert "swore" in event.detail and "Kim Park" in event.detail
    first, second = chronology.event_history(admin, event_id=event.id)
    assert "swore" not in first.detail and "Kim Park" not in first.detail
    assert first.reason == "" and second.reason == "Second witness came forward."
    assert second.supersedes_id == first.id and second.root_id == first.id
    [entry] = audit_details(admin, "incident.edited")
    assert entry == {"incident_id": row.id, "event_id": event.id, "version": 2}


def test_an_edit_needs_a_reason_and_a_change(admin, case, kinds) -> None:
    row = _record(admin, case, kinds)
    with pytest.raises(ValidationError) as no_reason:
        _edit(admin, row, description="Something else.", reason="  ")
    assert no_reason.value.field == "reason"
    with pytest.raises(ValidationError) as no_change:
        _edit(admin, row)
    assert no_change.value.field == "text"
    assert incidents.get_incident(admin, incident_id=row.id) == row  # nothing half-saved
    assert len(chronology.event_history(admin, event_id=row.event_id or 0)) == 1


def test_a_refused_edit_leaves_everything_as_it_was(admin, case, kinds) -> None:
    jo = add_staff(admin, "Jo Smith")
    row = _record(admin, case, kinds, staff_targeted_ids=[jo], witnesses=["Sam"])
    before = _counts(admin)
    with pytest.raises(ValidationError):
        _edit(admin, row, witnesses=["Kim"], staff_targeted_ids=[jo, 999])
    assert incidents.get_incident(admin, incident_id=row.id) == row
    assert _counts(admin) == before


def test_an_edit_may_keep_a_category_since_switched_off(admin, case, kinds) -> None:
    row = _record(admin, case, kinds, category_ids=[kinds[2]])
    categories.set_category_active(admin, category_id=kinds[2], active=False)
    changed = _edit(admin, row, location="Main office")
    assert [c.id for c in changed.categories] == [kinds[2]]


def test_an_incident_recorded_before_entries_were_linked_gets_one(admin, case, kinds) -> None:
    with admin.transaction(write=True) as db:
        incident = m.Incident(
            case_id=case.id,
            occurred_at=WHEN,
            channel="telephone",
            location="",
            description="Rang and shouted.",
            immediate_safety=False,
            recorded_by_id=admin.actor.user_id,
            recorded_at=WHEN,
            categories=[db.get(m.BehaviourCategory, kinds[0])],
        )
        db.add(incident)
        db.flush()
        incident_id = incident.id
    row = incidents.get_incident(admin, incident_id=incident_id)
    assert row.event_id is None
    changed = _edit(admin, row, description="Rang twice and shouted.")
    first, second = chronology.event_history(admin, event_id=changed.event_id or 0)
    assert "Rang and shouted." in first.detail and first.recorded_at == WHEN
    assert "Rang twice" in second.detail and second.version == 2


# -- patterns ---------------------------------------------------------------------------------
def test_incidents_per_member_of_staff_flag_a_course_of_conduct(admin, case, kinds) -> None:
    jo, sam = add_staff(admin, "Jo Smith"), add_staff(admin, "Sam Lee")
    first = _record(admin, case, kinds, staff_targeted_ids=[jo])
    second = _record(
        admin, case, kinds, staff_targeted_ids=[jo, sam], occurred_at=WHEN + dt.timedelta(hours=3)
    )
    summary = incidents.targets_summary(admin, case_id=case.id)
    assert [(s.staff.name, s.count, s.course_of_conduct) for s in summary] == [
        ("Jo Smith", 2, True),
        ("Sam Lee", 1, False),
    ]
    assert summary[0].incidents == ((first.id, WHEN.date()), (second.id, WHEN.date()))


def test_staff_offered_are_the_case_schools_and_the_trusts(admin, case) -> None:
    add_staff(admin, "Jo Smith")
    add_staff(admin, "Chris Chief", school_id=None, job_title="Chief executive officer")
    add_staff(admin, "Bea Birch", school_id=2)
    add_staff(admin, "Len Left", active=False)
    offered = incidents.list_staff(admin, case_id=case.id)
    assert [s.name for s in offered] == ["Chris Chief", "Jo Smith"]
    assert offered[0].label == "Chris Chief (Chief executive officer, Trust)"
    assert offered[1].label == "Jo Smith (Class teacher, Ash Primary)"


def test_a_role_that_cannot_change_cases_cannot_record(
    new_store: SetupResult, store_path: Path, case: CaseRow, kinds
) -> None:
    auditor = sign_in_new_user(new_store, store_path, "aud", "auditor", schools=())
    try:
        assert incidents.list_incidents(auditor, case_id=case.id) == []
        with pytest.raises(NotPermitted):
            _record(auditor, case, kinds)
    finally:
        auditor.close()
