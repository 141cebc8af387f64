"""The trust's details, its schools, and each user's own preferences."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select, update

from desktop.errors import NotFound, NotPermitted, ValidationError
from desktop.services.auth import sign_in
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.services.trust import (
    AUTO_LOCK_DEFAULT,
    Preferences,
    auto_lock_minutes,
    get_preferences,
    get_trust,
    get_trust_logo,
    list_schools,
    save_preferences,
    save_school,
    set_auto_lock_minutes,
    update_trust,
)
from desktop.services.users import add_user
from desktop.storage.models import Trust, User
from tests.services.case_support import audit_details


def _image(kind: str) -> bytes:
    """A real picture: a logo must be one a letter can print, not just its first bytes."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, kind)
    return buffer.getvalue()


PNG, JPEG = _image("PNG"), _image("JPEG")
PASSWORD = "school user password"


@pytest.fixture
def bm(new_store: SetupResult, store_path: Path) -> Iterator[UserSession]:
    add_user(
        new_store.session,
        username="bm",
        full_name="Bea Manager",
        role="business_manager",
        school_ids=[1],
        password=PASSWORD,
    )
    session = sign_in(store_path, username="bm", password=PASSWORD)
    yield session
    session.close()


# -- the trust --------------------------------------------------------------------------
def test_get_trust(new_store: SetupResult) -> None:
    info = get_trust(new_store.session)
    assert info.name == "Oakfield Learning Trust"
    assert info.address == "1 High Street\nOakfield\nOK1 2AB"
    assert info.has_logo is False
    assert get_trust_logo(new_store.session) is None


def test_update_trust(new_store: SetupResult) -> None:
    s = new_store.session
    info = update_trust(s, name="  Oakfield   Trust ", address=" 2 Low Road \n\n Oakfield ")
    assert (info.name, info.address) == ("Oakfield Trust", "2 Low Road\nOakfield")
    assert get_trust(s) == info


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "Trust\x00"])
def test_trust_name_is_checked(new_store: SetupResult, name: str) -> None:
    with pytest.raises(ValidationError) as info:
        update_trust(new_store.session, name=name, address="")
    assert info.value.field == "trust_name"
    assert get_trust(new_store.session).name == "Oakfield Learning Trust"


def test_logo_added_kept_and_removed(new_store: SetupResult) -> None:
    s = new_store.session
    assert update_trust(s, name="Oakfield", address="", logo=PNG).has_logo
    assert get_trust_logo(s) == PNG
    # Leaving the logo out keeps it.
    assert update_trust(s, name="Oakfield Two", address="").has_logo
    assert get_trust_logo(s) == PNG
    assert update_trust(s, name="Oakfield", address="", logo=JPEG).has_logo
    assert get_trust_logo(s) == JPEG
    info = update_trust(s, name="Oakfield", address="", logo=None)
    assert info.has_logo is False
    assert get_trust(s).has_logo is False
    assert get_trust_logo(s) is None


def test_bad_logo_changes_nothing(new_store: SetupResult) -> None:
    s = new_store.session
    update_trust(s, name="Oakfield", address="", logo=PNG)
    with pytest.raises(ValidationError) as info:
        update_trust(s, name="Renamed", address="", logo=b"GIF89a....")
    assert info.value.field == "logo"
    assert get_trust(s).name == "Oakfield"
    assert get_trust_logo(s) == PNG


def test_school_roles_cannot_change_the_trust(new_store: SetupResult, bm: UserSession) -> None:
    with pytest.raises(NotPermitted):
        update_trust(bm, name="Hijacked", address="")
    with pytest.raises(NotPermitted):
        save_school(bm, school_id=None, name="New School")
    with pytest.raises(NotPermitted):
        save_school(bm, school_id=1, name="Renamed")
    assert get_trust(new_store.session).name == "Oakfield Learning Trust"
    assert [s.name for s in list_schools(new_store.session)] == ["Ash Primary", "Birch Academy"]


# -- the auto-lock time -----------------------------------------------------------------
def test_the_lock_time_is_five_minutes_until_the_trust_changes_it(
    new_store: SetupResult, bm: UserSession
) -> None:
    assert AUTO_LOCK_DEFAULT == 5
    assert auto_lock_minutes(new_store.session) == 5
    assert set_auto_lock_minutes(new_store.session, minutes=1) == 1
    assert auto_lock_minutes(new_store.session) == 1
    assert auto_lock_minutes(bm) == 1  # everyone's Casebook follows it
    assert set_auto_lock_minutes(new_store.session, minutes=60) == 60
    assert auto_lock_minutes(bm) == 60


def test_changing_the_lock_time_is_audited_once_per_change(new_store: SetupResult) -> None:
    s = new_store.session
    set_auto_lock_minutes(s, minutes=12)
    set_auto_lock_minutes(s, minutes=12)  # no change: nothing to record
    set_auto_lock_minutes(s, minutes=3)
    assert audit_details(s, "trust.auto_lock_changed") == [
        {"minutes": 12, "previous": 5},
        {"minutes": 3, "previous": 12},
    ]


@pytest.mark.parametrize("minutes", [0, -5, 61, 1440, True, 2.5, "10", None])
def test_a_lock_time_out_of_range_is_refused_in_words(new_store: SetupResult, minutes) -> None:
    with pytest.raises(ValidationError) as info:
        set_auto_lock_minutes(new_store.session, minutes=minutes)
    assert info.value.field == "auto_lock_minutes"
    assert "minutes" in str(info.value) and "Traceback" not in str(info.value)
    assert auto_lock_minutes(new_store.session) == 5
    assert audit_details(new_store.session, "trust.auto_lock_changed") == []


