"""The sample council in a real SQLite store, for drawing its real replies as Teams cards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from bot.runtime import Runtime, open_runtime
from bot.settings import Settings

# The sample council's store, loaded once per session and copied per test (tests/slack/conftest.py).
from tests.slack.conftest import database_url, sample_store  # noqa: F401


@pytest.fixture
def runtime(database_url: str) -> Iterator[Runtime]:  # noqa: F811
    opened = open_runtime(Settings(database_url=database_url))
    yield opened
    opened.engine.dispose()


@pytest.fixture
def session(runtime: Runtime) -> Iterator[Session]:
    with runtime.session() as opened:
        yield opened
