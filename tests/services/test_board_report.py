"""The annual board report over a small store with casework in two school years: each
figure against the year before, UK days at the year's edges, the schools a user may report
on, the named appendix only when asked for (and audited so), no names in the anonymised PDF
or CSV, "fewer than 5" for small counts, and files saved whole with their audit entry."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import desktop.storage.keyvault as keyvault
from desktop.domain.reporting import FEWER_THAN_5, NOT_SHOWN, BoardReport
from desktop.domain.sanctions import Outcome
from desktop.errors import NotPermitted, ValidationError
from desktop.services import board_report, categories, incidents, sanction_reviews, sanctions
from desktop.services.cases import CaseRow, open_case
from desktop.services.session import UserSession
from desktop.services.setup import AdminDraft, SchoolDraft, TrustDraft, create_store
from tests.conftest import ADMIN_PASSWORD, FAST_KDF
from tests.pdfutil import pdf_text
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import audit_details
from tests.services.sanction_support import SKIP_TO_BAR, bar_notice, decision, verbal_warning

D = dt.date
YEAR = (D(2025, 9, 1), D(2026, 8, 31))
ASH, BIRCH = 1, 2
# Every subject's name: none may appear in an anonymised report.
NAMES = ("Paula", "Prior", "Dana", "Driver", "Evie", "Quixley")


@dataclass
class Built:
    admin: UserSession
    leader: UserSession
    head_of_birch: UserSession
    manager: UserSession
    folder: Path
    dana: CaseRow


def _incident(session: UserSession, case: CaseRow, when: dt.datetime, channel: str) -> None:
    first = categories.list_categories(session)[0]
    incidents.record_incident(
        session,
        case_id=case.id,
        occurred_at=when,  # naive: UK time
        channel=channel,
        description="Shouted at staff.",
        category_ids=[first.id],
    )


def _case(session: UserSession, given: str, family: str, school: int, opened: dt.date) -> CaseRow:
    return open_case(
        session,
        given_name=given,
        family_name=family,
        relationship="parent",
        school_ids=[school],
        opened_on=opened,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """Made once for the module (the tests only read it, and add audit entries):

    2024-25: Paula Prior (Ash), six incidents on site in October 2024, a verbal warning
    7 days after the first.
    2025-26: Dana Driver (Ash), an incident at 00:30 on 1 September 2025 (still 31 August in
    UTC) and one at 23:30 on 31 August 2026; taken straight to a bar (a skip) 2 days after
    the first, confirmed after its review date, ended at its review. Five Quixleys (Birch),
    an email each in March 2026 and a verbal warning 3 days later.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keyvault, "DEFAULT_KDF", FAST_KDF)
        folder = tmp_path_factory.mktemp("board")
        path = folder / "trust.casebook"
        result = create_store(
            path,
            trust=TrustDraft(
                "Oakfield Learning Trust",
                "1 High Street\nOakfield\nOK1 2AB",
                None,
                (SchoolDraft("Ash Primary", "Ash Lane", "Ann Ash"), SchoolDraft("Birch Academy")),
            ),
            admin=AdminDraft("admin", "Alex Admin", ADMIN_PASSWORD),
        )
        leader = sign_in_new_user(result, path, "casey", "trust_leader")
        head = sign_in_new_user(result, path, "bea", "headteacher", schools=(BIRCH,))
        manager = sign_in_new_user(result, path, "manny", "business_manager", schools=(ASH,))

        paula = _case(leader, "Paula", "Prior", ASH, D(2024, 10, 1))
        for day in range(1, 7):
            _incident(leader, paula, dt.datetime(2024, 10, day, 9, 0), "on_site")
        sanctions.take_step(leader, case_id=paula.id, draft=verbal_warning(D(2024, 10, 8)))

        dana = _case(leader, "Dana", "Driver", ASH, D(2025, 9, 1))
        _incident(leader, dana, dt.datetime(2025, 9, 1, 0, 30), "on_site")
        _incident(leader, dana, dt.datetime(2026, 8, 31, 23, 30), "on_site")
        bar = sanctions.take_step(
            leader,
            case_id=dana.id,
            draft=bar_notice(
                D(2025, 9, 3),
                ends=D(2025, 12, 31),
                deadline=D(2025, 9, 17),
                review=D(2025, 9, 24),
                skip=SKIP_TO_BAR,
            ),
        ).restriction_id
        assert bar is not None
        sanction_reviews.decide(
            leader,
            restriction_id=bar,
            decision=decision(
                D(2025, 9, 30), Outcome.CONFIRM, ends=D(2025, 12, 20), review_due=D(2025, 12, 15)
            ),
        )
        sanction_reviews.decide(
            leader,
            restriction_id=bar,
            end_of_period=True,
            decision=decision(D(2025, 12, 15), Outcome.END),
        )

        for number in range(1, 6):
            evie = _case(leader, "Evie", f"Quixley{number}", BIRCH, D(2026, 3, number))
            _incident(leader, evie, dt.datetime(2026, 3, number, 16, 0), "email_or_letter")
            draft = verbal_warning(D(2026, 3, number + 3))
            sanctions.take_step(leader, case_id=evie.id, draft=draft)

        yield Built(result.session, leader, head, manager, folder, dana)
        for session in (head, manager, leader, result.session):
            session.close()


