"""Rotherham's ranks, quartile bands and statistical neighbours' figures, worked out by hand from
DfE's LAIT parquet and neighbours workbook with pandas (not through data.lait), against
`kpibot ask --json` after `kpibot load-lait` (scorecard-rules.md, "Ranks and quartile bands").

Five measures: good is low, good is high, one with tied figures, a context measure and a count.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

COUNCIL, NUMBER = "Rotherham", 372
LOW, HIGH, TIES, CONTEXT, COUNT = (
    "PrevRegCPR",  # second or subsequent CP plans, %: good is low
    "SEN_EHC_Excpt_20wks",  # EHC plans within 20 weeks, %: good is high
    "LACStable_2016on",  # CLA with three or more placements, whole per cent: many ties
    "LAC",  # CLA rate per 10,000: a context measure (polarity '-')
    "Work_Force_NoSW",  # FTE social workers: a count
)


@pytest.fixture(scope="module")
def store_url(lait_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('lait') / 'rotherham.sqlite'}"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "load-lait",
            str(lait_dir / "bds_long_0.parquet"),
            "--la",
            COUNCIL,
            "--database-url",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    yield url


def ask(url: str, text: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", text, "--json", "--database-url", url],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


@pytest.fixture(scope="module")
def figures(lait_dir: Path) -> pd.DataFrame:
    bds = pd.read_parquet(lait_dir / "bds_long_0.parquet")
    bds = bds[bds["Short Desc"].isin([LOW, HIGH, TIES, CONTEXT, COUNT])].copy()
    bds["value"] = pd.to_numeric(bds["Values"], errors="coerce")
    return bds[bds["value"].notna() & bds["Years"].str.fullmatch(r"\d{4}")]


@pytest.fixture(scope="module")
def neighbours(lait_dir: Path) -> list[int]:
    sheet = pd.read_excel(lait_dir / "sn_may_2025.xlsx", header=2)
    row = sheet[pd.to_numeric(sheet["LA num"], errors="coerce") == NUMBER].iloc[0]
    return [int(row[f"SN{i}"]) for i in range(1, 11)]


def by_hand(figures: pd.DataFrame, code: str, good: str, neighbours: list[int]) -> dict[str, Any]:
    """Rank, band and neighbours' figures for Rotherham's latest year, from the source."""
    rows = figures[figures["Short Desc"] == code]
    latest = rows[rows["LA and Regions"] == COUNCIL]["Years"].max()
    year = rows[(rows["Years"] == latest) & (rows["LA Number"] < 970)]
    ours = float(year[year["LA Number"] == NUMBER]["value"].iloc[0])
    others = year[year["LA Number"] != NUMBER]
    better = others["value"] < ours if good == "low" else others["value"] > ours
    position, of = int(better.sum()) + 1, len(others) + 1
    band = (
        "A" if 4 * position <= of else "B" if 2 * position <= of else "C" if 4 * position <= 3 * of else "D"
    )
    near = others[others["LA Number"].isin(neighbours)]
    near_better = near["value"] < ours if good == "low" else near["value"] > ours
    ordered = near.sort_values(["value", "LA and Regions"], ascending=[good == "low", True])
    return {
        "year": latest,
        "ours": ours,
        "rank": {"position": position, "of": of, "joint": bool((others["value"] == ours).any())},
        "band": band,
        "neighbour_rank": {
            "position": int(near_better.sum()) + 1,
            "of": len(near) + 1,
            "joint": bool((near["value"] == ours).any()),
        },
        "neighbours": [
            (c, float(v)) for c, v in zip(ordered["LA and Regions"], ordered["value"], strict=True)
        ],
    }


@pytest.mark.parametrize(("code", "good"), [(LOW, "low"), (HIGH, "high"), (TIES, "low")])
def test_rank_band_and_neighbours_match_the_source(
    store_url: str, figures: pd.DataFrame, neighbours: list[int], code: str, good: str
) -> None:
    expected = by_hand(figures, code, good, neighbours)
    answer = ask(store_url, f"how do we compare on {code}")
    assert (answer["kind"], answer["code"], answer["polarity"]) == ("comparison", code, good)
    assert answer["value"] == expected["ours"]
    assert answer["rank"] == expected["rank"]
    assert answer["band"] == expected["band"]
    assert answer["neighbour_rank"] == expected["neighbour_rank"]
    assert [(n["council"], n["value"]) for n in answer["neighbours"]] == expected["neighbours"]
    assert answer["rank"]["of"] > 140  # every English council with a figure that year


def test_tied_figures_share_the_better_rank(
    store_url: str, figures: pd.DataFrame, neighbours: list[int]
) -> None:
    expected = by_hand(figures, TIES, "low", neighbours)
    assert expected["rank"]["joint"], "LAIT's whole-per-cent placements measure has ties"
    answer = ask(store_url, f"how do we compare on {TIES}")
    assert answer["rank_words"].startswith(f"joint {answer['rank']['position']}")


def test_a_context_measure_has_figures_but_no_rank(
    store_url: str, figures: pd.DataFrame, neighbours: list[int]
) -> None:
    expected = by_hand(figures, CONTEXT, "high", neighbours)  # "best first" for none: highest first
    answer = ask(store_url, "how do we compare on CLA rate")  # LAC alone is the cluster
    assert answer["code"] == CONTEXT
    assert (answer["polarity"], answer["rank"], answer["band"], answer["neighbour_rank"]) == (
        "none",
        None,
        None,
        None,
    )
    assert [(n["council"], n["value"]) for n in answer["neighbours"]] == expected["neighbours"]
    assert {c["verdict"] for c in answer["comparators"]} <= {"higher", "lower", "in_line"}


def test_a_count_has_no_rank_and_no_verdict_against_englands_total(
    store_url: str, figures: pd.DataFrame, neighbours: list[int]
) -> None:
    answer = ask(store_url, f"how do we compare on {COUNT}")
    assert (answer["unit"], answer["rank"], answer["band"], answer["neighbour_rank"]) == (
        "count",
        None,
        None,
        None,
    )
    england = next(c for c in answer["comparators"] if c["comparator"] == "england")
    assert england["verdict"] is None
    assert england["note"] == "a total for a different population: shown for information, not compared"
    assert len(answer["neighbours"]) == len(by_hand(figures, COUNT, "high", neighbours)["neighbours"])


def test_englands_slip_on_first_time_entrants_is_flagged_not_judged(store_url: str) -> None:
    answer = ask(store_url, "how do we compare on FirstYJS")
    england = next(c for c in answer["comparators"] if c["comparator"] == "england")
    assert england["value"] > 1000 and england["verdict"] is None
    assert england["note"] == "outside every council's figure: check the source"
    card = ask(store_url, "FirstYJS")
    assert next(b for b in card["benchmarks"] if b["comparator"] == "england")["verdict"] is None


def test_reds_on_a_council_with_no_targets_says_so_and_offers_the_benchmark_view(store_url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(store_url)
    with engine.connect() as connection:
        loaded = connection.execute(text("SELECT count(*) FROM indicators")).scalar_one()
    engine.dispose()
    answer = ask(store_url, "reds")
    assert answer["kind"] == "reds" and answer["indicators"] == [] and answer["rated"] == 0
    assert answer["note"].startswith(f"None of the {loaded} indicators is rated, so none can be red")
    overview = ask(store_url, "overview")
    assert sum(c["indicators"] for c in overview["clusters"]) < 40  # the headline scorecard set
    assert "no target set" in overview["not_rated_reason"]
