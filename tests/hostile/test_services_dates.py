"""Dates at the ends of the calendar (year 1, 9999, a moment whose UK time would fall
outside it): refused in words, or kept exactly, with every page that shows the case still
working. A year-1 entry was once kept, and the case's chronology could never print again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.dates import UK
from desktop.domain.roles import Role
from desktop.domain.sanctions import Outcome
from desktop.errors import ValidationError
from desktop.services import (
    casefile,
    chronology,
    demo,
    due,
    due_export,
    incidents,
    sanction_reviews,
    sanctions,
    tasks,
)
from desktop.services.cases import count_cases, open_case
from desktop.services.incident_records import AgencyReport
from tests.hostile.support import HYPOTHESIS, World, outcome
from tests.services.sanction_support import april_bar, decision

FIRST_DAY, LAST_DAY = dt.date.min, dt.date.max
EDGE_DAYS = [FIRST_DAY, dt.date(1899, 12, 31), LAST_DAY]
EDGE_MOMENTS = [
    dt.datetime(1, 1, 1),  # naive: read as UK time
    dt.datetime(1, 1, 1, tzinfo=dt.UTC),  # its UK time is in year 0
    dt.datetime(1, 1, 1, 5, tzinfo=dt.timezone(dt.timedelta(hours=14))),
    dt.datetime(1899, 12, 31, 23, 59, tzinfo=UK),
    dt.datetime(9999, 12, 31, 23, 59),
    dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-14))),
]
moments = st.datetimes(
    min_value=dt.datetime(1, 1, 1),
    max_value=dt.datetime(9999, 12, 31, 23, 59),
    timezones=st.one_of(
        st.none(),
        st.just(UK),
        st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m))),
    ),
)


def pages_still_work(world: World, case_id: int) -> None:
    """Everything that shows a case's dates: its chronology (listed and printed), its
    header, incidents and tasks, and the calendar across all cases."""
    events = chronology.list_events(world.leader, case_id=case_id)
    assert chronology.chronology_pdf(world.leader, case_id=case_id).startswith(b"%PDF")
    casefile.case_header(world.leader, case_id=case_id)
    incidents.list_incidents(world.leader, case_id=case_id)
    tasks.list_tasks(world.leader, case_id=case_id)
    due.due_items(world.leader)
    assert all(e.occurred_at.tzinfo is not None for e in events)


def same_moment(stored: dt.datetime, given: dt.datetime) -> bool:
    """The same instant, a naive `given` read as UK time. Subtracted, not compared: an
    hour the clocks repeat (1949-10-30 02:00) never compares equal across time zones."""
    return stored - (given if given.tzinfo else given.replace(tzinfo=UK)) == dt.timedelta(0)


@pytest.mark.parametrize("when", EDGE_MOMENTS, ids=str)
def test_an_incident_at_the_ends_of_the_calendar(world: World, when: dt.datetime) -> None:
    case = world.fresh_case()
    result = outcome(
        lambda: incidents.record_incident(
            world.leader,
            case_id=case.id,
            occurred_at=when,
            channel="on_site",
            description="Shouted at staff.",
            category_ids=[world.category_id],
        )
    )
    if isinstance(result, Exception):
        assert isinstance(result, ValidationError) and result.field == "occurred_at"
    else:
        assert same_moment(result.occurred_at, when)
    pages_still_work(world, case.id)


@pytest.mark.parametrize("when", EDGE_MOMENTS, ids=str)
def test_a_chronology_entry_at_the_ends_of_the_calendar(world: World, when: dt.datetime) -> None:
    case = world.fresh_case()
    result = outcome(
        lambda: chronology.add_event(
            world.leader, case_id=case.id, kind="note", occurred_at=when, summary="A call."
        )
    )
    if isinstance(result, Exception):
        assert isinstance(result, ValidationError) and result.field == "occurred_at"
    else:
        assert same_moment(result.occurred_at, when)
    entry = chronology.add_event(
        world.leader, case_id=case.id, kind="note", occurred_at=dt.datetime(2026, 1, 9), summary="s"
    )
    moved = outcome(
        lambda: chronology.edit_event(
            world.leader, event_id=entry.id, summary="s", detail="", reason="r", occurred_at=when
        )
    )
    assert isinstance(moved, ValidationError) == isinstance(result, ValidationError)
    pages_still_work(world, case.id)


@HYPOTHESIS
@given(when=moments)
def test_any_moment_is_refused_or_kept_and_shown(world: World, when: dt.datetime) -> None:
    case = world.fresh_case()
    entry = outcome(
        lambda: chronology.add_event(
            world.leader, case_id=case.id, kind="note", occurred_at=when, summary="A call."
        )
    )
    incident = outcome(
        lambda: incidents.record_incident(
            world.leader,
            case_id=case.id,
            occurred_at=when,
            channel="telephone",
            description="Shouted down the phone.",
            category_ids=[world.category_id],
        )
    )
    for result in (entry, incident):
        if isinstance(result, Exception):
            assert isinstance(result, ValidationError) and result.field == "occurred_at"
        else:
            assert same_moment(result.occurred_at, when)
    pages_still_work(world, case.id)


@pytest.mark.parametrize("day", EDGE_DAYS, ids=str)
def test_dates_inside_an_incident_and_a_task(world: World, day: dt.date) -> None:
    case = world.fresh_case()
    told = outcome(
        lambda: incidents.record_incident(
            world.leader,
            case_id=case.id,
            occurred_at=dt.datetime(2026, 1, 10, 15, 20),
            channel="on_site",
            description="Threats at the gate.",
            category_ids=[world.category_id],
            agencies=[AgencyReport("police", day, "REF-1")],
        )
    )
    assert isinstance(told, ValidationError) and told.field == "agencies"
    task = outcome(lambda: tasks.add_task(world.leader, case_id=case.id, title="t", due_on=day))
    assert isinstance(task, ValidationError) and task.field == "due_on"
    pages_still_work(world, case.id)


@pytest.mark.parametrize("when", EDGE_MOMENTS, ids=str)
def test_a_new_case_file_from_an_incident_at_the_ends_of_the_calendar(
    world: World, when: dt.datetime
) -> None:
    result = outcome(
        lambda: casefile.new_case(
            world.leader,
            subject=casefile.NewPerson("Edge", "Case", "parent"),
            school_ids=[1],
            first_incident=casefile.FirstIncident(when, "on_site", (world.category_id,), "d"),
        )
    )
    if isinstance(result, Exception):
        assert isinstance(result, ValidationError) and result.field == "occurred_at"
    else:
        pages_still_work(world, result.id)


@pytest.mark.parametrize("day", EDGE_DAYS, ids=str)
def test_a_step_taken_at_the_ends_of_the_calendar(world: World, day: dt.date) -> None:
    case = world.fresh_case()
    warning = sanctions.StepDraft(
        step_id="verbal_warning",
        taken_on=day,
        decided_by="Ann Ash",
        decided_by_role=Role.HEADTEACHER,
        details={"spoken_by": "Ann Ash", "what_was_said": "Stop.", "response": "None."},
    )
    checked = outcome(
        lambda: sanctions.check_step_draft(world.leader, case_id=case.id, draft=warning)
    )
    taken = outcome(lambda: sanctions.take_step(world.leader, case_id=case.id, draft=warning))
    assert isinstance(checked, ValidationError) and isinstance(taken, ValidationError)
    assert taken.field == "taken_on"
    pages_still_work(world, case.id)


@pytest.mark.parametrize("day", EDGE_DAYS, ids=str)
def test_a_bar_s_dates_at_the_ends_of_the_calendar(world: World, day: dt.date) -> None:
    case, bar_id = april_bar(world.leader)
    refused = [
        outcome(
            lambda: sanction_reviews.record_representations(
                world.leader,
                restriction_id=bar_id,
                given=sanction_reviews.Representations(day, "They apologise."),
            )
        ),
        outcome(
            lambda: sanction_reviews.decide(
                world.leader,
                restriction_id=bar_id,
                decision=decision(dt.date(2026, 4, 21), Outcome.CONFIRM, ends=day, review_due=day),
            )
        ),
        outcome(
            lambda: sanction_reviews.decide(
                world.leader, restriction_id=bar_id, decision=decision(day, Outcome.LIFT)
            )
        ),
    ]
    assert all(isinstance(r, ValidationError) for r in refused), refused
    pages_still_work(world, case.id)


@pytest.mark.parametrize("day", [FIRST_DAY, LAST_DAY], ids=str)
def test_the_calendar_export_from_either_end_of_the_calendar(
    world: World, day: dt.date, tmp_path: Path
) -> None:
    to = tmp_path / "due.ics"
    exported = due_export.export_ics(world.leader, to=to, today=day, days=3660)
    assert exported.path == to and to.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert due.due_items(world.leader, today=day) is not None


@pytest.mark.parametrize("day", [FIRST_DAY, dt.date(1999, 12, 31), dt.date(2100, 1, 1), LAST_DAY])
def test_a_sample_store_dated_far_from_now_is_refused_at_once(day: dt.date, tmp_path: Path) -> None:
    result = outcome(
        lambda: demo.create_demo_store(tmp_path / "sample.casebook", cases=2, today=day)
    )
    assert isinstance(result, ValidationError) and result.field == "today"
    assert list(tmp_path.iterdir()) == []


# -- fixes that belong to files other helpers are changing -------------------------------------
@pytest.mark.parametrize("day", [FIRST_DAY, dt.date(1899, 12, 31)], ids=str)
def test_a_case_opened_before_1900_is_refused_in_words(world: World, day: dt.date) -> None:
    result = outcome(
        lambda: open_case(
            world.leader,
            given_name="Early",
            family_name="Opener",
            relationship="parent",
            school_ids=[1],
            opened_on=day,
        )
    )
    assert isinstance(result, ValidationError) and result.field == "opened_on"


def test_a_case_opened_in_9999_is_refused_in_words(world: World) -> None:
    result = outcome(
        lambda: open_case(
            world.leader,
            given_name="Late",
            family_name="Opener",
            relationship="parent",
            school_ids=[1],
            opened_on=LAST_DAY,
        )
    )
    assert isinstance(result, ValidationError) and result.field == "opened_on"


def test_what_is_due_seen_from_the_last_day_of_the_calendar(world: World) -> None:
    summary = outcome(lambda: due.due_summary(world.leader, today=LAST_DAY))
    attention = outcome(lambda: count_cases(world.leader, needs_attention=True, today=LAST_DAY))
    assert not isinstance(summary, Exception) and isinstance(attention, int)