@pytest.fixture(scope="module")
def report(built: Built) -> BoardReport:
    return board_report.annual_report(built.leader, start=YEAR[0], end=YEAR[1])


def _figure(report: BoardReport, section: str, item: str) -> tuple[int, int]:
    found = report.section(section).figure(item)
    return found.current, found.previous


# -- the figures ----------------------------------------------------------------------------
def test_each_figure_is_set_against_the_previous_school_year(report: BoardReport) -> None:
    assert report.previous.start == D(2024, 9, 1) and report.previous.end == D(2025, 8, 31)
    assert report.every_school and report.schools == ("Ash Primary", "Birch Academy")
    assert _figure(report, "totals", "Incidents recorded") == (7, 6)
    assert _figure(report, "totals", "Cases with an incident") == (6, 1)
    assert _figure(report, "totals", "New cases opened") == (6, 1)
    assert _figure(report, "channels", "On a school or trust site") == (2, 6)
    assert _figure(report, "channels", "Email or letter") == (5, 0)
    assert _figure(report, "schools", "Ash Primary") == (2, 6)
    assert _figure(report, "schools", "Birch Academy") == (5, 0)
    (kind,) = report.section("categories").figures
    assert (kind.current, kind.previous) == (7, 6)


def test_incidents_fall_in_their_uk_day_and_month(report: BoardReport) -> None:
    months = report.section("months")
    assert [f.item for f in months.figures][:2] == ["Sep 2025", "Oct 2025"]
    september = months.figure("Sep 2025")  # 00:30 on 1 September: 23:30 on 31 August in UTC
    assert (september.current, september.previous_item) == (1, "Sep 2024")
    assert months.figure("Aug 2026").current == 1  # 23:30 on 31 August 2026: still in
    assert months.figure("Mar 2026").current == 5
    assert months.figure("Oct 2025").previous == 6
    assert sum(f.current for f in months.figures) == 7


def test_steps_skips_and_outcomes(report: BoardReport) -> None:
    steps = report.section("steps")
    assert _figure(report, "steps", "Verbal warning") == (5, 1)
    assert _figure(report, "steps", "All steps taken") == (6, 1)
    assert _figure(report, "steps", "Of which taken out of order (an authorised skip)") == (1, 0)
    assert any(f.current == 1 and "bar" in f.item.lower() for f in steps.figures)
    assert _figure(report, "outcomes", "Bars issued (notice given)") == (1, 0)
    assert _figure(report, "outcomes", "Bars confirmed") == (1, 0)
    assert _figure(report, "outcomes", "Bars ended") == (1, 0)
    assert _figure(report, "outcomes", "Bars lifted") == (0, 0)
    # Confirmed on 30 September, after its review date of 24 September; ended on the day.
    assert _figure(report, "outcomes", "Review decisions made after their review date") == (1, 0)


