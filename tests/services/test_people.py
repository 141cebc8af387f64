"""People: forgiving search within what the user may see, duplicates, links and merging."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from desktop.dates import utc_now
from desktop.domain.restrictions import RestrictionKind, RestrictionState
from desktop.errors import NotFound, NotPermitted, ValidationError
from desktop.services import case_people, frontdesk, people, person_rows, scope
from desktop.services.case_people import NewPupil
from desktop.services.cases import CaseRow, open_case
from desktop.services.people import PossibleDuplicate
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.storage import models as m
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import audit_details

ASH, BIRCH = 1, 2
NAMES = [
    ("Zoë", "O'Brien-Smith"),
    ("Łukasz", "Żółć"),
    ("Мария", "Иванова"),
    ("محمد", "علي"),
    ("Siân", "Ní Bhriain"),
]


def _case(session: UserSession, given: str, family: str, schools: list[int]) -> CaseRow:
    return open_case(
        session,
        given_name=given,
        family_name=family,
        relationship="parent",
        school_ids=schools,
        opened_on=dt.date(2026, 1, 5),
    )


def _person(session: UserSession, given: str, family: str, **extra: object) -> people.PersonRow:
    return people.create_person(
        session, given_name=given, family_name=family, relation="parent", **extra
    )


def _subject(session: UserSession, case: CaseRow) -> int:
    return case_people.case_people(session, case_id=case.id).subject.id


def _names(rows: list[people.PersonRow]) -> list[str]:
    return [r.full_name for r in rows]


# -- search -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        (("Mohammed", "Khan"), "Muhammad Khan"),
        (("Muhammad", "Khan"), "mohammed"),
        (("Sean", "O'Brien"), "OBrien"),
        (("Sean", "OBrien"), "o'brien"),
        (("Zoë", "Adams"), "Zoe Adams"),
        (("Zoe", "Adams"), "Zoë"),
        (("Catherine", "Jones"), "Kath Jones"),
        (("Mary Jane", "van der Berg"), "Berg"),
        (("Ann", "Smith-Jones"), "Jones"),
        (("John", "Smith"), "Smtih John"),
        (("Émile", "Durand"), "emile"),
    ],
)
def test_search_forgives_spelling_accents_and_punctuation(
    admin: UserSession, stored: tuple[str, str], typed: str
) -> None:
    _person(admin, "Olive", "Turner")  # someone else, never matched
    kept = _person(admin, *stored)
    assert [r.id for r in people.search_people(admin, typed)] == [kept.id]


def test_search_returns_best_first_with_links(admin: UserSession) -> None:
    case = _case(admin, "John", "Smith", [ASH])
    _person(admin, "Jon", "Smyth")
    rows = people.search_people(admin, "John Smith")
    assert _names(rows) == ["John Smith", "Jon Smyth"]
    assert rows[0].case_references == (case.reference,)
    assert rows[1].case_references == ()
    assert people.search_people(admin, "   ") == []
    assert people.search_people(admin, "x" * 10_000) == []


def test_names_in_any_script_round_trip_and_are_found(admin: UserSession) -> None:
    for first, last in NAMES:
        row = _person(admin, first, last)
        assert (row.given_name, row.family_name) == (first, last)
        assert people.get_person(admin, person_id=row.id).full_name == f"{first} {last}"
        assert row.id in [r.id for r in people.search_people(admin, f"{first} {last}")]


def test_the_sql_bound_narrows_the_candidates(admin: UserSession) -> None:
    smith = _person(admin, "John", "Smith")
    _person(admin, "Wendy", "Jones")
    _person(admin, "Peter", "Quill")
    with admin.transaction() as db:
        found = people._candidates(db, admin, "Smith")
    assert [i for i, _ in found] == [smith.id]  # Jones and Quill are never scored


def test_the_candidates_scored_are_capped(
    admin: UserSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(6):
        _person(admin, "Sam", f"Sampson{number}", allow_duplicate=True)
    monkeypatch.setattr(people, "MAX_CANDIDATES", 3)
    assert len(people.search_people(admin, "Sam")) == 3


def test_initial_letters_follow_other_spellings() -> None:
    assert person_rows.initial_letters("kath") >= {"k", "c"}
    assert person_rows.initial_letters("geoffrey") >= {"g", "j"}
    assert person_rows.initial_letters("smith") == {"s"}


# -- who a school user may see ------------------------------------------------------------
@pytest.fixture
def bm(new_store: SetupResult, store_path: Path) -> UserSession:
    session = sign_in_new_user(new_store, store_path, "bm", "business_manager", [ASH])
    yield session
    session.close()


def test_a_school_user_finds_only_people_they_may_see(admin: UserSession, bm: UserSession) -> None:
    ash = _case(admin, "Pat", "Archer", [ASH])
    _case(admin, "Pat", "Archeson", [BIRCH])
    shared = _case(admin, "Pat", "Archway", [ASH, BIRCH])
    loose = _person(
        admin, "Pat", "Arch", allow_duplicate=True
    )  # in no case yet: anyone may find them
    birch_parent = _person(
        admin, "Pat", "Archibald", allow_duplicate=True
    )  # in no case, a pupil at Birch only
    case_people.link_pupil(
        admin,
        person_id=birch_parent.id,
        pupil=NewPupil("Kim", "Archibald", BIRCH),
        relation="parent",
    )
    found = {r.full_name: r for r in people.search_people(bm, "Pat Arch")}
    assert set(found) == {"Pat Archer", "Pat Archway", "Pat Arch"}
    assert found["Pat Archway"].case_references == (shared.reference,)
    assert found["Pat Archer"].case_references == (ash.reference,)
    assert found["Pat Arch"].id == loose.id
    everyone = {r.full_name for r in people.search_people(admin, "Pat Arch")}
    assert everyone == set(found) | {"Pat Archeson", "Pat Archibald"}


def test_a_person_in_another_schools_case_is_told_apart_from_nobody(
    admin: UserSession, bm: UserSession
) -> None:
    birch = _case(admin, "Lee", "Birchall", [BIRCH])
    person_id = _subject(admin, birch)
    for missing in (person_id, 999_999):
        with pytest.raises(NotFound) as refused:
            people.get_person(bm, person_id=missing)
        assert refused.value.message == scope.CASE_NOT_FOUND


def test_pupils_and_references_at_other_schools_are_left_out(
    admin: UserSession, bm: UserSession
) -> None:
    ash = _case(admin, "Dana", "Cole", [ASH])
    birch = _case(admin, "Dana", "Colet", [BIRCH])
    dana = _subject(admin, ash)
    case_people.add_person_to_case(admin, case_id=birch.id, person_id=dana, role="Other parent")
    case_people.link_pupil(
        admin, person_id=dana, pupil=NewPupil("Ash", "Cole", ASH), relation="parent"
    )
    case_people.link_pupil(
        admin, person_id=dana, pupil=NewPupil("Birch", "Cole", BIRCH), relation="parent"
    )
    seen = people.get_person(bm, person_id=dana)
    assert [p.name for p in seen.pupils] == ["Ash Cole"]
    assert seen.case_references == (ash.reference,)
    whole = people.get_person(admin, person_id=dana)
    assert sorted(p.name for p in whole.pupils) == ["Ash Cole", "Birch Cole"]
    assert whole.case_references == (ash.reference, birch.reference)


# -- adding and changing people -----------------------------------------------------------
def test_a_possible_duplicate_is_offered_and_nothing_is_saved(admin: UserSession) -> None:
    first = _person(admin, "John", "Smith", phone="01632 960001")
    with pytest.raises(PossibleDuplicate) as warned:
        _person(admin, "Jon", "Smith")
    assert [c.id for c in warned.value.candidates] == [first.id]
    assert warned.value.candidates[0].phone == "01632 960001"
    assert "John Smith" in warned.value.message
    assert _names(people.search_people(admin, "Smith")) == ["John Smith"]
    second = _person(admin, "Jon", "Smith", allow_duplicate=True)
    assert second.id != first.id
    assert audit_details(admin, "person.added")[-1] == {
        "person_id": second.id,
        "despite_possible_duplicates": [first.id],
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"given_name": "  "}, "given_name"),
        ({"family_name": "x" * 101}, "family_name"),
        ({"family_name": "Smith\x00"}, "family_name"),
        ({"relation": "neighbour"}, "relation"),
        ({"email": "not an email"}, "email"),
        ({"phone": "call me maybe"}, "phone"),
        ({"address": "y" * 100_000}, "address"),
    ],
)
def test_bad_details_get_a_clear_message(
    admin: UserSession, changes: dict[str, str], field: str
) -> None:
    values = {"given_name": "Ann", "family_name": "Lee", "relation": "parent", **changes}
    with pytest.raises(ValidationError) as refused:
        people.create_person(admin, **values)
    assert refused.value.field == field
    assert people.search_people(admin, "Ann Lee") == []


def test_update_person_republishes_the_front_desk_list(admin: UserSession) -> None:
    case = _case(admin, "Barry", "Gates", [ASH])
    person_id = _subject(admin, case)
    _restrict(admin, case, person_id)
    assert [hit.name for hit in frontdesk.check(admin, "Barry Gates")] == ["Barry Gates"]
    row = people.update_person(
        admin,
        person_id=person_id,
        given_name="Barrington",
        family_name="Gates",
        relation="carer",
        email="b.gates@example.org",
    )
    assert (row.full_name, row.relation, row.email) == (
        "Barrington Gates",
        "carer",
        "b.gates@example.org",
    )
    with admin.transaction() as db:
        listed = [r["name"] for r in frontdesk.list_content(db)["restrictions"]]
    assert listed == ["Barrington Gates"]
    assert audit_details(admin, "person.updated")[-1]["fields"] == [
        "given_name",
        "relation",
        "email",
    ]


def test_front_desk_and_auditors_cannot_change_people(
    admin: UserSession, new_store: SetupResult, store_path: Path
) -> None:
    auditor = sign_in_new_user(new_store, store_path, "aud", "auditor", [])
    try:
        with pytest.raises(NotPermitted):
            _person(auditor, "Ann", "Lee")
        assert people.search_people(auditor, "Ann") == []  # may look, not change
    finally:
        auditor.close()


# -- people in a case, pupils, roles ------------------------------------------------------
def test_case_people_shows_subject_others_pupils_and_roles(admin: UserSession) -> None:
    case = _case(admin, "Nia", "Jones", [ASH])
    nia = _subject(admin, case)
    other = _person(admin, "Rhys", "Jones")
    added = case_people.add_person_to_case(
        admin, case_id=case.id, person_id=other.id, role="Other parent"
    )
    assert (added.person.id, added.role) == (other.id, "Other parent")
    link = case_people.link_pupil(
        admin, person_id=nia, pupil=NewPupil("Cai", "Jones", ASH, "Year 4"), relation="parent"
    )
    assert (link.name, link.school, link.year_group, link.relation_label) == (
        "Cai Jones",
        "Ash Primary",
        "Year 4",
        "Parent",
    )
    case_people.link_pupil(admin, person_id=other.id, pupil=link.pupil_id, relation="carer")
    case_people.set_voluntary_roles(
        admin, person_id=nia, roles=[("local_governor", ASH), "pta_member"]
    )
    whole = case_people.case_people(admin, case_id=case.id)
    assert whole.subject.full_name == "Nia Jones"
    assert [p.name for p in whole.pupils] == ["Cai Jones"]
    assert [r.label for r in whole.subject.voluntary_roles] == [
        "Local governor, Ash Primary",
        "PTA member",
    ]
    assert [(o.person.full_name, o.role) for o in whole.others] == [("Rhys Jones", "Other parent")]
    assert whole.others[0].person.pupils[0].relation == "carer"


def test_adding_to_a_case_twice_or_the_subject_is_refused(admin: UserSession) -> None:
    case = _case(admin, "Nia", "Jones", [ASH])
    other = _person(admin, "Rhys", "Jones")
    case_people.add_person_to_case(admin, case_id=case.id, person_id=other.id)
    for person_id in (other.id, _subject(admin, case)):
        with pytest.raises(ValidationError):
            case_people.add_person_to_case(admin, case_id=case.id, person_id=person_id)
    case_people.remove_person_from_case(admin, case_id=case.id, person_id=other.id)
    assert case_people.case_people(admin, case_id=case.id).others == ()
    with pytest.raises(ValidationError):
        case_people.remove_person_from_case(admin, case_id=case.id, person_id=other.id)
    assert people.get_person(admin, person_id=other.id).full_name == "Rhys Jones"


def test_pupils_at_other_schools_cannot_be_added_or_linked(
    admin: UserSession, bm: UserSession
) -> None:
    case = _case(bm, "Ola", "Nowak", [ASH])
    ola = _subject(bm, case)
    with pytest.raises(NotPermitted):
        case_people.link_pupil(
            bm, person_id=ola, pupil=NewPupil("Ida", "Nowak", BIRCH), relation="parent"
        )
    elsewhere = _person(admin, "Eve", "Nowak")
    birch_pupil = case_people.link_pupil(
        admin, person_id=elsewhere.id, pupil=NewPupil("Ida", "Nowak", BIRCH), relation="parent"
    )
    with pytest.raises(NotFound):
        case_people.link_pupil(bm, person_id=ola, pupil=birch_pupil.pupil_id, relation="parent")
    assert [p.name for p in case_people.find_pupils(bm, "Nowak")] == []
    assert [p.name for p in case_people.find_pupils(admin, "Ida Nowak")] == ["Ida Nowak"]
    link = case_people.link_pupil(
        bm, person_id=ola, pupil=NewPupil("Jan", "Nowak", ASH), relation="parent"
    )
    with pytest.raises(ValidationError):
        case_people.link_pupil(bm, person_id=ola, pupil=link.pupil_id, relation="parent")
    case_people.unlink_pupil(bm, person_id=ola, pupil_id=link.pupil_id)
    assert people.get_person(bm, person_id=ola).pupils == ()
    assert [p.name for p in case_people.find_pupils(bm, "jan nowak")] == ["Jan Nowak"]


def test_unknown_voluntary_roles_are_refused(admin: UserSession) -> None:
    person = _person(admin, "Tom", "Hill")
    with pytest.raises(ValidationError) as refused:
        case_people.set_voluntary_roles(admin, person_id=person.id, roles=["lollipop_person"])
    assert refused.value.field == "roles"
    case_people.set_voluntary_roles(admin, person_id=person.id, roles=["trustee"])
    row = case_people.set_voluntary_roles(admin, person_id=person.id, roles=[])
    assert row.voluntary_roles == ()


# -- merging ------------------------------------------------------------------------------
def _restrict(session: UserSession, case: CaseRow, person_id: int) -> None:
    with session.transaction(write=True) as db:
        db.add(
            m.Restriction(
                case_id=case.id,
                person_id=person_id,
                kind=RestrictionKind.BAR.value,
                state=RestrictionState.ACTIVE.value,
                starts=dt.date(2026, 1, 10),
                ends=dt.date(2099, 1, 10),
                review_due=dt.date(2099, 1, 1),
                named_contact="J. Smith",
                created_at=utc_now(),
                schools=[db.get(m.School, ASH)],
            )
        )
        db.flush()
        frontdesk.publish(db, session.store)


def _party(session: UserSession, case: CaseRow, person_id: int) -> int:
    with session.transaction(write=True) as db:
        incident = m.Incident(
            case_id=case.id,
            occurred_at=utc_now(),
            channel="on_site",
            recorded_at=utc_now(),
            parties=[m.IncidentParty(role="witness", person_id=person_id)],
        )
        db.add(incident)
        db.flush()
        return incident.parties[0].id


def test_merge_moves_every_reference_and_keeps_each_link_once(admin: UserSession) -> None:
    keep_case = _case(admin, "John", "Smith", [ASH])
    gone_case = _case(admin, "Jon", "Smith", [ASH])
    both_case = _case(admin, "Ann", "Other", [ASH])
    keep, gone = _subject(admin, keep_case), _subject(admin, gone_case)
    for person_id in (keep, gone):
        case_people.add_person_to_case(admin, case_id=both_case.id, person_id=person_id)
    case_people.add_person_to_case(admin, case_id=keep_case.id, person_id=gone)
    pupil = case_people.link_pupil(
        admin, person_id=keep, pupil=NewPupil("Kit", "Smith", ASH), relation="parent"
    )
    case_people.link_pupil(admin, person_id=gone, pupil=pupil.pupil_id, relation="parent")
    case_people.link_pupil(
        admin, person_id=gone, pupil=NewPupil("Mo", "Smith", ASH), relation="parent"
    )
    case_people.set_voluntary_roles(admin, person_id=gone, roles=["pta_member"])
    case_people.set_voluntary_roles(admin, person_id=keep, roles=["pta_member", "trustee"])
    party_id = _party(admin, gone_case, gone)
    _restrict(admin, gone_case, gone)
    people.update_person(
        admin,
        person_id=gone,
        given_name="Jon",
        family_name="Smith",
        relation="parent",
        email="jon@example.org",
    )

    kept = people.merge_people(admin, keep_id=keep, merge_id=gone)

    assert kept.email == "jon@example.org"  # filled in: the kept record had none
    assert [p.name for p in kept.pupils] == ["Kit Smith", "Mo Smith"]
    assert sorted(r.role for r in kept.voluntary_roles) == ["pta_member", "trustee"]
    assert set(kept.case_references) == {
        keep_case.reference,
        gone_case.reference,
        both_case.reference,
    }
    assert _subject(admin, gone_case) == keep
    assert case_people.case_people(admin, case_id=keep_case.id).others == ()
    assert [o.person.id for o in case_people.case_people(admin, case_id=both_case.id).others] == [
        keep
    ]
    with admin.transaction() as db:
        assert db.get(m.IncidentParty, party_id).person_id == keep
        assert db.scalars(select(m.Restriction.person_id)).all() == [keep]
        listed = [r["name"] for r in frontdesk.list_content(db)["restrictions"]]
    assert listed == ["John Smith"]
    assert people.get_person(admin, person_id=gone).merged_into_id == keep
    assert [r.id for r in people.search_people(admin, "Jon Smith")] == [keep]
    entry = audit_details(admin, "person.merged")[-1]
    assert (entry["keep_id"], entry["merge_id"]) == (keep, gone)
    assert entry["moved"] == {
        "cases": 1,
        "case_people": 0,
        "pupils": 1,
        "parties": 1,
        "restrictions": 1,
        "roles": 0,
    }
    with pytest.raises(ValidationError):
        people.update_person(
            admin, person_id=gone, given_name="X", family_name="Y", relation="parent"
        )


def test_merge_refuses_the_same_record_and_people_out_of_sight(
    admin: UserSession, bm: UserSession
) -> None:
    mine = _subject(admin, _case(admin, "Sue", "Ray", [ASH]))
    theirs = _subject(admin, _case(admin, "Sue", "Rae", [BIRCH]))
    with pytest.raises(ValidationError):
        people.merge_people(bm, keep_id=mine, merge_id=mine)
    for keep_id, merge_id in ((mine, theirs), (theirs, mine)):
        with pytest.raises(NotFound):
            people.merge_people(bm, keep_id=keep_id, merge_id=merge_id)
    assert people.get_person(admin, person_id=theirs).merged_into_id is None
    people.merge_people(admin, keep_id=mine, merge_id=theirs)
    with pytest.raises(ValidationError):  # already merged
        people.merge_people(admin, keep_id=mine, merge_id=theirs)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=st.text(max_size=60))
def test_any_text_typed_into_search_gives_people_or_nothing(admin: UserSession, typed: str) -> None:
    """Brackets, stars, quotes, control characters and any script are searched safely."""
    if not people.search_people(admin, "Ann"):
        _person(admin, "Ann", "O'Neil-Ó Briain")
    found = people.search_people(admin, typed)
    assert all(row.full_name == "Ann O'Neil-Ó Briain" for row in found)
    assert people.search_people(admin, f"[{typed}*?") is not None
