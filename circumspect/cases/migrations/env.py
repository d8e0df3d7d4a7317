"""Alembic environment of the case store (version table ``alembic_version_cases``).

Run through ``circumspect.cases.db.migrate(engine)``, which passes the connection in
``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from circumspect.cases.models import Base

VERSION_TABLE = "alembic_version_cases"

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via migrate()
    raise RuntimeError("run case migrations through circumspect.cases.db.migrate()")

if connection.dialect.name == "postgresql":
    # Several server workers may start at once: one migrates, the others wait.
    connection.execute(text("SELECT pg_advisory_xact_lock(716001)"))

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
