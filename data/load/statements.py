"""Statements to the store inside the load's one transaction: bulk inserts and updates in
chunks, reads into frames, and PostgreSQL's COPY, each telling the progress as it goes. A dry
run reads but writes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from data.load.report import LoadReport, Progress
from data.load.stored_values import stored_datetime

if TYPE_CHECKING:
    from sqlalchemy import Connection

__all__ = ["CHUNK", "Statements"]

CHUNK = 50_000


class Statements:
    """One load's way to the store: its connection, the moment it is stamped with, its report.

    Statements go to the driver as raw tuples (executemany): a million rows bound through
    SQLAlchemy's per-value processing would cost more than all the checking. Dates and
    date-times are passed as the store's text: SQLite keeps them so (as SQLAlchemy itself
    does) and PostgreSQL casts a text parameter to its column's type.
    """

    def __init__(
        self, connection: Connection, files: Mapping[str, str], source_name: str, now: datetime,
        dry_run: bool, tell: Progress,
    ) -> None:
        self.connection = connection
        self.files = files
        self.source_name = source_name
        self.now = now
        self.now_text = stored_datetime(now)
        self.dry_run = dry_run
        self.tell = tell
        self.report = LoadReport(source_name, dry_run=dry_run)
        self.postgres = connection.dialect.name == "postgresql"
        self.mark = "%s" if connection.dialect.paramstyle in ("format", "pyformat") else "?"

    def file(self, sheet: str) -> str:
        """The file a sheet came from, as errors and the store's `source_file` name it."""
        return self.files.get(sheet, f"{sheet}.csv")

    def executemany(self, sql: str, rows: list[tuple[Any, ...]], what: str = "") -> None:
        """Run `sql` (with `?` marks) for every row, in chunks; nothing on a dry run."""
        if self.dry_run or not rows:
            return
        statement = sql.replace("?", self.mark)
        for start in range(0, len(rows), CHUNK):
            self.connection.exec_driver_sql(statement, rows[start : start + CHUNK])
            if what:
                self.tell(what, min(start + CHUNK, len(rows)), len(rows))

    def fetch(self, sql: str, columns: list[str]) -> pd.DataFrame:
        result = self.connection.exec_driver_sql(sql)
        return pd.DataFrame(result.fetchall(), columns=columns)

    def copy(self, statement: str, out: pd.DataFrame, what: str) -> None:
        """PostgreSQL's `COPY ... FROM STDIN WITH (FORMAT csv ...)` of the frame's rows, through
        the connection's own DB-API cursor so that it is part of the same transaction."""
        raw = self.connection.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for start in range(0, len(out), CHUNK):
                chunk = out.iloc[start : start + CHUNK]
                copy.write(chunk.to_csv(header=False, index=False))
                self.tell(what, min(start + CHUNK, len(out)), len(out))
