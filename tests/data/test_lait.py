"""The DfE LAIT import against the real LAIT data in ../shared (skipped when it is absent).

Expected figures are either published ones (Rotherham's EHCP timeliness) or computed here,
in the test, straight from the LAIT files with pandas: no extract of the data is kept.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import typer

from data.lait import (
    LaitError,
    LaitFrames,
    SkipReason,
    _map_label,
    guess_unit,
    lait_all_councils_frames,
    lait_frames,
)
from scorecard.model import Unit
from scorecard.periods import Frequency, YearBasis, parse_period
from scorecard.rules import round_half_up

EHCP_TITLE = "New EHC plans issued within 20 weeks - excluding exceptions"


# --- without the data: year labels and units (these run everywhere) -------------------------


@pytest.mark.parametrize(
    ("label", "basis", "period", "status", "skip"),
    [
        ("2025", YearBasis.FINANCIAL, "2024/25", "final", None),
        ("2025", YearBasis.ACADEMIC, "2024/25", "final", None),
        ("2025", YearBasis.CALENDAR, "2025", "final", None),
        ("2000", YearBasis.FINANCIAL, "1999/00", "final", None),
        ("2018 (Rev)", YearBasis.ACADEMIC, "2017/18", "final", None),
        ("2020 (Final)", YearBasis.ACADEMIC, "2019/20", "final", None),
        ("2025 (prov)", YearBasis.ACADEMIC, "2024/25", "provisional", None),
        ("2015/16", YearBasis.ACADEMIC, "2015/16", "final", None),
        ("2016-17", YearBasis.FINANCIAL, "2016/17", "final", None),
        ("2016-17", YearBasis.CALENDAR, None, "", SkipReason.UNRECOGNISED_YEAR),
        # Three-year rolling: kept as the last year of the window.
        ("2014-16", YearBasis.CALENDAR, "2016", "final", None),
        ("2013/14-15/16", YearBasis.FINANCIAL, "2015/16", "final", None),
        ("2099/00-01/02", YearBasis.FINANCIAL, "2101/02", "final", None),
        # The S251 finance tables are published only as outturn: the year's figure.
        ("2016-17 (OT)", YearBasis.FINANCIAL, "2016/17", "final", None),
        ("2014-16 (OT)", YearBasis.CALENDAR, "2016", "final", None),
        ("0 (OT)", YearBasis.FINANCIAL, None, "", SkipReason.VARIANT_OT),
        ("0", YearBasis.ACADEMIC, None, "", SkipReason.UNRECOGNISED_YEAR),
    ],
)
def test_year_label_mapping(
    label: str, basis: YearBasis, period: str | None, status: str, skip: SkipReason | None
) -> None:
    assert _map_label(label, basis) == (period, status, skip)


@pytest.mark.parametrize(
    ("title", "y_axis", "unit"),
    [
        ("New EHC plans issued within 20 weeks - excluding exceptions", "% of EHC plans", Unit.PERCENT),
        ("Children looked after rate per 10,000", "Rate per 10,000", Unit.RATE_PER_10K),
        ("Infant Mortality", "Rate per 1000 live births", Unit.SCORE),
        ("Number of Children looked after", "Number of Children Looked After", Unit.COUNT),
        ("Leaving Care Support (finance) - Gross", "Spend", Unit.GBP),
        ("Average Attainment 8 score per pupil", "Score per pupil", Unit.SCORE),
        ("Percentage rate of social worker turnover", "Turnover rate", Unit.PERCENT),
        ("Average number of cases per social worker", "Case Load", Unit.SCORE),
        ("Time from entering care to adoption", "Days", Unit.DAYS),
    ],
)
def test_unit_guess(title: str, y_axis: str, unit: Unit) -> None:
    assert guess_unit(title, y_axis) is unit


# --- with the LAIT data (skipped without ../shared) -----------------------------------------


@pytest.fixture(scope="module")
def parquet(lait_dir: Path) -> Path:
    return lait_dir / "bds_long_0.parquet"


@pytest.fixture(scope="module")
def bds(parquet: Path) -> pd.DataFrame:
    return pd.read_parquet(parquet)


@pytest.fixture(scope="module")
def dictionary(lait_dir: Path) -> pd.DataFrame:
    return pd.read_csv(lait_dir / "lait_data_dictionary.csv", dtype=str)


@pytest.fixture(scope="module")
def rotherham(parquet: Path) -> LaitFrames:
    return lait_frames(parquet, la="Rotherham")


def _code_for(dictionary: pd.DataFrame, title: str) -> str:
    matches = dictionary[dictionary["Measure"].str.strip() == title]["Measure_short"].unique()
    assert len(matches) == 1, matches
    return str(matches[0]).strip()


def _observation(frames: LaitFrames, code: str, period: str) -> pd.Series:
    obs = frames.frames["observations"]
    row = obs[(obs["code"] == code) & (obs["period"] == period)]
    assert len(row) == 1, (code, period, row)
    return row.iloc[0]


def _benchmark(frames: LaitFrames, code: str, period: str, comparator: str) -> float:
    bench = frames.frames["benchmarks"]
    row = bench[(bench["code"] == code) & (bench["period"] == period) & (bench["comparator"] == comparator)]
    assert len(row) == 1, (code, period, comparator, row)
    return float(row.iloc[0]["value"])


def _half_up(value: float | str, decimals: int) -> float:
    return float(Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def _indicator(frames: LaitFrames, code: str) -> pd.Series:
    ind = frames.frames["indicators"]
    return ind[ind["code"] == code].iloc[0]


# --- the published figure -------------------------------------------------------------------


@pytest.mark.lait
def test_ehcp_timeliness_rotherham_and_england_2024(rotherham: LaitFrames, dictionary: pd.DataFrame) -> None:
    code = _code_for(dictionary, EHCP_TITLE)
    assert code == "SEN_EHC_Excpt_20wks"
    # A calendar-year measure: LAIT's 2024 is the calendar year 2024.
    assert _observation(rotherham, code, "2024")["value"] == 77.7
    assert _benchmark(rotherham, code, "2024", "england") == 46.4

    indicator = _indicator(rotherham, code)
    assert indicator["title"] == EHCP_TITLE
    assert indicator["cluster"] == "Children with SEN"
    assert indicator["polarity"] == "high"
    assert indicator["unit"] == "percent"
    assert indicator["year_basis"] == "calendar"
    assert indicator["frequency"] == "annual"
    assert indicator["ytd"] == "none"
    assert indicator["decimals"] == 1
    assert indicator["source"].startswith("DfE")
    assert indicator["definition"]


@pytest.mark.lait
def test_frames_have_the_data_format_columns(rotherham: LaitFrames) -> None:
    frames = rotherham.frames
    assert set(frames) == {"indicators", "observations", "benchmarks", "peers"}
    assert list(frames["peers"].columns) == ["code", "period", "council", "value", "statistical_neighbour"]
    assert {"code", "title", "cluster", "polarity", "unit", "frequency", "year_basis", "ytd"} <= set(
        frames["indicators"].columns
    )
    assert list(frames["observations"].columns) == ["code", "period", "value", "status"]
    assert list(frames["benchmarks"].columns) == ["code", "period", "comparator", "value"]
    assert frames["indicators"]["code"].is_unique
    assert set(frames["benchmarks"]["comparator"]) == {"england", "region", "statistical_neighbours"}
    assert not frames["observations"].duplicated(["code", "period"]).any()
    assert not frames["benchmarks"].duplicated(["code", "period", "comparator"]).any()


@pytest.mark.lait
def test_every_period_parses_as_the_loader_will(rotherham: LaitFrames) -> None:
    ind = rotherham.frames["indicators"].set_index("code")
    for name in ("observations", "benchmarks"):
        frame = rotherham.frames[name]
        for code, period in frame[["code", "period"]].drop_duplicates().itertuples(index=False):
            parse_period(period, Frequency.ANNUAL, YearBasis(ind.loc[code, "year_basis"]))


# --- skipped series -----------------------------------------------------------------------


@pytest.mark.lait
def test_rolling_and_outturn_series_are_imported_and_labelled_and_gaps_counted(
    rotherham: LaitFrames, bds: pd.DataFrame
) -> None:
    indicators = rotherham.frames["indicators"].set_index("code")
    codes = set(indicators.index)
    own = bds[bds["LA and Regions"] == "Rotherham"]

    # RTA (children killed or seriously injured on the roads) and under-18 alcohol admissions
    # are published only as three-year rolling figures (2014-16 ...): imported, each as the last
    # year of its window, and labelled rolling in the title and the data note.
    assert set(bds.loc[bds["Short Desc"] == "RTA", "Years"]) >= {"2014-16", "2020-22"}
    assert {"RTA", "Hosp_Adm_Alc_<18yrs"} <= codes
    assert rotherham.rolling_codes == ["Hosp_Adm_Alc_<18yrs", "RTA"]
    for code in rotherham.rolling_codes:
        assert indicators.loc[code, "title"].endswith("(3-year rolling)")
        assert "Three-year rolling figures" in indicators.loc[code, "data_notes"]
    observations = rotherham.frames["observations"]
    rta = observations[observations["code"] == "RTA"]
    published = own[(own["Short Desc"] == "RTA") & ~own["Values"].str.strip().isin(["-", ""])]
    assert len(rta) == len(published) > 0
    assert "2022" in set(rta["period"])  # 2020-22
    assert rotherham.skipped[SkipReason.THREE_YEAR_ROLLING].values == 0
    # A single year spelled like a range (2016-17) is not rolling.
    assert (
        not indicators.loc[[c for c in codes if c not in rotherham.rolling_codes], "title"]
        .str.endswith("(3-year rolling)")
        .any()
    )
    rolling = own.iloc[:0]
    rolling_spelled = own.iloc[:0]

    # The S251 finance tables, published only as outturn (2016-17 (OT)): imported as the
    # financial year's figures, in pounds.
    assert {"LACFinance", "FosteringFinance", "YouthJusticeFinance"} <= codes
    assert indicators.loc["FosteringFinance", "unit"] == "gbp"
    ot = own[own["Years"].str.contains("(OT)", regex=False)]
    observations = rotherham.frames["observations"]
    published_ot = ot[~ot["Values"].str.strip().isin(["-", ""])]
    assert (observations["code"].isin(set(published_ot["Short Desc"]))).sum() == len(published_ot) > 0
    assert rotherham.skipped[SkipReason.VARIANT_OT].values == 0
    ot = own.iloc[:0]

    # '-' means not available: no observation, but counted (where the year itself is usable;
    # the one stray year label '0' is counted as unrecognised instead).
    usable_year = ~own["Years"].isin(ot["Years"]) & ~own.index.isin(
        rolling.index.union(rolling_spelled.index)
    )
    missing = own[own["Values"].str.strip().isin(["-", ""]) & usable_year & (own["Years"] != "0")]
    assert rotherham.skipped[SkipReason.MISSING_VALUE].values == len(missing) > 0
    assert rotherham.skipped[SkipReason.UNRECOGNISED_YEAR].values == (own["Years"] == "0").sum()
    assert rotherham.skipped[SkipReason.NOT_IN_DICTIONARY].values == 0

    text = "\n".join(rotherham.summary_lines())
    assert "three-year rolling figures, labelled as such" in text


@pytest.mark.lait
def test_duplicated_dictionary_entries_make_one_indicator(rotherham: LaitFrames) -> None:
    # LAC_Over_Abs is listed under two topics; the first listing wins, the second fills
    # its missing dps.
    indicator = _indicator(rotherham, "LAC_Over_Abs")
    assert indicator["cluster"] == "Children Looked After"
    assert indicator["decimals"] == 2
    clusters = list(dict.fromkeys(rotherham.frames["indicators"]["cluster"]))
    assert clusters[0] == "Health and Wellbeing"  # the dictionary's first topic


# --- values and periods -------------------------------------------------------------------


@pytest.mark.lait
def test_float_noise_is_rounded_to_the_measures_dps(
    rotherham: LaitFrames, bds: pd.DataFrame, dictionary: pd.DataFrame
) -> None:
    dps = dictionary.dropna(subset=["dps"]).drop_duplicates("Measure_short").set_index("Measure_short")["dps"]
    own = bds[(bds["LA and Regions"] == "Rotherham") & bds["Short Desc"].isin(dps.index)]
    noisy = own[own["Values"].str.fullmatch(r"-?\d+\.\d{10,}") & own["Years"].str.fullmatch(r"\d{4}")]
    assert len(noisy) > 0
    checked = 0
    ind = rotherham.frames["indicators"].set_index("code")
    for row in noisy.head(25).itertuples(index=False):
        code, label, raw = row[0], row[2], row[4]
        basis = ind.loc[code, "year_basis"]
        period = label if basis == "calendar" else f"{int(label) - 1}/{int(label) % 100:02d}"
        value = _observation(rotherham, code, period)["value"]
        expected = _half_up(float(raw), int(float(dps[code])))
        assert value == expected
        assert len(repr(float(value))) <= 8, value  # no 64.900000000000006 left
        checked += 1
    assert checked > 0


@pytest.mark.parametrize(
    ("code", "label", "basis", "period", "status"),
    [
        # Financial: children looked after at 31 March 2025 -> 2024/25.
        ("LAC", "2025", "financial", "2024/25", "final"),
        # Academic: LAIT's 2024 is the year ending 2024 -> 2023/24.
        ("KS1P_all", "2024", "academic", "2023/24", "final"),
        # ... and a provisional release is kept, marked provisional.
        ("KS1P_all", "2025 (prov)", "academic", "2024/25", "provisional"),
        # A revised release of an academic year.
        ("A3A", "2024 (Rev)", "academic", "2023/24", "final"),
        # Exclusions spell the academic year out.
        ("TotPermEx", "2022/23", "academic", "2022/23", "final"),
        # A financial measure written 2023-24.
        ("LeaveCareSupServTotExp", "2023-24", "financial", "2023/24", "final"),
        # Calendar: the calendar year itself.
        ("InfMort", "2022", "calendar", "2022", "final"),
    ],
)
@pytest.mark.lait
def test_year_labels_map_to_the_right_period(
    rotherham: LaitFrames,
    bds: pd.DataFrame,
    code: str,
    label: str,
    basis: str,
    period: str,
    status: str,
) -> None:
    assert _indicator(rotherham, code)["year_basis"] == basis
    raw = bds[(bds["Short Desc"] == code) & (bds["Years"] == label) & (bds["LA and Regions"] == "Rotherham")]
    assert len(raw) == 1
    observation = _observation(rotherham, code, period)
    decimals = int(_indicator(rotherham, code)["decimals"])
    assert observation["value"] == _half_up(float(raw.iloc[0]["Values"]), decimals)
    assert observation["status"] == status


# --- benchmarks ---------------------------------------------------------------------------


@pytest.mark.lait
def test_statistical_neighbour_mean_matches_a_hand_computation(
    rotherham: LaitFrames, lait_dir: Path, bds: pd.DataFrame
) -> None:
    sn = pd.read_excel(lait_dir / "sn_may_2025.xlsx", header=2)
    row = sn[sn["LA Name"] == "Rotherham"].iloc[0]
    neighbour_numbers = [int(row[f"SN{i}"]) for i in range(1, 11)]
    assert len(set(neighbour_numbers)) == 10

    code = "SEN_EHC_Excpt_20wks"
    figures = bds[
        (bds["Short Desc"] == code) & (bds["Years"] == "2024") & bds["LA Number"].isin(neighbour_numbers)
    ]
    values = pd.to_numeric(figures["Values"], errors="coerce").dropna()
    assert len(values) == 10  # all ten published that year
    expected = _half_up(round(sum(values) / len(values), 9), 1)
    assert _benchmark(rotherham, code, "2024", "statistical_neighbours") == expected

    # A year where some neighbours have no figure: the mean is over those that do.
    code = "LAC_Over_Abs"
    figures = bds[(bds["Short Desc"] == code) & bds["LA Number"].isin(neighbour_numbers)]
    numeric = figures.assign(v=pd.to_numeric(figures["Values"], errors="coerce"))
    counts = numeric.groupby("Years")["v"].count()
    assert set(rotherham.neighbours) == set(
        bds.drop_duplicates("LA Number").set_index("LA Number").loc[neighbour_numbers, "LA and Regions"]
    )
    for label, count in counts.items():
        if count > 0:
            mean = numeric[numeric["Years"] == label]["v"].mean()
            period = f"{int(label) - 1}/{int(label) % 100:02d}"
            assert _benchmark(rotherham, code, period, "statistical_neighbours") == _half_up(
                round(mean, 9), 2
            )


@pytest.mark.lait
def test_region_benchmark_is_the_councils_region_row(rotherham: LaitFrames, bds: pd.DataFrame) -> None:
    # The council's Region column says 'Yorkshire and The Humber'; the region row is spelled
    # 'Yorkshire and the Humber'.
    assert rotherham.region == "Yorkshire and the Humber"
    raw = bds[
        (bds["Short Desc"] == "SEN_EHC_Excpt_20wks")
        & (bds["Years"] == "2024")
        & (bds["LA and Regions"] == "Yorkshire and the Humber")
    ]
    assert _benchmark(rotherham, "SEN_EHC_Excpt_20wks", "2024", "region") == _half_up(
        raw.iloc[0]["Values"], 1
    )


@pytest.mark.lait
def test_a_london_borough_is_compared_with_its_london_half(parquet: Path) -> None:
    camden = lait_frames(parquet, la="camden")
    assert camden.region == "London (Inner)"
    assert len(camden.neighbours) == 10


# --- choosing the council -----------------------------------------------------------------


@pytest.mark.lait
def test_la_matches_any_case_and_the_la_number(parquet: Path, rotherham: LaitFrames) -> None:
    by_number = lait_frames(parquet, la="372")
    by_case = lait_frames(parquet, la="  ROTHERHAM ")
    assert by_number.council == by_case.council == "Rotherham"
    pd.testing.assert_frame_equal(by_number.frames["observations"], rotherham.frames["observations"])


@pytest.mark.lait
def test_an_unknown_council_gives_close_matches(parquet: Path) -> None:
    with pytest.raises(LaitError, match=r"no council 'Rotherhm'.*did you mean: Rotherham"):
        lait_frames(parquet, la="Rotherhm")
    with pytest.raises(LaitError, match="Bristol, City of"):
        lait_frames(parquet, la="Bristol")
    with pytest.raises(LaitError, match="not a council"):
        lait_frames(parquet, la="England")
    with pytest.raises(LaitError, match="LA number"):
        lait_frames(parquet, la="Atlantis")


# --- every council -------------------------------------------------------------------------


@pytest.mark.lait
def test_all_councils_frames_carry_each_council_as_area(parquet: Path, rotherham: LaitFrames) -> None:
    everyone = lait_all_councils_frames(parquet)
    obs = everyone.frames["observations"]
    assert list(obs.columns) == ["code", "period", "value", "status", "area"]
    assert obs["area"].nunique() > 150
    assert "England" not in set(obs["area"])
    assert not obs.duplicated(["code", "period", "area"]).any()
    own = obs[obs["area"] == "Rotherham"].drop(columns="area").reset_index(drop=True)
    pd.testing.assert_frame_equal(own, rotherham.frames["observations"])
    assert set(everyone.frames["benchmarks"]["comparator"]) == {"england"}
    assert everyone.skipped[SkipReason.VARIANT_OT].values == 0

    with_regions = lait_all_councils_frames(parquet, include_regions=True)
    assert "England" in set(with_regions.frames["observations"]["area"])


# --- end to end: kpibot load-lait into a SQLite store ---------------------------------------


def _cli() -> typer.Typer:
    """The command as `kpibot` registers it (bot/cli.py lists the module by name)."""
    from bot.commands import lait as command

    app = typer.Typer()
    command.register(app)

    @app.callback()
    def _root() -> None:
        """Several commands' worth of app, so `load-lait` is addressed by name as in kpibot."""

    return app


