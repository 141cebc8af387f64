"""Alembic environment: always run on the application's own (keyed) connection."""

from alembic import context
from sqlalchemy.schema import SchemaItem

from desktop.storage.models import Base

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


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
