"""Values between a checked frame and the store: the text and Python values the database
driver takes, and the stored values read back in the frames' terms to compare with."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "as_days", "as_stored_moment", "date_text", "iso_days", "listed", "none_if_nan", "nones",
    "plain", "quote", "same_numbers", "same_objects", "stored_datetime",
]


def stored_datetime(moment: datetime) -> str:
    """A naive UTC date-time as the store keeps it."""
    # The text SQLAlchemy itself writes for a DateTime on SQLite, so the ORM reads ours back.
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def none_if_nan(values: np.ndarray) -> list[Any]:
    items: list[Any] = values.tolist()
    if values.dtype.kind == "f":
        return [None if item != item else item for item in items]
    return items


def iso_days(days: np.ndarray) -> np.ndarray:
    """Days since 1970 as ISO dates, each distinct day formatted once."""
    codes, uniques = pd.factorize(days, sort=False)
    texts = np.datetime_as_string(
        np.asarray(uniques, dtype=np.int64).astype("datetime64[D]"), unit="D"
    ).astype(object)
    return texts[codes]


def listed(values: pd.Series) -> list[Any]:
    """A text column as a list of Python strings, fast: codes, areas and statuses repeat, and
    each distinct one is made a Python string once (missing values become None)."""
    codes, uniques = pd.factorize(values, sort=False)
    objects = np.append(np.asarray(uniques, dtype=object), [None])
    texts: list[Any] = objects[codes].tolist()
    return texts


def as_days(values: pd.Series) -> np.ndarray:
    moments = pd.to_datetime(values.astype(str), format="%Y-%m-%d")
    return moments.to_numpy().astype("datetime64[D]").astype(np.int64)


def as_stored_moment(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime):
        return stored_datetime(value)
    text = str(value)
    return stored_datetime(datetime.fromisoformat(text)) if text else None


def date_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def plain(value: Any) -> Any:
    """Stored and loaded values compared alike (SQLite gives 1 for True, PostgreSQL True)."""
    if isinstance(value, bool):
        return int(value)
    return value


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def same_numbers(new: pd.Series, old: pd.Series) -> np.ndarray:
    a = new.to_numpy(dtype=float)
    b = old.to_numpy(dtype=float)
    same: np.ndarray = (a == b) | (np.isnan(a) & np.isnan(b))
    return same


def same_objects(new: pd.Series, old: pd.Series) -> np.ndarray:
    return np.array(
        [x == y for x, y in zip(nones(new), nones(old), strict=True)], dtype=bool
    )


def nones(values: pd.Series) -> list[Any]:
    """The column's values with every kind of missing (None, NaN) as None, for the driver."""
    return [None if value is None or value != value else value for value in values.tolist()]
