"""A concern holding a character the store cannot keep (a NUL) is refused
in the form with a message saying so, on SQLite and PostgreSQL alike, and nothing is kept
(issue 10: on PostgreSQL it was "something went wrong")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.runtime import Runtime
from data.db import make_engine
from data.load import load_path
from data.schema import ConcernEventRow, ConcernRow
from tests.conftest import SAMPLE_COUNCIL
from tests.slack.conftest import Slack, body_of, settle, submitted_view
from tests.slack.stub import SlackStub


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, sample_store: Path, tmp_path: Path) -> str:
    """The sample council on a SQLite copy, or loaded into a new PostgreSQL database."""
    if request.param == "sqlite":
        url: str = request.getfixturevalue("database_url_sqlite_copy")
        return url
    url = str(request.getfixturevalue("postgres_url"))
    engine = make_engine(url)
    load_path(engine, SAMPLE_COUNCIL)
    engine.dispose()
    return url


@pytest.fixture
def database_url_sqlite_copy(sample_store: Path, tmp_path: Path) -> str:
    import shutil

    copy = tmp_path / "kpibot.sqlite"
    shutil.copyfile(sample_store, copy)
    return f"sqlite:///{copy}"


def _counts(runtime: Runtime) -> tuple[int, int]:
    with runtime.session() as session:
        concerns = session.scalar(select(func.count()).select_from(ConcernRow)) or 0
        events = session.scalar(select(func.count()).select_from(ConcernEventRow)) or 0
    return int(concerns), int(events)


def test_concern_with_a_nul_is_refused_in_the_form_on_every_store(
    slack: Slack, stub: SlackStub, runtime: Runtime
) -> None:
    before = _counts(runtime)
    slack.command("/concern", "")
    opened = stub.wait_for("views.open", 1)[0].params["view"]
    view: dict[str, Any] = json.loads(opened) if isinstance(opened, str) else opened

    text = "SEND timeliness\x00 keeps slipping"
    answer = body_of(slack.submit(submitted_view(view, text=text, code="SEND-01")))
    settle(slack.app)

    assert answer["response_action"] == "errors"
    message = next(iter(answer["errors"].values()))
    assert message.startswith("The text contains a character that cannot be stored")
    assert "NUL, character code 0" in message
    assert _counts(runtime) == before
