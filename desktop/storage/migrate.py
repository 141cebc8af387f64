"""Bring a store's schema up to date with Alembic, on the store's own keyed engine.

Only ever forwards, from a revision this version knows: a store made by a newer Casebook
is refused before anything is written (never downgraded, never "upgraded" from a revision
Alembic would have to guess about), and a database with no schema is not a case store.
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
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


@functools.cache
def scripts() -> ScriptDirectory:
    """The migrations, read once: every sign-in asks for the head revision, and reading
    the scripts again (seven modules compiled and run) took longer than the question."""
    return ScriptDirectory.from_config(alembic_config())


@functools.cache
def head_revision() -> str | None:
    return scripts().get_current_head()


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every schema revision this Casebook can open (and migrate forwards from)."""
    return frozenset(rev.revision for rev in scripts().walk_revisions())


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
    # What `alembic upgrade` does, on the scripts already read and with migrations/env.py's
    # settings (kept there for Alembic's own command line and the models check).
    from desktop.storage.migrations.env_settings import include_object
    from desktop.storage.models import Base

    script = scripts()
    with (
        engine.begin() as conn,
        EnvironmentContext(
            alembic_config(),
            script,
            fn=lambda current, _context: script._upgrade_revs(revision, current),
            destination_rev=revision,
        ) as environment,
    ):
        environment.configure(
            connection=conn,
            target_metadata=Base.metadata,
            render_as_batch=True,
            include_object=include_object,
        )
        with environment.begin_transaction():
            environment.run_migrations()
