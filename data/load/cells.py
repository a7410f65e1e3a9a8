"""Cells -> values: text as the checks see it, numbers, periods, date-times and dates, each
parsed once per distinct spelling (a million rows hold a few thousand) with the reason a cell
is not one."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from data.load.errors import Errors
from data.load.stored_values import stored_datetime
from scorecard.model import Polarity, Unit
from scorecard.periods import Frequency, PeriodError, YearBasis, parse_period
from scorecard.working_days import LONDON

__all__ = [
    "IndicatorInfo", "any_text", "cell_text", "dates", "empty", "moments", "numbers", "periods",
    "trimmed_cells",
]


def cell_text(cell: Any) -> str:
    """A workbook cell as a CSV would give it."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, datetime):
        if cell.hour == cell.minute == cell.second == cell.microsecond == 0:
            return "\x00" + cell.date().isoformat()  # marked: a date typed into a date cell
        return cell.isoformat()
    if isinstance(cell, date):
        return "\x00" + cell.isoformat()
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() and abs(cell) < 1e15 else repr(cell)
    return str(cell)


def trimmed_cells(series: pd.Series, *, numeric: bool) -> pd.Series:
    values = series.reset_index(drop=True)
    if numeric and pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(
        values
    ):
        return values.astype(float)
    if pd.api.types.is_string_dtype(values) and pd.api.types.infer_dtype(
        values, skipna=True
    ) in ("string", "empty"):
        text = values.fillna("").astype(str)
    else:
        text = values.map(any_text).astype(str)
    return text.str.strip()


def any_text(cell: Any) -> str:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)) or cell is pd.NA:
        return ""
    if isinstance(cell, (np.integer, np.floating)):
        cell = cell.item()
    if isinstance(cell, pd.Timestamp):
        cell = cell.to_pydatetime()
    return cell_text(cell).lstrip("\x00")


def empty(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(series):
        return series.isna().to_numpy()
    return (series == "").to_numpy()


_GROUPED_NUMBER = re.compile(r"^[-+]?£?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?\s*%?$")


def numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(values, bad): numbers from cells, accepting `84.5%`, `1,234` and `£1,200`; NaN if empty."""
    if pd.api.types.is_numeric_dtype(series):
        values = series.to_numpy(dtype=float, copy=True)
        return values, ~np.isfinite(values) & ~np.isnan(values)
    # Figures repeat (percentages to one decimal, small counts): parse each spelling once.
    codes, uniques = pd.factorize(series, sort=False)
    texts = pd.Series(uniques, dtype=object).astype(str)
    parsed = pd.to_numeric(texts, errors="coerce").to_numpy(dtype=float, copy=True)
    failed = np.isnan(parsed) & (texts != "").to_numpy()
    if failed.any():
        tried = texts[failed]
        plain = tried.where(tried.str.match(_GROUPED_NUMBER), "")
        cleaned = plain.str.replace(r"[,£%\s]", "", regex=True)
        parsed[failed] = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float)
    bad_unique = (texts != "").to_numpy() & ~np.isfinite(parsed)
    parsed[bad_unique] = np.nan
    values = np.append(parsed, np.nan)[codes]
    bad = np.append(bad_unique, False)[codes]
    return values, bad


@dataclass(frozen=True, slots=True)
class IndicatorInfo:
    frequency: Frequency
    basis: YearBasis
    unit: Unit
    polarity: Polarity
    decimals: int


@lru_cache(maxsize=65_536)
def _period_day(text: str, frequency: Frequency, basis: YearBasis) -> tuple[int, str]:
    """(days since 1970-01-01 of the period's end, '') or (-1, why it is not a period)."""
    try:
        period = parse_period(text, frequency, basis)
    except PeriodError as error:
        return -1, f"{error.reason} (got '{text}')"
    return (period.end - _EPOCH).days, ""


_EPOCH = date(1970, 1, 1)


def periods(
    frame: pd.DataFrame, info: Mapping[str, IndicatorInfo], file: str, errors: Errors
) -> np.ndarray:
    """Period end of each row as days since 1970 (-1 where it does not parse or is unknown).

    Parsed once per distinct (spelling, indicator): a million rows hold a few thousand.
    """
    text_codes, texts = pd.factorize(frame["period"], sort=False)
    code_codes, codes = pd.factorize(frame["code"], sort=False)
    combined = text_codes.astype(np.int64) * max(len(codes), 1) + code_codes
    key_codes, keys = pd.factorize(combined, sort=False)
    days = np.full(len(keys), -1, dtype=np.int64)
    reasons = np.full(len(keys), "", dtype=object)
    for index, key in enumerate(keys.tolist()):
        text = texts[key // max(len(codes), 1)]
        indicator = info.get(codes[key % max(len(codes), 1)])
        if indicator is None or not text:
            continue
        days[index], reasons[index] = _period_day(text, indicator.frequency, indicator.basis)
    row_days = days[key_codes]
    row_reasons = reasons[key_codes]
    bad = row_reasons != ""
    if bad.any():
        frame_reasons = pd.Series(row_reasons, index=frame.index)
        errors.add_rows(
            file, frame, bad, "period", lambda rows: (frame_reasons[i] for i in rows.index)
        )
    return row_days


@lru_cache(maxsize=4096)
def _moment(text: str) -> tuple[str | None, str]:
    """ISO date-time -> (naive UTC in the store's text form, '') or (None, why not)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None, f"'{text}' is not a date and time: write it like 2024-07-15T09:30"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return stored_datetime(moment.astimezone(UTC).replace(tzinfo=None)), ""


def moments(frame: pd.DataFrame, column: str, file: str, errors: Errors) -> pd.Series:
    codes, uniques = pd.factorize(frame[column], sort=False)
    parsed = [_moment(text) if text else (None, "") for text in uniques.tolist()]
    values = np.array([value for value, _ in parsed] + [None], dtype=object)[codes]
    reasons = np.array([reason for _, reason in parsed] + [""], dtype=object)[codes]
    bad = reasons != ""
    if bad.any():
        by_index = pd.Series(reasons, index=frame.index)
        errors.add_rows(file, frame, bad, column, lambda rows: (by_index[i] for i in rows.index))
    return pd.Series(values, index=frame.index, dtype=object)


def dates(frame: pd.DataFrame, column: str, file: str, errors: Errors) -> pd.Series:
    texts = frame[column]
    parsed = pd.to_datetime(texts.where(texts.str.fullmatch(r"\d{4}-\d{2}-\d{2}"), None),
                            format="%Y-%m-%d", errors="coerce")
    bad = (texts != "").to_numpy() & parsed.isna().to_numpy()
    errors.add_rows(
        file, frame, bad, column,
        lambda rows: (f"'{value}' is not a date: write it like 2025-03-18" for value in rows[column]),
    )
    return pd.Series(
        [None if pd.isna(moment) else moment.date() for moment in parsed], index=frame.index,
        dtype=object,
    )
