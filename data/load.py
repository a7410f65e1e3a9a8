"""Databook files -> validated frames -> one transaction: the loader of shared/spec/data-format.md.

The frames contract (what `load_frames` accepts, whoever built the frames):

- A dict whose keys are sheet names: `indicators`, `observations`, `targets`, `benchmarks`,
  `glossary`, `meetings`, `roles`. Any subset; `indicators` is needed on a first load.
- Each value a `pandas.DataFrame` whose columns are named as in data-format.md (any case,
  surrounding spaces ignored; an unknown column is an error). Cells are text or numbers, as a
  CSV reader would give them; NaN, None and '' all mean "empty" (the default applies).
- Row numbers in errors: the column `__row__` if present (the spreadsheet's row number),
  else the frame's position + 2, as if row 1 held the column names.
- File names in errors: `frame.attrs["file"]` if set, else the sheet name + `.csv`.

`read_databook` builds such frames from a folder of CSV files or one .xlsx workbook;
`data.lait` builds them from DfE LAIT data. `load_frames` checks everything first, vectorised
in pandas, and raises `LoadFailed` with every error found (up to a limit) before writing
anything; then it writes all tables with Core bulk statements in the caller's transaction,
classifying each row as new, revised (a changed figure: the old one goes to
`observation_revisions`) or unchanged. `load_path` does read + schema + one transaction.
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from data import peers as _peers
from scorecard.characters import CANNOT_STORE, unstorable
from scorecard.model import (
    DEFAULT_DECIMALS,
    Comparator,
    DotBasis,
    ObservationStatus,
    Polarity,
    Role,
    Unit,
    YtdMethod,
)
from scorecard.periods import Frequency, PeriodError, YearBasis, parse_period, parse_year

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.orm import Session

__all__ = [
    "COLUMNS",
    "MAX_CELL",
    "ROW",
    "SHEETS",
    "LoadError",
    "LoadFailed",
    "LoadReport",
    "Progress",
    "TableCounts",
    "load_frames",
    "load_path",
    "read_databook",
]

log = logging.getLogger("kpibot.load")

ROW = "__row__"
MAX_ERRORS = 50
# The longest cell taken: the longest definition or note is a few hundred words; a cell of
# megabytes is a mistake or an attack, never a figure.
MAX_CELL = 10_000
LONDON = ZoneInfo("Europe/London")
CHUNK = 50_000

# sheet -> column -> required. Order is the order columns are listed in data-format.md.
COLUMNS: dict[str, dict[str, bool]] = {
    "indicators": {
        "code": True, "title": True, "cluster": True, "polarity": True, "unit": True,
        "frequency": True, "year_basis": False, "ytd": False, "dot_basis": False,
        "decimals": False, "aliases": False, "definition": False, "data_notes": False,
        "source": False, "service_area": False, "council_plan": False, "active": False,
        "on_scorecard": False,
    },
    "observations": {
        "code": True, "period": True, "value": True, "numerator": False, "denominator": False,
        "area": False, "status": False, "embargo_until": False,
    },
    "targets": {"code": True, "year": True, "target": True, "amber_threshold": False},
    # embargo_until: scorecard-rules.md lets a benchmark carry one too.
    "benchmarks": {
        "code": True, "period": True, "comparator": True, "value": True, "embargo_until": False,
    },
    "peers": _peers.COLUMNS,
    "glossary": {"term": True, "definition": True},
    "meetings": {
        "committee": True, "date": True, "focus_clusters": False, "agenda_deadline": False,
    },
    "roles": {"user": True, "role": True, "service_area": False},
}
SHEETS: tuple[str, ...] = tuple(COLUMNS)
NUMERIC = frozenset({"value", "numerator", "denominator", "target", "amber_threshold"})

Progress = Callable[[str, int, int], None]
"""Told (what is happening, rows done, rows in all) as a load goes along."""


# --------------------------------------------------------------------------------------------
# Errors and the report


@dataclass(frozen=True, slots=True)
class LoadError:
    """One thing wrong with the files, said so that the person who keeps them can fix it."""

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f", column {self.column}" if self.row is not None else f" column {self.column}"
        return f"{where}: {self.reason}"


class LoadFailed(Exception):
    """Nothing was loaded: `errors` says what to fix (the first ones), `more` how many others."""

    def __init__(self, errors: Sequence[LoadError], more: int = 0) -> None:
        self.errors = list(errors)
        self.more = more
        lines = [str(error) for error in self.errors]
        if more:
            lines.append(f"... and {more:,} more {'problem' if more == 1 else 'problems'}")
        super().__init__("\n".join(lines) or "nothing to load")


@dataclass(slots=True)
class TableCounts:
    new: int = 0
    revised: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.new + self.revised + self.unchanged


@dataclass(slots=True)
class LoadReport:
    """What a load did (or, for a dry run, would do) to each table."""

    source_name: str
    dry_run: bool = False
    counts: dict[str, TableCounts] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(counts.total for counts in self.counts.values())

    def summary(self) -> str:
        """One sentence: `Loaded sample: indicators 12 new; observations 40 new, 1 revised.`"""
        parts = []
        for table, counts in self.counts.items():
            bits = [
                f"{number:,} {word}"
                for number, word in (
                    (counts.new, "new"),
                    (counts.revised, "revised"),
                    (counts.unchanged, "unchanged"),
                )
                if number
            ]
            if bits:
                parts.append(f"{table} {', '.join(bits)}")
        what = "; ".join(parts) if parts else "nothing to load"
        verb = "Checked (dry run, nothing saved)" if self.dry_run else "Loaded"
        sentence = f"{verb} {self.source_name}: {what}."
        if self.skipped:
            sentence += f" Not databook files, so not read: {', '.join(self.skipped)}."
        return sentence


class _Errors:
    """Collects errors check by check; keeps the first few of each and counts the rest."""

    def __init__(self, limit: int = MAX_ERRORS) -> None:
        self.limit = limit
        self.items: list[tuple[int, LoadError]] = []
        self.total = 0
        self._order: dict[str, int] = {}

    def add(self, file: str, row: int | None, column: str | None, reason: str) -> None:
        self.total += 1
        if len(self.items) < self.limit * 4:
            self.items.append((self._order.setdefault(file, len(self._order)), LoadError(
                file, row, column, reason)))

    def add_rows(
        self,
        file: str,
        frame: pd.DataFrame,
        mask: Any,
        column: str | None,
        reason: str | Callable[[pd.DataFrame], Iterable[str]],
    ) -> None:
        """Every row of `frame` where `mask` holds is wrong for the same reason (or a reason each)."""
        mask = np.asarray(mask, dtype=bool)
        count = int(mask.sum())
        if not count:
            return
        shown = frame.loc[mask].head(self.limit)
        reasons = [reason] * len(shown) if isinstance(reason, str) else list(reason(shown))
        for row, text in zip(shown[ROW].tolist(), reasons, strict=True):
            self.add(file, int(row), column, text)
        self.total += count - len(shown)

    def __bool__(self) -> bool:
        return self.total > 0

    def failure(self) -> LoadFailed:
        ordered = sorted(
            self.items, key=lambda item: (item[0], item[1].row or 0, item[1].column or "")
        )
        shown = [error for _, error in ordered[: self.limit]]
        return LoadFailed(shown, self.total - len(shown))


def _values(kind: Iterable[Any]) -> list[str]:
    return [member.value for member in kind]


def _choices(values: Iterable[str]) -> str:
    names = list(values)
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


# --------------------------------------------------------------------------------------------
# Reading files


def read_databook(path: str | Path) -> dict[str, pd.DataFrame]:
    """A folder of CSV files or one .xlsx workbook -> {sheet: frame of text, with `__row__`}.

    Raises `LoadFailed` for files that cannot be read at all (not UTF-8, not a CSV, no known
    sheet); everything else is checked by `load_frames`.
    """
    source = Path(path)
    errors = _Errors()
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
                + _choices(f"{sheet}.csv" for sheet in SHEETS),
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


def _read_csv(file: Path, errors: _Errors) -> pd.DataFrame | None:
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
            expected, line, seen = match.groups()
            errors.add(
                file.name, int(line), None,
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


def _read_workbook(file: Path, errors: _Errors) -> dict[str, pd.DataFrame]:
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
                f"no sheet of this workbook is named {_choices(SHEETS)} "
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
        texts = [_cell_text(cell) for cell in cells]
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


def _cell_text(cell: Any) -> str:
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


def _month_typed_as_date(text: str) -> str:
    # Excel turns a typed "2024-06" into 1 June 2024: read the first of a month as that month.
    if text.startswith("\x00") and text.endswith("-01"):
        return text[1:8]
    return text


# --------------------------------------------------------------------------------------------
# Checking


@dataclass(frozen=True, slots=True)
class _IndicatorInfo:
    frequency: Frequency
    basis: YearBasis
    unit: Unit
    polarity: Polarity
    decimals: int


@dataclass(slots=True)
class _Checked:
    """Frames that passed every check, in the store's own terms, ready to write."""

    files: dict[str, str] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    clusters: list[str] = field(default_factory=list)


