"""`kpibot ask` as a new process: it answers as before while importing only what answering needs.

A question at the terminal pays for every module its process imports; the platforms, the
loaders, the charts, the scheduler, Alembic and the other commands are not needed to answer one,
and an import of any of them creeping back on this path would silently slow every `kpibot ask`
(bench/queries.py measures the time). These tests run the real command in a fresh interpreter
and look at what it imported.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from bot import cli
from bot.commands.ask import DEFAULT_USER, answer_text
from bot.console import as_json_line
from bot.runtime import open_runtime
from bot.settings import Settings
from data.db import at_head, ensure_schema, make_engine, newest_revision

REPO = Path(__file__).resolve().parents[2]

# Packages and modules of ours that answering a question never uses (each was on the path once).
NOT_IMPORTED_BY_ASK = (
    "alembic",
    "pandas",
    "pyarrow",
    "openpyxl",
    "matplotlib",
    "PIL",
    "jinja2",
    "slack_sdk",
    "slack_bolt",
    "microsoft_teams",
    "apscheduler",
    "psycopg",
    "gunicorn",
    "prometheus_client",
    "holidays",
    "platformdirs",  # only for the default database, and a question here names its store
    "rich",  # only to draw the panel: --json never needs it
    "bot.slack",
    "bot.teams",
    "bot.scheduler",
    "bot.publisher",
    "bot.messaging",
    "bot.listening",
    "bot.commands.store",
    "bot.commands.lait",
    "bot.commands.demo",
    "bot.commands.scorecard",
    "bot.commands.concerns",
    "bot.commands.approval",
    "bot.commands.serve",
    "bot.commands.teams",
    "data.load",
    "data.lait",
    "data.concerns",
    "handlers.approval",
    "handlers.concern_steps",
    "handlers.concerns",
)

# Runs `kpibot` as its console script does, then writes the names of every module it imported.
_RUN_AND_LIST = """
import json, sys
modules_file, sys.argv = sys.argv[1], ["kpibot", *sys.argv[2:]]
from bot.cli import main
try:
    main()
finally:
    with open(modules_file, "w") as out:
        json.dump(sorted(sys.modules), out)
"""


def _kpibot(tmp_path: Path, *args: str, stdin: str = "") -> tuple[str, set[str]]:
    """`kpibot <args>` in a new interpreter: what it printed and the modules it imported."""
    listing = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", _RUN_AND_LIST, str(listing), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "KPIBOT_CACHE_DIR": str(tmp_path / "cache"),
            "COLUMNS": "100",
        },
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, set(json.loads(listing.read_text()))


def _under(modules: set[str], name: str) -> list[str]:
    return sorted(m for m in modules if m == name or m.startswith(name + "."))


def test_kpibot_ask_imports_none_of_what_answering_does_not_use(
    sample_store_url: str, tmp_path: Path
) -> None:
    # Twice: the first builds the query index and keeps it on disk, the second reads it, as
    # every later question on an unchanged store does.
    for _ in range(2):
        printed, modules = _kpibot(tmp_path, "ask", "CLA rate", "--json", "--database-url", sample_store_url)
        assert json.loads(printed)["kind"] == "indicator"
        found = {name: _under(modules, name) for name in NOT_IMPORTED_BY_ASK}
        assert {name: where for name, where in found.items() if where} == {}
        assert "sqlalchemy.orm" in modules  # the listing is real: answering reads the store


def test_kpibot_ask_answers_as_the_handler_does_in_process(sample_store_url: str, tmp_path: Path) -> None:
    questions = ["SEND timeliness", "reds", "glossary DOT", "CLA rate ward Hollins Green", "/scorecard"]
    runtime = open_runtime(Settings(database_url=sample_store_url))
    expected = [json.loads(as_json_line(answer_text(runtime, q, DEFAULT_USER))) for q in questions]
    runtime.engine.dispose()
    for question, wanted in zip(questions, expected, strict=True):
        printed, _ = _kpibot(tmp_path, "ask", question, "--json", "--database-url", sample_store_url)
        assert json.loads(printed) == wanted, question


def test_each_command_module_registers_the_commands_cli_lists_for_it() -> None:
    for module, commands in cli.COMMANDS.items():
        app = typer.Typer()
        __import__(module, fromlist=["register"]).register(app)
        names = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
        assert names == set(commands), module


def test_a_command_line_builds_only_the_modules_of_the_command_it_names() -> None:
    assert cli.modules_for(["ask", "CLA rate"]) == ["bot.commands.ask"]
    assert cli.modules_for(["chat"]) == ["bot.commands.ask"]
    assert cli.modules_for(["scorecard", "show"]) == ["bot.commands.scorecard", "bot.commands.approval"]
    assert cli.modules_for(["--help"]) == cli.COMMAND_MODULES
    assert cli.modules_for(["no-such-command"]) == cli.COMMAND_MODULES
    assert cli.modules_for([]) == cli.COMMAND_MODULES


def test_kpibot_help_still_lists_every_command(tmp_path: Path) -> None:
    printed, _ = _kpibot(tmp_path, "--help")
    for commands in cli.COMMANDS.values():
        for command in commands:
            assert f" {command} " in printed, command


def test_a_store_is_at_head_only_with_the_newest_migration(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    assert not at_head(engine)  # empty: no alembic_version table yet
    ensure_schema(engine)
    assert at_head(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    assert not at_head(engine)  # an older store is migrated, not taken as it is
    engine.dispose()


def test_the_newest_migration_is_read_from_the_files_names_as_alembic_would_find_it() -> None:
    """at_head takes the revision from the newest file's name: that file must be Alembic's head
    (the revision no other migration comes after), or a store would be taken as up to date."""
    revision = re.compile(r"^revision\b.*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
    down = re.compile(r"^down_revision\b.*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
    revisions, parents = set(), set()
    for path in (REPO / "data" / "migrations" / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        if found := revision.search(text):
            revisions.add(found.group(1))
            assert path.name.startswith(found.group(1) + "_"), path.name
        if found := down.search(text):
            parents.add(found.group(1))
    assert revisions - parents == {newest_revision()}


@pytest.mark.parametrize("command", ["ask", "chat"])
def test_an_empty_store_is_set_up_and_says_nothing_is_loaded(command: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    args = ["ask", "CLA rate", "--json"] if command == "ask" else ["chat", "--json"]
    printed, modules = _kpibot(tmp_path, *args, "--database-url", url, stdin="CLA rate\n")
    assert json.loads(printed)["kind"] == "error"
    assert "alembic" in modules  # the store was set up
    engine = make_engine(url)
    assert at_head(engine)
    engine.dispose()
