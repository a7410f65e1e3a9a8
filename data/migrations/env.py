"""Alembic's environment: runs on the caller's connection (`data.db.ensure_schema`) or a URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from data.schema import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from data.db import make_engine

    url = config.get_main_option("sqlalchemy.url")
    engine = make_engine(url) if url else create_engine("sqlite://")
    with engine.begin() as connection:
        _run(connection)


def _run(connection: Connection) -> None:
    # Batch mode lets later migrations alter SQLite tables (it rebuilds them).
    context.configure(
        connection=connection, target_metadata=target_metadata, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
