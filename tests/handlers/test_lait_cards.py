"""Rotherham's real DfE figures, imported through `kpibot load-lait`, read back as indicator cards.

Each expectation is worked out here from the LAIT parquet itself with pandas (the latest year,
the year before, England's figure for the same year, the dictionary's polarity), not through
data.lait, so the import, the store and the rules are all checked against the source.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bot.runtime import Runtime, open_runtime
from bot.settings import Settings
from handlers import kpi
from handlers.reply import Request
from scorecard.model import Viewer

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
COUNCIL = "Rotherham"
# Five measures of each year basis and polarity: (code, how LAIT's year label reads on the card).
MEASURES = {
    "SEN_EHC_Excpt_20wks": "calendar",  # good is high; the calendar year as labelled
    "PrevRegCPR": "financial",  # good is low; 2025 means 2024/25
    "ReReferral": "financial",
    "CP_conf_15days": "financial",  # good is high
    "TotPerAbNew": "academic",  # good is low, two decimals
}


@pytest.fixture(scope="module")
def rotherham(lait_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    url = f"sqlite:///{tmp_path_factory.mktemp('lait') / 'rotherham.sqlite'}"
    subprocess.run(
        [sys.executable, "-m", "bot", "load-lait", str(lait_dir / "bds_long_0.parquet"),
         "--la", COUNCIL, "--database-url", url],
        check=True, capture_output=True, text=True, timeout=300,
    )
    runtime = open_runtime(Settings(database_url=url))
    yield runtime
    runtime.engine.dispose()


@pytest.fixture(scope="module")
def source(lait_dir: Path) -> pd.DataFrame:
    figures = pd.read_parquet(lait_dir / "bds_long_0.parquet")
    wanted = figures["Short Desc"].isin(list(MEASURES)) & figures["LA and Regions"].isin([COUNCIL, "England"])
    return figures[wanted]


@pytest.fixture(scope="module")
def polarity(lait_dir: Path) -> dict[str, str]:
    dictionary = pd.read_csv(lait_dir / "lait_data_dictionary.csv")
    first = dictionary.drop_duplicates("Measure_short").set_index("Measure_short")
    return {code: str(first.loc[code, "Polarity"]) for code in MEASURES}


def card(runtime: Runtime, code: str) -> dict[str, Any]:
    with runtime.session() as session:
        request = Request(text=code, viewer=Viewer(user="U-member"), now=NOW)
        reply = kpi.card_for(request, session, code)
    return reply.as_json()


def by_hand(source: pd.DataFrame, code: str, area: str) -> dict[int, float]:
    """Year label -> value for one area, straight from the parquet ('-' is no figure)."""
    rows = source[(source["Short Desc"] == code) & (source["LA and Regions"] == area)]
    plain_years = rows[rows["Years"].str.fullmatch(r"\d{4}")]
    numbers = pd.to_numeric(plain_years["Values"], errors="coerce")
    return {int(year): float(value) for year, value in zip(plain_years["Years"], numbers, strict=True)
            if pd.notna(value)}


def label(year: int, basis: str) -> str:
    return str(year) if basis == "calendar" else f"{year - 1}/{year % 100:02d}"


def judged(ours: float, theirs: float, good_is_high: bool, better: str, worse: str) -> str:
    if round(ours, 2) == round(theirs, 2):
        return "in_line" if better == "better" else "no_change"
    return better if (ours > theirs) == good_is_high else worse


def test_rotherham_ehcp_timeliness_is_the_published_figure(rotherham: Runtime) -> None:
    answer = card(rotherham, "SEN_EHC_Excpt_20wks")

    assert (answer["period"], answer["value"]) == ("2024", 77.7)
    england = next(b for b in answer["benchmarks"] if b["comparator"] == "england")
    assert (england["period"], england["value"], england["verdict"]) == ("2024", 46.4, "better")


@pytest.mark.parametrize("code", list(MEASURES))
def test_rotherham_card_matches_the_source_worked_by_hand(
    rotherham: Runtime, source: pd.DataFrame, polarity: dict[str, str], code: str
) -> None:
    ours = by_hand(source, code, COUNCIL)
    england = by_hand(source, code, "England")
    latest = max(ours)
    good_is_high = polarity[code] == "High"
    basis = MEASURES[code]

    answer = card(rotherham, code)

    assert answer["period"] == label(latest, basis)
    assert answer["value"] == pytest.approx(ours[latest])
    assert answer["dot"]["compared_period"] == label(latest - 1, basis)
    direction = judged(ours[latest], ours[latest - 1], good_is_high, "improved", "declined")
    assert answer["dot"]["result"] == direction
    verdict = next(b for b in answer["benchmarks"] if b["comparator"] == "england")
    assert verdict["period"] == label(latest, basis)
    assert verdict["value"] == pytest.approx(england[latest])
    assert verdict["verdict"] == judged(ours[latest], england[latest], good_is_high, "better", "worse")