def test_days_to_the_first_action(report: BoardReport) -> None:
    # Dana: 2 days; each Quixley: 3 days. Paula, the year before: 7 days, one case.
    assert report.response_current.cases == 6 and report.response_current.days == 3
    assert report.response_previous.cases == 1 and report.response_previous.days == 7
    assert _figure(report, "response", "Cases with an incident and no step taken since") == (0, 0)


# -- who may report on which schools --------------------------------------------------------
def test_a_headteacher_reports_on_their_own_schools_only(built: Built) -> None:
    own = board_report.annual_report(built.head_of_birch, start=YEAR[0], end=YEAR[1])
    assert own.schools == ("Birch Academy",) and not own.every_school
    assert _figure(own, "totals", "Incidents recorded") == (5, 0)
    assert [f.item for f in own.section("schools").figures] == ["Birch Academy"]
    assert _figure(own, "outcomes", "Bars issued (notice given)") == (0, 0)
    with pytest.raises(NotPermitted):
        board_report.annual_report(
            built.head_of_birch, start=YEAR[0], end=YEAR[1], school_ids=[ASH]
        )


def test_chosen_schools_narrow_the_report(built: Built) -> None:
    ash = board_report.annual_report(built.leader, start=YEAR[0], end=YEAR[1], school_ids=[ASH])
    assert ash.schools == ("Ash Primary",) and not ash.every_school
    assert _figure(ash, "totals", "Incidents recorded") == (2, 6)
    with pytest.raises(ValidationError, match="no such school"):
        board_report.annual_report(built.leader, start=YEAR[0], end=YEAR[1], school_ids=[99])
    with pytest.raises(ValidationError, match="at least one school"):
        board_report.annual_report(built.leader, start=YEAR[0], end=YEAR[1], school_ids=[])


def test_roles_without_the_report_are_refused(built: Built) -> None:
    with pytest.raises(NotPermitted, match="annual report"):
        board_report.annual_report(built.manager, start=YEAR[0], end=YEAR[1])


def test_a_period_ending_before_it_starts_is_refused(built: Built) -> None:
    with pytest.raises(ValidationError) as refused:
        board_report.annual_report(built.leader, start=YEAR[1], end=YEAR[0])
    assert refused.value.field == "end"


# -- anonymised, unless a named appendix is asked for ---------------------------------------
def test_the_named_appendix_comes_only_when_asked_and_is_audited(
    built: Built, report: BoardReport
) -> None:
    assert report.named_cases is None and not report.named
    named = board_report.annual_report(built.leader, start=YEAR[0], end=YEAR[1], named=True)
    assert named.named_cases is not None
    subjects = {case.subject for case in named.named_cases}
    assert "Dana Driver" in subjects and len(subjects) == 6 and "Paula Prior" not in subjects
    dana = next(c for c in named.named_cases if c.subject == "Dana Driver")
    assert dana.reference == built.dana.reference and dana.incidents == 2
    assert "bar confirmed" in dana.outcomes and dana.schools == "Ash Primary"
    made = audit_details(built.admin, "report.annual_made")
    assert {"from": "2025-09-01", "to": "2026-08-31", "schools": "all", "named": False} in made
    assert any(d["named"] is True and d["named_cases"] == 6 for d in made)


def test_the_anonymised_pdf_names_no_one_and_hides_small_counts(report: BoardReport) -> None:
    text = pdf_text(board_report.annual_report_pdf(report))
    for name in NAMES:
        assert name not in text
    assert "Oakfield Learning Trust" in text and "1 September 2025 to 31 August 2026" in text
    assert "Anonymised: counts from 1 to 4 are shown as fewer than 5" in text
    assert FEWER_THAN_5 in text and NOT_SHOWN in text
    assert "personal data" not in text.lower()
    pages = text.count("Page ")
    assert pages >= 2 and f"Page 1 of {pages}" in text
    compact = " ".join(text.split())
    assert "Incidents recorded 7 6 up 1 (17%)" in compact
    assert f"Cases with an incident 6 {FEWER_THAN_5} {NOT_SHOWN}" in compact


