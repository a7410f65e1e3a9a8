"""The bundled sample council (data/sample): its CSVs follow data-format.md and make sense.

These checks read the CSVs with the standard library only, so they hold whatever the loader does;
the last test also loads the folder with the real loader when it exists.
"""

from __future__ import annotations

import csv
import importlib
import re
import subprocess
import sys
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample"

COLUMNS = {
    "indicators.csv": [
        "code", "title", "cluster", "polarity", "unit", "frequency", "year_basis", "ytd",
        "dot_basis", "decimals", "aliases", "definition", "data_notes", "source",
        "service_area", "council_plan", "active",
    ],
    "observations.csv": [
        "code", "period", "value", "numerator", "denominator", "area", "status", "embargo_until",
    ],
    "targets.csv": ["code", "year", "target", "amber_threshold"],
    "benchmarks.csv": ["code", "period", "comparator", "value"],
    "peers.csv": ["code", "period", "council", "value", "statistical_neighbour"],
    "glossary.csv": ["term", "definition"],
    "meetings.csv": ["committee", "date", "focus_clusters", "agenda_deadline"],
    "roles.csv": ["user", "role", "service_area"],
}
CLUSTERS = [
    "Demand", "Keeping children safe", "Looking after children well", "Schools", "Education",
    "SEND", "Workforce", "Budgets",
]
DEFAULT_DECIMALS = {"percent": 1, "rate_per_10k": 1, "days": 0, "count": 0, "gbp": 0, "score": 1}
TODAY = date(2026, 11, 23)  # when the sample was made: meetings and the embargo lie after it

# Plausible whole-authority ranges (a wrong unit or a runaway trend falls outside them).
RANGES = {
    "SEND-01": (40, 95), "SAFE-01": (75, 98), "CLA-01": (60, 110), "WF-01": (8, 28),
    "WF-03": (13, 23), "DEM-04": (250, 500), "SAFE-04": (25, 65), "SAFE-02": (100, 260),
    "DEM-03": (10, 35), "EDU-02": (45, 70), "EDU-01": (55, 75), "SCH-02": (10, 30),
    "EDU-04": (1, 8), "EDU-05": (2, 15), "CLA-05": (35, 75), "CLA-06": (70, 100),
    "CLA-07": (300, 650), "EDU-03": (40, 52),
}
UNIT_RANGES = {
    "percent": (0, 100), "rate_per_10k": (0, 1000), "days": (0, 1000), "score": (0, 100),
    "count": (0, 10_000), "gbp": (-10_000_000, 100_000_000),
}

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTER = re.compile(r"^(\d{4})/(\d{2}) Q([1-4])$")
YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (SAMPLE / name).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def indicators() -> dict[str, dict[str, str]]:
    return {row["code"]: row for row in read("indicators.csv")[1]}


@pytest.fixture(scope="module")
def observations() -> list[dict[str, str]]:
    return read("observations.csv")[1]


@pytest.fixture(scope="module")
def authority(observations: list[dict[str, str]]) -> dict[tuple[str, str], dict[str, str]]:
    return {(r["code"], r["period"]): r for r in observations if not r["area"]}


def decimals(indicator: dict[str, str]) -> int:
    return int(indicator["decimals"] or DEFAULT_DECIMALS[indicator["unit"]])


def period_ok(period: str, indicator: dict[str, str]) -> bool:
    pattern = {"monthly": MONTH, "quarterly": QUARTER, "annual": YEAR}[indicator["frequency"]]
    match = pattern.match(period)
    if not match:
        return False
    if indicator["frequency"] != "monthly":
        start, end = int(match.group(1)), int(match.group(2))
        return (start + 1) % 100 == end
    return True


# --- every file ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_every_file_has_exactly_the_data_format_columns(name: str) -> None:
    columns, rows = read(name)
    assert columns == COLUMNS[name]
    assert rows, f"{name} is empty"
    assert all(None not in row for row in rows), f"{name} has a row with extra cells"


def test_the_sample_is_small_and_utf8() -> None:
    files = sorted(SAMPLE.glob("*.csv"))
    assert {f.name for f in files} == set(COLUMNS)
    assert sum(f.stat().st_size for f in files) < 2_000_000
    for file in files:
        file.read_bytes().decode("utf-8")
    assert (SAMPLE / "README.md").exists()


def test_the_csvs_are_what_the_generator_writes(tmp_path: Path) -> None:
    """Nobody edited a CSV by hand, and the generator is deterministic."""
    subprocess.run(
        [sys.executable, str(SAMPLE / "generate.py"), str(tmp_path)], check=True, timeout=120
    )
    for name in COLUMNS:
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


# --- indicators -----------------------------------------------------------------------------


