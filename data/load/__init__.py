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

One idea a module: `columns` (the sheets and their columns), `reading` (files -> frames of
text), `prepare`, `cells`, `row_checks` and `checking` (every check, before anything is
written), `peers` (other councils' figures), `statements`, `stored_values` and `writing` (the
one transaction), `report` (what a load did), `errors` (what is wrong), `loader` (the two
entry points).
"""

from data.load.columns import COLUMNS, MAX_CELL, ROW, SHEETS
from data.load.errors import LoadError, LoadFailed
from data.load.loader import load_frames, load_path
from data.load.reading import databook_files, read_databook
from data.load.report import LoadReport, Progress, TableCounts

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
    "databook_files",
    "load_frames",
    "load_path",
    "read_databook",
]