def test_the_named_pdf_says_its_appendix_holds_personal_data(built: Built) -> None:
    named = board_report.annual_report(built.leader, start=YEAR[0], end=YEAR[1], named=True)
    text = pdf_text(board_report.annual_report_pdf(named))
    figures, appendix = text.split("Named appendix: the cases in the period", 1)
    assert "Dana" not in figures and "Dana Driver" in appendix
    assert "This appendix contains personal data" in appendix[:400]
    assert built.dana.reference in appendix


def test_the_csv_holds_the_same_figures_shown_the_same_way(report: BoardReport) -> None:
    data = board_report.annual_report_csv(report)
    assert data.startswith(b"\xef\xbb\xbf")  # a spreadsheet then reads it as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Section", "Item", "This period", "Previous period", "Change"]
    assert ["Summary", "Incidents recorded", "7", "6", "up 1 (17%)"] in rows
    assert ["Summary", "Cases with an incident", "6", FEWER_THAN_5, NOT_SHOWN] in rows
    september = next(r for r in rows if r[1].startswith("Sep 2025"))
    assert september == ["Incidents by month", "Sep 2025 (against Sep 2024)", FEWER_THAN_5, "0"] + [
        NOT_SHOWN
    ]
    skips = next(r for r in rows if r[1] == "Share of steps taken out of order")
    assert skips[2:] == [NOT_SHOWN, NOT_SHOWN, NOT_SHOWN]  # one skip of six; no step of one
    median = next(r for r in rows if r[1].startswith("Median days"))
    assert median[2:] == ["3 days", "not shown (fewer than 5 cases)", NOT_SHOWN]
    every_count = [cell for row in rows[1:] for cell in row[2:4]]
    assert not {"1", "2", "3", "4"} & set(every_count)
    assert not any(name in data.decode("utf-8-sig") for name in NAMES)


# -- saving and printing --------------------------------------------------------------------
def test_saving_writes_both_files_with_their_audit_entry(built: Built, report: BoardReport) -> None:
    pdf_to, csv_to = built.folder / "report.pdf", built.folder / "report.csv"
    saved = board_report.save_annual_report(
        built.leader, report=report, pdf_to=pdf_to, csv_to=csv_to
    )
    assert saved.pdf == pdf_to and saved.csv == csv_to
    assert pdf_to.read_bytes().startswith(b"%PDF") and b"Incidents recorded" in csv_to.read_bytes()
    (entry,) = audit_details(built.admin, "report.annual_saved")
    assert set(entry["files"]) == {"pdf", "csv"} and entry["named"] is False
    assert not list(built.folder.glob(".casebook-export-*"))


def test_a_missing_folder_is_refused_and_nothing_is_recorded(
    built: Built, report: BoardReport
) -> None:
    before = len(audit_details(built.admin, "report.annual_saved"))
    with pytest.raises(ValidationError, match="does not exist"):
        board_report.save_annual_report(
            built.leader, report=report, pdf_to=built.folder / "nowhere" / "report.pdf"
        )
    assert len(audit_details(built.admin, "report.annual_saved")) == before


def test_printing_is_recorded(built: Built, report: BoardReport) -> None:
    board_report.record_report_printed(built.leader, report=report)
    assert audit_details(built.admin, "report.annual_printed")[-1]["from"] == "2025-09-01"
    assert board_report.report_file_name(report) == "Board report 2025-09-01 to 2026-08-31.pdf"


def test_a_role_is_needed_to_save(built: Built, report: BoardReport) -> None:
    with pytest.raises(NotPermitted):
        board_report.save_annual_report(
            built.manager, report=report, csv_to=built.folder / "manager.csv"
        )
    assert not (built.folder / "manager.csv").exists()