def test_indicator_codes_are_unique_and_well_formed() -> None:
    rows = read("indicators.csv")[1]
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes))
    assert 30 <= len(codes) <= 40
    assert all(re.fullmatch(r"(DEM|SAFE|CLA|SCH|EDU|SEND|WF|BUD)-\d{2}", c) for c in codes)


def test_the_eight_clusters_come_in_order(indicators: dict[str, dict[str, str]]) -> None:
    first_seen = list(dict.fromkeys(row["cluster"] for row in indicators.values()))
    assert first_seen == CLUSTERS


def test_indicator_fields_take_allowed_values(indicators: dict[str, dict[str, str]]) -> None:
    for code, row in indicators.items():
        assert row["title"] and row["definition"] and row["source"] and row["service_area"], code
        assert row["polarity"] in {"high", "low", "none"}, code
        assert row["unit"] in DEFAULT_DECIMALS, code
        assert row["frequency"] in {"monthly", "quarterly", "annual"}, code
        assert row["year_basis"] in {"financial", "academic", "calendar"}, code
        assert row["ytd"] in {"sum", "ratio", "mean", "latest", "none"}, code
        assert row["dot_basis"] in {"", "previous_period", "previous_year"}, code
        assert row["decimals"] in {"", "0", "1", "2", "3"}, code
        assert row["active"] in {"true", "false"}, code
        if row["ytd"] == "ratio":
            assert row["unit"] == "percent", code
        if row["frequency"] == "annual":
            assert row["ytd"] == "none", code
        if row["year_basis"] == "academic":
            assert row["frequency"] == "annual", code
    counts = Counter(row["polarity"] for row in indicators.values())
    assert 1 <= counts["none"] <= 3
    assert [c for c, r in indicators.items() if r["active"] == "false"] == ["DEM-05"]
    assert Counter(r["frequency"] for r in indicators.values()).keys() == {
        "monthly", "quarterly", "annual",
    }


def test_aliases_are_unique_across_the_catalogue(indicators: dict[str, dict[str, str]]) -> None:
    aliases = [
        alias.strip().lower()
        for row in indicators.values()
        for alias in row["aliases"].split(";")
        if alias.strip()
    ]
    assert [a for a, n in Counter(aliases).items() if n > 1] == []
    assert "ehcp 20 weeks" in aliases and "send timeliness" in aliases


def test_the_catalogue_covers_what_members_ask_about(
    indicators: dict[str, dict[str, str]],
) -> None:
    text = " ".join((r["title"] + " " + r["aliases"]).lower() for r in indicators.values())
    for needle in [
        "contacts", "re-referrals", "45 working days", "children in need", "child protection plan",
        "two years or more", "second or subsequent", "15 working days", "section 47",
        "children looked after", "three or more placements", "same placement", "health",
        "care leavers", "suitable accommodation", "20 weeks", "ehc plan", "neet",
        "not known", "key stage 2", "good level of development", "persistently absent",
        "suspensions", "good or outstanding", "vacancy", "agency", "caseload", "turnover",
        "against budget", "placements",
    ]:
        assert needle in text, needle


# --- observations ---------------------------------------------------------------------------


def test_observations_name_known_codes_and_periods(
    indicators: dict[str, dict[str, str]], observations: list[dict[str, str]]
) -> None:
    keys = Counter((r["code"], r["period"], r["area"]) for r in observations)
    assert [k for k, n in keys.items() if n > 1] == []
    for row in observations:
        assert row["code"] in indicators, row
        assert period_ok(row["period"], indicators[row["code"]]), row
        assert row["status"] in {"", "final", "provisional", "suppressed"}, row


def test_values_agree_with_numerator_and_denominator(
    indicators: dict[str, dict[str, str]], observations: list[dict[str, str]]
) -> None:
    checked = 0
    for row in observations:
        if not row["numerator"]:
            continue
        indicator = indicators[row["code"]]
        scale = {"percent": 100, "rate_per_10k": 10_000}[indicator["unit"]]
        num, den = Decimal(row["numerator"]), Decimal(row["denominator"])
        assert 0 <= num <= den or indicator["unit"] == "rate_per_10k", row
        half = Decimal(5).scaleb(-decimals(indicator) - 1)
        assert abs(Decimal(row["value"]) - scale * num / den) < half, row
        assert len(row["value"].split(".")[-1]) == decimals(indicator) or "." not in row["value"]
        checked += 1
    assert checked > 1000