@pytest.mark.lait
def test_load_lait_end_to_end_into_sqlite(parquet: Path, tmp_path: Path) -> None:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session
    from typer.testing import CliRunner

    from data.db import make_engine
    from data.schema import BenchmarkRow, ObservationRow

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    runner = CliRunner()
    args = ["load-lait", str(parquet), "--la", "rotherham", "--database-url", url]

    dry = runner.invoke(_cli(), [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "three-year rolling" in dry.output
    engine = make_engine(url)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(ObservationRow)) == 0

    loaded = runner.invoke(_cli(), args)
    assert loaded.exit_code == 0, loaded.output
    assert "three-year rolling" in loaded.output

    code = "SEN_EHC_Excpt_20wks"
    with Session(engine) as session:
        value = session.scalar(
            select(ObservationRow.value).where(
                ObservationRow.code == code, ObservationRow.period_end == date(2024, 12, 31)
            )
        )
        england = session.scalar(
            select(BenchmarkRow.value).where(
                BenchmarkRow.code == code,
                BenchmarkRow.period_end == date(2024, 12, 31),
                BenchmarkRow.comparator == "england",
            )
        )
        # A financial-year measure lands on 31 March: LAIT's 2025 is 2024/25.
        lac = session.scalar(
            select(func.count()).where(
                ObservationRow.code == "LAC", ObservationRow.period_end == date(2025, 3, 31)
            )
        )
    assert value == 77.7
    assert england == 46.4
    assert lac == 1
    _read_back_through_the_store(engine, code)

    again = runner.invoke(_cli(), args)
    assert again.exit_code == 0, again.output
    assert " new" not in again.output.split("Loaded", 1)[-1]  # the same figures twice change nothing

    # A store is one council's: a second council's figures would mix with the first's.
    other = runner.invoke(_cli(), [*args[:2], "--la", "Doncaster", "--database-url", url])
    assert other.exit_code == 1
    assert "already holds Rotherham's LAIT figures" in other.output
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(ObservationRow)) == len(
            lait_frames(parquet, la="Rotherham").frames["observations"]
        )
    engine.dispose()


