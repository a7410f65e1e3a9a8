"""A sheet's frame made ready to check: its columns named as data-format.md names them, cells
as trimmed text, blank rows gone, and no cell the store could not keep."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.load.cells import empty, trimmed_cells
from data.load.columns import COLUMNS, MAX_CELL, NUMERIC, ROW
from data.load.errors import Errors, per_cell
from scorecard.characters import CANNOT_STORE, unstorable

__all__ = ["file_of", "prepare", "storable_cells"]


def file_of(sheet: str, frame: pd.DataFrame) -> str:
    return str(frame.attrs.get("file") or f"{sheet}.csv")


def prepare(sheet: str, frame: pd.DataFrame, file: str, errors: Errors) -> pd.DataFrame | None:
    """Names lower-cased and trimmed, cells as trimmed text ('' when empty), `__row__` present."""
    if ROW in frame.columns:
        rows = frame[ROW].to_numpy(dtype=np.int64)
        frame = frame.drop(columns=[ROW])
    else:
        rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    if len(frame.columns) == 0:
        errors.add(file, 1, None, "the file is empty: its first row should name the columns")
        return None
    expected = COLUMNS[sheet]
    names: dict[str, str] = {}
    for original in frame.columns:
        name = str(original).replace("\ufeff", "").strip().lower()
        if name in names.values():
            errors.add(file, 1, name, f"the column '{name}' appears twice")
        elif name not in expected:
            shown = str(original).strip() or "(a column with no name)"
            errors.add(
                file, 1, shown,
                f"unknown column '{shown}': the columns of {sheet} are "
                + ", ".join(expected),
            )
        names[original] = name
    for name, required in expected.items():
        if required and name not in names.values():
            errors.add(file, 1, name, f"the required column '{name}' is missing")
    if set(names.values()) - set(expected) or len(set(names.values())) != len(names):
        return None
    out = pd.DataFrame({ROW: rows})
    for original, name in names.items():
        out[name] = trimmed_cells(frame[original], numeric=name in NUMERIC)
    for name in expected:
        if name not in out.columns:
            out[name] = ""
    content = out.drop(columns=[ROW])
    blank = np.ones(len(out), dtype=bool)
    for name in content.columns:
        blank &= empty(content[name])
    out = out.loc[~blank].reset_index(drop=True)
    if out.empty:
        errors.add(file, 2, None, "the file has column names but no rows of data")
        return None
    if not storable_cells(out, file, errors):
        return None
    return out


def storable_cells(frame: pd.DataFrame, file: str, errors: Errors) -> bool:
    """False (each bad cell reported) if a cell holds a character the store cannot keep or is
    longer than any figure or definition could be; the sheet is then checked no further.

    The one place where text from files (and LAIT frames) enters the store, so that SQLite and
    PostgreSQL refuse the same cells alike.
    """
    fine = True
    for column in frame.columns.drop(ROW):
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values):
            continue
        # Cells repeat (codes, periods): look at each spelling once, the whole lot in one scan.
        uniques = pd.unique(values)
        longest = max(map(len, uniques), default=0)
        if longest <= MAX_CELL and unstorable("".join(uniques.tolist())) is None:
            continue
        fine = False
        lengths = values.str.len()
        errors.add_rows(
            file, frame, (lengths > MAX_CELL).to_numpy(), column,
            per_cell(column, lambda text: (
                f"this cell holds {len(text):,} characters: a cell may hold at most {MAX_CELL:,}"
            )),
        )
        bad = values.map(lambda text: unstorable(text) is not None).to_numpy(dtype=bool)
        errors.add_rows(
            file, frame, bad, column,
            per_cell(column, lambda text: (
                f"{CANNOT_STORE} (a {unstorable(text)}): delete it and save the file again"
            )),
        )
    return fine
