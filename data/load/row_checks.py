"""Row checks every sheet shares: required cells, allowed words, rows given twice, codes of
no indicator. Each reports the rows it finds by number, with a reason."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

from data.load.cells import empty
from data.load.columns import COLUMNS, ROW
from data.load.errors import Errors, choices

__all__ = ["check_enum", "duplicates", "require", "unknown_codes"]


def check_enum(
    frame: pd.DataFrame,
    column: str,
    allowed: Sequence[str],
    default: str | None,
    file: str,
    errors: Errors,
    what: str,
) -> None:
    values = frame[column].str.lower()
    if default is not None:
        values = values.mask(values == "", default)
    bad = ~values.isin(list(allowed)) & (values != "")
    errors.add_rows(
        file, frame, bad, column,
        lambda rows: (
            f"'{value}' is not {what}: use {choices(allowed)}" for value in rows[column]
        ),
    )
    frame[column] = values


def require(frame: pd.DataFrame, sheet: str, file: str, errors: Errors) -> np.ndarray:
    """Marks (and reports) rows with an empty required cell; returns the mask of such rows."""
    missing_any = np.zeros(len(frame), dtype=bool)
    for column, required in COLUMNS[sheet].items():
        if not required or (sheet == "observations" and column == "value"):
            continue
        missing = empty(frame[column])
        errors.add_rows(file, frame, missing, column, f"the {column} is empty: every row needs one")
        missing_any |= missing
    return missing_any


def duplicates(
    frame: pd.DataFrame, keys: list[str], file: str, errors: Errors, describe: str,
    column: str,
) -> None:
    dup = frame.duplicated(subset=keys, keep="first").to_numpy()
    if not dup.any():
        return
    first_row = frame.groupby(keys, sort=False)[ROW].transform("first")

    def reasons(rows: pd.DataFrame) -> Iterator[str]:
        for index in rows.index:
            yield f"{describe} appears twice: it is already at row {int(first_row[index])}"

    errors.add_rows(file, frame, dup, column, reasons)


def unknown_codes(
    frame: pd.DataFrame, known: set[str], file: str, errors: Errors
) -> np.ndarray:
    unknown = (~frame["code"].isin(known) & (frame["code"] != "")).to_numpy()
    errors.add_rows(
        file, frame, unknown, "code",
        lambda rows: (
            f"there is no indicator with the code '{code}' (not in indicators, nor already stored)"
            for code in rows["code"]
        ),
    )
    return unknown
