"""Small databooks the store's tests write for themselves, and a full dump of a store."""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path

from sqlalchemy import Engine, text

from data.load import LoadError

Rows = Sequence[Sequence[object]]
Databook = Mapping[str, Rows]

# A small, valid databook: the first row of each sheet names its columns.
BASE: dict[str, list[list[object]]] = {
    "indicators": [
        ["code", "title", "cluster", "polarity", "unit", "frequency", "year_basis", "ytd",
         "aliases"],
        ["SEND-01", "New EHC plans issued within 20 weeks (excluding exceptions)", "SEND",
         "high", "percent", "monthly", "", "ratio", "SEND timeliness;EHCP 20 weeks"],
        ["CIN-01", "Referrals to children's social care", "Demand", "none", "count",
         "quarterly", "", "sum", ""],
        ["KS2-01", "Pupils meeting the expected standard at KS2", "Education", "high", "percent",
         "annual", "academic", "", ""],
        ["CLA-01", "Children looked after per 10,000", "Demand", "low", "rate_per_10k",
         "monthly", "", "latest", ""],
    ],
    "observations": [
        ["code", "period", "value", "numerator", "denominator", "area", "status"],
        ["SEND-01", "2024-04", "84.5%", "169", "200", "", ""],
        ["SEND-01", "2024-05", "90.0", "", "", "", "provisional"],
        ["SEND-01", "2024-05", "75", "", "", "Ward A", ""],
        ["CIN-01", "2024/25 Q1", "1,234", "", "", "", ""],
        ["KS2-01", "2023/24", "61", "", "", "", ""],
        ["CLA-01", "2024-05-31", "", "", "", "", "suppressed"],
    ],
    "targets": [
        ["code", "year", "target", "amber_threshold"],
        ["SEND-01", "2024/25", "90", "84"],
        ["CLA-01", "2024/25", "70", "75"],
    ],
    "benchmarks": [
        ["code", "period", "comparator", "value"],
        ["KS2-01", "2023/24", "england", "60"],
        ["KS2-01", "2023/24", "statistical_neighbours", "59.5"],
    ],
    "glossary": [["term", "definition"], ["EHC plan", "Education, health and care plan"]],
    "meetings": [
        ["committee", "date", "focus_clusters", "agenda_deadline"],
        ["Children's Scrutiny", "2025-03-18", "SEND;Demand", "2025-03-04"],
    ],
    "roles": [
        ["user", "role", "service_area"],
        ["U012ABC", "performance_officer", ""],
        ["send.lead@council.example", "service_officer", "SEND"],
    ],
}


def write_csv_databook(folder: Path, sheets: Databook) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for sheet, rows in sheets.items():
        with (folder / f"{sheet}.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
    return folder


def write_xlsx_databook(file: Path, sheets: Databook) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for sheet, rows in sheets.items():
        page = book.create_sheet(sheet)
        for row in rows:
            page.append(list(row))
    book.save(file)
    return file


def changed(sheets: Databook, sheet: str, rows: Rows) -> dict[str, Rows]:
    """The databook with one sheet's rows replaced."""
    return {**sheets, sheet: rows}


def dump(engine: Engine) -> str:
    """Everything in the store, as text, to compare before and after a refused load.

    SQLite: the file's own `iterdump`. PostgreSQL: every table's rows ordered by all columns
    (pg_dump would also show sequence positions, which a rolled-back insert moves on).
    """
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        assert database
        connection = sqlite3.connect(database)
        try:
            return "\n".join(connection.iterdump())
        finally:
            connection.close()
    lines = []
    with engine.connect() as connection:
        tables = connection.execute(
            text(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' ORDER BY table_name"
            )
        ).scalars().all()
        for table in tables:
            columns = connection.execute(
                text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND table_name = :t ORDER BY ordinal_position"
                ),
                {"t": table},
            ).scalars().all()
            order = ", ".join(f'"{column}"' for column in columns)
            lines.append(f"-- {table} ({order})")
            for row in connection.execute(text(f'SELECT * FROM "{table}" ORDER BY {order}')):
                lines.append(repr(tuple(row)))
    return "\n".join(lines)


def loaded_dump(engine: Engine, folder: Path) -> str:
    """The base databook loaded into `engine`: the store's dump, to compare after a refusal."""
    from data.load import load_path

    load_path(engine, write_csv_databook(folder / "first", BASE))
    return dump(engine)


def refusals(engine: Engine, path: Path) -> list[LoadError]:
    """The errors a load of `path` is refused with (it must be refused)."""
    import pytest

    from data.load import LoadFailed, load_path

    with pytest.raises(LoadFailed) as refused:
        load_path(engine, path)
    return refused.value.errors