def test_whole_authority_series_cover_the_years(
    indicators: dict[str, dict[str, str]], authority: dict[tuple[str, str], dict[str, str]]
) -> None:
    for code, row in indicators.items():
        periods = {p for c, p in authority if c == code}
        if row["active"] == "false":
            assert periods, code
        elif row["frequency"] == "monthly":
            assert {"2022-04", "2024-09", "2026-10"} <= periods and len(periods) == 55, code
        elif row["frequency"] == "quarterly":
            assert {"2022/23 Q1", "2024/25 Q2", "2026/27 Q2"} <= periods, code
            assert len(periods) == 18, code
        elif row["year_basis"] == "academic":
            assert {"2021/22", "2022/23", "2023/24", "2024/25"} <= periods, code
        else:
            assert {"2021/22", "2022/23", "2023/24", "2024/25", "2025/26"} <= periods, code


def test_values_are_plausible(
    indicators: dict[str, dict[str, str]], authority: dict[tuple[str, str], dict[str, str]]
) -> None:
    for (code, period), row in authority.items():
        if row["status"] == "suppressed":
            continue
        value = float(row["value"])
        low, high = UNIT_RANGES[indicators[code]["unit"]]
        assert low <= value <= high, (code, period, value)
        if code in RANGES:
            low, high = RANGES[code]
            assert low <= value <= high, (code, period, value)


def test_statuses_and_the_one_embargo(
    observations: list[dict[str, str]], authority: dict[tuple[str, str], dict[str, str]]
) -> None:
    statuses = Counter(r["status"] or "final" for r in authority.values())
    assert statuses["suppressed"] == 1
    assert 3 <= statuses["provisional"] <= 20
    suppressed = next(r for r in observations if r["status"] == "suppressed")
    assert suppressed["value"] == suppressed["numerator"] == suppressed["denominator"] == ""
    assert all(r["value"] for r in observations if r["status"] != "suppressed")
    for row in observations:
        if row["status"] == "provisional" and not row["area"]:
            assert row["period"] >= "2026-09", row
    embargoed = [r for r in observations if r["embargo_until"]]
    assert len(embargoed) == 1
    row = embargoed[0]
    assert datetime.fromisoformat(row["embargo_until"]).date() > TODAY
    newest = max(p for c, p in authority if c == row["code"])
    assert row["period"] == newest and not row["area"]


def test_ward_figures_need_disclosure_control(observations: list[dict[str, str]]) -> None:
    wards = [r for r in observations if r["area"]]
    names = {r["area"] for r in wards}
    assert 4 <= len(names) <= 6
    assert "Birkenhead" not in names
    assert 3 <= len({r["code"] for r in wards}) <= 4
    small_counts = [r for r in wards if not r["numerator"] and float(r["value"]) < 5]
    small_bases = [r for r in wards if r["numerator"] and float(r["numerator"]) < 5]
    assert small_counts and small_bases


# --- targets --------------------------------------------------------------------------------


def test_targets_are_on_the_right_side_of_their_threshold(
    indicators: dict[str, dict[str, str]],
) -> None:
    rows = read("targets.csv")[1]
    assert len({(r["code"], r["year"]) for r in rows}) == len(rows)
    for row in rows:
        indicator = indicators[row["code"]]
        assert indicator["polarity"] != "none", row
        assert YEAR.match(row["year"]), row
        target, amber = Decimal(row["target"]), Decimal(row["amber_threshold"])
        if indicator["polarity"] == "high":
            assert amber <= target, row
        else:
            assert amber >= target, row


def test_every_rated_indicator_has_targets_but_one_lacks_2026_27(
    indicators: dict[str, dict[str, str]],
) -> None:
    years: dict[str, set[str]] = {}
    for row in read("targets.csv")[1]:
        years.setdefault(row["code"], set()).add(row["year"])
    rated = {c for c, r in indicators.items() if r["polarity"] != "none" and r["active"] == "true"}
    assert set(years) == rated
    financial = {"2022/23", "2023/24", "2024/25", "2025/26", "2026/27"}
    academic = {"2022/23", "2023/24", "2024/25", "2025/26"}
    missing = []
    for code in rated:
        expected = academic if indicators[code]["year_basis"] == "academic" else financial
        if years[code] != expected:
            assert years[code] == expected - {"2026/27"}, code
            missing.append(code)
    assert len(missing) == 1


