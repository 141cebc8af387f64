"""Every service that takes typed text, fed hostile text: each answers with a clear
ValidationError, or stores exactly what the one text rule makes of it (and shows it back
so), never another exception."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from desktop.domain.ladder import SkipAuthority
from desktop.domain.roles import Role
from desktop.domain.text import (
    DIRECTION_CONTROLS,
    clean_block,
    clean_line,
    clean_username,
    is_text,
    normalise_username,
)
from desktop.errors import NotFound, ValidationError
from desktop.services import (
    case_people,
    casefile,
    categories,
    chronology,
    evidence,
    frontdesk,
    incidents,
    letter_wording,
    people,
    sanctions,
    tasks,
    trust,
    users,
    users_access,
)
from desktop.services.case_people import NewPupil
from desktop.services.cases import count_cases, get_case, list_cases, open_case
from desktop.services.incident_records import AgencyReport, IncidentRow
from tests.hostile.support import (
    HYPOTHESIS,
    MEGABYTE_TEXT,
    World,
    hostile_text,
    outcome,
    shown_the_same,
)

WHEN = dt.datetime(2026, 1, 10, 15, 20)


def cleaned(clean: Callable[..., str], value: str, **rule: object) -> str | None:
    """What the text rule keeps of `value`, or None when it refuses it."""
    try:
        return clean(value, field="f", label="L", **rule)
    except ValidationError:
        return None


def refused_or(result: object, expected: str | None, stored: Callable[[object], str]) -> None:
    """The service refused exactly what the rule refuses, or stored what the rule keeps."""
    if isinstance(result, Exception):
        assert isinstance(result, ValidationError)
        return
    assert expected is not None, "the service kept text the text rule refuses"
    assert stored(result) == expected
    assert shown_the_same(stored(result))


# -- people and cases ------------------------------------------------------------------------
@HYPOTHESIS
@given(given_name=hostile_text, family_name=hostile_text)
def test_a_person_s_names(world: World, given_name: str, family_name: str) -> None:
    result = outcome(
        lambda: people.create_person(
            world.leader,
            given_name=given_name,
            family_name=family_name,
            relation="parent",
            allow_duplicate=True,
        )
    )
    if isinstance(result, Exception):
        assert isinstance(result, ValidationError)
        assert result.field in ("given_name", "family_name")
        return
    row = people.get_person(world.leader, person_id=result.id)
    assert row.given_name == cleaned(clean_line, given_name, max_length=100)
    assert row.family_name == cleaned(clean_line, family_name, max_length=100)
    assert shown_the_same(row.full_name)


@HYPOTHESIS
@given(address=hostile_text, email=hostile_text, phone=hostile_text)
def test_a_person_s_contact_details(world: World, address: str, email: str, phone: str) -> None:
    result = outcome(
        lambda: people.create_person(
            world.leader,
            given_name="Pat",
            family_name=f"Contact {next(world.numbers)}",
            relation="carer",
            address=address,
            email=email,
            phone=phone,
            allow_duplicate=True,
        )
    )
    if isinstance(result, Exception):
        assert isinstance(result, ValidationError)
        return
    row = people.get_person(world.leader, person_id=result.id)
    assert row.address == cleaned(clean_block, address, max_length=500)
    assert row.email == cleaned(clean_line, email, max_length=254, required=False)
    assert row.phone == cleaned(clean_line, phone, max_length=40, required=False)


@HYPOTHESIS
@given(relation=hostile_text, role=hostile_text)
def test_relationships_and_parts_in_a_case(world: World, relation: str, role: str) -> None:
    refused = outcome(
        lambda: people.create_person(
            world.leader, given_name="Rel", family_name="Ation", relation=relation
        )
    )
    assert isinstance(refused, ValidationError)  # only the listed relationships exist
    person = people.create_person(
        world.leader,
        given_name="Part",
        family_name=f"Player {next(world.numbers)}",
        relation="visitor",
        allow_duplicate=True,
    )
    case = world.fresh_case()
    result = outcome(
        lambda: case_people.add_person_to_case(
            world.leader, case_id=case.id, person_id=person.id, role=role
        )
    )
    refused_or(
        result,
        cleaned(clean_line, role, max_length=100, required=False),
        lambda row: row.role,  # type: ignore[attr-defined]
    )


@HYPOTHESIS
@given(given_name=hostile_text, year_group=hostile_text, relation=hostile_text)
def test_a_new_pupil(world: World, given_name: str, year_group: str, relation: str) -> None:
    person = people.create_person(
        world.leader,
        given_name="Pupil's",
        family_name=f"Parent {next(world.numbers)}",
        relation="parent",
        allow_duplicate=True,
    )
    result = outcome(
        lambda: case_people.link_pupil(
            world.leader,
            person_id=person.id,
            pupil=NewPupil(given_name, "Driver", 1, year_group),
            relation=relation,
        )
    )
    if isinstance(result, Exception):
        assert isinstance(result, ValidationError)
        return
    assert result.name.startswith(cleaned(clean_line, given_name, max_length=100) or "?")
    assert shown_the_same(result.name)


@HYPOTHESIS
@given(given_name=hostile_text, summary=hostile_text, address=hostile_text)
def test_opening_a_case(world: World, given_name: str, summary: str, address: str) -> None:
    result = outcome(
        lambda: open_case(
            world.leader,
            given_name=given_name,
            family_name="Opener",
            relationship="parent",
            school_ids=[1],
            opened_on=dt.date(2026, 1, 5),
            summary=summary,
            address=address,
        )
    )
    expected = cleaned(clean_line, given_name, max_length=100)
    if cleaned(clean_block, summary, max_length=4000) is None:
        expected = None
    if cleaned(clean_block, address, max_length=500) is None:
        expected = None
    refused_or(result, expected and f"{expected} Opener", lambda row: row.subject)  # type: ignore[attr-defined]
    if not isinstance(result, Exception):
        assert get_case(world.leader, reference=result.reference).subject == result.subject


@HYPOTHESIS
@given(subject=hostile_text, description=hostile_text, location=hostile_text)
def test_a_new_case_file_in_one_step(
    world: World, subject: str, description: str, location: str
) -> None:
    result = outcome(
        lambda: casefile.new_case(
            world.leader,
            subject=casefile.NewPerson(subject, "Newcase", "parent"),
            school_ids=[1],
            first_incident=casefile.FirstIncident(
                WHEN, "on_site", (world.category_id,), description, location
            ),
        )
    )
    if isinstance(result, Exception):
        assert isinstance(result, ValidationError)
        return
    assert result.subject == f"{cleaned(clean_line, subject, max_length=100)} Newcase"
    (incident,) = incidents.list_incidents(world.leader, case_id=result.id)
    assert incident.description == cleaned(clean_block, description, max_length=10**9)
    assert shown_the_same(incident.location)


# -- what happened -----------------------------------------------------------------------------
@HYPOTHESIS
@given(
    description=hostile_text,
    location=hostile_text,
    witness=hostile_text,
    affected=hostile_text,
    reference=hostile_text,
)
def test_an_incident(
    world: World, description: str, location: str, witness: str, affected: str, reference: str
) -> None:
    result = outcome(
        lambda: incidents.record_incident(
            world.leader,
            case_id=world.case.id,
            occurred_at=WHEN,
            channel="on_site",
            location=location,
            description=description,
            category_ids=[world.category_id],
            witnesses=[witness],
            people_affected=[affected],
            agencies=[AgencyReport("police", dt.date(2026, 1, 11), reference)],
        )
    )
    if isinstance(result, Exception):
        assert isinstance(result, ValidationError)
        return
    row = incidents.get_incident(world.leader, incident_id=result.id)
    assert row.description == cleaned(clean_block, description, max_length=10**9)
    assert row.location == cleaned(clean_line, location, required=False)
    for text in (*row.witnesses, *row.people_affected, row.agencies[0].reference):
        assert shown_the_same(text)


@HYPOTHESIS
@given(channel=hostile_text, agency=hostile_text, reason=hostile_text)
def test_an_incident_s_choices_and_a_correction(
    world: World, channel: str, agency: str, reason: str
) -> None:
    for refused in (
        outcome(
            lambda: incidents.record_incident(
                world.leader,
                case_id=world.case.id,
                occurred_at=WHEN,
                channel=channel,
                description="Shouted.",
                category_ids=[world.category_id],
            )
        ),
        outcome(
            lambda: incidents.record_incident(
                world.leader,
                case_id=world.case.id,
                occurred_at=WHEN,
                channel="on_site",
                description="Shouted.",
                category_ids=[world.category_id],
                agencies=[AgencyReport(agency, None, "")],
            )
        ),
    ):
        # Now and then the generator makes a real channel or agency ("lado"): recorded.
        assert isinstance(refused, ValidationError | IncidentRow), refused
    edited = outcome(
        lambda: incidents.edit_incident(
            world.leader,
            incident_id=world.incident_id,
            occurred_at=WHEN,
            channel="on_site",
            description=f"Shouted at staff, version {next(world.numbers)}.",
            category_ids=[world.category_id],
            reason=reason,
        )
    )
    if isinstance(edited, Exception):
        assert isinstance(edited, ValidationError)
    else:
        world.incident_id = edited.id


@HYPOTHESIS
@given(summary=hostile_text, detail=hostile_text, kind=hostile_text)
def test_a_chronology_entry(world: World, summary: str, detail: str, kind: str) -> None:
    assert isinstance(
        outcome(
            lambda: chronology.add_event(
                world.leader, case_id=world.case.id, kind=kind, occurred_at=WHEN, summary="s"
            )
        ),
        ValidationError,
    )
    result = outcome(
        lambda: chronology.add_event(
            world.leader,
            case_id=world.case.id,
            kind="note",
            occurred_at=WHEN,
            summary=summary,
            detail=detail,
        )
    )
    if isinstance(result, Exception):
        assert isinstance(result, ValidationError)
        return
    assert shown_the_same(result.summary) and result.summary.strip()
    stored = {e.id: e for e in chronology.list_events(world.leader, case_id=world.case.id)}
    assert stored[result.id].summary == result.summary


@HYPOTHESIS
@given(title=hostile_text, notes=hostile_text)
def test_a_task(world: World, title: str, notes: str) -> None:
    result = outcome(
        lambda: tasks.add_task(
            world.leader, case_id=world.case.id, title=title, due_on=None, notes=notes
        )
    )
    expected = cleaned(clean_line, title, max_length=300)
    if cleaned(clean_block, notes, max_length=4000) is None:
        expected = None
    refused_or(result, expected, lambda row: row.title)  # type: ignore[attr-defined]
    if not isinstance(result, Exception):
        stored = {t.id: t for t in tasks.list_tasks(world.leader, case_id=world.case.id)}
        assert stored[result.id].notes == cleaned(clean_block, notes, max_length=4000)


@HYPOTHESIS
@given(filename=hostile_text, description=hostile_text)
def test_an_evidence_file_s_name_and_description(
    world: World, filename: str, description: str
) -> None:
    result = outcome(
        lambda: evidence.add_evidence(
            world.leader,
            case_id=world.case.id,
            filename=filename,
            content=b"a note",
            description=description,
        )
    )
    if isinstance(result, Exception):
        assert isinstance(result, ValidationError)
        return
    row = evidence.get_evidence(world.leader, evidence_id=result.id)
    assert row.filename == filename.replace("\\", "/").rsplit("/", 1)[-1]  # kept exactly
    assert "/" not in row.filename and "\\" not in row.filename
    assert row.description == cleaned(clean_block, description, max_length=4000) or (
        row.description == cleaned(clean_block, description, max_length=10**9)
    )


# -- the trust's own words ---------------------------------------------------------------------
@HYPOTHESIS
@given(name=hostile_text)
def test_a_behaviour_category(world: World, name: str) -> None:
    result = outcome(lambda: categories.save_category(world.leader, category_id=None, name=name))
    if isinstance(result, Exception):
        assert isinstance(result, ValidationError)
        return
    assert result.name == cleaned(clean_line, name, max_length=100) or shown_the_same(result.name)
    listed = {c.id: c.name for c in categories.list_categories(world.leader)}
    assert listed[result.id] == result.name
    categories.set_category_active(world.leader, category_id=result.id, active=False)


@HYPOTHESIS
@given(name=hostile_text, address=hostile_text, head=hostile_text)
def test_the_trust_and_a_school(world: World, name: str, address: str, head: str) -> None:
    result = outcome(lambda: trust.update_trust(world.leader, name=name, address=address))
    expected = cleaned(clean_line, name)
    if cleaned(clean_block, address) is None:
        expected = None
    refused_or(result, expected, lambda info: info.name)  # type: ignore[attr-defined]
    school = outcome(
        lambda: trust.save_school(
            world.leader,
            school_id=None,
            name=f"{name} {next(world.numbers)}",
            address=address,
            headteacher_name=head,
            active=False,
        )
    )
    if not isinstance(school, Exception):
        assert shown_the_same(school.name) and shown_the_same(school.headteacher_name)
    else:
        assert isinstance(school, ValidationError)


# -- accounts ----------------------------------------------------------------------------------
@HYPOTHESIS
@given(username=hostile_text, full_name=hostile_text)
def test_a_new_account(world: World, username: str, full_name: str) -> None:
    result = outcome(
        lambda: users.add_user(
            world.admin,
            username=username,
            full_name=full_name,
            role="auditor",
            password="a long enough password",
        )
    )
    if isinstance(result, Exception):
        assert isinstance(result, ValidationError)
        return
    assert result.username == clean_username(username)
    assert result.full_name == cleaned(clean_line, full_name)
    assert shown_the_same(result.username) and shown_the_same(result.full_name)


@HYPOTHESIS
@given(
    username=st.one_of(hostile_text, st.sampled_from(["ad\ud800", "\udcffadmin", "casey\u202e"]))
)
def test_acting_on_an_account_by_a_hostile_username(world: World, username: str) -> None:
    """A lone surrogate at removal once raised UnicodeEncodeError; now every call says no
    such account, or that the name cannot be one, in words."""
    with contextlib.suppress(ValidationError):  # another test may have made this account
        assume(
            normalise_username(username) not in {u.username for u in users.list_users(world.admin)}
        )
    for call in (
        lambda: users.remove_user(world.admin, username=username),
        lambda: users.change_role(world.admin, username=username, role="auditor"),
        lambda: users_access.reset_password(world.admin, username=username),
        lambda: users_access.disable_user(world.admin, username=username),
        lambda: users_access.enable_user(world.admin, username=username),
        lambda: users_access.set_schools(world.admin, username=username, school_ids=[1]),
        lambda: users_access.link_staff_member(
            world.admin, username=username, staff_member_id=None
        ),
    ):
        result = outcome(call)
        assert isinstance(result, (ValidationError, NotFound)), result


@HYPOTHESIS
@given(password=st.one_of(hostile_text, st.sampled_from(["ad\ud800 long password", "\udcff" * 12])))
def test_a_new_account_s_password(world: World, password: str) -> None:
    result = outcome(
        lambda: users.add_user(
            world.admin,
            username=f"pw{next(world.numbers)}",
            full_name="Pat Word",
            role="auditor",
            password=password,
        )
    )
    if isinstance(result, Exception):
        assert isinstance(result, ValidationError) and result.field == "password"
    else:
        assert password.encode("utf-8")  # only text that is Unicode becomes a password


# -- letters and steps -------------------------------------------------------------------------
@HYPOTHESIS
@given(extra=hostile_text)
def test_letter_wording(world: World, extra: str) -> None:
    base = letter_wording.shipped_wording("verbal-warning")
    text = f"{base}\n{extra} {next(world.numbers)}"
    preview = outcome(
        lambda: letter_wording.preview_wording(world.leader, type_id="verbal-warning", text=text)
    )
    assert not isinstance(preview, Exception)  # a preview explains, never raises
    saved = outcome(
        lambda: letter_wording.save_wording(world.leader, type_id="verbal-warning", text=text)
    )
    if isinstance(saved, Exception):
        assert isinstance(saved, ValidationError)
        assert preview.problem
        return
    # Wording is kept exactly as typed; only what cannot be stored or turns text backwards
    # is refused (invisible characters in a letter's wording disguise no one's name).
    assert saved.text == text.replace("\r\n", "\n")
    assert not DIRECTION_CONTROLS.intersection(saved.text) and is_text(saved.text)


@pytest.mark.parametrize("type_id", ["", "../verbal-warning", "verbal-warning\u202e", "\ud800"])
def test_an_unknown_letter_type(world: World, type_id: str) -> None:
    for call in (
        lambda: letter_wording.letter_wording(world.leader, type_id=type_id),
        lambda: letter_wording.save_wording(world.leader, type_id=type_id, text="Dear parent"),
        lambda: letter_wording.restore_default(world.leader, type_id=type_id),
    ):
        assert isinstance(outcome(call), ValidationError)


@HYPOTHESIS
@given(decided_by=hostile_text, said=hostile_text, reasons=hostile_text)
def test_step_drafts(world: World, decided_by: str, said: str, reasons: str) -> None:
    verbal = sanctions.StepDraft(
        step_id="verbal_warning",
        taken_on=dt.date(2026, 2, 1),
        decided_by=decided_by,
        decided_by_role=Role.HEADTEACHER,
        details={"spoken_by": decided_by, "what_was_said": said, "response": said},
    )
    checked = outcome(
        lambda: sanctions.check_step_draft(world.leader, case_id=world.case.id, draft=verbal)
    )
    previewed = outcome(
        lambda: sanctions.preview_step_letter(world.leader, case_id=world.case.id, draft=verbal)
    )
    assert isinstance(checked, Exception) == isinstance(previewed, Exception)
    bar = sanctions.StepDraft(
        step_id="bar",
        taken_on=dt.date(2026, 2, 1),
        decided_by="Ann Ash",
        decided_by_role=Role.HEADTEACHER,
        school_ids=(1,),
        skip=SkipAuthority(decided_by, Role.TRUST_LEADER, reasons),
        details={
            "starts": dt.date(2026, 2, 1),
            "ends": dt.date(2026, 5, 1),
            "representations_deadline": dt.date(2026, 2, 15),
            "review_due": dt.date(2026, 2, 20),
            "named_contact": decided_by,
            "contact_email": "office@ash.example",
            "drop_off_arrangement": said,
            "reasons": reasons,
        },
    )
    case = world.fresh_case()
    taken = outcome(lambda: sanctions.take_step(world.leader, case_id=case.id, draft=bar))
    if isinstance(taken, Exception):
        assert isinstance(taken, ValidationError)
        return
    entries = chronology.list_events(world.leader, case_id=case.id)
    assert all(shown_the_same(e.summary) and shown_the_same(e.detail) for e in entries)


@pytest.mark.parametrize("step_id", ["", "bar\u202e", "\ud800", "../bar", "x" * 10_000])
def test_an_unknown_step(world: World, step_id: str) -> None:
    draft = sanctions.StepDraft(
        step_id=step_id,
        taken_on=dt.date(2026, 2, 1),
        decided_by="Ann Ash",
        decided_by_role=Role.HEADTEACHER,
    )
    result = outcome(
        lambda: sanctions.check_step_draft(world.leader, case_id=world.case.id, draft=draft)
    )
    assert isinstance(result, ValidationError | NotFound)


# -- searching never fails ---------------------------------------------------------------------
@HYPOTHESIS
@given(query=st.one_of(hostile_text, st.just(MEGABYTE_TEXT)))
def test_every_search_answers(world: World, query: str) -> None:
    for call in (
        lambda: people.search_people(world.leader, query),
        lambda: list_cases(world.leader, search=query),
        lambda: count_cases(world.leader, search=query),
        lambda: case_people.find_pupils(world.leader, query),
        lambda: frontdesk.check(world.leader, query),
        lambda: get_case(world.leader, reference=query),
    ):
        result = outcome(call)
        assert not isinstance(result, Exception) or isinstance(result, ValidationError | NotFound)


# -- a megabyte, everywhere --------------------------------------------------------------------
def test_a_megabyte_of_text_is_refused_as_too_long_everywhere(world: World) -> None:
    big = MEGABYTE_TEXT
    calls = {
        "person": lambda: people.create_person(
            world.leader, given_name=big, family_name="X", relation="parent"
        ),
        "case summary": lambda: open_case(
            world.leader,
            given_name="Big",
            family_name="Summary",
            relationship="parent",
            school_ids=[1],
            opened_on=dt.date(2026, 1, 5),
            summary=big,
        ),
        "incident": lambda: incidents.record_incident(
            world.leader,
            case_id=world.case.id,
            occurred_at=WHEN,
            channel="on_site",
            description=big,
            category_ids=[world.category_id],
        ),
        "entry": lambda: chronology.add_event(
            world.leader,
            case_id=world.case.id,
            kind="note",
            occurred_at=WHEN,
            summary="s",
            detail=big,
        ),
        "task": lambda: tasks.add_task(
            world.leader, case_id=world.case.id, title="t", due_on=None, notes=big
        ),
        "evidence": lambda: evidence.add_evidence(
            world.leader, case_id=world.case.id, filename="a.txt", content=b"x", description=big
        ),
        "category": lambda: categories.save_category(world.leader, category_id=None, name=big),
        "trust": lambda: trust.update_trust(world.leader, name="T", address=big),
        "account": lambda: users.add_user(
            world.admin, username="big", full_name=big, role="auditor", password="x" * 20
        ),
        "account password": lambda: users.add_user(
            world.admin, username="bigpw", full_name="B", role="auditor", password=big
        ),
        "wording": lambda: letter_wording.save_wording(
            world.leader, type_id="verbal-warning", text=big
        ),
        "close": lambda: casefile.close_case(world.leader, case_id=world.case.id, reason=big),
    }
    for what, call in calls.items():
        result = outcome(call)
        assert isinstance(result, ValidationError), what
        assert "long" in result.message or "at most" in result.message, (what, result.message)
