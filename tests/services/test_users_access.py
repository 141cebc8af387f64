"""Access for existing accounts (issue 12): their schools, switching them off and on, the
member of staff they belong to, password resets with a one-time password, and the last
active administrator kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.domain.roles import Role
from desktop.domain.signin import check_new_password
from desktop.errors import NotPermitted, SessionEnded, ValidationError, WrongPassword
from desktop.services.auth import (
    change_password,
    remember_this_device,
    remembered_user,
    sign_in,
    sign_in_any,
    sign_in_remembered,
)
from desktop.services.cases import list_cases
from desktop.services.frontdesk import FrontDeskSession
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from desktop.services.users import UserInfo, add_user, change_role, list_users, remove_user
from desktop.services.users_access import (
    disable_user,
    enable_user,
    link_staff_member,
    list_staff_members,
    one_time_password,
    reset_password,
    set_schools,
)
from desktop.storage.keyvault import KeyFile, keys_path_for
from desktop.storage.models import AuditEntry
from tests.conftest import ADMIN_PASSWORD, MemoryKeyring
from tests.services.staffing import add_staff

BM_PASSWORD = "business manager 1"


def _add(result: SetupResult, username: str = "bm", **overrides: object) -> object:
    values: dict[str, object] = {
        "username": username,
        "full_name": "Bea Manager",
        "role": "business_manager",
        "school_ids": [1],
        "password": BM_PASSWORD,
    }
    values.update(overrides)
    return add_user(result.session, **values)  # type: ignore[arg-type]


def _audit(session: UserSession) -> list[tuple[str, str]]:
    with session.transaction() as db:
        return [
            (e.action, e.detail) for e in db.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def _audit_text(session: UserSession) -> str:
    """Every column of every audit entry, as text: what a reader of the trail could see."""
    with session.transaction() as db:
        rows = db.execute(select(AuditEntry.__table__)).all()
    return "\n".join(" ".join(str(value) for value in row) for row in rows)


def _second_lead(result: SetupResult, username: str = "dpl2") -> None:
    _add(result, username=username, role="data_protection_lead", school_ids=[])


def test_one_time_passwords_are_readable_groups_that_pass_the_rules() -> None:
    made = {one_time_password() for _ in range(50)}
    assert len(made) == 50
    for password in made:
        groups = password.split("-")
        assert [len(g) for g in groups] == [4, 4, 4]
        assert set("".join(groups)) <= set("abcdefghjkmnpqrstuvwxyz23456789")
        check_new_password(password)


def test_set_schools_changes_what_the_account_sees_and_ends_its_open_session(
    new_store: SetupResult, store_path: Path
) -> None:
    _add(new_store, role="headteacher")
    head = sign_in(store_path, username="bm", password=BM_PASSWORD)
    info = set_schools(new_store.session, username="BM", school_ids=[2])
    assert (info.schools, info.school_ids) == (("Birch Academy",), (2,))
    with pytest.raises(SessionEnded):  # a school taken away is out of reach at once
        list_cases(head)
    again = sign_in(store_path, username="bm", password=BM_PASSWORD)
    try:
        assert again.actor.school_ids == frozenset({2})
    finally:
        again.close()
    changed = [json.loads(d) for a, d in _audit(new_store.session) if a == "user.schools_changed"]
    assert changed == [{"user_id": info.id, "from": [1], "to": [2]}]


@pytest.mark.parametrize(
    ("username", "school_ids", "field"),
    [("bm", [], "schools"), ("bm", [1, 99], "schools"), ("admin", [1], "schools")],
)
def test_set_schools_refuses_what_cannot_be(
    new_store: SetupResult, username: str, school_ids: list[int], field: str
) -> None:
    _add(new_store)
    with pytest.raises(ValidationError) as info:
        set_schools(new_store.session, username=username, school_ids=school_ids)
    assert info.value.field == field
    (bm,) = [u for u in list_users(new_store.session) if u.username == "bm"]
    assert bm.school_ids == (1,)


def test_a_switched_off_account_cannot_sign_in_until_switched_on(
    new_store: SetupResult, store_path: Path
) -> None:
    _add(new_store, role="headteacher")
    open_session = sign_in(store_path, username="bm", password=BM_PASSWORD)
    info = disable_user(new_store.session, username="bm")
    assert info.active is False
    with pytest.raises(SessionEnded):  # its open window locks at its next step
        list_cases(open_session)
    keys = KeyFile.load(keys_path_for(store_path))
    assert not keys.has_slot(keys.user_slot_id("bm"))  # the password opens nothing now
    with pytest.raises(WrongPassword):
        sign_in(store_path, username="bm", password=BM_PASSWORD)
    with pytest.raises(ValidationError):
        disable_user(new_store.session, username="bm")
    with pytest.raises(ValidationError):  # switch it on, which gives a one-time password
        reset_password(new_store.session, username="bm")

    info, password = enable_user(new_store.session, username="bm")
    assert info.active and info.must_change_password
    with pytest.raises(WrongPassword):  # the old password does not come back
        sign_in(store_path, username="bm", password=BM_PASSWORD)
    session = sign_in(store_path, username="bm", password=password)
    try:
        assert session.must_change_password
    finally:
        session.close()
    with pytest.raises(ValidationError):
        enable_user(new_store.session, username="bm")
    actions = [action for action, _detail in _audit(new_store.session)]
    assert actions.index("user.disabled") < actions.index("user.enabled")
    assert password not in _audit_text(new_store.session)


def test_a_removed_account_can_be_switched_on_again(
    new_store: SetupResult, store_path: Path
) -> None:
    _add(new_store)
    remove_user(new_store.session, username="bm")
    _info, password = enable_user(new_store.session, username="bm")
    sign_in(store_path, username="bm", password=password).close()


def test_reset_password_gives_a_one_time_password_that_must_be_changed(
    new_store: SetupResult, store_path: Path
) -> None:
    _add(new_store)
    epoch = KeyFile.load(keys_path_for(store_path)).epoch
    password = reset_password(new_store.session, username=" BM ")
    assert KeyFile.load(keys_path_for(store_path)).epoch == epoch  # the same keys, no re-key
    with pytest.raises(WrongPassword):
        sign_in(store_path, username="bm", password=BM_PASSWORD)
    (bm,) = [u for u in list_users(new_store.session) if u.username == "bm"]
    assert bm.must_change_password

    session = sign_in(store_path, username="bm", password=password)
    try:
        assert session.must_change_password
        assert list_cases(session) == []  # it opens the same store
        with pytest.raises(ValidationError) as same:
            change_password(session, current_password=password, new_password=password)
        assert same.value.field == "password"
        change_password(session, current_password=password, new_password="my own password 1")
        assert not session.must_change_password
    finally:
        session.close()
    session = sign_in(store_path, username="bm", password="my own password 1")
    try:
        assert not session.must_change_password
    finally:
        session.close()
    with pytest.raises(WrongPassword):
        sign_in(store_path, username="bm", password=password)
    (bm,) = [u for u in list_users(new_store.session) if u.username == "bm"]
    assert not bm.must_change_password

    audit_text = _audit_text(new_store.session)
    assert password not in audit_text and "my own password 1" not in audit_text
    reset = [json.loads(d) for a, d in _audit(new_store.session) if a == "user.password_reset"]
    assert reset == [{"user_id": bm.id}]


def test_a_reset_forgets_the_accounts_remembered_devices(
    new_store: SetupResult, store_path: Path, memory_keyring: MemoryKeyring
) -> None:
    _add(new_store)
    session = sign_in(store_path, username="bm", password=BM_PASSWORD)
    remember_this_device(session)
    session.close()
    assert remembered_user(store_path) == "bm"
    reset_password(new_store.session, username="bm")
    assert remembered_user(store_path) is None
    with pytest.raises(WrongPassword):
        sign_in_remembered(store_path)


def test_a_front_desk_reset_opens_its_list(new_store: SetupResult, store_path: Path) -> None:
    _add(new_store, username="desk", role="front_desk")
    password = reset_password(new_store.session, username="desk")
    desk = sign_in_any(store_path, username="desk", password=password)
    try:
        assert isinstance(desk, FrontDeskSession)
    finally:
        desk.close()
    with pytest.raises(WrongPassword):
        sign_in_any(store_path, username="desk", password=BM_PASSWORD)


def test_a_failed_key_file_save_leaves_the_old_password(
    new_store: SetupResult, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(new_store)

    def full_disk(self: KeyFile, keys: object = None) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(KeyFile, "save", full_disk)
    with pytest.raises(OSError):
        reset_password(new_store.session, username="bm")
    monkeypatch.undo()
    sign_in(store_path, username="bm", password=BM_PASSWORD).close()
    (bm,) = [u for u in list_users(new_store.session) if u.username == "bm"]
    assert not bm.must_change_password
    assert "user.password_reset" not in [a for a, _d in _audit(new_store.session)]


def test_nobody_resets_their_own_password_here(new_store: SetupResult, store_path: Path) -> None:
    with pytest.raises(NotPermitted):
        reset_password(new_store.session, username="admin")
    sign_in(store_path, username="admin", password=ADMIN_PASSWORD).close()


def test_the_last_active_administrator_is_kept(new_store: SetupResult, store_path: Path) -> None:
    for refused in (
        lambda: disable_user(new_store.session, username="admin"),
        lambda: remove_user(new_store.session, username="admin"),
        lambda: change_role(new_store.session, username="admin", role="auditor"),
    ):
        with pytest.raises(NotPermitted) as info:
            refused()
        assert "last active" in info.value.message
    assert [(u.username, u.active) for u in list_users(new_store.session)] == [("admin", True)]
    assert list_users(new_store.session)[0].role is Role.DATA_PROTECTION_LEAD
    sign_in(store_path, username="admin", password=ADMIN_PASSWORD).close()


def test_with_a_second_administrator_each_may_switch_the_other_off_but_not_themselves(
    new_store: SetupResult, store_path: Path
) -> None:
    _second_lead(new_store)
    with pytest.raises(NotPermitted) as info:
        disable_user(new_store.session, username="admin")
    assert "own account" in info.value.message
    other = sign_in(store_path, username="dpl2", password=BM_PASSWORD)
    try:
        disable_user(other, username="admin")  # allowed: dpl2 is still there
        with pytest.raises(NotPermitted) as last:
            change_role(other, username="dpl2", role="auditor")
        assert "last active" in last.value.message
    finally:
        other.close()
    with pytest.raises(SessionEnded):
        list_users(new_store.session)


def test_link_a_staff_member(new_store: SetupResult) -> None:
    _add(new_store)
    _add(new_store, username="cm")
    kim = add_staff(new_store.session, "Kim Clerk", job_title="School business manager")
    gone = add_staff(new_store.session, "Former Clerk", active=False)
    info = link_staff_member(new_store.session, username="bm", staff_member_id=kim)
    assert (info.staff_member_id, info.staff_member) == (kim, "Kim Clerk")
    choices = {c.name: c for c in list_staff_members(new_store.session)}
    assert choices["Kim Clerk"].account == "bm"
    assert choices["Kim Clerk"].school == "Ash Primary"
    assert "Former Clerk" not in choices
    for staff_id in (kim, gone, 99_999):  # taken by bm, left, never there
        with pytest.raises(ValidationError) as refused:
            link_staff_member(new_store.session, username="cm", staff_member_id=staff_id)
        assert refused.value.field == "staff_member"
    info = link_staff_member(new_store.session, username="bm", staff_member_id=None)
    assert (info.staff_member_id, info.staff_member) == (None, "")
    linked = [json.loads(d) for a, d in _audit(new_store.session) if a == "user.staff_linked"]
    assert linked == [
        {"user_id": info.id, "staff_member_id": kim},
        {"user_id": info.id, "staff_member_id": None},
    ]


def test_add_user_with_a_staff_member_and_a_password_to_change(
    new_store: SetupResult, store_path: Path
) -> None:
    kim = add_staff(new_store.session, "Kim Clerk")
    info = _add(new_store, staff_member_id=kim, must_change_password=True)
    assert isinstance(info, UserInfo)
    assert (info.staff_member, info.must_change_password) == ("Kim Clerk", True)
    session = sign_in(store_path, username="bm", password=BM_PASSWORD)
    try:
        assert session.must_change_password
    finally:
        session.close()
    (listed,) = [u for u in list_users(new_store.session) if u.username == "bm"]
    assert listed.last_signed_in_at is not None
