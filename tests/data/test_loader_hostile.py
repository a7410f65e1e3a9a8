"""Hostile and broken databook files (issue 10): a character the store cannot keep, cells and
workbooks beyond sane sizes, a stale workbook dimension, formulas whose value comes from another
workbook or was never saved, XML bombs, corrupt zips. Each is refused with its file, sheet, row
and cell named, the same on SQLite and PostgreSQL, and the store stays exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from databooks import BASE, changed, dump, write_csv_databook
from sqlalchemy import Engine

from data.load import MAX_CELL, LoadError, LoadFailed, load_path


def _loaded(engine: Engine, tmp_path: Path) -> str:
    load_path(engine, write_csv_databook(tmp_path / "first", BASE))
    return dump(engine)


def _refused(engine: Engine, path: Path) -> list[LoadError]:
    with pytest.raises(LoadFailed) as refused:
        load_path(engine, path)
    return refused.value.errors


def _one(errors: list[LoadError], file: str, row: int | None, column: str | None) -> LoadError:
    for error in errors:
        if (error.file, error.row, error.column) == (file, row, column):
            return error
    raise AssertionError(f"no error at {file} row {row} column {column}: {errors}")


# --------------------------------------------------------------------------------------------
# Characters the store cannot keep, and cells too long to be data


def test_nul_in_a_csv_cell_is_refused_naming_file_row_and_column_on_every_store(
    engine: Engine, tmp_path: Path
) -> None:
    before = _loaded(engine, tmp_path)
    rows = [*BASE["glossary"], ["CIN", "Child\x00 in need"]]
    folder = write_csv_databook(tmp_path / "bad", changed(BASE, "glossary", rows))

    error = _one(_refused(engine, folder), "glossary.csv", 3, "definition")

    assert "the text contains a character that cannot be stored (a NUL, character code 0)" in error.reason
    assert "\x00" not in str(error)
    assert dump(engine) == before


def test_nul_in_an_observation_code_is_refused_not_reported_as_an_unknown_code(
    engine: Engine, tmp_path: Path
) -> None:
    before = _loaded(engine, tmp_path)
    rows = [*BASE["observations"], ["SEND-01\x00", "2024-06", "88", "", "", "", ""]]
    folder = write_csv_databook(tmp_path / "bad", changed(BASE, "observations", rows))

    errors = _refused(engine, folder)

    assert "cannot be stored" in _one(errors, "observations.csv", 8, "code").reason
    assert all("\x00" not in str(error) for error in errors)
    assert dump(engine) == before


def test_cell_longer_than_the_limit_is_refused_with_its_length(engine: Engine, tmp_path: Path) -> None:
    before = _loaded(engine, tmp_path)
    rows = [*BASE["glossary"], ["CIN", "x" * (MAX_CELL + 1)]]
    folder = write_csv_databook(tmp_path / "bad", changed(BASE, "glossary", rows))

    error = _one(_refused(engine, folder), "glossary.csv", 3, "definition")

    assert f"this cell holds {MAX_CELL + 1:,} characters: a cell may hold at most {MAX_CELL:,}" in (
        error.reason
    )
    assert dump(engine) == before


def test_cell_at_the_limit_loads(engine: Engine, tmp_path: Path) -> None:
    rows = [*BASE["glossary"], ["CIN", "x" * MAX_CELL]]
    folder = write_csv_databook(tmp_path / "long", changed(BASE, "glossary", rows))

    report = load_path(engine, folder)

    assert report.counts["glossary"].new == 2
