"""The sample store: complete, believable, the same every time, and quick to make."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from desktop.dates import UK
from desktop.domain.cases import Stage, parse_reference
from desktop.domain.roles import Role
from desktop.errors import StoreExists, ValidationError
from desktop.services import audit, auth, cases, trust, users
from desktop.services.demo import SAMPLE_PASSWORD, DemoResult, create_demo_store
from desktop.services.frontdesk import FrontDeskSession
from desktop.services.policies import profile_of, record_for_use
from desktop.services.session import UserSession
from desktop.storage import models as m
from desktop.storage.keyvault import keys_path_for

# Sample stores made again and again: about half a minute. In CI (make test-slow).
pytestmark = pytest.mark.slow

STEP_ENTRIES = {
    "verbal_warning",
    "mediation",
    "written_warning",
    "communication_plan",
    "bar_notice",
    "injunction_referral",
    "police_or_legal_referral",
    "referral",
}
EVERY_STAGE = {
    "verbal_warning",
    "mediation",
    "written_warning",
    "communication_plan",
    "communication_plan_lifted",
    "communication_plan_ended",
    "bar_notice",
    "bar_representations_received",
    "bar_confirmed",
    "bar_lifted",
    "bar_ended",
    "injunction_referral",
    "police_or_legal_referral",
    "social_care_referral",
}


@pytest.fixture
def demo(tmp_path: Path, today: dt.date) -> DemoResult:
    return create_demo_store(tmp_path / "sample.casebook", cases=300, seed=7, today=today)


def admin(result: DemoResult) -> auth.UserSession:
    return auth.sign_in(result.path, username="admin", password=result.password)


def test_every_role_has_an_account_that_signs_in(demo: DemoResult) -> None:
    assert demo.cases == 300 and demo.password == SAMPLE_PASSWORD
    assert "admin" in demo.usernames
    session = admin(demo)
    accounts = users.list_users(session)
    auth.sign_out(session)
    assert {u.username for u in accounts} == set(demo.usernames)
    assert {u.role for u in accounts} == set(Role)
    for account in accounts:
        assert account.role.trust_wide or 1 <= len(account.schools) <= 2
        opened = auth.sign_in_any(demo.path, username=account.username, password=demo.password)
        if account.role is Role.FRONT_DESK:
            assert isinstance(opened, FrontDeskSession)  # the list of restrictions only
            opened.close()
        else:
            assert isinstance(opened, UserSession)
            auth.sign_out(opened)


def test_cases_are_complete_and_consistent(demo: DemoResult, today: dt.date) -> None:
    session = admin(demo)
    assert cases.count_cases(session) == 300
    with session.transaction() as db:
        all_cases = db.scalars(select(m.Case).order_by(m.Case.id)).all()
        events = defaultdict(list)
        for event in db.scalars(select(m.CaseEvent).order_by(m.CaseEvent.occurred_at)):
            events[event.case_id].append(event.kind)
        incidents = db.scalars(select(m.Incident)).all()
        category_counts = Counter(
            db.execute(select(m.incident_categories.c.incident_id)).scalars().all()
        )
        pupil_links = Counter(db.execute(select(m.PersonPupil.person_id)).scalars().all())
        school_links = Counter(db.execute(select(m.case_schools.c.case_id)).scalars().all())
        volunteers = db.scalar(select(func.count()).select_from(m.PersonVoluntaryRole))
        opened_audits = db.scalar(select(func.count()).where(m.AuditEntry.action == "case.opened"))
        stepped = set(db.scalars(select(m.CaseStep.case_id)))
    auth.sign_out(session)

    assert opened_audits == 300
    assert 0 < volunteers < 40
    closed = [c for c in all_cases if c.status == "closed"]
    assert 0.2 < len(closed) / len(all_cases) < 0.4
    for case in all_cases:
        stage = Stage(case.stage)  # a valid stage, or this raises
        assert 1 <= pupil_links[case.subject_id] <= 3 and 1 <= school_links[case.id] <= 2
        assert events[case.id][0] == "incident_recorded"
        if case.status == "closed":
            assert stage is Stage.RESOLVED and case.closed_on and case.closed_reason
            assert case.opened_on <= case.closed_on < today and events[case.id][-1] == "case_closed"
        elif case.id in stepped:  # taken through the sanctions services
            assert case.closed_on is None and stage is not Stage.RESOLVED
            assert set(events[case.id]) & STEP_ENTRIES
        else:
            assert case.closed_on is None and stage is not Stage.RESOLVED
            later = {"concern_logged": set(), "verbal_warning": {"verbal_warning"}}
            expected = later.get(stage.value, {stage.value})
            assert expected <= set(events[case.id])
    three_years_ago = today - dt.timedelta(days=3 * 366)
    for incident in incidents:
        assert three_years_ago <= incident.occurred_at.astimezone(UK).date() < today
        assert 1 <= category_counts[incident.id] <= 3
    urgent = {i.case_id for i in incidents if i.immediate_safety}
    assert urgent, "the sample should include a few immediate-safety cases"
    for case in all_cases:
        if case.id in urgent:
            assert "police_or_legal_referral" in events[case.id]
            assert case.stage in (Stage.POLICE_OR_LEGAL_REFERRAL, Stage.RESOLVED)


def test_references_run_per_year_in_opening_order(demo: DemoResult) -> None:
    session = admin(demo)
    rows = cases.all_cases(session)
    auth.sign_out(session)
    by_year: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for row in rows:
        year, sequence = parse_reference(row.reference)
        assert year == row.opened.year
        by_year[year].append((row.opened, sequence))
    for entries in by_year.values():
        entries.sort(key=lambda e: e[1])
        assert [s for _, s in entries] == list(range(1, len(entries) + 1))
        assert [d for d, _ in entries] == sorted(d for d, _ in entries)


def test_audit_trail_is_intact(demo: DemoResult) -> None:
    session = admin(demo)
    report = audit.verify_chain(session)
    auth.sign_out(session)
    assert report.intact and report.entries > 300


def test_same_seed_and_day_give_the_same_store(tmp_path: Path, today: dt.date) -> None:
    def listing(name: str, seed: int) -> list[dict[str, object]]:
        result = create_demo_store(tmp_path / name, cases=50, seed=seed, today=today)
        session = admin(result)
        rows = [row.as_json() for row in cases.all_cases(session)]
        auth.sign_out(session)
        return rows

    first = listing("a.casebook", 3)
    assert first == listing("b.casebook", 3)
    assert first != listing("c.casebook", 4)


def test_school_roles_see_only_their_schools(demo: DemoResult) -> None:
    session = auth.sign_in(demo.path, username="manager", password=demo.password)
    mine = set(session.actor.school_ids or ())
    rows = cases.all_cases(session)
    auth.sign_out(session)
    assert len(mine) == 2 and 0 < len(rows) < 300
    session = admin(demo)
    names = {s.id: s.name for s in trust.list_schools(session)}
    auth.sign_out(session)
    assert all({names[i] for i in mine} & set(row.schools) for row in rows)


def test_zero_cases_and_progress(tmp_path: Path, today: dt.date) -> None:
    seen: list[tuple[int, int, str]] = []
    result = create_demo_store(
        tmp_path / "empty.casebook", cases=0, today=today, progress=lambda *a: seen.append(a)
    )
    assert result.cases == 0 and seen[-1][:2] == (0, 0)
    seen.clear()
    create_demo_store(
        tmp_path / "some.casebook", cases=2500, today=today, progress=lambda *a: seen.append(a)
    )
    assert [s[0] for s in seen if s[2] == "Creating sample cases"] == [1000, 2000, 2500]


@pytest.mark.parametrize("count", [-1, 100_001, True, 2.5])
def test_silly_sizes_are_refused_and_nothing_is_made(tmp_path: Path, count) -> None:
    with pytest.raises(ValidationError) as caught:
        create_demo_store(tmp_path / "s.casebook", cases=count)
    assert caught.value.field == "cases"
    assert list(tmp_path.iterdir()) == []


def test_a_failure_part_way_leaves_nothing_behind(tmp_path: Path, today: dt.date) -> None:
    def fail_later(done: int, total: int, message: str) -> None:
        if done >= 1000:
            raise OSError("disk full")

    path = tmp_path / "s.casebook"
    with pytest.raises(OSError):
        create_demo_store(path, cases=1500, today=today, progress=fail_later)
    assert not path.exists() and not keys_path_for(path).exists()
    assert list(tmp_path.iterdir()) == []


def test_an_existing_store_is_left_alone(demo: DemoResult) -> None:
    before = demo.path.read_bytes()
    with pytest.raises(StoreExists):
        create_demo_store(demo.path, cases=5)
    assert demo.path.read_bytes() == before and keys_path_for(demo.path).exists()


@pytest.mark.slow
def test_ten_thousand_cases_in_under_thirty_seconds(tmp_path: Path, today: dt.date) -> None:
    started = time.perf_counter()
    result = create_demo_store(tmp_path / "big.casebook", cases=10_000, today=today)
    elapsed = time.perf_counter() - started
    print(f"10,000-case sample store made in {elapsed:.1f} s")
    assert elapsed < 30
    session = admin(result)
    assert cases.count_cases(session) == 10_000
    auth.sign_out(session)


def test_a_sample_store_knows_it_is_a_sample(demo: DemoResult, new_store) -> None:
    """Windows mark a sample wherever its data shows; a real store is never marked."""
    session = admin(demo)
    try:
        assert session.is_sample
        assert audit.verify_chain(session).intact
    finally:
        auth.sign_out(session)
    assert not new_store.session.is_sample


def test_every_tab_of_a_case_file_has_something_to_show(demo: DemoResult, today: dt.date) -> None:
    """Issue 7, item 12: targeted staff, evidence, tasks (some overdue), edited entries and
    barred people, all inside the cases' own dates."""
    session = admin(demo)
    try:
        with session.transaction() as db:
            targeted = db.scalar(
                select(func.count()).where(m.IncidentParty.role == "staff_targeted")
            )
            evidence = db.scalars(select(m.Evidence).options(undefer(m.Evidence.content))).all()
            tasks = db.scalars(select(m.CaseTask)).all()
            edits = db.scalars(select(m.CaseEvent).where(m.CaseEvent.version > 1)).all()
            bars = db.scalar(select(func.count()).where(m.Restriction.kind == "bar"))
            added = db.scalar(select(func.count()).where(m.CaseEvent.kind == "evidence_added"))
        assert targeted and bars
        assert evidence and added == len(evidence)
        for item in evidence:
            assert hashlib.sha256(item.content).hexdigest() == item.sha256 and item.size
        assert {e.media_type for e in evidence} >= {"text/plain", "image/png"}
        assert any(t.due_on and t.due_on < today and t.done_on is None for t in tasks)
        assert edits and all(e.edit_reason and e.supersedes_id for e in edits)
    finally:
        session.close()


