"""The `peers` file (data-format.md): other councils' figures for our indicators, checked and
written by the loader in its one transaction, with the same refusals as every file.

Its columns are in `data.load.columns`; `data.load.checking` and `data.load.writing` call the
two functions here. Queries for answers are in `data.store`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from data.load.cells import IndicatorInfo, numbers, periods
from data.load.columns import ROW
from data.load.errors import Errors
from data.load.report import TableCounts
from data.load.row_checks import duplicates, require, unknown_codes
from data.load.statements import Statements
from data.load.stored_values import as_days, iso_days, listed, quote, same_numbers

__all__ = ["check_peers", "write_peers"]

_TRUTH = {"": False, "true": True, "yes": True, "y": True, "1": True,
          "false": False, "no": False, "n": False, "0": False}


def check_peers(
    frame: pd.DataFrame, file: str, errors: Errors, known: set[str],
    info: Mapping[str, IndicatorInfo],
) -> pd.DataFrame:
    """Every row's code known, period parsed for its indicator, value a number, the neighbour
    flag true or false, and no (code, period, council) twice; each fault reported by row."""
    require(frame, "peers", file, errors)
    unknown_codes(frame, known, file, errors)
    days = periods(frame, info, file, errors)
    value, bad = numbers(frame["value"])
    errors.add_rows(
        file, frame, bad, "value",
        lambda rows: (f"'{text}' is not a number" for text in rows["value"].astype(str)),
    )
    flag = frame["statistical_neighbour"].astype(str).str.strip().str.lower()
    errors.add_rows(
        file, frame, ~flag.isin(list(_TRUTH)), "statistical_neighbour",
        lambda rows: (f"'{text}' is not true or false" for text in rows["statistical_neighbour"]),
    )
    checked = pd.DataFrame(
        {
            ROW: frame[ROW].to_numpy(), "code": frame["code"].to_numpy(),
            "period_day": days, "council": frame["council"].to_numpy(), "value": value,
            "statistical_neighbour": flag.map(_TRUTH).fillna(False).astype(bool).to_numpy(),
        }
    )
    parsed = checked.loc[days >= 0]
    if len(parsed):
        duplicates(parsed, ["code", "period_day", "council"], file, errors,
                         "a figure for this code, period and council", "council")
    return checked


_INSERT_COLUMNS = (
    "code", "period_end", "council", "value", "statistical_neighbour", "source_file", "loaded_at",
)


def write_peers(writer: Statements, frame: pd.DataFrame) -> None:
    """New figures inserted (COPY on PostgreSQL), changed ones updated, the rest counted as
    unchanged: loading the same file twice changes nothing."""
    counts = writer.report.counts.setdefault("peers", TableCounts())
    file = writer.file("peers")
    codes = sorted(frame["code"].unique().tolist())
    existing = writer.fetch(
        "SELECT id, code, period_end, council, value, statistical_neighbour FROM peers"
        + (" WHERE code IN (" + ", ".join(quote(c) for c in codes) + ")" if len(codes) <= 1000 else ""),
        ["id", "code", "period_end", "council", "old_value", "old_flag"],
    )
    frame = frame.drop(columns=[ROW])
    if len(existing):
        existing["period_day"] = as_days(existing["period_end"])
        existing["old_value"] = existing["old_value"].astype(float)
        existing["old_flag"] = existing["old_flag"].astype(bool)
        merged = frame.merge(
            existing.drop(columns=["period_end"]), how="left",
            on=["code", "period_day", "council"], sort=False,
        )
    else:
        merged = frame.assign(id=np.nan)
    is_new = merged["id"].isna().to_numpy()
    old = merged.loc[~is_new]
    same = (
        same_numbers(old["value"], old["old_value"])
        & (old["statistical_neighbour"].to_numpy() == old["old_flag"].to_numpy())
        if len(old)
        else np.zeros(0, dtype=bool)
    )
    revised = old.loc[~same]
    new = merged.loc[is_new]
    counts.new, counts.revised, counts.unchanged = len(new), len(revised), int(np.sum(same))
    if writer.dry_run:
        return
    if len(new):
        if writer.postgres:
            _copy(writer, new, file)
        else:
            rows = list(zip(
                listed(new["code"]), iso_days(new["period_day"].to_numpy()).tolist(),
                listed(new["council"]), new["value"].astype(float).tolist(),
                new["statistical_neighbour"].astype(bool).tolist(),
                [file] * len(new), [writer.now_text] * len(new), strict=True,
            ))
            writer.executemany(
                f"INSERT INTO peers ({', '.join(_INSERT_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in _INSERT_COLUMNS)})",
                rows, "Writing other councils' figures",
            )
    if len(revised):
        changes: list[tuple[Any, ...]] = list(zip(
            revised["value"].astype(float).tolist(), revised["statistical_neighbour"].astype(bool).tolist(),
            [file] * len(revised), [writer.now_text] * len(revised),
            revised["id"].astype(np.int64).tolist(), strict=True,
        ))
        writer.executemany(
            "UPDATE peers SET value = ?, statistical_neighbour = ?, source_file = ?, "
            "loaded_at = ? WHERE id = ?",
            changes, "Revising other councils' figures",
        )


def _copy(writer: Statements, new: pd.DataFrame, file: str) -> None:
    out = pd.DataFrame(
        {
            "code": new["code"].to_numpy(),
            "period_end": iso_days(new["period_day"].to_numpy()),
            "council": new["council"].to_numpy(),
            "value": new["value"].to_numpy(),
            "statistical_neighbour": np.where(new["statistical_neighbour"].to_numpy(dtype=bool), "t", "f"),
            "source_file": file,
            "loaded_at": writer.now_text,
        }
    )
    statement = f"COPY peers ({', '.join(_INSERT_COLUMNS)}) FROM STDIN WITH (FORMAT csv)"
    writer.copy(statement, out, "Writing other councils' figures")
