"""An indicator's card is kept between questions (handlers.kpi) and so is what Slack rendered
from it (bot.slack.render.message): never across viewers who may see different figures, never
past an embargo's end, a load or a publication, and no caller can spoil the kept copy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from bot.commands.approval import register
from bot.runtime import Runtime, open_runtime, viewer_for
from bot.settings import Settings
from bot.slack import render
from data import store
from data.load import load_path
from handlers import kpi
from handlers.reply import Reply, Request

BEFORE = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
AFTER = datetime(2027, 1, 15, 9, 31, tzinfo=UTC)  # BUD-03's 2026/27 Q2 embargo ends 09:30
OFFICER, APPROVER, MEMBER = "U0DEMOPERF1", "U0DEMOBRD01", "U0DEMOMEMB1"


@pytest.fixture
def runtime(sample_store_url: str) -> Iterator[Runtime]:
    opened = open_runtime(Settings(database_url=sample_store_url))
    yield opened
    opened.engine.dispose()


def ask(runtime: Runtime, user: str, text: str, now: datetime) -> Reply:
    with runtime.reading() as session:
        return kpi.answer(Request(text, viewer_for(session, user), now), session)


def shown(runtime: Runtime, user: str, now: datetime) -> Any:
    return ask(runtime, user, "BUD-03", now).data["period"]


def test_the_same_card_is_answered_again_without_building_it_again(runtime: Runtime) -> None:
    first = ask(runtime, MEMBER, "BUD-03", BEFORE)
    again = ask(runtime, "U0DEMOMEMB2", "BUD-03", BEFORE)
    assert again is first  # another member, the same figures: the very same reply
    assert render.message(again) == render.message(first)


def test_staff_and_members_never_share_a_card_and_an_embargo_lifts_on_time(runtime: Runtime) -> None:
    assert shown(runtime, MEMBER, BEFORE) == "2026/27 Q1"  # members do not see it under embargo
    assert shown(runtime, OFFICER, BEFORE) == "2026/27 Q2"  # staff do
    assert shown(runtime, MEMBER, BEFORE) == "2026/27 Q1"
    assert shown(runtime, MEMBER, AFTER) == "2026/27 Q2"  # once the embargo has passed


def test_a_load_is_seen_at_once(runtime: Runtime, tmp_path: Path) -> None:
    assert shown(runtime, MEMBER, BEFORE) == "2026/27 Q1"
    folder = tmp_path / "later"
    folder.mkdir()
    (folder / "observations.csv").write_text("code,period,value\nBUD-03,2026/27 Q3,9000000\n")
    load_path(runtime.engine, folder)
    assert shown(runtime, MEMBER, BEFORE) == "2026/27 Q3"


def test_a_publication_is_seen_at_once_though_nothing_was_loaded(runtime: Runtime) -> None:
    """The published figure comes from the scorecards, which change without a load."""
    before = ask(runtime, MEMBER, "DEM-01 September 2024", BEFORE)
    assert before.data["published_value"] is None
    cli = typer.Typer()
    register(cli)
    url = runtime.settings.database_url
    for step, user, *more in (
        ("prepare", OFFICER), ("submit", OFFICER), ("approve", APPROVER, "--now"), ("publish-due", None),
    ):
        who = ["--as", user, "2024/25 Q2"] if user else []
        done = CliRunner().invoke(cli, ["scorecard", step, *who, *more, "--database-url", url])
        assert done.exit_code == 0, done.output
    after = ask(runtime, MEMBER, "DEM-01 September 2024", BEFORE)
    assert after.data["published_value"] == 1473
    with runtime.reading() as session:
        stamps = store.stamps(session)
        assert stamps.catalogue == store.catalogue_stamp(session) and stamps.publications == 1


def test_a_rendered_card_cannot_be_spoilt_by_whoever_asked_for_it(runtime: Runtime) -> None:
    reply = ask(runtime, MEMBER, "SEND timeliness", BEFORE)
    drawn = render.message(reply)
    drawn["blocks"].clear()
    drawn["text"] = "changed"
    again = render.message(reply)
    assert again["blocks"] and again["text"] != "changed"
    shared = render.message(reply, shared_by=MEMBER)
    assert shared != again  # who shared it is part of what was kept, not a stale copy
