"""The store's fixtures: a fresh store on SQLite and on PostgreSQL for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from data.db import ensure_schema, make_engine


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'kpibot.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A fresh, migrated store: a new SQLite file, or a new database on the test server."""
    created = make_engine(database_url)
    ensure_schema(created)
    yield created
    created.dispose()
