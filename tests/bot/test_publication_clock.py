"""When an approved scorecard is published, with the real clock moved by time-machine.

The board approves through the real `kpibot scorecard` commands; only the machine's clock is
travelled, so the whole path (CLI, handler, working days, bank holidays, London time) is used.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
import typer
from typer.testing import CliRunner

from bot.cli import build

LONDON = ZoneInfo("Europe/London")
QUARTER = "2024/25 Q2"


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    return build()


def run(cli: typer.Typer, *args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def approve_at(cli: typer.Typer, url: str, moment: datetime) -> str:
    with time_machine.travel(moment, tick=False):
        run(cli, "scorecard", "prepare", QUARTER, "--as", "U0DEMOPERF1", "--database-url", url)
        run(cli, "scorecard", "submit", QUARTER, "--as", "U0DEMOPERF1", "--database-url", url)
        run(cli, "scorecard", "approve", QUARTER, "--as", "U0DEMOBRD01", "--database-url", url)
        return run(cli, "scorecard", "status", QUARTER, "--as", "U0DEMOPERF1", "--database-url", url)


def test_approved_on_the_friday_before_a_bank_holiday_publishes_on_tuesday_at_nine(
    cli: typer.Typer, sample_store_url: str
) -> None:
    # Monday 26 August 2024 is the summer bank holiday in England and Wales.
    status = approve_at(cli, sample_store_url, datetime(2024, 8, 23, 15, 30, tzinfo=LONDON))

    assert "To be published on Tuesday 27 August 2024 at 09:00" in status


def test_approved_before_the_clocks_go_back_publishes_at_nine_london_time(
    cli: typer.Typer, sample_store_url: str
) -> None:
    # British Summer Time ends on Sunday 27 October 2024: 09:00 on Monday is 09:00 GMT.
    status = approve_at(cli, sample_store_url, datetime(2024, 10, 25, 16, 0, tzinfo=LONDON))

    assert "To be published on Monday 28 October 2024 at 09:00" in status


def test_nothing_is_published_before_its_time_and_it_is_published_once_after(
    cli: typer.Typer, sample_store_url: str
) -> None:
    approve_at(cli, sample_store_url, datetime(2024, 8, 23, 15, 30, tzinfo=LONDON))

    with time_machine.travel(datetime(2024, 8, 27, 8, 59, tzinfo=LONDON), tick=False):
        early = run(cli, "scorecard", "publish-due", "--database-url", sample_store_url)
    with time_machine.travel(datetime(2024, 8, 27, 11, 0, tzinfo=LONDON), tick=False):
        due = run(cli, "scorecard", "publish-due", "--database-url", sample_store_url)
        again = run(cli, "scorecard", "publish-due", "--database-url", sample_store_url)

    assert "Published" not in early
    assert "Published: 2024/25 Q2" in due
    assert "Published" not in again
