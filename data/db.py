"""Engines, sessions and the schema's migrations for SQLite files and PostgreSQL servers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# The PostgreSQL advisory lock that schema changes take: any fixed number, the same in every copy
# of the bot. This one is the bytes of "kpibot", unlikely to be another program's key.
SCHEMA_LOCK = int.from_bytes(b"kpibot", "big")

# Long enough to ride out another process's load, short enough that a stuck one is reported.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str) -> Engine:
    """An engine for `sqlite:///file` (folder created, foreign keys on, WAL) or PostgreSQL.

    `postgresql://` URLs are taken to mean psycopg 3 (`postgresql+psycopg://`), the driver
    the project installs.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so that a
        # load's reads and writes (and Alembic's DDL) sit in one real transaction.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
            # With WAL, NORMAL loses at most the last commits on power loss, never consistency.
            cursor.execute("PRAGMA synchronous=NORMAL")
        # A bigger page cache (64 MB) keeps the observations' unique index in memory while
        # a million rows go in.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock at the start. A deferred transaction that reads and
        # then writes cannot wait for another writer (SQLite refuses at once: "database is
        # locked"); taking the lock first lets busy_timeout queue writers instead, whatever
        # order a transaction's reads and writes come in. A reader (`reader_factory`) takes no
        # lock: under WAL it reads a snapshot beside any writer and any other reader.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def alembic_config(engine: Engine | None = None) -> Any:
    """Alembic's configuration, found through the package's own path so it works when installed."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
    return config


def lock_schema(connection: Connection) -> None:
    """Hold the schema lock until `connection`'s transaction ends, waiting for any other copy
    that holds it.

    Every change to the schema (migrations, and tables the bot creates at start) takes it first,
    so copies starting together on a new database create each table once: without it, the
    second `CREATE TABLE` fails on PostgreSQL (UniqueViolation, DuplicateTable) instead of
    finding the table made. On SQLite the engine's BEGIN IMMEDIATE already serialises writers.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})


def ensure_schema(engine: Engine) -> None:
    """Bring the store's schema up to the newest migration (`alembic upgrade head`), under the
    schema lock, so that any number of copies may do it at once. A store already there is left
    as it is without importing Alembic (`at_head`): most starts, and every `kpibot ask`."""
    if at_head(engine):
        return
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:
        lock_schema(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def newest_revision() -> str:
    """The newest migration's revision, read from the files' names (`0006_people.py` is
    revision 0006, as every migration here is named) without importing Alembic."""
    names = (path.name.split("_", 1)[0] for path in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))
    return max(names, default="")


def at_head(engine: Engine) -> bool:
    """Whether the store's schema is at the newest migration already: one query, and False (so
    the caller migrates as before) for a store without Alembic's table or any other doubt."""
    newest = newest_revision()
    try:
        # A read: on SQLite it takes no write lock, so it never waits for a load in progress.
        with engine.execution_options(**{READ_ONLY: True}).connect() as connection:
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except Exception:  # no such table yet (an empty store), or anything odd: let Alembic see
        return False
    return bool(newest) and list(current) == [newest]


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for one interaction or job each; the caller commits at the edge."""
    return sessionmaker(bind=engine, expire_on_commit=False)


# The execution option that marks a connection's transactions as reads only.
READ_ONLY = "kpibot_read_only"


def reader_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that only read (a member's question): on SQLite they take no write lock, so
    answers never queue behind each other or behind a writer; on PostgreSQL the transaction is
    READ ONLY, so a write there is refused rather than slipped in."""
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    return sessionmaker(bind=engine.execution_options(**options), expire_on_commit=False)


def store_answers(engine: Engine) -> bool:
    """Whether the store answers a trivial query now (the readiness check); never raises."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
            connection.rollback()
    except Exception:
        return False
    return True
