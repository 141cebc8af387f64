"""The audit viewer's service: each filter narrows as SQL written here says it should, pages
run newest first without gaps or repeats, an export holds exactly the filtered entries and
is itself audited (the filter, never the contents), and checking the chain reports its
progress and finds a changed entry."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop.dates import UK
from desktop.errors import NotPermitted, ValidationError
from desktop.services import audit, audit_view
from desktop.services.audit_view import AuditFilter
from desktop.services.cases import CaseRow, open_case
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import audit_details

# Entries written with these moments (UK time), to test the day filter at its edges.
OLD_DAYS = {
    "test.old_first": dt.datetime(2025, 3, 1, 0, 10, tzinfo=UK),  # just after midnight
    "test.old_second": dt.datetime(2025, 3, 2, 23, 50, tzinfo=UK),  # just before midnight
    "test.old_summer": dt.datetime(2025, 7, 1, 0, 30, tzinfo=UK),  # 30 June in UTC
}


def _case(session: UserSession, family: str) -> CaseRow:
    return open_case(
        session,
        given_name="Pat",
        family_name=family,
        relationship="parent",
        school_ids=[1],
        opened_on=dt.date(2026, 1, 5),
    )


@pytest.fixture
def trail(new_store: SetupResult, store_path: Path) -> tuple[UserSession, UserSession, CaseRow]:
    """The administrator, a business manager `bea`, two cases (the second opened by bea),
    and three entries dated in 2025."""
    admin = new_store.session
    bea = sign_in_new_user(new_store, store_path, "bea", "business_manager")
    first = _case(admin, "Ashworth")
    _case(bea, "Birchall")
    with admin.transaction(write=True) as db:
        writer = audit.writer_for(db)
        for action, at in OLD_DAYS.items():
            writer.add(admin.actor, action, at=at, case_id=first.id, detail={"n": 1})
    return admin, bea, first


def _sql_ids(session: UserSession, where: str = "1 = 1", **params: object) -> list[int]:
    """The ids SQL written here finds, newest first: what the service must agree with."""
    with session.store.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT a.id FROM audit_entries a LEFT JOIN cases c ON c.id = a.case_id "
                f"WHERE {where} ORDER BY a.id DESC"
            ),
            params,
        )
        return [row[0] for row in rows]


def _ids(session: UserSession, filters: AuditFilter) -> list[int]:
    page = audit_view.list_entries(session, filters=filters, limit=1000)
    assert page.total == len(page.rows)
    return [row.id for row in page.rows]


def test_no_filter_lists_every_entry_newest_first(trail) -> None:
    admin, _, _ = trail
    assert _ids(admin, AuditFilter()) == _sql_ids(admin)


def test_the_user_filter_keeps_that_accounts_entries(trail) -> None:
    admin, _, _ = trail
    found = _ids(admin, AuditFilter(username="bea"))
    assert found and found == _sql_ids(admin, "a.username = :u", u="bea")
    assert found != _sql_ids(admin)


def test_the_action_filter_keeps_that_action(trail) -> None:
    admin, _, _ = trail
    found = _ids(admin, AuditFilter(action="case.opened"))
    assert len(found) == 2
    assert found == _sql_ids(admin, "a.action = :a", a="case.opened")


def test_the_case_filter_finds_the_case_by_its_reference(trail) -> None:
    admin, _, first = trail
    typed = f"  {first.reference.lower()} "  # case and spaces forgiven
    found = _ids(admin, AuditFilter(case_reference=typed))
    assert len(found) == 4  # opened, and the three 2025 entries
    assert found == _sql_ids(admin, "c.reference = :r", r=first.reference)


def test_the_filters_combine(trail) -> None:
    admin, _, first = trail
    found = _ids(admin, AuditFilter(username="bea", case_reference=first.reference))
    assert found == []
    found = _ids(admin, AuditFilter(username="admin", action="case.opened"))
    assert found == _sql_ids(admin, "a.username = 'admin' AND a.action = 'case.opened'")
    assert len(found) == 1


def test_the_day_filter_takes_whole_uk_days(trail) -> None:
    admin, _, _ = trail

    def actions(start: dt.date | None, end: dt.date | None) -> set[str]:
        page = audit_view.list_entries(admin, filters=AuditFilter(start=start, end=end))
        return {row.action for row in page.rows}

    assert actions(dt.date(2025, 3, 1), dt.date(2025, 3, 1)) == {"test.old_first"}
    assert actions(dt.date(2025, 3, 2), dt.date(2025, 3, 2)) == {"test.old_second"}
    assert actions(dt.date(2025, 7, 1), dt.date(2025, 7, 1)) == {"test.old_summer"}
    assert actions(None, dt.date(2025, 6, 30)) == {"test.old_first", "test.old_second"}
    recent = actions(dt.date(2026, 1, 1), None)
    assert "case.opened" in recent and not recent & set(OLD_DAYS)
    # Against SQL: UK 1 July 2025 starts at 23:00 UTC on 30 June.
    expected = _sql_ids(admin, "a.at >= '2025-06-30 23:00:00' AND a.at < '2025-07-01 23:00:00'")
    assert _ids(admin, AuditFilter(start=dt.date(2025, 7, 1), end=dt.date(2025, 7, 1))) == expected


def test_pages_run_newest_first_without_gaps_or_repeats(trail) -> None:
    admin, _, _ = trail
    every = _sql_ids(admin)
    seen: list[int] = []
    offset = 0
    while True:
        page = audit_view.list_entries(admin, offset=offset, limit=3)
        assert page.total == len(every)
        assert len(page.rows) <= 3
        if not page.rows:
            break
        assert page.first == offset + 1 and page.last == offset + len(page.rows)
        seen += [row.id for row in page.rows]
        offset += 3
    assert seen == every


def test_rows_carry_the_case_reference_and_a_readable_detail(trail) -> None:
    admin, _, first = trail
    page = audit_view.list_entries(admin, filters=AuditFilter(action="test.old_first"))
    (row,) = page.rows
    assert row.case_reference == first.reference
    assert row.detail_text == "n: 1"


def test_readable_detail() -> None:
    detail = json.dumps({"schools": ["Ash", "Birch"], "named": False, "found": {"x_y": None}})
    assert audit_view.readable_detail(detail) == (
        "schools: Ash, Birch\nnamed: no\nfound:\n  x y: none"
    )
    assert audit_view.readable_detail("{}") == "(no detail)"
    assert audit_view.readable_detail("not json") == "not json"


def test_the_choices_are_the_trails_accounts_and_actions(trail) -> None:
    admin, _, _ = trail
    choices = audit_view.filter_choices(admin)
    assert choices.usernames == ("admin", "bea")
    assert "case.opened" in choices.actions and "test.old_summer" in choices.actions
    assert list(choices.actions) == sorted(set(choices.actions))


def test_a_filter_that_cannot_match_is_refused_plainly(trail) -> None:
    admin, _, _ = trail
    with pytest.raises(ValidationError) as refused:
        audit_view.list_entries(admin, filters=AuditFilter(case_reference="Ashworth"))
    assert refused.value.field == "case"
    with pytest.raises(ValidationError) as refused:
        audit_view.list_entries(
            admin, filters=AuditFilter(start=dt.date(2026, 2, 2), end=dt.date(2026, 2, 1))
        )
    assert refused.value.field == "end"


def test_a_school_role_may_not_read_the_trail(trail) -> None:
    _, bea, _ = trail
    with pytest.raises(NotPermitted):
        audit_view.list_entries(bea)
    with pytest.raises(NotPermitted):
        audit_view.filter_choices(bea)


def test_an_auditor_may_read_the_trail(trail, new_store: SetupResult, store_path: Path) -> None:
    auditor = sign_in_new_user(new_store, store_path, "aud", "auditor", schools=())
    assert audit_view.list_entries(auditor, filters=AuditFilter(username="bea")).total == 2


# -- exporting ------------------------------------------------------------------------------
def test_a_csv_export_holds_the_filtered_entries_oldest_first(trail, tmp_path: Path) -> None:
    admin, _, first = trail
    filters = AuditFilter(case_reference=first.reference)
    wanted = list(reversed(_sql_ids(admin, "c.reference = :r", r=first.reference)))
    done = audit_view.export_entries(admin, to=tmp_path / "trail.csv", filters=filters)
    assert (done.entries, done.form) == (4, "csv")
    data = (tmp_path / "trail.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == audit_view.CSV_HEADER
    assert [int(row[0]) for row in rows[1:]] == wanted
    assert {row[4] for row in rows[1:]} == {first.reference}
    assert rows[2][1] == "01/03/2025 00:10" and rows[2][5] == '{"n":1}'
    assert all(len(row[7]) == 64 for row in rows[1:])  # each entry's seal


def test_an_export_is_audited_with_its_filter_not_its_contents(trail, tmp_path: Path) -> None:
    admin, _, first = trail
    filters = AuditFilter(username="admin", case_reference=first.reference.lower())
    audit_view.export_entries(admin, to=tmp_path / "trail.json", filters=filters)
    (entry,) = audit_details(admin, "audit.exported")
    assert entry["filter"] == {"user": "admin", "case": first.reference}
    assert (entry["form"], entry["entries"]) == ("json", 4)
    assert len(entry["sha256"]) == 64
    assert set(entry) == {"form", "filter", "entries", "sha256"}  # no entry's contents


def test_a_json_export_reads_back_as_the_entries(trail, tmp_path: Path) -> None:
    admin, _, _ = trail
    filters = AuditFilter(action="case.opened")
    audit_view.export_entries(admin, to=tmp_path / "opened.JSON", filters=filters)
    found = json.loads((tmp_path / "opened.JSON").read_text("utf-8"))
    assert found["filter"] == {"action": "case.opened"}
    entries = found["entries"]
    assert [e["id"] for e in entries] == sorted(_sql_ids(admin, "a.action = 'case.opened'"))
    assert entries[1]["username"] == "bea" and isinstance(entries[1]["detail"], dict)


def test_an_export_of_another_kind_or_by_a_school_role_writes_nothing(
    trail, tmp_path: Path
) -> None:
    admin, bea, _ = trail
    with pytest.raises(ValidationError):
        audit_view.export_entries(admin, to=tmp_path / "trail.txt")
    with pytest.raises(NotPermitted):
        audit_view.export_entries(bea, to=tmp_path / "trail.csv")
    assert list(tmp_path.glob("trail*")) == []
    assert audit_details(admin, "audit.exported") == []


# -- checking the chain ---------------------------------------------------------------------
def test_checking_the_chain_reports_its_progress(trail) -> None:
    admin, _, _ = trail
    total = len(_sql_ids(admin))
    heard: list[tuple[int, int]] = []
    report = audit.verify_chain(admin, progress=lambda done, of: heard.append((done, of)))
    assert report.intact and report.entries == total
    assert heard[0] == (0, total) and heard[-1] == (total, total)
    assert [done for done, _ in heard] == sorted(done for done, _ in heard)


def test_progress_comes_batch_by_batch(trail, monkeypatch: pytest.MonkeyPatch) -> None:
    admin, _, _ = trail
    monkeypatch.setattr(audit, "BATCH", 4)
    total = len(_sql_ids(admin))
    heard: list[int] = []
    audit.verify_chain(admin, progress=lambda done, of: heard.append(done))
    assert heard == [0, *range(4, total, 4), total]


def test_a_changed_entry_is_found(trail) -> None:
    admin, _, _ = trail
    target = audit_view.list_entries(admin, filters=AuditFilter(action="test.old_second")).rows[0]
    with admin.store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_entries_no_update"))
        conn.execute(
            text("UPDATE audit_entries SET detail = :detail WHERE id = :id"),
            {"detail": '{"n":2}', "id": target.id},
        )
    report = audit.verify_chain(admin, progress=lambda done, of: None)
    assert not report.intact
    assert report.broken_at == target.id
    assert "changed" in report.reason
