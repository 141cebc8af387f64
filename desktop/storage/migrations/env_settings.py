"""What the Alembic environment needs besides the connection: which tables it compares
with the models. Shared by migrations/env.py (Alembic's command line, the models check)
and `storage.migrate.upgrade` (the app), so both run the migrations alike."""

from __future__ import annotations

from sqlalchemy.schema import SchemaItem

# Tables that exist only on SQLite, made by raw SQL in migrations (the FTS5 search index).
SQLITE_ONLY_PREFIXES = ("case_search",)


def include_object(
    obj: SchemaItem,
    name: str | None,
    type_: str,
    reflected: bool,
    compare_to: SchemaItem | None,
) -> bool:
    """Leave the SQLite-only search tables out of Alembic's comparison with the models."""
    return not (type_ == "table" and name and name.startswith(SQLITE_ONLY_PREFIXES))