def test_the_2024_25_q2_scorecard_has_a_spread(
    indicators: dict[str, dict[str, str]], authority: dict[tuple[str, str], dict[str, str]]
) -> None:
    targets = {(r["code"], r["year"]): r for r in read("targets.csv")[1]}
    shown = {"monthly": ("2024-09", "2024-08"), "quarterly": ("2024/25 Q2", "2024/25 Q1"),
             "annual": ("2023/24", "2022/23")}
    rags: Counter[str] = Counter()
    dots: Counter[str] = Counter()
    for code, row in indicators.items():
        if row["active"] == "false" or row["polarity"] == "none":
            continue
        period, before = shown[row["frequency"]]
        year = "2023/24" if row["frequency"] == "annual" else "2024/25"
        value = Decimal(authority[(code, period)]["value"])
        previous = Decimal(authority[(code, before)]["value"])
        target = targets[(code, year)]
        good, amber = Decimal(target["target"]), Decimal(target["amber_threshold"])
        sign = 1 if row["polarity"] == "high" else -1
        if sign * value >= sign * good:
            rags["green"] += 1
        elif sign * value >= sign * amber:
            rags["amber"] += 1
        else:
            rags["red"] += 1
        if value != previous:
            dots["improved" if sign * value > sign * previous else "declined"] += 1
    assert min(rags["green"], rags["amber"], rags["red"]) >= 6, rags
    assert min(dots["improved"], dots["declined"]) >= 6, dots


# --- benchmarks -----------------------------------------------------------------------------


def test_benchmarks_match_their_indicators(
    indicators: dict[str, dict[str, str]], authority: dict[tuple[str, str], dict[str, str]]
) -> None:
    rows = read("benchmarks.csv")[1]
    assert len({(r["code"], r["period"], r["comparator"]) for r in rows}) == len(rows)
    with_ours = 0
    for row in rows:
        indicator = indicators[row["code"]]
        assert row["comparator"] in {"statistical_neighbours", "england", "region"}, row
        assert period_ok(row["period"], indicator), row
        float(row["value"])
        with_ours += (row["code"], row["period"]) in authority
    assert with_ours == len(rows)
    comparators = {(r["code"], r["comparator"]) for r in rows}
    rated = [c for c, r in indicators.items() if r["active"] == "true"]
    assert sum((c, "england") in comparators for c in rated) > len(rated) / 2
    assert all((c, "statistical_neighbours") in comparators for c, _ in comparators)
    assert any(comparator == "region" for _, comparator in comparators)


# --- glossary, meetings, roles --------------------------------------------------------------


def test_glossary_explains_the_scorecard_terms() -> None:
    terms = {row["term"] for row in read("glossary.csv")[1]}
    for term in [
        "RAG", "DOT", "YTD", "SN", "CIN", "CP", "CPP", "CLA", "LAC", "ICPC", "S47", "EHCP",
        "SEND", "NEET", "EET", "GLD", "EYFS", "KS2", "RWM", "SW", "Q1", "Q2", "Q3", "Q4",
        "Tolerance", "Amber threshold",
    ]:
        assert term in terms, term
    assert all(row["definition"] for row in read("glossary.csv")[1])


def test_meetings_have_two_known_focus_clusters_and_a_deadline() -> None:
    rows = read("meetings.csv")[1]
    dates = []
    for row in rows:
        day, deadline = date.fromisoformat(row["date"]), date.fromisoformat(row["agenda_deadline"])
        clusters = row["focus_clusters"].split(";")
        assert len(clusters) == 2 and set(clusters) <= set(CLUSTERS), row
        assert 7 <= (day - deadline).days <= 14, row
        assert deadline.weekday() < 5 and day.weekday() < 5, row
        dates.append(day)
    assert dates == sorted(dates)
    assert sum(day > TODAY for day in dates) >= 2
    assert all(date(2026, 4, 1) <= day <= date(2027, 4, 30) for day in dates)


def test_roles_cover_every_role(indicators: dict[str, dict[str, str]]) -> None:
    rows = read("roles.csv")[1]
    roles = Counter(row["role"] for row in rows)
    assert set(roles) == {
        "member", "governance_advisor", "service_officer", "performance_officer",
        "board_approver", "admin",
    }
    assert roles["member"] >= 2 and roles["board_approver"] >= 2 and roles["service_officer"] >= 2
    assert len({row["user"] for row in rows}) == len(rows)
    areas = {row["service_area"] for row in indicators.values()}
    for row in rows:
        assert re.fullmatch(r"U0DEMO[A-Z0-9]{5}", row["user"]), row
        if row["role"] == "service_officer":
            assert row["service_area"] in areas, row
        else:
            assert row["service_area"] == "", row


# --- the real loader ------------------------------------------------------------------------


def test_the_loader_accepts_the_sample(tmp_path: Path) -> None:
    try:
        load = importlib.import_module("data.load")
        db = importlib.import_module("data.db")
    except ImportError:
        pytest.skip("data.load is not written yet")
    if not hasattr(load, "load_path"):
        pytest.skip("data.load.load_path is not written yet")
    engine = db.make_engine(f"sqlite:///{tmp_path / 'kpibot.db'}")
    report = load.load_path(engine, SAMPLE)
    assert report.rows > 3000, report.summary()
    again = load.load_path(engine, SAMPLE)  # loading the same files twice changes nothing
    assert sum(c.new + c.revised for c in again.counts.values()) == 0, again.summary()
