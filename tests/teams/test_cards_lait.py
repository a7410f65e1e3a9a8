"""A real council's DfE figures (434 indicators, imported by `kpibot load-lait`) make the longest
lists the bot shows: every one of them is still a valid Adaptive Card 1.5 within Teams' limit,
and a list too long for one message says how many rows it left out."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.runtime import Runtime, open_runtime, viewer_for
from bot.settings import Settings
from bot.teams import cards
from data import store
from handlers import kpi
from handlers.reply import Request
from tests.teams.schemas import card_errors

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
COUNCIL = "Rotherham"
pytestmark = pytest.mark.lait


@pytest.fixture(scope="module")
def rotherham(lait_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    url = f"sqlite:///{tmp_path_factory.mktemp('lait') / 'rotherham.sqlite'}"
    subprocess.run(
        [sys.executable, "-m", "bot", "load-lait", str(lait_dir / "bds_long_0.parquet"),
         "--la", COUNCIL, "--database-url", url],
        check=True, capture_output=True, text=True, timeout=300,
    )
    runtime = open_runtime(Settings(database_url=url))
    yield runtime
    runtime.engine.dispose()


def test_a_real_councils_longest_lists_are_valid_cards_within_teams_limit(rotherham: Runtime) -> None:
    with rotherham.session() as session:
        viewer = viewer_for(session, "U0LAITMEMBER")
        questions = ["clusters", "reds", "what got worse", "what improved", "where are we behind England",
                     "how are we doing", "glossary", *store.clusters(session)]
        cut = 0
        for text in questions:
            reply = kpi.answer(Request(text, viewer, NOW), session)
            card = cards.card(reply)
            assert card_errors(card) == [], text
            assert cards.size(card) <= cards.MAX_CARD_BYTES, text
            rows = reply.table.rows if reply.table else ()
            shown = sum(len(element["rows"]) - 1 for element in card["body"] if element["type"] == "Table")
            said = " ".join(element.get("text", "") for element in card["body"])
            if shown < len(rows):
                cut += 1
                left = len(rows) - shown
                assert f"And {left:,} more {'row' if left == 1 else 'rows'} that did not fit" in said, text
            else:
                assert "did not fit" not in said, text
    assert len(questions) > 10