def test_range_message_names_the_limits(new_store: SetupResult) -> None:
    with pytest.raises(ValidationError) as info:
        set_auto_lock_minutes(new_store.session, minutes=90)
    assert str(info.value) == "Casebook can lock itself after 1 to 60 minutes without use."


def test_school_roles_cannot_change_the_lock_time(new_store: SetupResult, bm: UserSession) -> None:
    with pytest.raises(NotPermitted):
        set_auto_lock_minutes(bm, minutes=60)
    assert auto_lock_minutes(new_store.session) == 5


@pytest.mark.parametrize(("stored", "read"), [(0, 1), (-3, 1), (100_000, 60), (7, 7)])
def test_a_stored_lock_time_out_of_range_is_read_within_it(
    new_store: SetupResult, stored: int, read: int
) -> None:
    with new_store.session.transaction(write=True) as db:
        db.execute(update(Trust).values(auto_lock_minutes=stored))
    assert auto_lock_minutes(new_store.session) == read


# -- schools ----------------------------------------------------------------------------
def test_list_schools(new_store: SetupResult) -> None:
    schools = list_schools(new_store.session)
    assert [(s.id, s.name) for s in schools] == [(1, "Ash Primary"), (2, "Birch Academy")]
    assert (schools[0].address, schools[0].headteacher_name) == ("Ash Lane", "Ann Ash")


def test_school_users_list_only_their_schools(bm: UserSession) -> None:
    assert [s.name for s in list_schools(bm)] == ["Ash Primary"]


def test_add_and_edit_a_school(new_store: SetupResult) -> None:
    s = new_store.session
    added = save_school(
        s, school_id=None, name=" Cedar  School ", address="Cedar Way", headteacher_name="C Cee"
    )
    assert added.name == "Cedar School"
    assert added.id not in (1, 2)
    edited = save_school(s, school_id=added.id, name="Cedar High", address="", active=True)
    assert (edited.id, edited.name, edited.address) == (added.id, "Cedar High", "")
    # Saving a school under its own name is not a clash.
    save_school(s, school_id=1, name="ASH PRIMARY", address="Ash Lane")
    assert [x.name for x in list_schools(s)] == ["ASH PRIMARY", "Birch Academy", "Cedar High"]


@pytest.mark.parametrize("name", ["Birch Academy", "BIRCH ACADEMY", "  birch   academy "])
def test_duplicate_school_name(new_store: SetupResult, name: str) -> None:
    with pytest.raises(ValidationError) as new:
        save_school(new_store.session, school_id=None, name=name)
    assert new.value.field == "school_name"
    with pytest.raises(ValidationError) as rename:
        save_school(new_store.session, school_id=1, name=name)
    assert rename.value.field == "school_name"
    assert [s.name for s in list_schools(new_store.session)] == ["Ash Primary", "Birch Academy"]


def test_invalid_school(new_store: SetupResult) -> None:
    with pytest.raises(ValidationError) as info:
        save_school(new_store.session, school_id=None, name="  ")
    assert info.value.field == "school_name"
    with pytest.raises(NotFound):
        save_school(new_store.session, school_id=99, name="Ghost School")


def test_inactive_schools_are_hidden_unless_asked(new_store: SetupResult) -> None:
    s = new_store.session
    save_school(s, school_id=2, name="Birch Academy", active=False)
    assert [x.name for x in list_schools(s)] == ["Ash Primary"]
    every = list_schools(s, include_inactive=True)
    assert [(x.name, x.active) for x in every] == [("Ash Primary", True), ("Birch Academy", False)]


# -- preferences ------------------------------------------------------------------------
def test_default_preferences(new_store: SetupResult) -> None:
    assert get_preferences(new_store.session) == Preferences()
    assert Preferences().default_status == "open"


def test_preferences_round_trip(new_store: SetupResult) -> None:
    chosen = Preferences(
        default_status="",
        default_school_id=2,
        confirm_before_lock=True,
        extra={"columns": ["reference", "subject"], "zoom": 1.25},
    )
    save_preferences(new_store.session, preferences=chosen)
    assert get_preferences(new_store.session) == chosen


def test_preferences_are_per_user(new_store: SetupResult, bm: UserSession) -> None:
    save_preferences(
        new_store.session, preferences=Preferences(default_status="closed", default_school_id=2)
    )
    save_preferences(bm, preferences=Preferences(confirm_before_lock=True))
    assert get_preferences(new_store.session) == Preferences(
        default_status="closed", default_school_id=2
    )
    assert get_preferences(bm) == Preferences(confirm_before_lock=True)


def test_invalid_preferences_are_refused(new_store: SetupResult) -> None:
    with pytest.raises(ValidationError) as info:
        save_preferences(new_store.session, preferences=Preferences(default_status="pending"))
    assert info.value.field == "default_status"
    assert get_preferences(new_store.session) == Preferences()


def _store_raw_preferences(session: UserSession, raw: str) -> None:
    with session.transaction() as db:
        user = db.scalar(select(User).where(User.id == session.actor.user_id))
        assert user is not None
        user.preferences = raw


@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        "",
        '{"default_status": "pending", "default_school_id": "2", "extra": [1]}',
        '{"default_status": 5, "default_school_id": null, "extra": "x"}',
    ],
)
def test_corrupt_preferences_fall_back_to_defaults(new_store: SetupResult, raw: str) -> None:
    _store_raw_preferences(new_store.session, raw)
    assert get_preferences(new_store.session) == Preferences()


@pytest.mark.parametrize("raw", ["[]", "null", "5", '"text"'])
def test_preferences_that_are_not_an_object_fall_back(new_store: SetupResult, raw: str) -> None:
    _store_raw_preferences(new_store.session, raw)
    assert get_preferences(new_store.session) == Preferences()
