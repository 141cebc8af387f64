"""Bring a store's schema up to date with Alembic, on the store's own keyed engine.

Only ever forwards, from a revision this version knows: a store made by a newer Casebook
is refused before anything is written (never downgraded, never "upgraded" from a revision
Alembic would have to guess about), and a database with no schema is not a case store.
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from desktop.errors import NotACaseStore, StoreTooNew

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every schema revision this Casebook can open (and migrate forwards from)."""
    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(rev.revision for rev in script.walk_revisions())


def check_revision(engine: Engine, name: str) -> str:
    """The store's schema revision, once it is one this version can open; reads only."""
    revision = current_revision(engine)
    if revision is None:
        raise NotACaseStore(name, "it holds no Casebook tables")
    if revision not in known_revisions():
        raise StoreTooNew(name)
    return revision


def bring_up_to_date(engine: Engine, name: str) -> None:
    """Migrate an older store to this version's schema; refuse one from a newer version,
    and one with no schema at all (a store is only ever made whole, by setup)."""
    if check_revision(engine, name) != head_revision():
        upgrade(engine)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations forward: on a new, empty database (setup) or a known revision."""
    current = current_revision(engine)
    if current is not None and current not in known_revisions():
        raise StoreTooNew()
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
