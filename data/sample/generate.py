"""Write the sample council's CSV files (data/sample/*.csv). Deterministic: run it again, get the same bytes.

    .venv/bin/python data/sample/generate.py
"""

from __future__ import annotations

import csv
from pathlib import Path

from catalogue import COLUMNS, INDICATORS

HERE = Path(__file__).resolve().parent


def write_csv(name: str, columns: list[str], rows: list[dict[str, str]]) -> None:
    with (HERE / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    write_csv("indicators.csv", COLUMNS, INDICATORS)


if __name__ == "__main__":
    main()
