"""The case file's header and banner, closing and reopening, and a new case in one step."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.dates import UK, format_date, uk_today, utc_now
from desktop.domain.restrictions import RestrictionKind
from desktop.errors import NotFound, NotPermitted, ValidationError
from desktop.services import casefile, cases
from desktop.services.audit import verify_chain
from desktop.services.casefile import FirstIncident, NewPerson, NewPupil
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.storage import models as m
from tests.services.accounts import sign_in_new_user

ASH, BIRCH = 1, 2


def incident(**changes: object) -> FirstIncident:
    values: dict[str, object] = {
        "occurred_at": utc_now() - dt.timedelta(hours=2),
        "channel": "on_site",
        "category_ids": (1, 3),
        "description": "Shouted at the office manager at the gate.\nRefused to leave.",
        "location": "Main gate",
    }
    values.update(changes)
    return FirstIncident(**values)  # type: ignore[arg-type]


def open_new(
    session: UserSession,
    given: str = "Ann",
    family: str = "Smith",
    *,
    schools: tuple[int, ...] = (ASH,),
    pupils: tuple[int | NewPupil, ...] = (),
    first: FirstIncident | None = None,
) -> cases.CaseRow:
    return casefile.new_case(
        session,
        subject=NewPerson(given, family, "parent"),
        school_ids=schools,
        pupils=pupils,
        first_incident=first or incident(),
    )


def add_restriction(
    session: UserSession,
    case_id: int,
    *,
    kind: str = "bar",
    state: str = "active",
    starts: dt.date | None = None,
    ends: dt.date | None = None,
    review_due: dt.date | None = None,
    schools: tuple[int, ...] = (ASH,),
    reviewed_on: dt.date | None = None,
) -> None:
    today = uk_today()
    with session.transaction(write=True) as db:
        case = db.get(m.Case, case_id)
        assert case is not None
        db.add(
            m.Restriction(
                case_id=case.id,
                person_id=case.subject_id,
                kind=kind,
                state=state,
                starts=starts or today - dt.timedelta(days=7),
                ends=ends or today + dt.timedelta(days=60),
                review_due=review_due or today + dt.timedelta(days=50),
                reviewed_on=reviewed_on,
                named_contact="J. Smith",
                contact_role="Business Manager",
                channels=json.dumps(["email"]),
                created_at=utc_now(),
                schools=[s for s in case.schools if s.id in schools],
            )
        )


def counts(session: UserSession) -> dict[str, int]:
    with session.transaction() as db:
        return {
            table.__name__: db.scalar(select(func.count()).select_from(table)) or 0
            for table in (
                m.Case,
                m.Person,
                m.Pupil,
                m.PersonPupil,
                m.Incident,
                m.CaseEvent,
                m.AuditEntry,
            )
        }


# -- the header ---------------------------------------------------------------------------
def test_header_of_a_new_case(new_store: SetupResult) -> None:
    admin = new_store.session
    row = open_new(
        admin,
        "Zoë",
        "O'Brien-Łukasz",
        schools=(ASH, BIRCH),
        pupils=(NewPupil("Mia", "O'Brien", ASH, "Year 4"), NewPupil("Leo", "Ng", BIRCH, "")),
    )
    header = casefile.case_header(admin, case_id=row.id)
    assert header.reference == row.reference == f"CB-{uk_today().year}-0001"
    assert header.subject == "Zoë O'Brien-Łukasz"  # accents and punctuation round-trip
    assert header.schools == ("Ash Primary", "Birch Academy")
    assert [(p.name, p.school, p.year_group) for p in header.pupils] == [
        ("Leo Ng", "Birch Academy", ""),
        ("Mia O'Brien", "Ash Primary", "Year 4"),
    ]
    assert (header.status, header.status_label, header.closed) == ("open", "Open", False)
    assert (header.stage, header.stage_label) == ("concern_logged", "Concern logged")
    assert header.opened_on == uk_today()
    assert header.restrictions == ()
    assert header.banner == "No restrictions apply today."
    assert not header.review_overdue


def test_pupils_at_a_school_the_user_has_no_part_in_stay_hidden(
    new_store: SetupResult, store_path: Path
) -> None:
    admin = new_store.session
    row = open_new(
        admin, pupils=(NewPupil("Mia", "Smith", ASH, "Year 1"), NewPupil("Kit", "Smith", BIRCH))
    )  # a case at Ash only; one child is at Birch
    user = sign_in_new_user(new_store, store_path, "bm", "business_manager", [ASH])
    try:
        assert [p.name for p in casefile.case_header(user, case_id=row.id).pupils] == ["Mia Smith"]
    finally:
        user.close()
    assert len(casefile.case_header(admin, case_id=row.id).pupils) == 2  # trust-wide


def test_banner_states_a_bar_in_force(new_store: SetupResult) -> None:
    admin = new_store.session
    row = open_new(admin)
    today = uk_today()
    ends, review = today + dt.timedelta(days=60), today + dt.timedelta(days=50)
    add_restriction(admin, row.id, ends=ends, review_due=review)
    header = casefile.case_header(admin, case_id=row.id)
    assert header.banner == (
        f"Barred from Ash Primary until {format_date(ends)} · review due {format_date(review)}"
        " · contact only via J. Smith, Business Manager, by email"
    )
    assert [f.kind for f in header.restrictions] == [RestrictionKind.BAR]
    assert not header.review_overdue


def test_banner_shows_an_overdue_review_and_leaves_out_what_is_over(
    new_store: SetupResult,
) -> None:
    admin = new_store.session
    row = open_new(admin)
    today = uk_today()
    add_restriction(admin, row.id, review_due=today - dt.timedelta(days=2))
    add_restriction(admin, row.id, state="lifted")  # lifted: not shown
    add_restriction(  # past its end, never reviewed: shown as overdue, never silently gone
        admin,
        row.id,
        starts=today - dt.timedelta(days=90),
        ends=today - dt.timedelta(days=1),
        review_due=today - dt.timedelta(days=5),
    )
    add_restriction(  # over and reviewed: not shown
        admin,
        row.id,
        starts=today - dt.timedelta(days=90),
        ends=today - dt.timedelta(days=1),
        review_due=today - dt.timedelta(days=5),
        reviewed_on=today - dt.timedelta(days=5),
    )
    add_restriction(  # starts next week: listed, but not on today's banner
        admin,
        row.id,
        kind="communication_plan",
        starts=today + dt.timedelta(days=7),
        review_due=today + dt.timedelta(days=30),
    )
    header = casefile.case_header(admin, case_id=row.id)
    kinds = [f.kind.value for f in header.restrictions]
    assert kinds == ["bar", "bar", "communication_plan"]
    assert header.review_overdue
    assert "review overdue" in header.banner
    assert "without its review" in header.banner
    assert "Communication plan" not in header.banner


def test_a_restriction_kind_from_a_newer_casebook_is_left_out(new_store: SetupResult) -> None:
    admin = new_store.session
    row = open_new(admin)
    add_restriction(admin, row.id, kind="injunction")
    assert casefile.case_header(admin, case_id=row.id).restrictions == ()


# -- closing and reopening -------------------------------------------------------------------
def events_of(session: UserSession, case_id: int) -> list[m.CaseEvent]:
    with session.transaction() as db:
        rows = db.scalars(
            select(m.CaseEvent).where(m.CaseEvent.case_id == case_id).order_by(m.CaseEvent.id)
        ).all()
        db.expunge_all()
        return list(rows)


def test_close_and_reopen_with_a_reason(new_store: SetupResult) -> None:
    admin = new_store.session
    row = open_new(admin)
    closed = casefile.close_case(admin, case_id=row.id, reason="  Behaviour has improved.  ")
    assert (closed.status, closed.closed_on, closed.closed_reason) == (
        "closed",
        uk_today(),
        "Behaviour has improved.",
    )
    assert cases.get_case(admin, reference=row.reference).status == "closed"
    assert [r.id for r in cases.list_cases(admin, status="closed")] == [row.id]  # still found

    reopened = casefile.reopen_case(admin, case_id=row.id, reason="A new incident at pick-up.")
    assert (reopened.status, reopened.closed_on, reopened.closed_reason) == ("open", None, "")

    events = events_of(admin, row.id)
    assert [e.kind for e in events] == ["incident_recorded", "case_closed", "case_reopened"]
    for event in events:
        assert (event.root_id, event.version, event.supersedes_id) == (event.id, 1, None)
        assert event.recorded_by_id == admin.actor.user_id
    assert events[1].summary == "Behaviour has improved."  # the kind says what it was
    assert events[2].detail == "A new incident at pick-up."
    with admin.transaction() as db:
        actions = db.execute(
            select(m.AuditEntry.action, m.AuditEntry.detail).where(m.AuditEntry.case_id == row.id)
        ).all()
    assert [a for a, _ in actions][-2:] == ["case.closed", "case.reopened"]
    assert all("improved" not in d and "pick-up" not in d for _, d in actions)  # no free text
    assert verify_chain(admin).intact


@pytest.mark.parametrize("reason", ["", "   ", "\n\n"])
def test_closing_needs_a_reason(new_store: SetupResult, reason: str) -> None:
    admin = new_store.session
    row = open_new(admin)
    before = counts(admin)
    with pytest.raises(ValidationError) as info:
        casefile.close_case(admin, case_id=row.id, reason=reason)
    assert info.value.field == "reason"
    assert info.value.message == "Say why the case is being closed."
    assert counts(admin) == before
    assert casefile.case_header(admin, case_id=row.id).status == "open"


def test_a_closed_case_cannot_be_closed_again_nor_an_open_one_reopened(
    new_store: SetupResult,
) -> None:
    admin = new_store.session
    row = open_new(admin)
    with pytest.raises(ValidationError, match="already open"):
        casefile.reopen_case(admin, case_id=row.id, reason="Why not")
    casefile.close_case(admin, case_id=row.id, reason="Resolved")
    before = counts(admin)
    with pytest.raises(ValidationError, match="already closed") as info:
        casefile.close_case(admin, case_id=row.id, reason="Again")
    assert info.value.field == "status"
    assert counts(admin) == before


def test_an_auditor_cannot_close_a_case(new_store: SetupResult, store_path: Path) -> None:
    row = open_new(new_store.session)
    auditor = sign_in_new_user(new_store, store_path, "aud", "auditor", [])
    try:
        casefile.case_header(auditor, case_id=row.id)  # may look
        with pytest.raises(NotPermitted):
            casefile.close_case(auditor, case_id=row.id, reason="Not mine to close")
    finally:
        auditor.close()


# -- a new case ---------------------------------------------------------------------------------
def test_new_case_records_subject_pupils_and_first_incident(new_store: SetupResult) -> None:
    admin = new_store.session
    before = counts(admin)
    when = dt.datetime(2026, 1, 14, 15, 20)  # typed as UK time, no zone
    row = open_new(
        admin,
        "محمد",
        "Khan",
        pupils=(NewPupil("Aisha", "Khan", ASH, "Year 2"),),
        first=incident(occurred_at=when, category_ids=(3, 1)),
    )
    assert row.subject == "محمد Khan"
    after = counts(admin)
    assert {k: after[k] - before[k] for k in after} == {
        "Case": 1,
        "Person": 1,
        "Pupil": 1,
        "PersonPupil": 1,
        "Incident": 1,
        "CaseEvent": 1,
        "AuditEntry": 3,  # case opened, incident recorded, pupils linked
    }
    with admin.transaction() as db:
        found = db.scalar(select(m.Incident).where(m.Incident.case_id == row.id))
        assert found is not None
        assert found.occurred_at == when.replace(tzinfo=UK)
        assert {c.id for c in found.categories} == {1, 3}
        assert (found.channel, found.location) == ("on_site", "Main gate")
        assert found.recorded_by_id == admin.actor.user_id
        event = db.scalar(select(m.CaseEvent).where(m.CaseEvent.case_id == row.id))
        assert event is not None
        assert (event.kind, event.incident_id, event.version) == (
            "incident_recorded",
            found.id,
            1,
        )
        assert event.root_id == event.id
        assert (
            event.summary
            == "Incident: Threat of violence or harm; Intimidation, coercion or humiliation"
        )
        assert event.detail.startswith(
            "Shouted at the office manager at the gate.\nRefused to leave."
        )
        assert "Where: Main gate" in event.detail
        assert event.recorded_by_id == admin.actor.user_id
        assert event.occurred_at == found.occurred_at


def test_new_case_on_someone_already_on_file(new_store: SetupResult) -> None:
    admin = new_store.session
    first = open_new(admin, pupils=(NewPupil("Mia", "Smith", ASH),))
    subject_id = casefile.case_header(admin, case_id=first.id).subject_id
    people = counts(admin)["Person"]
    second = casefile.new_case(
        admin, subject=subject_id, school_ids=(BIRCH,), first_incident=incident()
    )
    assert counts(admin)["Person"] == people
    header = casefile.case_header(admin, case_id=second.id)
    assert header.subject_id == subject_id and header.subject == "Ann Smith"
    assert [p.name for p in header.pupils] == ["Mia Smith"]  # the child comes with them


def test_a_merged_person_gives_the_record_it_was_merged_into(new_store: SetupResult) -> None:
    admin = new_store.session
    keep = casefile.case_header(admin, case_id=open_new(admin).id).subject_id
    dup = casefile.case_header(admin, case_id=open_new(admin, "Anne").id).subject_id
    with admin.transaction(write=True) as db:
        person = db.get(m.Person, dup)
        assert person is not None
        person.merged_into_id = keep
    row = casefile.new_case(admin, subject=dup, school_ids=(ASH,), first_incident=incident())
    assert casefile.case_header(admin, case_id=row.id).subject_id == keep


def test_a_one_school_user_cannot_open_a_case_on_another_schools_person(
    new_store: SetupResult, store_path: Path
) -> None:
    admin = new_store.session
    birch = open_new(
        admin, "Bob", "Birch", schools=(BIRCH,), pupils=(NewPupil("Kit", "Birch", BIRCH),)
    )
    birch_person = casefile.case_header(admin, case_id=birch.id).subject_id
    with admin.transaction() as db:
        birch_pupil = db.scalar(select(func.max(m.Pupil.id)))
    user = sign_in_new_user(new_store, store_path, "bm", "business_manager", [ASH])
    try:
        before = counts(admin)
        with pytest.raises(NotFound) as person:
            casefile.new_case(
                user, subject=birch_person, school_ids=(ASH,), first_incident=incident()
            )
        with pytest.raises(NotFound) as missing:
            casefile.new_case(user, subject=999_999, school_ids=(ASH,), first_incident=incident())
        assert person.value.message == missing.value.message == casefile.PERSON_NOT_FOUND
        with pytest.raises(NotPermitted):
            open_new(user, schools=(BIRCH,))
        with pytest.raises(NotPermitted):
            open_new(user, pupils=(NewPupil("Kit", "Birch", BIRCH),))
        assert birch_pupil is not None
        with pytest.raises(NotFound):
            open_new(user, pupils=(birch_pupil,))
        assert counts(admin) == before
    finally:
        user.close()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"occurred_at": utc_now() + dt.timedelta(days=2)}, "occurred_at"),
        ({"description": "x" * 100_000}, "description"),
        ({"description": "   "}, "description"),
        ({"category_ids": ()}, "categories"),
        ({"channel": "carrier pigeon"}, "channel"),
        ({"location": "y" * 201}, "location"),
    ],
)
def test_a_refused_incident_leaves_nothing_behind(
    new_store: SetupResult, changes: dict[str, object], field: str
) -> None:
    admin = new_store.session
    before = counts(admin)
    with pytest.raises(ValidationError) as info:
        open_new(admin, pupils=(NewPupil("Mia", "Smith", ASH),), first=incident(**changes))
    assert info.value.field == field
    assert counts(admin) == before


def test_a_failure_inside_the_transaction_undoes_the_case_and_the_person(
    new_store: SetupResult,
) -> None:
    """The category is checked only once the person, pupils and case are written: the
    refusal there must take all of them back."""
    admin = new_store.session
    before = counts(admin)
    with pytest.raises(ValidationError) as info:
        open_new(
            admin, pupils=(NewPupil("Mia", "Smith", ASH),), first=incident(category_ids=(999,))
        )
    assert info.value.field == "categories"
    assert counts(admin) == before
    assert cases.count_cases(admin, status=None) == 0
    row = open_new(admin)  # and the reference was not used up
    assert row.reference.endswith("-0001")
    assert verify_chain(admin).intact


@pytest.mark.parametrize(
    ("subject", "field"),
    [
        (NewPerson("", "Smith", "parent"), "given_name"),
        (NewPerson("Ann", "   ", "parent"), "family_name"),
        (NewPerson("Ann", "Smith", "neighbour"), "relationship"),
        (NewPerson("A" * 101, "Smith", "parent"), "given_name"),
    ],
)
def test_bad_subject_names_are_refused_by_field(
    new_store: SetupResult, subject: NewPerson, field: str
) -> None:
    before = counts(new_store.session)
    with pytest.raises(ValidationError) as info:
        casefile.new_case(
            new_store.session, subject=subject, school_ids=(ASH,), first_incident=incident()
        )
    assert info.value.field == field
    assert counts(new_store.session) == before


def test_no_school_and_bad_pupils_are_refused(new_store: SetupResult) -> None:
    admin = new_store.session
    with pytest.raises(ValidationError) as info:
        open_new(admin, schools=())
    assert info.value.field == "schools"
    with pytest.raises(ValidationError) as info:
        open_new(admin, pupils=(NewPupil(" ", "Smith", ASH),))
    assert info.value.field == "pupils"
    assert cases.count_cases(admin, status=None) == 0
