"""What a load did, table by table: the report the command prints and the `loads` table keeps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["LoadReport", "Progress", "TableCounts"]

Progress = Callable[[str, int, int], None]
"""Told (what is happening, rows done, rows in all) as a load goes along."""


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
