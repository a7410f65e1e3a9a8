"""The scrutiny answers keep every card between questions: never across viewers who may see
different figures, never past an embargo's end, never past a load."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.runtime import Runtime, open_runtime, viewer_for
from bot.settings import Settings
from data.load import load_path
from handlers import kpi
from handlers.reply import Request

BEFORE = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
AFTER = datetime(2027, 1, 15, 9, 31, tzinfo=UTC)  # BUD-03's 2026/27 Q2 embargo ends 09:30


@pytest.fixture
def runtime(sample_store_url: str) -> Iterator[Runtime]:
    opened = open_runtime(Settings(database_url=sample_store_url))
    yield opened
    opened.engine.dispose()


def periods(runtime: Runtime, user: str, now: datetime) -> str | None:
    with runtime.session() as session:
        answer = kpi.answer(Request("how do we compare", viewer_for(session, user), now), session)
        assert answer.kind.value == "benchmarks"
        from handlers import scrutiny

        request = Request("", viewer_for(session, user), now)
        card = next(c for c in scrutiny.all_cards(request, session) if c.code == "BUD-03")
    return card.period_label


def test_staff_and_members_never_share_cards_and_an_embargo_lifts_on_time(runtime: Runtime) -> None:
    assert periods(runtime, "U0DEMOPERF1", BEFORE) == "2026/27 Q2"  # staff see it under embargo
    assert periods(runtime, "U0DEMOMEMB1", BEFORE) == "2026/27 Q1"  # members do not
    assert periods(runtime, "U0DEMOPERF1", BEFORE) == "2026/27 Q2"
    assert periods(runtime, "U0DEMOMEMB1", AFTER) == "2026/27 Q2"  # once the embargo has passed


def test_a_load_is_seen_at_once(runtime: Runtime, tmp_path: Path) -> None:
    assert periods(runtime, "U0DEMOMEMB1", BEFORE) == "2026/27 Q1"
    folder = tmp_path / "later"
    folder.mkdir()
    (folder / "observations.csv").write_text("code,period,value\nBUD-03,2026/27 Q3,9000000\n")
    load_path(runtime.engine, folder)
    assert periods(runtime, "U0DEMOMEMB1", BEFORE) == "2026/27 Q3"
