"""Reading a databook: a folder of CSV files or one .xlsx workbook -> a frame of text per
sheet, with each row's number in the file. Files that cannot be read at all are refused here;
everything else is for the checks."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from data.load.cells import cell_text
from data.load.columns import COLUMNS, ROW, SHEETS
from data.load.errors import Errors, choices

__all__ = ["databook_files", "read_databook"]

log = logging.getLogger("kpibot.load")


def read_databook(path: str | Path) -> dict[str, pd.DataFrame]:
    """A folder of CSV files or one .xlsx workbook -> {sheet: frame of text, with `__row__`}.

    Raises `LoadFailed` for files that cannot be read at all (not UTF-8, not a CSV, no known
    sheet); everything else is checked by `load_frames`.
    """
    source = Path(path)
    errors = Errors()
    frames: dict[str, pd.DataFrame] = {}
    if source.is_dir():
        found = {}
        for file in sorted(source.iterdir()):
            if file.suffix.lower() == ".csv" and file.stem.strip().lower() in COLUMNS:
                found[file.stem.strip().lower()] = file
        if not found:
            errors.add(
                source.name, None, None,
                "no databook files in this folder: expected CSV files named "
                + choices(f"{sheet}.csv" for sheet in SHEETS),
            )
        for sheet, file in found.items():
            frame = _read_csv(file, errors)
            if frame is not None:
                frames[sheet] = frame
    elif source.suffix.lower() in (".xlsx", ".xlsm"):
        frames = _read_workbook(source, errors)
    elif source.suffix.lower() == ".csv" and source.stem.strip().lower() in COLUMNS:
        frame = _read_csv(source, errors)
        if frame is not None:
            frames[source.stem.strip().lower()] = frame
    elif not source.exists():
        errors.add(source.name, None, None, f"there is no file or folder at {source}")
    else:
        errors.add(
            source.name, None, None,
            "not a databook: give a folder of CSV files, one .xlsx workbook, or a CSV file named "
            "after its sheet (observations.csv ...)",
        )
    if errors:
        raise errors.failure()
    return frames


def databook_files(path: str | Path) -> list[str]:
    """CSV files in a databook folder not named after a sheet: reported (a misspelt
    `observatons.csv` must not go unnoticed), not read."""
    source = Path(path)
    if not source.is_dir():
        return []
    return sorted(
        file.name
        for file in source.iterdir()
        if file.suffix.lower() == ".csv" and file.stem.strip().lower() not in COLUMNS
    )


_FIELDS_SEEN = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _read_csv(file: Path, errors: Errors) -> pd.DataFrame | None:
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        row = before.count(b"\n") + 1
        line = before[before.rfind(b"\n") + 1 :]
        header = raw.split(b"\n", 1)[0].decode("utf-8", "replace").split(",")
        index = line.count(b",")
        column = header[index].strip().lower() if row > 1 and index < len(header) else None
        errors.add(
            file.name, row, column,
            f"this file is not saved as UTF-8 (byte 0x{raw[error.start]:02X} cannot be read): "
            "in Excel use Save As, 'CSV UTF-8 (Comma delimited)'",
        )
        return None
    if not text.strip():
        frame = pd.DataFrame()
        frame.attrs["file"] = file.name
        return frame
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            skipinitialspace=False,
        )
    except pd.errors.ParserError as error:
        match = _FIELDS_SEEN.search(str(error))
        if match:
            expected, line_number, seen = match.groups()
            errors.add(
                file.name, int(line_number), None,
                f"this row has {seen} cells but the first row names {expected} columns "
                "(is there a comma inside a value that is not in quotes?)",
            )
        else:
            errors.add(file.name, None, None, f"this is not a readable CSV file ({error})")
        return None
    frame = frame.fillna("")
    frame = _drop_unnamed_empty(frame)
    frame.insert(0, ROW, np.arange(2, len(frame) + 2, dtype=np.int64))
    frame.attrs["file"] = file.name
    return frame


def _drop_unnamed_empty(frame: pd.DataFrame) -> pd.DataFrame:
    """Spreadsheets often save a trailing comma or blank column: harmless when it holds nothing."""
    empty_unnamed = [
        column
        for column in frame.columns
        if (str(column).startswith("Unnamed: ") or not str(column).strip())
        and not frame[column].astype(str).str.strip().ne("").any()
    ]
    return frame.drop(columns=empty_unnamed)


def _read_workbook(file: Path, errors: Errors) -> dict[str, pd.DataFrame]:
    """The databook sheets of one workbook, every row whatever its stored dimension says.

    Checked first (data.workbook) without parsing: a zip, of a sane size, with no DTD in any
    part; formula cells with no value of their own are named. Any failure is reported against
    the file (and the sheet and row reached), never as a traceback, and nothing is loaded.
    """
    from openpyxl import load_workbook

    from data.workbook import WorkbookRefused, inspect_workbook

    try:
        inspected = inspect_workbook(file, lambda title: title.strip().lower() in COLUMNS)
    except WorkbookRefused as refused:
        where = file.name if refused.sheet is None else f"{file.name} [{refused.sheet}]"
        errors.add(where, None, None, refused.reason)
        return {}
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or wrong file
        log.debug("openpyxl could not open %s", file, exc_info=True)
        errors.add(file.name, None, None, f"this is not a readable .xlsx workbook ({error})")
        return {}
    frames: dict[str, pd.DataFrame] = {}
    try:
        names = {name.strip().lower(): name for name in book.sheetnames}
        known = [sheet for sheet in SHEETS if sheet in names]
        if not known:
            errors.add(
                file.name, None, None,
                f"no sheet of this workbook is named {choices(SHEETS)} "
                f"(its sheets are: {', '.join(book.sheetnames) or 'none'})",
            )
        for sheet in known:
            title = names[sheet]
            label = f"{file.name} [{title}]"
            page = book[title]
            # A workbook's stored dimension (`<dimension ref="A1:C5"/>`) may be stale, written
            # by a program that added rows or columns later: openpyxl's read-only mode believes
            # it and drops the rest. Read every row and cell there is instead.
            page.reset_dimensions()
            reached = [0]
            rows = _counted(
                (tuple(_cell_as_shown(cell) for cell in row) for row in page.iter_rows(min_row=1, min_col=1)),
                reached,
            )
            try:
                frame, header = _sheet_frame(rows, label)
            except Exception as error:  # the XML of a damaged sheet fails part way through
                log.debug("openpyxl could not read %s", label, exc_info=True)
                errors.add(
                    label, reached[0] + 1, None,
                    f"the sheet is damaged from this row on and cannot be read ({error}): open the "
                    "workbook in Excel and save it again",
                )
                continue
            for cell in inspected.formulas.get(title, []):
                named = header[cell.column - 1] if 0 < cell.column <= len(header) else ""
                errors.add(label, cell.row, named.strip().lower() or None, cell.reason)
            frames[sheet] = frame
    finally:
        book.close()
    return frames


def _counted(rows: Iterator[tuple[Any, ...]], reached: list[int]) -> Iterator[tuple[Any, ...]]:
    """The rows, keeping in `reached[0]` how many were read (to say where a damaged sheet fails)."""
    for row in rows:
        yield row
        reached[0] += 1


def _sheet_frame(rows: Iterator[tuple[Any, ...]], label: str) -> tuple[pd.DataFrame, list[str]]:
    """The sheet's rows as a frame of text (with `__row__`), and its first non-empty row (the
    column names, as written)."""
    header: list[str] | None = None
    data: list[list[str]] = []
    numbers: list[int] = []
    for number, cells in enumerate(rows, start=1):
        texts = [cell_text(cell) for cell in cells]
        if header is None:
            if any(texts):
                header = texts
            continue
        if any(texts):
            data.append(texts)
            numbers.append(number)
    if header is None:
        frame = pd.DataFrame()
    else:
        # A value beyond the last named column gets a column of its own (with no name), so it is
        # reported as an unknown column, never dropped.
        width = max([len(header), *map(len, data)])
        header = header + [""] * (width - len(header))
        while width and not header[width - 1] and not any(
            len(row) >= width and row[width - 1] for row in data
        ):
            width -= 1
        columns = [name or f"Unnamed: {index}" for index, name in enumerate(header[:width])]
        frame = pd.DataFrame(
            [(row + [""] * width)[:width] for row in data], columns=columns, dtype=object
        )
        if "period" in [name.strip().lower() for name in columns]:
            position = [name.strip().lower() for name in columns].index("period")
            frame.iloc[:, position] = frame.iloc[:, position].map(_month_typed_as_date)
        frame = frame.map(lambda text: text.lstrip("\x00"))
        frame = _drop_unnamed_empty(frame)
        frame.insert(0, ROW, np.asarray(numbers, dtype=np.int64))
    frame.attrs["file"] = label
    return frame, [name.lstrip("\x00") for name in header or []]


def _cell_as_shown(cell: Any) -> Any:
    """A cell's value as the spreadsheet shows it where that differs from what it stores: a
    cell formatted as a percentage holds 0.845 but shows (and means) 84.5%."""
    value = cell.value
    fraction = isinstance(value, int | float) and not isinstance(value, bool)
    if fraction and "%" in (getattr(cell, "number_format", None) or ""):
        return f"{Decimal(repr(value)) * 100:f}%"
    return value


def _month_typed_as_date(text: str) -> str:
    # Excel turns a typed "2024-06" into 1 June 2024: read the first of a month as that month.
    if text.startswith("\x00") and text.endswith("-01"):
        return text[1:8]
    return text
