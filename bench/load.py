"""How fast does the loader take a million figures? Beside bare `pandas.DataFrame.to_sql`.

Generates a databook (100 monthly indicators x 50 months x 200 wards = 1,000,000 observation
rows) in a temporary folder, then times in one run, each into a fresh SQLite file:
- `data.load.load_path` (reads, checks every rule of data-format.md, classifies, writes);
- `pandas.read_csv` + `DataFrame.to_sql` of the same rows (no checks at all).
Then, when DfE LAIT data is beside the project, converts every council's LAIT figures with
`data.lait` and loads them through `data.load.load_frames` the same way.

Run: `.venv/bin/python bench/load.py [--rows N]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from data.db import ensure_schema, make_engine  # noqa: E402
from data.load import load_frames, load_path  # noqa: E402

LAIT = REPO.parent / "shared" / "data" / "lait" / "bds_long_0.parquet"
INDICATORS = 100
MONTHS = 50


def say(text: str) -> None:
    print(text, flush=True)


def generate(folder: Path, rows: int) -> Path:
    """A databook of `rows` observations: a third of the indicators percentages with
    numerator and denominator (so the ratio check runs), the rest counts."""
    areas = max(1, rows // (INDICATORS * MONTHS))
    codes = [f"IND-{n:03d}" for n in range(INDICATORS)]
    percent = {code for n, code in enumerate(codes) if n % 3 == 0}
    pd.DataFrame(
        {
            "code": codes,
            "title": [f"Indicator {code}" for code in codes],
            "cluster": [f"Cluster {n % 8}" for n in range(INDICATORS)],
            "polarity": ["high"] * INDICATORS,
            "unit": ["percent" if code in percent else "count" for code in codes],
            "frequency": ["monthly"] * INDICATORS,
        }
    ).to_csv(folder / "indicators.csv", index=False)
    month_index = np.arange(MONTHS)
    months = [f"{2021 + (3 + m) // 12}-{(3 + m) % 12 + 1:02d}" for m in month_index]
    code_col = np.repeat(np.array(codes, dtype=object), MONTHS * areas)
    month_col = np.tile(np.repeat(np.array(months, dtype=object), areas), INDICATORS)
    area_col = np.tile(np.array([f"Ward {a:03d}" for a in range(areas)], dtype=object),
                       INDICATORS * MONTHS)
    rng = np.random.default_rng(2024)
    total = len(code_col)
    denominator = rng.integers(20, 400, total)
    numerator = (denominator * rng.uniform(0.5, 1.0, total)).astype(np.int64)
    is_percent = np.isin(code_col, list(percent))
    value = np.where(
        is_percent, np.round(100 * numerator / denominator, 1), rng.integers(0, 500, total)
    )
    frame = pd.DataFrame(
        {
            "code": code_col,
            "period": month_col,
            "value": value,
            "numerator": np.where(is_percent, numerator.astype(str), ""),
            "denominator": np.where(is_percent, denominator.astype(str), ""),
            "area": area_col,
        }
    )
    frame.to_csv(folder / "observations.csv", index=False)
    return folder


def fresh_sqlite(folder: Path, name: str) -> str:
    return f"sqlite:///{folder / name}"


def progress_printer() -> object:
    last: dict[str, float] = {}

    def report(what: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if done >= total or now - last.get(what, 0) > 1.0:
            last[what] = now
            say(f"    {what}: {done:,}/{total:,}")

    return report


def time_loader(folder: Path, work: Path) -> tuple[float, int]:
    engine = make_engine(fresh_sqlite(work, "loader.sqlite"))
    ensure_schema(engine)  # the schema is not what is being timed
    start = time.perf_counter()
    report = load_path(engine, folder, progress=progress_printer())  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    say(f"  {report.summary()}")
    engine.dispose()
    return elapsed, report.counts["observations"].new


def time_to_sql(folder: Path, work: Path) -> tuple[float, float, int]:
    engine = make_engine(fresh_sqlite(work, "to_sql.sqlite"))
    start = time.perf_counter()
    frame = pd.read_csv(folder / "observations.csv", dtype=str, keep_default_na=False)
    read = time.perf_counter()
    frame.to_sql("observations", engine, index=False, chunksize=50_000)
    done = time.perf_counter()
    engine.dispose()
    return done - start, done - read, len(frame)


def lait_part(work: Path) -> None:
    say("\nLAIT: every council's DfE figures through data.lait and the loader")
    if not LAIT.exists():
        say(f"  skipped: no LAIT data at {LAIT}")
        return
    try:
        from data import lait
    except ImportError:
        # TODO(lead): data/lait.py (another helper's) is not there yet; wire it here.
        say("  skipped: data.lait is not there yet")
        return
    start = time.perf_counter()
    converted = lait.lait_all_councils_frames(LAIT, include_regions=True)
    converting = time.perf_counter() - start
    rows = sum(len(frame) for frame in converted.frames.values())
    say(f"  converted in {converting:.1f} s: "
        + ", ".join(f"{name} {len(frame):,}" for name, frame in converted.frames.items()))
    engine = make_engine(fresh_sqlite(work, "lait.sqlite"))
    ensure_schema(engine)
    from sqlalchemy.orm import Session

    start = time.perf_counter()
    with Session(engine) as session:
        report = load_frames(session, converted.frames, "DfE LAIT (all councils)",
                             progress=progress_printer())  # type: ignore[arg-type]
        session.commit()
    loading = time.perf_counter() - start
    engine.dispose()
    say(f"  {report.summary()}")
    say(f"  loaded {rows:,} rows in {loading:.1f} s: {rows / loading:,.0f} rows/s "
        f"(conversion and load: {rows / (loading + converting):,.0f} rows/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-lait", action="store_true")
    args = parser.parse_args()
    say(f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}, pandas {pd.__version__}, SQLite "
        f"{__import__('sqlite3').sqlite_version}")
    with tempfile.TemporaryDirectory(prefix="kpibot-bench-") as temp:
        work = Path(temp)
        book = work / "book"
        book.mkdir()
        start = time.perf_counter()
        generate(book, args.rows)
        size = (book / "observations.csv").stat().st_size
        say(f"Generated {args.rows:,} observation rows ({size / 1e6:.0f} MB) in "
            f"{time.perf_counter() - start:.1f} s")
        say("\nto_sql: pandas.read_csv + DataFrame.to_sql, no checks")
        bare, to_sql_only, rows = time_to_sql(book, work)
        say(f"  {rows:,} rows in {bare:.1f} s ({to_sql_only:.1f} s of it to_sql): "
            f"{rows / bare:,.0f} rows/s")
        say("\nloader: data.load.load_path, every check of data-format.md, one transaction")
        loader, loaded = time_loader(book, work)
        say(f"  {loaded:,} rows in {loader:.1f} s: {loaded / loader:,.0f} rows/s")
        say(f"\nloader / to_sql speed: {bare / loader:.2f}x "
            f"(>= 1 means the checked load is at least as fast as the bare one)")
        if not args.no_lait:
            lait_part(work)


if __name__ == "__main__":
    main()