def test_the_sample_has_a_case_at_every_stage_taken_through_the_services(
    demo: DemoResult, today: dt.date
) -> None:
    """Issue 8, item 8: every step and lifecycle state, skips with their authoriser, confirmed
    bars with review dates, a bar past its review awaiting a decision, and plans; each with
    its chronology, events and scheduled reviews."""
    session = admin(demo)
    try:
        with session.transaction() as db:
            stages = set(db.scalars(select(m.Case.stage)))
            steps = db.scalars(select(m.CaseStep)).all()
            restrictions = db.scalars(select(m.Restriction)).all()
            with_events = set(db.scalars(select(m.RestrictionEvent.restriction_id)))
            reviews = db.scalars(
                select(m.CaseTask).where(m.CaseTask.restriction_id.is_not(None))
            ).all()
            letters = db.scalar(select(func.count()).select_from(m.IssuedLetter))
            profile = profile_of(record_for_use(db, None))
            notices = {
                r.restriction_id: r.notice_kind
                for r in db.scalars(
                    select(m.RestrictionEvent).where(m.RestrictionEvent.kind == "notice")
                )
            }
    finally:
        session.close()
    assert stages >= EVERY_STAGE, EVERY_STAGE - stages
    written = Counter(s.case_id for s in steps if s.kind == "written_warning")
    assert max(written.values()) >= 2, "a case with two written warnings"
    skips = [s for s in steps if s.skip_authorised_by]
    assert skips
    for step in skips:
        assert Role(step.skip_role) in profile.step(step.step_id).skip_to
        assert step.skip_justification.strip()
    assert {"temporary", "intent"} <= set(notices.values())
    assert restrictions and all(r.id in with_events for r in restrictions)
    in_force = [r for r in restrictions if r.state in ("active", "provisional")]
    assert {r.kind for r in in_force} == {"bar", "communication_plan"}
    for row in in_force:
        assert row.ends is not None and row.review_due is not None and row.named_contact
    confirmed = [r for r in restrictions if r.kind == "bar" and r.phase == "in_force"]
    assert confirmed and all(r.review_due and r.review_due <= r.ends for r in confirmed)
    overdue = [r for r in in_force if r.kind == "bar" and min(r.review_due, r.ends) < today]
    assert overdue, "a bar past its review date, still in force, awaiting a decision"
    assert any(r.review_due >= today for r in confirmed)
    open_reviews = {t.restriction_id for t in reviews if t.done_on is None}
    assert {r.id for r in in_force} <= open_reviews
    assert letters
