"""Opening a case store: key file, keyed engine, schema check and migration."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from desktop.domain.roles import Role
from desktop.domain.text import normalise_username
from desktop.errors import AccountDisabled, StoreDamaged, StoreMissing, WrongPassword
from desktop.services.session import Actor, UserSession
from desktop.storage import migrate
from desktop.storage.engine import make_engine, probe, session_factory
from desktop.storage.keyvault import KeyFile, keys_path_for
from desktop.storage.models import StoreMeta, User

STORE_ID_KEY = "store_id"
SAMPLE_META_KEY = "sample"  # present in a store of invented cases made by `casebook demo`


def load_keyfile(path: Path) -> KeyFile:
    if not path.exists():
        raise StoreMissing(f"There is no case store at {path}.")
    return KeyFile.load(keys_path_for(path))


def open_engine(path: Path, key: bytes, keyfile: KeyFile) -> tuple[Engine, sessionmaker[Session]]:
    """Key the engine, prove the key fits, check the file pairs with its key file, migrate."""
    engine = make_engine(path, key)
    probe(engine)
    try:
        revision = migrate.current_revision(engine)
        head = migrate.head_revision()
        if revision != head:
            known = _known_revisions()
            if revision is not None and revision not in known:
                raise StoreDamaged(
                    "This case store was made by a newer version of Casebook. Update Casebook."
                )
            migrate.upgrade(engine)
        sessions = session_factory(engine)
        with sessions() as db:
            store_id = db.get(StoreMeta, STORE_ID_KEY)
        if store_id is None or store_id.value != keyfile.store_id:
            raise StoreDamaged("The key file beside this case store belongs to a different store.")
    except DatabaseError as exc:
        engine.dispose()
        raise StoreDamaged() from exc
    except BaseException:
        engine.dispose()
        raise
    return engine, sessions


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


def make_session(
    path: Path,
    keyfile: KeyFile,
    key: bytes,
    engine: Engine,
    sessions: sessionmaker[Session],
    actor: Actor,
) -> UserSession:
    with sessions() as db:
        is_sample = db.get(StoreMeta, SAMPLE_META_KEY) is not None
    return UserSession(path, keyfile, engine, sessions, actor, db_key=key, is_sample=is_sample)
