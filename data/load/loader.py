"""The two ways in: `load_frames` (check every frame, then write them all in the caller's
transaction) and `load_path` (read a databook, then `load_frames` in a transaction of its own)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from data.load.checking import check
from data.load.errors import Errors
from data.load.reading import databook_files, read_databook
from data.load.report import LoadReport, Progress
from data.load.writing import Writer

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

__all__ = ["load_frames", "load_path"]


def load_frames(
    session: Session,
    frames: Mapping[str, pd.DataFrame],
    source_name: str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> LoadReport:
    """Check every frame, then write them all in the session's transaction (contract: `data.load`).

    Raises `LoadFailed` (having written nothing) if anything is wrong. Does not commit: the
    caller's unit of work does. With `dry_run`, checks and counts but writes nothing.
    """
    connection = session.connection()
    errors = Errors()
    tell = progress or (lambda _what, _done, _total: None)
    tell("Checking", 0, 1)
    checked = check(frames, connection, errors)
    if errors:
        raise errors.failure()
    tell("Checking", 1, 1)
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    writer = Writer(connection, checked, source_name, moment, dry_run, tell)
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
