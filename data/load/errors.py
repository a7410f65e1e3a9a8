"""Errors in a databook, said for the person who keeps it: each one, and all of them at once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from data.load.columns import ROW

__all__ = ["MAX_ERRORS", "Errors", "LoadError", "LoadFailed", "choices", "per_cell", "values_of"]

MAX_ERRORS = 50


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


class Errors:
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


def per_cell(column: str, say: Callable[[Any], str]) -> Callable[[pd.DataFrame], Iterator[str]]:
    """A reason for each row, said of its cell in `column` (for `Errors.add_rows`)."""
    return lambda rows: (say(cell) for cell in rows[column])


def values_of(kind: Iterable[Any]) -> list[str]:
    """The values of an enum, in its order: the words a cell may hold."""
    return [member.value for member in kind]


def choices(values: Iterable[str]) -> str:
    """`a, b or c`: the allowed words, as an error message lists them."""
    names = list(values)
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]