def _file_of(sheet: str, frame: pd.DataFrame) -> str:
    return str(frame.attrs.get("file") or f"{sheet}.csv")


def _prepare(sheet: str, frame: pd.DataFrame, file: str, errors: _Errors) -> pd.DataFrame | None:
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
        out[name] = _cells(frame[original], numeric=name in NUMERIC)
    for name in expected:
        if name not in out.columns:
            out[name] = ""
    content = out.drop(columns=[ROW])
    blank = np.ones(len(out), dtype=bool)
    for name in content.columns:
        blank &= _empty(content[name])
    out = out.loc[~blank].reset_index(drop=True)
    if out.empty:
        errors.add(file, 2, None, "the file has column names but no rows of data")
        return None
    if not _storable_cells(out, file, errors):
        return None
    return out


def _storable_cells(frame: pd.DataFrame, file: str, errors: _Errors) -> bool:
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
            lambda rows, column=column: (
                f"this cell holds {len(text):,} characters: a cell may hold at most {MAX_CELL:,}"
                for text in rows[column]
            ),
        )
        bad = values.map(lambda text: unstorable(text) is not None).to_numpy(dtype=bool)
        errors.add_rows(
            file, frame, bad, column,
            lambda rows, column=column: (
                f"{CANNOT_STORE} (a {unstorable(text)}): delete it and save the file again"
                for text in rows[column]
            ),
        )
    return fine


def _cells(series: pd.Series, *, numeric: bool) -> pd.Series:
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
        text = values.map(_any_text).astype(str)
    return text.str.strip()


def _any_text(cell: Any) -> str:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)) or cell is pd.NA:
        return ""
    if isinstance(cell, (np.integer, np.floating)):
        cell = cell.item()
    if isinstance(cell, pd.Timestamp):
        cell = cell.to_pydatetime()
    return _cell_text(cell).lstrip("\x00")


