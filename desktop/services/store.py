"""Opening a case store: key file, keyed engine, schema check and migration."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from desktop.domain.roles import Role
from desktop.domain.text import normalise_username
from desktop.errors import AccountDisabled, StoreDamaged, StoreMissing, WrongPassword
from desktop.services.session import Actor
from desktop.storage import migrate
from desktop.storage.engine import make_engine, probe, session_factory
from desktop.storage.keyvault import KeyFile, keys_path_for
from desktop.storage.models import StoreMeta, User
from desktop.storage.store import EncryptedFileStore

STORE_ID_KEY = "store_id"
SAMPLE_META_KEY = "sample"  # present in a store of invented cases made by `casebook demo`


def load_keyfile(path: Path) -> KeyFile:
    if not path.exists():
        raise StoreMissing(f"There is no case store at {path}.")
    return KeyFile.load(keys_path_for(path))


def open_store(path: Path, key: bytes, keyfile: KeyFile) -> EncryptedFileStore:
    """The one way a store is opened (setup, sign-in, recovery, a remembered device).

    Keys the engine, proves the key fits, checks the file pairs with its key file and
    brings the schema up to date: explicitly, here, before any session uses it.
    """
    engine = make_engine(path, key)
    probe(engine)
    try:
        upgrade_schema(engine)
        sessions = session_factory(engine)
        with sessions() as db:
            store_id = db.get(StoreMeta, STORE_ID_KEY)
            is_sample = db.get(StoreMeta, SAMPLE_META_KEY) is not None
        if store_id is None or store_id.value != keyfile.store_id:
            raise StoreDamaged("The key file beside this case store belongs to a different store.")
    except DatabaseError as exc:
        engine.dispose()
        raise StoreDamaged() from exc
    except BaseException:
        engine.dispose()
        raise
    return EncryptedFileStore(
        path=path, keyfile=keyfile, key=key, engine=engine, sessions=sessions, is_sample=is_sample
    )


def upgrade_schema(engine: Engine) -> None:
    """Migrate an older store to this version's schema; refuse one from a newer version."""
    revision = migrate.current_revision(engine)
    if revision == migrate.head_revision():
        return
    if revision is not None and revision not in _known_revisions():
        raise StoreDamaged(
            "This case store was made by a newer version of Casebook. Update Casebook."
        )
    migrate.upgrade(engine)


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def actor_for(db: Session, user: User) -> Actor:
    role = Role(user.role)
    schools = None if role.trust_wide else frozenset(s.id for s in user.schools)
    return Actor(user.id, user.username, user.full_name, role, schools)


def find_user(db: Session, username: str) -> User:
    user = db.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        raise WrongPassword()
    if not user.active:
        raise AccountDisabled()
    return user
