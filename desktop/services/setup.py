"""Creating a new case store: the trust, its schools, the first administrator, the keys."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from desktop.dates import uk_today, utc_now
from desktop.domain.incidents import DEFAULT_BEHAVIOUR_CATEGORIES
from desktop.domain.logos import check_logo
from desktop.domain.roles import Role
from desktop.domain.signin import check_new_password
from desktop.domain.text import clean_block, clean_line, clean_username
from desktop.errors import StoreExists, ValidationError
from desktop.services import audit, frontdesk, policies
from desktop.services.session import AUDIT_KEYS_INFO, UserSession
from desktop.services.signatures import check_prints
from desktop.services.store import actor_for, grants_for, signer_id_for
from desktop.storage import migrate
from desktop.storage.atomic import write_atomically
from desktop.storage.engine import configure_new_database, make_engine, session_factory, writing
from desktop.storage.filestore import lock_path_for, open_store
from desktop.storage.frontdesk import encode, front_desk_path_for
from desktop.storage.keyvault import (
    RECOVERY_KEY_BYTES,
    KeyFile,
    Keys,
    format_recovery_key,
    keys_path_for,
    new_database_key,
    parse_recovery_key,
)
from desktop.storage.models import BehaviourCategory, School, StoreMeta, Trust, User
from desktop.storage.store import AUDIT_HEAD_INFO, STORE_ID_KEY, AuditKeys


@dataclass(frozen=True)
class SchoolDraft:
    name: str
    address: str = ""
    headteacher_name: str = ""


@dataclass(frozen=True)
class TrustDraft:
    name: str
    address: str = ""
    logo: bytes | None = None
    schools: Sequence[SchoolDraft] = ()
    policy_id: str = "graduated_sanctions"  # a shipped profile (`services.policies`)


@dataclass(frozen=True)
class AdminDraft:
    username: str
    full_name: str
    password: str
    confirm: str | None = None


@dataclass
class SetupResult:
    session: UserSession
    recovery_key: str


def clean_trust(draft: TrustDraft) -> TrustDraft:
    """Check every field a person typed; raise ValidationError naming the first bad one."""
    schools = tuple(
        SchoolDraft(
            clean_line(s.name, field="school_name", label="A school's name"),
            clean_block(s.address, field="school_address", label="A school's address"),
            clean_line(
                s.headteacher_name,
                field="headteacher",
                label="A headteacher's name",
                required=False,
            ),
        )
        for s in draft.schools
    )
    if not schools:
        raise ValidationError("Add at least one school.", "schools")
    names = [s.name.casefold() for s in schools]
    if len(set(names)) != len(names):
        raise ValidationError("Two schools have the same name.", "schools")
    if draft.logo is not None:
        check_logo(draft.logo)
        check_prints(draft.logo, field="logo", what="logo")
    policies.shipped_text(draft.policy_id)  # refuses a procedure Casebook does not ship
    return TrustDraft(
        clean_line(draft.name, field="trust_name", label="The trust's name"),
        clean_block(draft.address, field="trust_address", label="The trust's address"),
        draft.logo,
        schools,
        draft.policy_id,
    )


def clean_admin(draft: AdminDraft) -> AdminDraft:
    username = clean_username(draft.username)
    full_name = clean_line(draft.full_name, field="full_name", label="Your full name")
    check_new_password(draft.password, draft.confirm)
    return AdminDraft(username, full_name, draft.password)


def create_store(
    path: Path,
    *,
    trust: TrustDraft,
    admin: AdminDraft,
    admin_role: Role = Role.DATA_PROTECTION_LEAD,
    recovery_key: str | None = None,
) -> SetupResult:
    """Make a new encrypted store. On any failure nothing is left behind.

    `recovery_key` (from `new_recovery_key()`) lets a wizard show and print the key before
    the store exists; without it a fresh key is made and returned.
    """
    trust = clean_trust(trust)
    admin = clean_admin(admin)
    if path.exists() or keys_path_for(path).exists():
        raise StoreExists()
    _check_folder(path.parent)
    key = new_database_key()
    everything = Keys(front_desk=new_database_key(), cases=key, audit=new_database_key())
    keyfile = KeyFile.create(keys_path_for(path))
    engine = make_engine(path, key)
    try:
        configure_new_database(engine, path)
        migrate.upgrade(engine)
        sessions = session_factory(engine)
        with writing(sessions) as db:
            db.info[AUDIT_KEYS_INFO] = AuditKeys(None, None, everything.audit)
            db.add(StoreMeta(key=STORE_ID_KEY, value=keyfile.store_id))
            now = utc_now()
            row = Trust(
                name=trust.name,
                address=trust.address,
                logo=trust.logo,
                logo_media_type=check_logo(trust.logo) if trust.logo else None,
                created_at=now,
            )
            db.add(row)
            db.flush()
            for school in trust.schools:
                db.add(
                    School(
                        trust_id=row.id,
                        name=school.name,
                        address=school.address,
                        headteacher_name=school.headteacher_name,
                    )
                )
            for position, name in enumerate(DEFAULT_BEHAVIOUR_CATEGORIES):
                db.add(BehaviourCategory(trust_id=row.id, name=name, position=position))
            user = User(
                username=admin.username,
                full_name=admin.full_name,
                role=admin_role.value,
                created_at=now,
                last_signed_in_at=now,
            )
            db.add(user)
            db.flush()
            actor = actor_for(db, user)
            audit.record(db, actor, "store.created", detail={"schools": len(trust.schools)})
            policy_file, policy_text = policies.shipped_text(trust.policy_id)
            policies.install(db, actor, policy_text, policy_file, reason="setup")
            head = db.info[AUDIT_HEAD_INFO]
            front_desk_list = frontdesk.list_content(db)
        admin_keys = everything.for_account(signer_id_for(user.id), grants_for(admin_role))
        opened = keyfile.set_password(admin.username, admin.password, admin_keys)
        recovery_raw = parse_recovery_key(recovery_key) if recovery_key else None
        recovery_key = keyfile.set_recovery(everything, recovery_raw)
        keyfile.set_audit_head(*head)
        write_atomically(
            front_desk_path_for(path),
            encode(everything.front_desk, keyfile.store_id, front_desk_list),
        )
        keyfile.save(everything)
        engine.dispose()  # made; now it opens the one way every store opens
        store = open_store(path, opened, keyfile)
    except BaseException:
        engine.dispose()
        _remove_store_files(path)
        raise
    return SetupResult(UserSession(store, actor), recovery_key)


def new_recovery_key() -> str:
    """A fresh recovery key in its printed form (eight groups of four)."""
    return format_recovery_key(secrets.token_bytes(RECOVERY_KEY_BYTES))


def recovery_sheet_pdf(
    *,
    trust_name: str,
    store_name: str,
    recovery_key: str,
    created_by: str,
    created_on: dt.date | None = None,
) -> bytes:
    """The printable recovery sheet for a key, as PDF bytes; nothing is written to disk.

    One maker for the wizard (which prints it before the store exists, from names typed so
    far) and `casebook init --recovery-sheet`, so both sheets say the same. Runs of spaces in
    the names are folded; `created_on` defaults to today in the UK.
    """
    from reports.recovery_sheet import build_recovery_sheet  # ReportLab loads only if asked

    return build_recovery_sheet(
        trust_name=" ".join(trust_name.split()),
        store_name=store_name,
        recovery_key=recovery_key,
        created_on=created_on or uk_today(),
        created_by=" ".join(created_by.split()),
    )


def build_store(
    path: Path,
    build: Callable[[UserSession], None],
    *,
    trust: TrustDraft,
    admin: AdminDraft,
) -> None:
    """Make a store under a temporary name, fill it with `build`, then move it into place.

    A store that is killed part-way never appears at `path`: its files keep the temporary
    name, and the next build there removes them. The database file moves last, so a store
    exists at `path` only once every file beside it is in place.
    """
    if path.exists():
        raise StoreExists()
    _check_folder(path.parent)
    temporary = path.with_name(f".{path.name}.building")
    _remove_store_files(temporary)
    for leftover in _sidecars(path):  # from a move cut short: useless without the database
        leftover.unlink(missing_ok=True)
    result = create_store(temporary, trust=trust, admin=admin)
    try:
        build(result.session)
    except BaseException:
        result.session.close()
        _remove_store_files(temporary)
        raise
    result.session.close()
    for source, target in zip(_sidecars(temporary), _sidecars(path), strict=True):
        if source.exists():
            os.replace(source, target)
    os.replace(temporary, path)


def _check_folder(folder: Path) -> None:
    """Make the store's folder if need be, and prove a file can be saved in it, so a
    read-only or system folder (/proc, a locked share) is refused in words."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError:
        raise ValidationError(
            f"Casebook cannot save files in {folder}. Choose a folder you can save to.", "path"
        ) from None


def _sidecars(path: Path) -> list[Path]:
    return [
        front_desk_path_for(path),
        keys_path_for(path),
        lock_path_for(path),
        Path(f"{path}-wal"),
        Path(f"{path}-shm"),
    ]


def _remove_store_files(path: Path) -> None:
    for candidate in (
        path,
        keys_path_for(path),
        front_desk_path_for(path),
        lock_path_for(path),
        Path(f"{path}-wal"),
        Path(f"{path}-shm"),
    ):
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()
