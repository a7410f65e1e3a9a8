"""Opening the store for a command or a running bot: one engine, schema upgraded, sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from data import store
from data.db import ensure_schema, make_engine, reader_factory, session_factory
from scorecard.model import Role, Viewer

SAMPLE_COUNCIL = Path(store.__file__).resolve().parent / "sample"


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    readers: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One session per interaction: committed when the block ends well, rolled back if not."""
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for answering a question, which writes nothing: it waits for no writer."""
        with self.readers.begin() as session:
            yield session


def open_runtime(settings: Settings) -> Runtime:
    engine = make_engine(settings.database_url)
    ensure_schema(engine)
    return runtime_on(settings, engine)


def runtime_on(settings: Settings, engine: Engine) -> Runtime:
    """The runtime over an engine whose schema is known to be up to date."""
    return Runtime(settings, engine, session_factory(engine), reader_factory(engine))


def load_sample_if_empty(runtime: Runtime) -> bool:
    """The demo's first run: load the bundled sample council into an empty store. True if loaded."""
    with runtime.session() as session:
        if not store.is_empty(session):
            return False
    from data.load import load_path

    load_path(runtime.engine, SAMPLE_COUNCIL)
    return True


def viewer_for(session: Session, user: str) -> Viewer:
    """Who is asking (a person's id, data.people): their roles from the roles table, under any
    of their names (id, platform ids, e-mail); anyone else is a member."""
    assignments = store.roles_of(session, user)
    roles = frozenset(a.role for a in assignments) or frozenset({Role.MEMBER})
    areas = frozenset(a.service_area for a in assignments if a.service_area)
    return Viewer(user=user, roles=roles | {Role.MEMBER}, service_areas=areas)


def utc_now() -> datetime:
    return datetime.now(UTC)
