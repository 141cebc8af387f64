"""The trust's procedure: chosen at setup, changed in Settings, every version kept.

A profile that cannot be used is refused with its file, line and field, and the one in force
stays in force; a change never rewrites the profile a past step was taken under.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from desktop.domain.policy import PolicyError
from desktop.errors import NotPermitted, ValidationError
from desktop.services import policies
from desktop.services.policies import (
    DEFAULT_PROFILE_ID,
    profile_history,
    profile_in_force,
    record_by_id,
    record_for_use,
    shipped_choices,
    shipped_text,
    use_profile_text,
    use_shipped_profile,
)
from desktop.services.session import UserSession
from desktop.services.setup import AdminDraft, SchoolDraft, SetupResult, TrustDraft, create_store
from desktop.storage.models import PolicyProfileRecord
from tests.conftest import ADMIN_PASSWORD
from tests.services.accounts import sign_in_new_user
from tests.services.case_support import audit_details

FILE = "trust_procedure.toml"


def graduated() -> str:
    return shipped_text("graduated_sanctions")[1]


def with_version(source: str, version: str) -> str:
    old = 'version = "1.0"'
    assert source.count(old) == 1
    return source.replace(old, f'version = "{version}"')


def edited(source: str, old: str, new: str) -> str:
    """`source` with `old` (which must be there once) replaced by `new`."""
    assert source.count(old) == 1, old
    return source.replace(old, new)


def line_number(source: str, fragment: str) -> int:
    return next(n for n, line in enumerate(source.splitlines(), 1) if fragment in line)


def installed(session: UserSession) -> list[tuple[int, str, str, bool]]:
    with session.transaction() as db:
        rows = db.scalars(select(PolicyProfileRecord).order_by(PolicyProfileRecord.id))
        return [(r.id, r.profile_id, r.version, r.active) for r in rows]


@pytest.fixture
def session(new_store: SetupResult) -> UserSession:
    return new_store.session


# -- setup ----------------------------------------------------------------------------------
def test_the_shipped_choices_come_default_first() -> None:
    choices = shipped_choices()
    assert [c.id for c in choices] == ["graduated_sanctions", "conversation_first"]
    assert all(c.name and c.description and c.version for c in choices)
    assert [c.file_name for c in choices] == [f"{c.id}.toml" for c in choices]


@pytest.mark.parametrize("policy_id", ["graduated_sanctions", "conversation_first"])
def test_setup_puts_the_chosen_profile_in_force_and_audits_it(
    tmp_path: Path, policy_id: str
) -> None:
    result = create_store(
        tmp_path / "trust.casebook",
        trust=TrustDraft("Elm Trust", "", None, (SchoolDraft("Elm Primary"),), policy_id),
        admin=AdminDraft("admin", "Alex Admin", ADMIN_PASSWORD),
    )
    session = result.session
    try:
        now = profile_in_force(session)
        assert now.profile.id == policy_id
        assert now.record_id is not None
        assert now.file_name == f"{policy_id}.toml"
        assert now.text == shipped_text(policy_id)[1]
        assert now.installed_by == "Alex Admin"
        assert now.installed_at
        assert [(row.name, row.active) for row in profile_history(session)] == [
            (now.profile.name, True)
        ]
        assert audit_details(session, "policy.installed") == [
            {
                "profile": policy_id,
                "version": now.profile.version,
                "digest": now.profile.digest,
                "reason": "setup",
            }
        ]
    finally:
        session.close()


def test_setup_refuses_a_procedure_casebook_does_not_ship(tmp_path: Path) -> None:
    path = tmp_path / "trust.casebook"
    with pytest.raises(ValidationError) as info:
        create_store(
            path,
            trust=TrustDraft("Elm Trust", "", None, (SchoolDraft("Elm Primary"),), "made_up"),
            admin=AdminDraft("admin", "Alex Admin", ADMIN_PASSWORD),
        )
    assert info.value.field == "profile"
    assert "made_up" in info.value.message
    assert not path.exists()


# -- a broken profile is refused, and the one in force stays ----------------------------------
BROKEN = [
    pytest.param(
        '    "mediation",', '    "mediaton",', "ladder.order", "mediaton", id="unknown-step"
    ),
    pytest.param(
        'review = ["trust_leader"]',
        'review = ["governor"]',
        "steps.bar.review",
        "governor",
        id="unknown-role",
    ),
    pytest.param(
        "representations_days = 10",
        "representations_days = -3",
        "windows.representations_days",
        "negative",
        id="negative-days",
    ),
]


@pytest.mark.parametrize(("old", "new", "field", "words"), BROKEN)
def test_a_broken_profile_names_file_line_and_field_and_changes_nothing(
    session: UserSession, old: str, new: str, field: str, words: str
) -> None:
    before = profile_in_force(session)
    history = profile_history(session)
    broken = edited(with_version(graduated(), "2.0"), old, new)
    assert old in graduated() and broken.count(new) == 1

    with pytest.raises(PolicyError) as info:
        use_profile_text(session, text=broken, file_name=FILE)

    error = info.value
    line = line_number(broken, new.strip())
    assert (error.file, error.line, error.field) == (FILE, line, field)
    assert error.message.startswith(f"{FILE}, line {line}, field {field}: ")
    assert words in error.message
    after = profile_in_force(session)
    assert (after.record_id, after.profile.digest) == (before.record_id, before.profile.digest)
    assert profile_history(session) == history
    assert [d["reason"] for d in audit_details(session, "policy.installed")] == ["setup"]


def test_the_same_version_with_other_wording_is_refused(session: UserSession) -> None:
    before = profile_in_force(session)
    reworded = edited(
        graduated(), 'label = "Verbal warning', 'label = "A word with the parent, a verbal warning'
    )
    with pytest.raises(PolicyError) as info:
        use_profile_text(session, text=reworded, file_name=FILE)
    error = info.value
    assert (error.file, error.field) == (FILE, "profile.version")
    assert error.line == line_number(reworded, 'version = "1.0"')
    assert "used before with different wording" in error.message
    assert profile_in_force(session).record_id == before.record_id


def test_the_same_version_is_refused_even_once_another_is_in_force(session: UserSession) -> None:
    """Version 1.0 of a profile means one wording for good, even after a move away from it."""
    use_shipped_profile(session, profile_id="conversation_first")
    reworded = edited(graduated(), 'label = "Verbal warning', 'label = "A word with the parent')
    with pytest.raises(PolicyError):
        use_profile_text(session, text=reworded, file_name=FILE)
    assert profile_in_force(session).profile.id == "conversation_first"


def test_the_profile_in_force_again_is_refused(session: UserSession) -> None:
    with pytest.raises(ValidationError) as info:
        use_profile_text(session, text=graduated(), file_name="graduated_sanctions.toml")
    assert "already in force" in info.value.message
    with pytest.raises(ValidationError, match="already in force"):
        use_shipped_profile(session, profile_id="graduated_sanctions")
    assert len(profile_history(session)) == 1


def test_an_unknown_shipped_profile_is_refused(session: UserSession) -> None:
    with pytest.raises(ValidationError) as info:
        use_shipped_profile(session, profile_id="nothing_like_it")
    assert info.value.field == "profile"


# -- a change keeps what went before ----------------------------------------------------------
def test_a_change_keeps_the_old_record_and_only_the_new_one_is_active(
    session: UserSession,
) -> None:
    old = profile_in_force(session)
    new_text = edited(
        with_version(graduated(), "1.1"),
        'label = "Verbal warning',
        'label = "A word with the parent, a verbal warning',
    )

    now = use_profile_text(session, text=new_text, file_name=FILE)

    assert now.record_id != old.record_id
    assert (now.profile.version, now.text, now.file_name) == ("1.1", new_text, FILE)
    assert now.installed_by == "Alex Admin"
    history = profile_history(session)
    assert [(h.record_id, h.version, h.active) for h in history] == [
        (now.record_id, "1.1", True),
        (old.record_id, "1.0", False),
    ]
    assert installed(session) == [
        (old.record_id, "graduated_sanctions", "1.0", False),
        (now.record_id, "graduated_sanctions", "1.1", True),
    ]
    with session.transaction() as db:
        kept = record_by_id(db, old.record_id)  # what a step taken under 1.0 replays with
        assert (kept.text, kept.digest, kept.active) == (old.text, old.profile.digest, False)
        assert policies.profile_of(kept).ladder[0].label == old.profile.ladder[0].label
        assert record_for_use(db, session.actor).id == now.record_id
    reasons = [d["reason"] for d in audit_details(session, "policy.installed")]
    assert reasons == ["setup", "changed"]


def test_moving_to_the_other_shipped_profile_and_back(session: UserSession) -> None:
    first = profile_in_force(session)
    moved = use_shipped_profile(session, profile_id="conversation_first")
    assert moved.profile.id == "conversation_first"
    assert moved.file_name == "conversation_first.toml"
    back = use_shipped_profile(session, profile_id="graduated_sanctions")
    # Going back records the same wording again, as a new row: the history reads in order.
    assert back.profile.digest == first.profile.digest
    assert back.record_id not in (first.record_id, moved.record_id)
    assert [(h.version, h.name, h.active) for h in profile_history(session)] == [
        ("1.0", first.profile.name, True),
        ("1.0", moved.profile.name, False),
        ("1.0", first.profile.name, False),
    ]


# -- who may change it ----------------------------------------------------------------------
@pytest.fixture(params=["business_manager", "headteacher", "auditor"])
def reader(
    request: pytest.FixtureRequest, new_store: SetupResult, store_path: Path
) -> Iterator[UserSession]:
    role = request.param
    schools = () if role == "auditor" else (1,)
    session = sign_in_new_user(new_store, store_path, role, role, schools)
    yield session
    session.close()


def test_roles_without_edit_trust_may_read_but_not_change_it(
    session: UserSession, reader: UserSession
) -> None:
    before = profile_in_force(session)
    assert profile_in_force(reader) == before
    assert profile_history(reader) == profile_history(session)
    with pytest.raises(NotPermitted):
        use_profile_text(reader, text=with_version(graduated(), "9.9"), file_name=FILE)
    with pytest.raises(NotPermitted):
        use_shipped_profile(reader, profile_id="conversation_first")
    assert profile_in_force(session).record_id == before.record_id
    assert len(profile_history(session)) == 1


def test_a_trust_leader_may_change_it(new_store: SetupResult, store_path: Path) -> None:
    leader = sign_in_new_user(new_store, store_path, "leader", "trust_leader", ())
    try:
        now = use_shipped_profile(leader, profile_id="conversation_first")
        assert now.installed_by == "Leader"
    finally:
        leader.close()


# -- a store with no profile on record --------------------------------------------------------
def forget_profiles(session: UserSession) -> None:
    """As a store made before profiles were kept: no row at all."""
    with session.store.engine.begin() as conn:
        conn.execute(text("DELETE FROM policy_profiles"))


def test_a_store_with_no_profile_follows_the_default_and_records_it_when_used(
    session: UserSession,
) -> None:
    forget_profiles(session)

    shown = profile_in_force(session)
    assert shown.record_id is None
    assert shown.profile.id == DEFAULT_PROFILE_ID
    assert (shown.installed_by, shown.installed_at) == ("Casebook", "")
    assert shown.text == shipped_text(DEFAULT_PROFILE_ID)[1]
    assert profile_history(session) == []

    with session.transaction(write=True) as db:
        first = record_for_use(db, session.actor)
        first_id = first.id
        assert (first.profile_id, first.active) == (DEFAULT_PROFILE_ID, True)
    with session.transaction(write=True) as db:
        assert record_for_use(db, session.actor).id == first_id  # recorded once only
        assert db.scalar(select(func.count()).select_from(PolicyProfileRecord)) == 1

    now = profile_in_force(session)
    assert now.record_id == first_id
    assert now.profile.digest == shown.profile.digest
    assert [d["reason"] for d in audit_details(session, "policy.installed")] == [
        "setup",
        "default",
    ]


def test_a_store_with_no_profile_can_still_be_given_one(session: UserSession) -> None:
    forget_profiles(session)
    now = use_shipped_profile(session, profile_id="conversation_first")
    assert now.profile.id == "conversation_first"
    assert [h.active for h in profile_history(session)] == [True]