def _read_back_through_the_store(engine: Any, code: str) -> None:
    """The figures as the bot will see them: domain objects from data.store."""
    from sqlalchemy.orm import Session

    from data import store
    from scorecard.model import Comparator, Polarity, Unit
    from scorecard.periods import Frequency, Period, YearBasis

    period = Period(date(2024, 12, 31), Frequency.ANNUAL, YearBasis.CALENDAR)
    with Session(engine) as session:
        indicator = store.indicator(session, code)
        observations = {o.period: o for o in store.observations(session, code)}
        benchmarks = {(b.period, b.comparator): b.value for b in store.benchmarks(session, code)}
    assert indicator is not None
    assert indicator.title == EHCP_TITLE
    assert (indicator.polarity, indicator.unit, indicator.year_basis) == (
        Polarity.HIGH,
        Unit.PERCENT,
        YearBasis.CALENDAR,
    )
    assert observations[period].value == 77.7
    assert period.label == "2024"
    assert benchmarks[(period, Comparator.ENGLAND)] == 46.4
    assert (period, Comparator.REGION) in benchmarks
    assert (period, Comparator.STATISTICAL_NEIGHBOURS) in benchmarks


@pytest.mark.lait
def test_load_lait_unknown_council_is_a_clear_error(parquet: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    result = CliRunner().invoke(
        _cli(), ["load-lait", str(parquet), "--la", "Rotherhm", "--database-url", url]
    )
    assert result.exit_code == 2
    assert "did you mean: Rotherham" in result.output


@pytest.mark.lait
def test_the_members_scorecard_is_the_headline_set_across_the_eight_themes(rotherham: LaitFrames) -> None:
    import tomllib

    from data.lait import SCORECARD_FILE, _mark_scorecard, default_scorecard

    themes = tomllib.loads(SCORECARD_FILE.read_text("utf-8"))["scorecard"]
    assert list(themes) == [
        "demand", "keeping_children_safe", "looking_after_children_well", "schools", "education", "send",
        "workforce", "budgets",
    ]
    indicators = rotherham.frames["indicators"]
    on = set(indicators.loc[indicators["on_scorecard"] == "true", "code"])
    assert on == set(default_scorecard()) and 20 <= len(on) <= 40
    assert set(indicators["on_scorecard"]) == {"true", "false"}
    chosen = _mark_scorecard(indicators, ["LAC", "PrevRegCPR"])
    assert set(chosen.loc[chosen["on_scorecard"] == "true", "code"]) == {"LAC", "PrevRegCPR"}
    with pytest.raises(LaitError, match="NOPE"):
        _mark_scorecard(indicators, ["LAC", "NOPE"])


@pytest.mark.lait
def test_every_other_council_is_a_peer_and_the_ten_neighbours_are_marked(rotherham: LaitFrames) -> None:
    peers = rotherham.frames["peers"]
    assert "Rotherham" not in set(peers["council"])
    marked = set(peers.loc[peers["statistical_neighbour"] == "true", "council"])
    assert marked == set(rotherham.neighbours)
    assert peers["council"].nunique() > 140
    assert not peers.duplicated(["code", "period", "council"]).any()


# --- rounding -------------------------------------------------------------------------------


def test_lait_rounds_by_the_scorecards_rule_on_tricky_values() -> None:
    from data.lait import _round_half_up

    values = np.array([2.675, 0.125, -1.5, 2.5, 1.005, 64.900000000000006, 0.0450000000001,
                       0.0449999999996, -0.004, 1e-9, 4.9999999996, np.nan])
    decimals = np.array([2, 2, 0, 0, 2, 1, 2, 2, 2, 0, 0, 1])
    rounded = _round_half_up(values, decimals)
    # Ties go away from zero (2.675 is stored as 2.67499999...: its shortest spelling decides);
    # noise beyond 9 places is LAIT's, stripped before rounding; -0.004 shows as 0.00, not -0.00.
    expected = [2.68, 0.13, -2.0, 3.0, 1.01, 64.9, 0.05, 0.05, 0.0, 0.0, 5.0]
    assert rounded[:-1].tolist() == expected
    by_the_rule = [
        float(round_half_up(round(value, 9), int(places)))
        for value, places in zip(values[:-1].tolist(), decimals[:-1].tolist(), strict=True)
    ]
    assert by_the_rule == expected
    assert not np.signbit(rounded[8])
    assert np.isnan(rounded[-1])
