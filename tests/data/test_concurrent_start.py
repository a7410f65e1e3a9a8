"""Any number of copies of the bot may start at once on a new, empty PostgreSQL database: the
schema's migrations and the scheduler's own table are created once, under a lock, and every
copy starts (issue 10)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect

from data.db import make_engine

pytestmark = pytest.mark.postgres

COPIES = 4
KPIBOT = Path(sys.executable).with_name("kpibot")

# What `kpibot serve` does at start, less Slack: open the store (schema upgraded), then start the
# scheduler, whose job store creates its table; then stop. The copies wait for the go file
# between the two, so that they all reach the scheduler's table at the same moment.
START_SCRIPT = """
import sys, time
from pathlib import Path
go = Path(sys.argv[2])
from bot import scheduler

from bot.runtime import open_runtime
from bot.settings import Settings
runtime = open_runtime(Settings(database_url=sys.argv[1]))
Path(sys.argv[3]).touch()
while not go.exists():
    time.sleep(0.01)
jobs = scheduler.start(runtime, None, run_now=False)
scheduler.stop(jobs)
"""


def _environment() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SLACK_", "KPIBOT_")) and name != "DATABASE_URL"
    }


def _finished(processes: list[subprocess.Popen[str]]) -> list[tuple[int, str]]:
    return [(process.wait(timeout=120), process.communicate()[1]) for process in processes]


def test_copies_running_db_upgrade_together_on_a_new_database_all_succeed(postgres_url: str) -> None:
    processes = [
        subprocess.Popen(
            [str(KPIBOT), "db", "upgrade", "--database-url", postgres_url],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_environment(),
        )
        for _ in range(COPIES)
    ]

    results = _finished(processes)

    assert [code for code, _ in results] == [0] * COPIES, [err for _, err in results]
    engine = make_engine(postgres_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"alembic_version", "indicators", "observations", "kpibot_scheduled_jobs"} <= tables


def test_copies_starting_the_scheduler_together_on_a_new_database_all_start(
    postgres_url: str, tmp_path: Path
) -> None:
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", START_SCRIPT, postgres_url, str(go), str(tmp_path / f"ready-{n}")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_environment(),
            cwd=tmp_path,
        )
        for n in range(COPIES)
    ]
    # Every copy has imported everything before any is let go, so they reach the database together.
    while len(list(tmp_path.glob("ready-*"))) < COPIES and all(p.poll() is None for p in processes):
        time.sleep(0.01)
    go.touch()

    results = _finished(processes)

    assert [code for code, _ in results] == [0] * COPIES, [err for _, err in results]
    engine = make_engine(postgres_url)
    assert "kpibot_scheduled_jobs" in inspect(engine).get_table_names()
    engine.dispose()
