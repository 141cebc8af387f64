"""Alembic environment: always run on the application's own (keyed) connection."""

from alembic import context

from desktop.storage.migrations.env_settings import include_object
from desktop.storage.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
