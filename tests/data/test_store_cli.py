"""`kpibot load`, `kpibot db upgrade` at the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from databooks import BASE, changed, dump, write_csv_databook
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot.commands.store import register


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_load_prints_what_changed_per_table(
    cli: typer.Typer, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    folder = write_csv_databook(tmp_path / "book", BASE)

    result = CliRunner().invoke(cli, ["load", str(folder), "--database-url", database_url])

    assert result.exit_code == 0, result.output
    assert "observations 6 new" in result.output


def test_load_with_errors_prints_each_and_exits_1_with_the_store_untouched(
    cli: typer.Typer, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    CliRunner().invoke(
        cli, ["load", str(write_csv_databook(tmp_path / "a", BASE)), "--database-url",
              database_url],
    )
    before = dump(engine)
    rows = [*BASE["observations"], ["SEND-01", "2024-06", "ninety", "", "", "", ""]]
    folder = write_csv_databook(tmp_path / "b", changed(BASE, "observations", rows))

    result = CliRunner().invoke(cli, ["load", str(folder), "--database-url", database_url])

    assert result.exit_code == 1
    assert "observations.csv row 8, column value: 'ninety' is not a number" in result.output
    assert dump(engine) == before


def test_db_upgrade_creates_a_store_in_a_new_folder(cli: typer.Typer, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'folder' / 'kpibot.sqlite'}"

    result = CliRunner().invoke(cli, ["db", "upgrade", "--database-url", url])

    assert result.exit_code == 0, result.output
    assert (tmp_path / "new" / "folder" / "kpibot.sqlite").exists()