def _empty(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(series):
        return series.isna().to_numpy()
    return (series == "").to_numpy()


_GROUPED_NUMBER = re.compile(r"^[-+]?£?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?\s*%?$")


def _numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
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


def _check_enum(
    frame: pd.DataFrame,
    column: str,
    allowed: Sequence[str],
    default: str | None,
    file: str,
    errors: _Errors,
    what: str,
) -> None:
    values = frame[column].str.lower()
    if default is not None:
        values = values.mask(values == "", default)
    bad = ~values.isin(list(allowed)) & (values != "")
    errors.add_rows(
        file, frame, bad, column,
        lambda rows: (
            f"'{value}' is not {what}: use {_choices(allowed)}" for value in rows[column]
        ),
    )
    frame[column] = values


def _require(frame: pd.DataFrame, sheet: str, file: str, errors: _Errors) -> np.ndarray:
    """Marks (and reports) rows with an empty required cell; returns the mask of such rows."""
    missing_any = np.zeros(len(frame), dtype=bool)
    for column, required in COLUMNS[sheet].items():
        if not required or (sheet == "observations" and column == "value"):
            continue
        missing = _empty(frame[column])
        errors.add_rows(file, frame, missing, column, f"the {column} is empty: every row needs one")
        missing_any |= missing
    return missing_any


def _duplicates(
    frame: pd.DataFrame, keys: list[str], file: str, errors: _Errors, describe: str,
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


def _unknown_codes(
    frame: pd.DataFrame, known: set[str], file: str, errors: _Errors
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


@lru_cache(maxsize=65_536)
def _period_day(text: str, frequency: Frequency, basis: YearBasis) -> tuple[int, str]:
    """(days since 1970-01-01 of the period's end, '') or (-1, why it is not a period)."""
    try:
        period = parse_period(text, frequency, basis)
    except PeriodError as error:
        return -1, f"{error.reason} (got '{text}')"
    return (period.end - _EPOCH).days, ""


_EPOCH = date(1970, 1, 1)


def _periods(
    frame: pd.DataFrame, info: Mapping[str, _IndicatorInfo], file: str, errors: _Errors
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
    return _stored_datetime(moment.astimezone(UTC).replace(tzinfo=None)), ""


def _stored_datetime(moment: datetime) -> str:
    # The text SQLAlchemy itself writes for a DateTime on SQLite, so the ORM reads ours back.
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _moments(frame: pd.DataFrame, column: str, file: str, errors: _Errors) -> pd.Series:
    codes, uniques = pd.factorize(frame[column], sort=False)
    parsed = [_moment(text) if text else (None, "") for text in uniques.tolist()]
    values = np.array([value for value, _ in parsed] + [None], dtype=object)[codes]
    reasons = np.array([reason for _, reason in parsed] + [""], dtype=object)[codes]
    bad = reasons != ""
    if bad.any():
        by_index = pd.Series(reasons, index=frame.index)
        errors.add_rows(file, frame, bad, column, lambda rows: (by_index[i] for i in rows.index))
    return pd.Series(values, index=frame.index, dtype=object)


def _dates(frame: pd.DataFrame, column: str, file: str, errors: _Errors) -> pd.Series:
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


def _stored_state(connection: Connection) -> tuple[dict[str, _IndicatorInfo], list[str]]:
    from sqlalchemy import select

    from data.schema import Cluster, IndicatorRow

    info = {}
    rows = connection.execute(
        select(
            IndicatorRow.code, IndicatorRow.frequency, IndicatorRow.year_basis, IndicatorRow.unit,
            IndicatorRow.polarity, IndicatorRow.decimals,
        )
    )
    for code, frequency, basis, unit, polarity, decimals in rows:
        info[code] = _IndicatorInfo(
            Frequency(frequency), YearBasis(basis), Unit(unit), Polarity(polarity),
            decimals if decimals is not None else DEFAULT_DECIMALS[Unit(unit)],
        )
    clusters = list(
        connection.execute(select(Cluster.name).order_by(Cluster.position)).scalars()
    )
    return info, clusters


def _refuse_reshaping(
    indicators: pd.DataFrame, stored: Mapping[str, _IndicatorInfo], connection: Connection,
    file: str, errors: _Errors,
) -> None:
    """Stored figures were checked against their indicator's frequency, year basis and polarity
    (periods, targets on the right side): changing those under them would leave the store
    unreadable or its targets wrong, so such a change is refused while figures are stored."""
    from sqlalchemy import select, union

    from data.schema import BenchmarkRow, ObservationRow, TargetRow

    reloaded = indicators["code"].isin(list(stored))
    if not reloaded.any():
        return
    with_figures = set(connection.execute(union(
        select(ObservationRow.code).distinct(), select(BenchmarkRow.code).distinct(),
        select(TargetRow.code).distinct(),
    )).scalars())
    with_targets = set(connection.execute(select(TargetRow.code).distinct()).scalars())
    rules = (
        ("frequency", lambda info: info.frequency.value, with_figures),
        ("year_basis", lambda info: info.basis.value, with_figures),
        ("polarity", lambda info: info.polarity.value, with_targets),
    )
    for column, stored_value, guarded in rules:
        before = indicators["code"].map(
            lambda code, value_of=stored_value: value_of(stored[code]) if code in stored else None
        )
        changed = reloaded & indicators["code"].isin(list(guarded)) & (indicators[column] != before)
        errors.add_rows(file, indicators, changed, column, lambda rows, column=column, before=before: (
            f"{code} already has figures stored as {before[index]}; changing its {column.replace('_', ' ')} "
            f"to {new} would leave them wrong. Keep {before[index]}, or load the new series under a new code"
            for index, code, new in zip(rows.index, rows["code"], rows[column], strict=True)
        ))


def _check_indicators(frame: pd.DataFrame, file: str, errors: _Errors) -> pd.DataFrame:
    _require(frame, "indicators", file, errors)
    _check_enum(frame, "polarity", _values(Polarity), None, file, errors, "a polarity")
    _check_enum(frame, "unit", _values(Unit), None, file, errors, "a unit")
    _check_enum(frame, "frequency", _values(Frequency), None, file, errors, "a frequency")
    _check_enum(frame, "year_basis", _values(YearBasis), "financial", file, errors, "a year basis")
    _check_enum(frame, "ytd", _values(YtdMethod), "none", file, errors, "a year-to-date method")
    _check_enum(frame, "dot_basis", _values(DotBasis), None, file, errors,
                "a direction-of-travel basis")
    decimals = frame["decimals"]
    good = decimals.isin(["", "0", "1", "2", "3"])
    errors.add_rows(
        file, frame, ~good, "decimals",
        lambda rows: (f"'{value}' is not 0, 1, 2 or 3" for value in rows["decimals"]),
    )
    active = frame["active"].str.lower()
    truth = {"": True, "true": True, "yes": True, "y": True, "1": True,
             "false": False, "no": False, "n": False, "0": False}
    errors.add_rows(
        file, frame, ~active.isin(list(truth)), "active",
        lambda rows: (f"'{value}' is not true or false" for value in rows["active"]),
    )
    frame["active"] = active.map(truth).fillna(True).astype(bool)
    on_scorecard = frame["on_scorecard"].str.lower()
    errors.add_rows(
        file, frame, ~on_scorecard.isin(list(truth)), "on_scorecard",
        lambda rows: (f"'{value}' is not true or false" for value in rows["on_scorecard"]),
    )
    frame["on_scorecard"] = on_scorecard.map(truth).fillna(True).astype(bool)
    frame["aliases"] = frame["aliases"].map(
        lambda text: ";".join(part.strip() for part in text.split(";") if part.strip())
    )
    _duplicates(frame, ["code"], file, errors, "this indicator code", "code")
    return frame


def _indicator_info(frame: pd.DataFrame) -> dict[str, _IndicatorInfo]:
    info = {}
    for code, frequency, basis, unit, polarity, decimals in frame[
        ["code", "frequency", "year_basis", "unit", "polarity", "decimals"]
    ].itertuples(index=False):
        try:
            unit_ = Unit(unit)
            info[code] = _IndicatorInfo(
                Frequency(frequency), YearBasis(basis), unit_, Polarity(polarity),
                int(decimals) if decimals else DEFAULT_DECIMALS[unit_],
            )
        except (ValueError, KeyError):
            continue  # already reported; its rows elsewhere are not checked against it
    return info


def _check_observations(
    frame: pd.DataFrame, file: str, errors: _Errors, known: set[str],
    info: Mapping[str, _IndicatorInfo],
) -> pd.DataFrame:
    _require(frame, "observations", file, errors)
    _unknown_codes(frame, known, file, errors)
    _check_enum(frame, "status", _values(ObservationStatus), "final", file, errors, "a status")
    days = _periods(frame, info, file, errors)
    value, bad_value = _numbers(frame["value"])
    numerator, bad_numerator = _numbers(frame["numerator"])
    denominator, bad_denominator = _numbers(frame["denominator"])
    for column, bad in (("value", bad_value), ("numerator", bad_numerator),
                        ("denominator", bad_denominator)):
        errors.add_rows(
            file, frame, bad, column,
            lambda rows, column=column: (
                f"'{text}' is not a number" for text in rows[column].astype(str)
            ),
        )
    suppressed = (frame["status"] == "suppressed").to_numpy()
    missing_value = _empty(frame["value"]) & ~suppressed
    errors.add_rows(
        file, frame, missing_value, "value",
        "the value is empty: give a number, or status 'suppressed' if it is withheld",
    )
    _check_ratio(frame, file, errors, info, value, numerator, denominator)
    embargo = _moments(frame, "embargo_until", file, errors)
    # Whole columns, not .to_numpy(): text stays in Arrow rather than a million Python strings.
    checked = pd.DataFrame(
        {
            ROW: frame[ROW],
            "code": frame["code"],
            "period_day": days,
            "area": frame["area"],
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "status": frame["status"],
            "embargo_until": embargo,
        },
        index=frame.index,
    )
    parsed = checked.loc[days >= 0]
    if len(parsed):
        _duplicates(
            parsed, ["code", "period_day", "area"], file, errors,
            "this figure (the same code, period and area)", "period",
        )
    return checked


def _check_ratio(
    frame: pd.DataFrame, file: str, errors: _Errors, info: Mapping[str, _IndicatorInfo],
    value: np.ndarray, numerator: np.ndarray, denominator: np.ndarray,
) -> None:
    percent_codes = [code for code, item in info.items() if item.unit is Unit.PERCENT]
    is_percent = frame["code"].isin(percent_codes).to_numpy()
    both = is_percent & ~np.isnan(numerator) & ~np.isnan(denominator) & ~np.isnan(value)
    if not both.any():
        return
    zero = both & (denominator == 0)
    errors.add_rows(file, frame, zero, "denominator",
                    "the denominator is 0, so the percentage cannot be worked out")
    decimals = frame["code"].map({code: info[code].decimals for code in percent_codes})
    tolerance = 0.5 * np.power(10.0, -decimals.fillna(1).to_numpy(dtype=float)) + 1e-9
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = 100 * numerator / denominator
    wrong = both & ~zero & (np.abs(value - expected) > tolerance)
    if wrong.any():
        expected_s = pd.Series(expected, index=frame.index)
        errors.add_rows(
            file, frame, wrong, "value",
            lambda rows: (
                f"the value {value_text} does not match numerator / denominator "
                f"({num} / {den} = {expected_s[i]:.3f}%)"
                for i, value_text, num, den in zip(
                    rows.index, rows["value"].astype(str), rows["numerator"].astype(str),
                    rows["denominator"].astype(str), strict=True,
                )
            ),
        )


def _check_targets(
    frame: pd.DataFrame, file: str, errors: _Errors, known: set[str],
    info: Mapping[str, _IndicatorInfo],
) -> pd.DataFrame:
    _require(frame, "targets", file, errors)
    _unknown_codes(frame, known, file, errors)
    target, bad_target = _numbers(frame["target"])
    amber, bad_amber = _numbers(frame["amber_threshold"])
    for column, bad in (("target", bad_target), ("amber_threshold", bad_amber)):
        errors.add_rows(
            file, frame, bad, column,
            lambda rows, column=column: (
                f"'{text}' is not a number" for text in rows[column].astype(str)
            ),
        )
    starts = np.full(len(frame), -1, dtype=np.int64)
    labels = np.full(len(frame), "", dtype=object)
    polarity = frame["code"].map(
        {code: item.polarity.value for code, item in info.items()}
    ).fillna("").to_numpy()
    for position, (row, code, text) in enumerate(
        frame[[ROW, "code", "year"]].itertuples(index=False)
    ):
        indicator = info.get(code)
        if indicator is None or not text:
            continue
        try:
            year = parse_year(text, indicator.basis)
        except PeriodError as error:
            errors.add(file, int(row), "year", f"{error.reason} (got '{text}')")
            continue
        starts[position], labels[position] = year.start_year, year.label
    rated = np.isin(polarity, ["high", "low"])
    no_amber = rated & np.isnan(amber) & ~bad_amber
    errors.add_rows(
        file, frame, no_amber, "amber_threshold",
        "the amber threshold is empty: indicators where high or low is good need one",
    )
    high_wrong = (polarity == "high") & (amber > target)
    low_wrong = (polarity == "low") & (amber < target)
    errors.add_rows(
        file, frame, high_wrong, "amber_threshold",
        lambda rows: (
            f"the amber threshold {a} is above the target {t}, but high is good for this "
            "indicator: the threshold must be at or below the target"
            for a, t in zip(rows["amber_threshold"], rows["target"], strict=True)
        ),
    )
    errors.add_rows(
        file, frame, low_wrong, "amber_threshold",
        lambda rows: (
            f"the amber threshold {a} is below the target {t}, but low is good for this "
            "indicator: the threshold must be at or above the target"
            for a, t in zip(rows["amber_threshold"], rows["target"], strict=True)
        ),
    )
    checked = pd.DataFrame(
        {
            ROW: frame[ROW].to_numpy(), "code": frame["code"].to_numpy(), "year_start": starts,
            "year_label": labels, "target": target, "amber_threshold": amber,
        }
    )
    parsed = checked.loc[starts >= 0]
    if len(parsed):
        _duplicates(parsed, ["code", "year_start"], file, errors,
                    "a target for this code and year", "year")
    return checked


def _check_benchmarks(
    frame: pd.DataFrame, file: str, errors: _Errors, known: set[str],
    info: Mapping[str, _IndicatorInfo],
) -> pd.DataFrame:
    _require(frame, "benchmarks", file, errors)
    _unknown_codes(frame, known, file, errors)
    _check_enum(frame, "comparator", _values(Comparator), None, file, errors, "a comparator")
    days = _periods(frame, info, file, errors)
    value, bad = _numbers(frame["value"])
    errors.add_rows(
        file, frame, bad, "value",
        lambda rows: (f"'{text}' is not a number" for text in rows["value"].astype(str)),
    )
    embargo = _moments(frame, "embargo_until", file, errors)
    checked = pd.DataFrame(
        {
            ROW: frame[ROW].to_numpy(), "code": frame["code"].to_numpy(), "period_day": days,
            "comparator": frame["comparator"].to_numpy(), "value": value,
            "embargo_until": embargo.to_numpy(),
        }
    )
    parsed = checked.loc[days >= 0]
    if len(parsed):
        _duplicates(parsed, ["code", "period_day", "comparator"], file, errors,
                    "a benchmark for this code, period and comparator", "period")
    return checked


def _check_glossary(frame: pd.DataFrame, file: str, errors: _Errors) -> pd.DataFrame:
    _require(frame, "glossary", file, errors)
    _duplicates(frame, ["term"], file, errors, "this term", "term")
    return frame


def _check_meetings(
    frame: pd.DataFrame, file: str, errors: _Errors, clusters: Sequence[str]
) -> pd.DataFrame:
    _require(frame, "meetings", file, errors)
    frame["date"] = _dates(frame, "date", file, errors)
    frame["agenda_deadline"] = _dates(frame, "agenda_deadline", file, errors)
    lower = {name.lower(): name for name in clusters}
    focus = []
    for row, text in frame[[ROW, "focus_clusters"]].itertuples(index=False):
        names = []
        for part in (part.strip() for part in text.split(";")):
            if not part:
                continue
            if part.lower() not in lower:
                errors.add(
                    file, int(row), "focus_clusters",
                    f"'{part}' is not a cluster: the clusters are {', '.join(clusters) or 'none yet'}",
                )
                continue
            names.append(lower[part.lower()])
        focus.append(";".join(names))
    frame["focus_clusters"] = focus
    _duplicates(frame, ["committee", "date"], file, errors,
                "a meeting of this committee on this date", "date")
    return frame


def _check_roles(frame: pd.DataFrame, file: str, errors: _Errors) -> pd.DataFrame:
    _require(frame, "roles", file, errors)
    _check_enum(frame, "role", _values(Role), None, file, errors, "a role")
    officer = (frame["role"] == Role.SERVICE_OFFICER.value) & (frame["service_area"] == "")
    errors.add_rows(file, frame, officer, "service_area",
                    "a service officer needs the service area they answer for")
    _duplicates(frame, ["user", "role", "service_area"], file, errors,
                "this user, role and service area", "user")
    return frame


def _check(
    frames: Mapping[str, pd.DataFrame], connection: Connection, errors: _Errors
) -> _Checked:
    checked = _Checked()
    stored_info, stored_clusters = _stored_state(connection)
    prepared: dict[str, pd.DataFrame] = {}
    for sheet, frame in frames.items():
        key = sheet.strip().lower()
        file = _file_of(key, frame)
        if key not in COLUMNS:
            errors.add(file, None, None,
                       f"'{sheet}' is not a databook sheet: use {_choices(SHEETS)}")
            continue
        checked.files[key] = file
        ready = _prepare(key, frame, file, errors)
        if ready is not None:
            prepared[key] = ready
    if not stored_info and "indicators" not in frames and frames:
        errors.add("indicators.csv", None, None,
                   "the store has no indicators yet, so the first load must include indicators")
    info = dict(stored_info)
    known = set(stored_info)
    clusters = list(stored_clusters)
    if "indicators" in prepared:
        indicators = _check_indicators(prepared["indicators"], checked.files["indicators"], errors)
        checked.tables["indicators"] = indicators
        _refuse_reshaping(indicators, stored_info, connection, checked.files["indicators"], errors)
        info.update(_indicator_info(indicators))
        known |= set(indicators["code"]) - {""}
        for name in indicators["cluster"]:
            if name and name not in clusters:
                clusters.append(name)
                checked.clusters.append(name)
    steps: dict[str, Callable[[pd.DataFrame, str], pd.DataFrame]] = {
        "observations": lambda f, file: _check_observations(f, file, errors, known, info),
        "targets": lambda f, file: _check_targets(f, file, errors, known, info),
        "benchmarks": lambda f, file: _check_benchmarks(f, file, errors, known, info),
        "peers": lambda f, file: _peers.check_peers(f, file, errors, known, info),
        "glossary": lambda f, file: _check_glossary(f, file, errors),
        "meetings": lambda f, file: _check_meetings(f, file, errors, clusters),
        "roles": lambda f, file: _check_roles(f, file, errors),
    }
    for sheet, step in steps.items():
        if sheet in prepared:
            checked.tables[sheet] = step(prepared[sheet], checked.files[sheet])
    return checked


# --------------------------------------------------------------------------------------------
# Writing


def load_frames(
    session: Session,
    frames: Mapping[str, pd.DataFrame],
    source_name: str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> LoadReport:
    """Check every frame, then write them all in the session's transaction (see the module doc).

    Raises `LoadFailed` (having written nothing) if anything is wrong. Does not commit: the
    caller's unit of work does. With `dry_run`, checks and counts but writes nothing.
    """
    connection = session.connection()
    errors = _Errors()
    tell = progress or (lambda _what, _done, _total: None)
    tell("Checking", 0, 1)
    checked = _check(frames, connection, errors)
    if errors:
        raise errors.failure()
    tell("Checking", 1, 1)
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    writer = _Writer(connection, checked, source_name, moment, dry_run, tell)
    report = writer.run()
    session.expire_all()
    return report


def load_path(
    engine: Engine,
    path: str | Path,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> LoadReport:
    """Read a databook folder or workbook and load it in one transaction (nothing on error)."""
    from sqlalchemy.orm import Session

    from data.db import ensure_schema

    source = Path(path)
    frames = read_databook(source)
    ensure_schema(engine)
    with Session(engine) as session:
        try:
            report = load_frames(
                session, frames, source.name, dry_run=dry_run, progress=progress, now=now
            )
        except BaseException:
            session.rollback()
            raise
        if dry_run:
            session.rollback()
        else:
            session.commit()
    report.skipped = databook_files(source)
    return report


def _none_if_nan(values: np.ndarray) -> list[Any]:
    items = values.tolist()
    if values.dtype.kind == "f":
        return [None if item != item else item for item in items]
    return items


def _iso_days(days: np.ndarray) -> np.ndarray:
    """Days since 1970 as ISO dates, each distinct day formatted once."""
    codes, uniques = pd.factorize(days, sort=False)
    texts = np.datetime_as_string(
        np.asarray(uniques, dtype=np.int64).astype("datetime64[D]"), unit="D"
    ).astype(object)
    return texts[codes]


def _listed(values: pd.Series) -> list[Any]:
    """A text column as a list of Python strings, fast: codes, areas and statuses repeat, and
    each distinct one is made a Python string once (missing values become None)."""
    codes, uniques = pd.factorize(values, sort=False)
    objects = np.append(np.asarray(uniques, dtype=object), None)
    return objects[codes].tolist()


def _as_days(values: pd.Series) -> np.ndarray:
    moments = pd.to_datetime(values.astype(str), format="%Y-%m-%d")
    return moments.to_numpy().astype("datetime64[D]").astype(np.int64)


def _as_stored_moment(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime):
        return _stored_datetime(value)
    text = str(value)
    return _stored_datetime(datetime.fromisoformat(text)) if text else None


class _Writer:
    """Classifies checked rows against the store and writes them with bulk Core statements.

    Statements go to the driver as raw tuples (executemany): a million rows bound through
    SQLAlchemy's per-value processing would cost more than all the checking. Dates and
    date-times are passed as the store's text: SQLite keeps them so (as SQLAlchemy itself
    does) and PostgreSQL casts a text parameter to its column's type.
    """

    def __init__(
        self, connection: Connection, checked: _Checked, source_name: str, now: datetime,
        dry_run: bool, tell: Progress,
    ) -> None:
        self.connection = connection
        self.checked = checked
        self.source_name = source_name
        self.now = now
        self.now_text = _stored_datetime(now)
        self.dry_run = dry_run
        self.tell = tell
        self.report = LoadReport(source_name, dry_run=dry_run)
        self.postgres = connection.dialect.name == "postgresql"
        self.mark = "%s" if connection.dialect.paramstyle in ("format", "pyformat") else "?"

    def run(self) -> LoadReport:
        tables = self.checked.tables
        self._clusters()
        if "indicators" in tables:
            self._indicators(tables["indicators"])
        if "observations" in tables:
            self._observations(tables["observations"])
        if "targets" in tables:
            self._targets(tables["targets"])
        if "benchmarks" in tables:
            self._benchmarks(tables["benchmarks"])
        if "peers" in tables:
            _peers.write_peers(self, tables["peers"])
        if "glossary" in tables:
            self._glossary(tables["glossary"])
        if "meetings" in tables:
            self._meetings(tables["meetings"])
        if "roles" in tables:
            self._roles(tables["roles"])
        self._log()
        return self.report

    # -- plumbing

    def _sql(self, text: str) -> str:
        return text.replace("?", self.mark)

    def _executemany(self, sql: str, rows: list[tuple[Any, ...]], what: str = "") -> None:
        if self.dry_run or not rows:
            return
        statement = self._sql(sql)
        for start in range(0, len(rows), CHUNK):
            self.connection.exec_driver_sql(statement, rows[start : start + CHUNK])
            if what:
                self.tell(what, min(start + CHUNK, len(rows)), len(rows))

    def _fetch(self, sql: str, columns: list[str]) -> pd.DataFrame:
        result = self.connection.exec_driver_sql(sql)
        return pd.DataFrame(result.fetchall(), columns=columns)

    def _file(self, sheet: str) -> str:
        return self.checked.files.get(sheet, f"{sheet}.csv")

    # -- tables

    def _clusters(self) -> None:
        counts = self.report.counts.setdefault("clusters", TableCounts())
        if not self.checked.clusters:
            if "indicators" in self.checked.tables:
                counts.unchanged = self.checked.tables["indicators"]["cluster"].nunique()
            return
        start = self.connection.exec_driver_sql(
            "SELECT COALESCE(MAX(position), -1) FROM clusters"
        ).scalar_one()
        rows = [(name, start + 1 + i) for i, name in enumerate(self.checked.clusters)]
        self._executemany("INSERT INTO clusters (name, position) VALUES (?, ?)", rows)
        counts.new = len(rows)
        if "indicators" in self.checked.tables:
            counts.unchanged = self.checked.tables["indicators"]["cluster"].nunique() - len(rows)

    _INDICATOR_FIELDS = (
        "title", "cluster", "polarity", "unit", "frequency", "year_basis", "ytd", "dot_basis",
        "decimals", "aliases", "definition", "data_notes", "source", "service_area",
        "council_plan", "active", "on_scorecard",
    )

    def _indicators(self, frame: pd.DataFrame) -> None:
        fields = self._INDICATOR_FIELDS
        stored = {
            row[0]: tuple(row[1:])
            for row in self.connection.exec_driver_sql(
                f"SELECT code, {', '.join(fields)}, position FROM indicators"
            )
        }
        position = max((values[-1] for values in stored.values()), default=-1)
        file = self._file("indicators")
        inserts, updates = [], []
        counts = self.report.counts.setdefault("indicators", TableCounts())
        for record in frame.to_dict("records"):
            values = (
                record["title"], record["cluster"], record["polarity"], record["unit"],
                record["frequency"], record["year_basis"], record["ytd"],
                record["dot_basis"] or None,
                int(record["decimals"]) if record["decimals"] else None,
                record["aliases"], record["definition"], record["data_notes"],
                record["source"], record["service_area"], record["council_plan"],
                bool(record["active"]), bool(record["on_scorecard"]),
            )
            code = record["code"]
            if code not in stored:
                position += 1
                inserts.append((code, *values, position, file, self.now_text))
                counts.new += 1
            elif tuple(_plain(v) for v in stored[code][:-1]) != tuple(_plain(v) for v in values):
                updates.append((*values, file, self.now_text, code))
                counts.revised += 1
            else:
                counts.unchanged += 1
        names = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        self._executemany(
            f"INSERT INTO indicators (code, {names}, position, source_file, loaded_at) "
            f"VALUES (?, {marks}, ?, ?, ?)",
            inserts,
        )
        sets = ", ".join(f"{name} = ?" for name in fields)
        self._executemany(
            f"UPDATE indicators SET {sets}, source_file = ?, revised_at = ? WHERE code = ?",
            updates,
        )

    def _observations(self, frame: pd.DataFrame) -> None:
        counts = self.report.counts.setdefault("observations", TableCounts())
        file = self._file("observations")
        codes = sorted(frame["code"].unique().tolist())
        self.tell("Comparing with the store", 0, 1)
        existing = self._fetch(
            "SELECT id, code, period_end, area, value, numerator, denominator, status, "
            "embargo_until, source_file FROM observations"
            + (
                " WHERE code IN (" + ", ".join(_quote(code) for code in codes) + ")"
                if len(codes) <= 1000 else ""
            ),
            ["id", "code", "period_end", "area", "old_value", "old_numerator",
             "old_denominator", "old_status", "old_embargo", "old_source_file"],
        )
        frame = frame.drop(columns=[ROW])
        if len(existing):
            existing["period_day"] = _as_days(existing["period_end"])
            existing["old_embargo"] = existing["old_embargo"].map(_as_stored_moment)
            for column in ("old_value", "old_numerator", "old_denominator"):
                existing[column] = existing[column].astype(float)
            merged = frame.merge(
                existing.drop(columns=["period_end"]), how="left",
                on=["code", "period_day", "area"], sort=False,
            )
        else:
            merged = frame.assign(id=np.nan)
        is_new = merged["id"].isna().to_numpy()
        old = merged.loc[~is_new]
        if len(old):
            same = (
                _same_numbers(old["value"], old["old_value"])
                & _same_numbers(old["numerator"], old["old_numerator"])
                & _same_numbers(old["denominator"], old["old_denominator"])
                & (old["status"].to_numpy() == old["old_status"].to_numpy())
                & _same_objects(old["embargo_until"], old["old_embargo"])
            )
            revised = old.loc[~same]
        else:
            same = np.zeros(0, dtype=bool)
            revised = old
        new = merged.loc[is_new]
        counts.new = len(new)
        counts.revised = len(revised)
        counts.unchanged = int(same.sum())
        self.tell("Comparing with the store", 1, 1)
        if self.dry_run:
            return
        self._insert_observations(new, file)
        if len(revised):
            ids = revised["id"].astype(np.int64).tolist()
            days = _iso_days(revised["period_day"].to_numpy())
            history = list(
                zip(
                    ids, revised["code"].tolist(), days.tolist(), revised["area"].tolist(),
                    _none_if_nan(revised["old_value"].to_numpy(dtype=float)),
                    _none_if_nan(revised["old_numerator"].to_numpy(dtype=float)),
                    _none_if_nan(revised["old_denominator"].to_numpy(dtype=float)),
                    revised["old_status"].tolist(), revised["old_source_file"].tolist(),
                    [self.now_text] * len(revised), [file] * len(revised),
                    strict=True,
                )
            )
            self._executemany(
                "INSERT INTO observation_revisions (observation_id, code, period_end, area, "
                "old_value, old_numerator, old_denominator, old_status, old_source_file, "
                "replaced_at, source_file) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                history,
                "Keeping revised figures' history",
            )
            changes = list(
                zip(
                    _none_if_nan(revised["value"].to_numpy(dtype=float)),
                    _none_if_nan(revised["numerator"].to_numpy(dtype=float)),
                    _none_if_nan(revised["denominator"].to_numpy(dtype=float)),
                    revised["status"].tolist(), _nones(revised["embargo_until"]),
                    [file] * len(revised), [self.now_text] * len(revised), ids,
                    strict=True,
                )
            )
            self._executemany(
                "UPDATE observations SET value = ?, numerator = ?, denominator = ?, status = ?, "
                "embargo_until = ?, source_file = ?, revised_at = ? WHERE id = ?",
                changes,
                "Revising figures",
            )

    _OBSERVATION_COLUMNS = (
        "code", "period_end", "area", "value", "numerator", "denominator", "status",
        "embargo_until", "source_file", "loaded_at",
    )

    def _insert_observations(self, new: pd.DataFrame, file: str) -> None:
        if not len(new):
            return
        columns = self._OBSERVATION_COLUMNS
        if self.postgres:
            self._copy_observations(new, file)
            return
        period = _iso_days(new["period_day"].to_numpy())
        rows = list(
            zip(
                _listed(new["code"]), period.tolist(), _listed(new["area"]),
                _none_if_nan(new["value"].to_numpy(dtype=float)),
                _none_if_nan(new["numerator"].to_numpy(dtype=float)),
                _none_if_nan(new["denominator"].to_numpy(dtype=float)),
                _listed(new["status"]), _listed(new["embargo_until"]),
                [file] * len(new), [self.now_text] * len(new),
                strict=True,
            )
        )
        self._executemany(
            f"INSERT INTO observations ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            rows,
            "Writing observations",
        )

    def _copy_observations(self, new: pd.DataFrame, file: str) -> None:
        columns = self._OBSERVATION_COLUMNS
        out = pd.DataFrame(
            {
                "code": new["code"].to_numpy(),
                "period_end": _iso_days(new["period_day"].to_numpy()),
                "area": new["area"].to_numpy(),
                "value": new["value"].to_numpy(),
                "numerator": new["numerator"].to_numpy(),
                "denominator": new["denominator"].to_numpy(),
                "status": new["status"].to_numpy(),
                "embargo_until": _nones(new["embargo_until"]),
                "source_file": file,
                "loaded_at": self.now_text,
            }
        )
        # Through the connection's own DB-API cursor: COPY is part of the same transaction.
        raw = self.connection.connection.driver_connection
        assert raw is not None
        statement = (
            f"COPY observations ({', '.join(columns)}) FROM STDIN "
            "WITH (FORMAT csv, FORCE_NOT_NULL (code, area, status, source_file))"
        )
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for start in range(0, len(out), CHUNK):
                chunk = out.iloc[start : start + CHUNK]
                copy.write(chunk.to_csv(header=False, index=False))
                self.tell("Writing observations", min(start + CHUNK, len(out)), len(out))

    def _targets(self, frame: pd.DataFrame) -> None:
        counts = self.report.counts.setdefault("targets", TableCounts())
        stored = {
            (code, start): (target, amber)
            for code, start, target, amber in self.connection.exec_driver_sql(
                "SELECT code, year_start, target, amber_threshold FROM targets"
            )
        }
        file = self._file("targets")
        inserts, updates = [], []
        for code, start, label, target, amber in frame[
            ["code", "year_start", "year_label", "target", "amber_threshold"]
        ].itertuples(index=False):
            amber_value = None if amber != amber else float(amber)
            key = (code, int(start))
            if key not in stored:
                inserts.append((code, int(start), label, float(target), amber_value, file,
                                self.now_text))
                counts.new += 1
            elif stored[key] != (float(target), amber_value):
                updates.append((float(target), amber_value, file, self.now_text, code, int(start)))
                counts.revised += 1
            else:
                counts.unchanged += 1
        self._executemany(
            "INSERT INTO targets (code, year_start, year_label, target, amber_threshold, "
            "source_file, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            inserts,
        )
        self._executemany(
            "UPDATE targets SET target = ?, amber_threshold = ?, source_file = ?, loaded_at = ? "
            "WHERE code = ? AND year_start = ?",
            updates,
        )

    def _benchmarks(self, frame: pd.DataFrame) -> None:
        counts = self.report.counts.setdefault("benchmarks", TableCounts())
        existing = self._fetch(
            "SELECT code, period_end, comparator, value, embargo_until FROM benchmarks",
            ["code", "period_end", "comparator", "value", "embargo_until"],
        )
        stored = {}
        if len(existing):
            days = _as_days(existing["period_end"])
            for code, day, comparator, value, embargo in zip(
                existing["code"], days, existing["comparator"], existing["value"],
                existing["embargo_until"], strict=True,
            ):
                stored[(code, int(day), comparator)] = (float(value), _as_stored_moment(embargo))
        file = self._file("benchmarks")
        inserts, updates = [], []
        for code, day, comparator, value, embargo in zip(
            frame["code"], frame["period_day"], frame["comparator"], frame["value"],
            _nones(frame["embargo_until"]), strict=True,
        ):
            key = (code, int(day), comparator)
            period = str(np.datetime64(int(day), "D"))
            if key not in stored:
                inserts.append((code, period, comparator, float(value), embargo, file,
                                self.now_text))
                counts.new += 1
            elif stored[key] != (float(value), embargo):
                updates.append((float(value), embargo, file, self.now_text, code, period,
                                comparator))
                counts.revised += 1
            else:
                counts.unchanged += 1
        self._executemany(
            "INSERT INTO benchmarks (code, period_end, comparator, value, embargo_until, "
            "source_file, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            inserts,
        )
        self._executemany(
            "UPDATE benchmarks SET value = ?, embargo_until = ?, source_file = ?, loaded_at = ? "
            "WHERE code = ? AND period_end = ? AND comparator = ?",
            updates,
        )

    def _glossary(self, frame: pd.DataFrame) -> None:
        counts = self.report.counts.setdefault("glossary", TableCounts())
        stored = dict(
            self.connection.exec_driver_sql("SELECT term, definition FROM glossary").fetchall()
        )
        file = self._file("glossary")
        inserts, updates = [], []
        for term, definition in frame[["term", "definition"]].itertuples(index=False):
            if term not in stored:
                inserts.append((term, definition, file))
                counts.new += 1
            elif stored[term] != definition:
                updates.append((definition, file, term))
                counts.revised += 1
            else:
                counts.unchanged += 1
        self._executemany(
            "INSERT INTO glossary (term, definition, source_file) VALUES (?, ?, ?)", inserts
        )
        self._executemany(
            "UPDATE glossary SET definition = ?, source_file = ? WHERE term = ?", updates
        )

    def _meetings(self, frame: pd.DataFrame) -> None:
        counts = self.report.counts.setdefault("meetings", TableCounts())
        stored = {
            (committee, _date_text(day)): (focus, _date_text(deadline))
            for committee, day, focus, deadline in self.connection.exec_driver_sql(
                "SELECT committee, date, focus_clusters, agenda_deadline FROM meetings"
            )
        }
        file = self._file("meetings")
        inserts, updates = [], []
        for committee, day, focus, deadline in frame[
            ["committee", "date", "focus_clusters", "agenda_deadline"]
        ].itertuples(index=False):
            key = (committee, _date_text(day))
            values = (focus, _date_text(deadline))
            if key not in stored:
                inserts.append((committee, key[1], focus, values[1], file))
                counts.new += 1
            elif stored[key] != values:
                updates.append((focus, values[1], file, committee, key[1]))
                counts.revised += 1
            else:
                counts.unchanged += 1
        self._executemany(
            "INSERT INTO meetings (committee, date, focus_clusters, agenda_deadline, "
            "source_file) VALUES (?, ?, ?, ?, ?)",
            inserts,
        )
        self._executemany(
            "UPDATE meetings SET focus_clusters = ?, agenda_deadline = ?, source_file = ? "
            "WHERE committee = ? AND date = ?",
            updates,
        )

    def _roles(self, frame: pd.DataFrame) -> None:
        counts = self.report.counts.setdefault("roles", TableCounts())
        stored = set(
            self.connection.exec_driver_sql(
                'SELECT "user", role, service_area FROM roles'
            ).fetchall()
        )
        file = self._file("roles")
        inserts = []
        for user, role, area in frame[["user", "role", "service_area"]].itertuples(index=False):
            if (user, role, area) in stored:
                counts.unchanged += 1
            else:
                inserts.append((user, role, area, file))
                counts.new += 1
        self._executemany(
            'INSERT INTO roles ("user", role, service_area, source_file) VALUES (?, ?, ?, ?)',
            inserts,
        )

    def _log(self) -> None:
        summary = self.report.summary()
        self._executemany(
            "INSERT INTO loads (source_name, loaded_at, rows, summary) VALUES (?, ?, ?, ?)",
            [(self.source_name, self.now_text, self.report.rows, summary)],
        )


def _date_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def _plain(value: Any) -> Any:
    """Stored and loaded values compared alike (SQLite gives 1 for True, PostgreSQL True)."""
    if isinstance(value, bool):
        return int(value)
    return value


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _same_numbers(new: pd.Series, old: pd.Series) -> np.ndarray:
    a = new.to_numpy(dtype=float)
    b = old.to_numpy(dtype=float)
    return (a == b) | (np.isnan(a) & np.isnan(b))


def _same_objects(new: pd.Series, old: pd.Series) -> np.ndarray:
    return np.array(
        [x == y for x, y in zip(_nones(new), _nones(old), strict=True)], dtype=bool
    )


def _nones(values: pd.Series) -> list[Any]:
    """The column's values with every kind of missing (None, NaN) as None, for the driver."""
    return [None if value is None or value != value else value for value in values.tolist()]
