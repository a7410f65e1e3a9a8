"""Write the sample council's CSV files (data/sample/*.csv). Deterministic: run it again, get the same bytes.

    .venv/bin/python data/sample/generate.py [OUTPUT_FOLDER]   # default: beside this script

Brackenford Borough Council is fictional. Its figures are invented from the series models in
catalogue.py with a fixed random seed; the targets are set so that the 2024/25 Q2 scorecard
shows a spread of green, amber and red. Benchmarks are illustrative except the few England
figures README.md names.
"""

from __future__ import annotations

import csv
import sys
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np

from data.sample.catalogue import CLUSTERS, COLUMNS, INDICATORS, MODELS

HERE = Path(__file__).resolve().parent
SEED = 20240930

DEFAULT_DECIMALS = {"percent": 1, "rate_per_10k": 1, "days": 0, "count": 0, "gbp": 0, "score": 1}

# Children aged 0-17 in the borough (ONS mid-year estimates, invented), by financial year start.
POPULATION = {2022: 62_150, 2023: 62_480, 2024: 62_730, 2025: 62_910, 2026: 63_040}

# Wards: name, children aged 0-17, how much more (or less) need than the borough average.
WARDS = [
    ("Brackenford Central", 4_120, 1.65),
    ("Hollins Green", 2_610, 0.40),
    ("Marsh End", 3_340, 1.30),
    ("Tanners Wharf", 2_880, 0.90),
    ("Kestrel Rise", 2_390, 0.55),
]
WARD_CODES = ["DEM-02", "DEM-04", "SAFE-04", "CLA-01"]

FIRST_MONTH = (2022, 4)
LAST_MONTH = (2026, 10)
LAST_QUARTER = (2026, 2)  # 2026/27 Q2
FIN_YEARS = range(2021, 2026)  # annual financial figures 2021/22 .. 2025/26
ACAD_YEARS = range(2021, 2025)  # annual academic results 2021/22 .. 2024/25
TARGET_FIN_YEARS = range(2022, 2027)  # targets 2022/23 .. 2026/27
TARGET_ACAD_YEARS = range(2022, 2026)  # targets 2022/23 .. 2025/26
NO_TARGET_2026 = "WF-05"  # targets reviewed in Q3/Q4: its 2026/27 target is not yet agreed

# Targets set by hand rather than from the 2024/25 Q2 figure: start year -> (target, amber).
FIXED_TARGETS: dict[str, dict[int, tuple[float, float]]] = {
    # A balanced budget, with up to GBP 1m overspend tolerated.
    "BUD-01": {y: (0, 1_000_000) for y in TARGET_FIN_YEARS},
    # The NEET and "not known" peaks each September are expected: targets are for the year.
    "EDU-04": {2022: (3.5, 4.0), 2023: (3.3, 3.8), 2024: (3.0, 3.5), 2025: (3.0, 3.5),
               2026: (2.8, 3.3)},
    "EDU-05": {2022: (6.0, 7.0), 2023: (5.5, 6.5), 2024: (5.0, 6.0), 2025: (5.0, 6.0),
               2026: (4.5, 5.5)},
}
# Targets that move with rising budgets (not "better" each year): the yearly step is upward.
RISING_TARGETS = {"BUD-02", "BUD-03"}
# Step between nice target values, and the width of the amber band, by indicator.
STEPS: dict[str, tuple[float, float]] = {
    "DEM-04": (5, 20), "SAFE-02": (5, 15), "SAFE-04": (1, 4), "CLA-01": (1, 5),
    "SAFE-05": (0.5, 2), "CLA-02": (0.5, 2), "EDU-04": (0.1, 0.5), "SCH-03": (0.25, 1),
    "SCH-02": (0.5, 2), "CLA-07": (10, 50), "SCH-04": (1, 5), "EDU-03": (0.5, 1.5),
    "WF-03": (0.5, 2), "WF-05": (0.5, 1.5), "BUD-02": (500_000, 2_000_000),
    "BUD-03": (500_000, 1_500_000),
}

OBS_COLUMNS = ["code", "period", "value", "numerator", "denominator", "area", "status",
               "embargo_until"]
EMBARGO = ("BUD-03", "2026/27 Q2", "2027-01-15T09:30:00")
SUPPRESSED = ("CLA-04", "2023-11")
# Monthly figures not yet final: the latest month of the social care returns, two of SEND.
PROVISIONAL_CLUSTERS = {"Keeping children safe", "Looking after children well"}
PROVISIONAL_EXTRA = {("SEND-01", "2026-09"), ("SEND-01", "2026-10")}

# Benchmarks (illustrative unless README.md names them): England by year start, with the
# statistical neighbours' and (where given) the region's offsets from England.
BENCHMARKS: dict[str, tuple[dict[int, float], float, float | None]] = {
    "DEM-03": ({2022: 21.6, 2023: 22.3, 2024: 22.1}, 1.4, 0.6),
    "DEM-04": ({2022: 339.0, 2023: 331.5, 2024: 330.0}, 28.0, 12.0),
    "SAFE-01": ({2022: 83.5, 2023: 82.9, 2024: 84.1}, 3.2, None),
    "SAFE-02": ({2022: 189.0, 2023: 186.5, 2024: 189.5}, 16.0, 8.0),
    "SAFE-03": ({2022: 78.0, 2023: 78.6, 2024: 79.4}, 2.1, None),
    "SAFE-04": ({2022: 43.2, 2023: 41.8, 2024: 41.0}, 5.6, 3.1),
    "SAFE-05": ({2022: 3.9, 2023: 3.8, 2024: 4.3}, -0.3, None),
    "SAFE-06": ({2022: 23.3, 2023: 23.6, 2024: 24.0}, 0.8, None),
    "CLA-01": ({2022: 70.0, 2023: 69.5, 2024: 67.5}, 21.0, 14.0),
    "CLA-02": ({2022: 10.2, 2023: 10.4, 2024: 10.1}, 0.4, None),
    "CLA-03": ({2022: 70.0, 2023: 69.0, 2024: 68.5}, -1.5, None),
    "CLA-04": ({2022: 89.0, 2023: 89.5, 2024: 90.0}, -0.8, 0.4),
    "CLA-05": ({2022: 55.5, 2023: 56.0, 2024: 57.0}, -2.0, None),
    "CLA-06": ({2022: 88.0, 2023: 88.5, 2024: 89.5}, -1.0, None),
    "CLA-07": ({2021: 367.0, 2022: 395.0, 2023: 410.0}, 22.0, None),
    "SCH-01": ({2022: 88.5, 2023: 89.5, 2024: 90.0}, -1.5, -0.5),
    "SCH-02": ({2021: 22.5, 2022: 21.2, 2023: 20.0}, 0.9, 0.5),
    "SCH-03": ({2021: 6.91, 2022: 9.33, 2023: 10.98}, 1.25, None),
    "EDU-01": ({2021: 65.2, 2022: 67.2, 2023: 67.7, 2024: 68.3}, -1.1, -0.6),
    "EDU-02": ({2021: 59.0, 2022: 60.0, 2023: 61.0, 2024: 62.0}, -1.0, -1.0),
    "EDU-03": ({2021: 48.8, 2022: 46.3, 2023: 45.9, 2024: 46.0}, -1.2, None),
    "EDU-04": ({2022: 2.9, 2023: 3.0, 2024: 3.1}, 0.4, None),
    "EDU-05": ({2022: 5.2, 2023: 5.4, 2024: 5.5}, 0.6, None),
    "SEND-01": ({2022: 49.0, 2023: 50.0, 2024: 46.5}, 3.5, 2.0),
    "WF-01": ({2022: 20.0, 2023: 19.0, 2024: 17.5, 2025: 14.5}, 1.5, 0.8),
    "WF-02": ({2022: 17.5, 2023: 18.0, 2024: 16.0, 2025: 13.0}, 1.2, None),
    "WF-03": ({2022: 16.5, 2023: 16.0, 2024: 15.5, 2025: 15.0}, 0.6, None),
    "WF-04": ({2022: 17.0, 2023: 16.0, 2024: 14.0, 2025: 12.0}, 0.9, None),
}
# The workforce census is taken on 30 September: its benchmarks belong to September.
SEPTEMBER_BENCHMARKS = {"WF-01", "WF-02", "WF-03", "WF-04"}


# --- periods --------------------------------------------------------------------------------


def year_label(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def months() -> list[tuple[int, int]]:
    out = []
    year, month = FIRST_MONTH
    while (year, month) <= LAST_MONTH:
        out.append((year, month))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return out


def month_label(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def quarters() -> list[tuple[int, int]]:
    return [(y, q) for y in range(2022, 2027) for q in range(1, 5) if (y, q) <= LAST_QUARTER]


def quarter_label(start: int, quarter: int) -> str:
    return f"{year_label(start)} Q{quarter}"


def fin_start(year: int, month: int) -> int:
    return year if month >= 4 else year - 1


# --- numbers --------------------------------------------------------------------------------


def decimals_of(ind: dict[str, str]) -> int:
    return int(ind["decimals"]) if ind["decimals"] else DEFAULT_DECIMALS[ind["unit"]]


def quantize(value: Decimal | float, places: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def show(value: Decimal | float, places: int) -> str:
    return f"{quantize(value, places):f}"


def ratio(num: int, den: int, scale: int, places: int) -> tuple[int, Decimal]:
    """scale*num/den rounded; the denominator is nudged off an exact half so no check can argue."""
    while True:
        exact = Decimal(scale) * num / Decimal(den)
        shown = quantize(exact, places)
        if abs(exact - shown) != Decimal(5).scaleb(-places - 1):
            return den, shown
        den += 1


class Series:
    """One indicator's underlying level over time: start + trend*t, seasonal shape, AR(1) noise."""

    def __init__(self, code: str, rng: np.random.Generator) -> None:
        self.code = code
        self.model = MODELS[code]
        self.rng = rng
        self.noise = 0.0

    def level(self, t: float, month: int | None = None) -> float:
        m = self.model
        base = float(m["start"]) + float(m["trend"]) * t
        season = float(m.get("season", 0))
        if season and month is not None:
            if self.code.startswith("EDU-"):  # NEET / not known peak each autumn
                base += season * {9: 10, 10: 5, 11: 1.5}.get(month, 0)
            else:  # contacts and referrals dip in the summer holiday and at Christmas
                base *= 1 + season * {8: -1.0, 12: -0.5, 10: 0.3, 11: 0.3, 3: 0.3}.get(month, 0)
        self.noise = 0.55 * self.noise + float(self.rng.normal(0, float(m["noise"])))
        return min(max(base + self.noise, float(m["lo"])), float(m["hi"]))


# --- observations -----------------------------------------------------------------------


def observation(
    ind: dict[str, str], period: str, level: float, rng: np.random.Generator, fy: int
) -> dict[str, str]:
    code, unit, places = ind["code"], ind["unit"], decimals_of(ind)
    row = {c: "" for c in OBS_COLUMNS}
    row["code"], row["period"] = code, period
    den_size = MODELS[code].get("den")
    if unit == "percent" and den_size:
        den = max(3, round(float(den_size) * (1 + float(rng.normal(0, 0.06)))))
        num = min(den, max(0, round(den * level / 100)))
        den, value = ratio(num, den, 100, places)
        row.update(value=f"{value:f}", numerator=str(num), denominator=str(den))
    elif unit == "rate_per_10k":
        den = POPULATION[min(max(fy, 2022), 2026)]
        num = round(den * level / 10_000)
        den, value = ratio(num, den, 10_000, places)
        row.update(value=f"{value:f}", numerator=str(num), denominator=str(den))
    elif unit == "gbp":  # finance reports to the nearest thousand pounds
        row["value"] = show(round(level, -3), places)
    else:
        row["value"] = show(level, places)
    return row


def authority_observations(rng: np.random.Generator) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for ind in INDICATORS:
        code, freq = ind["code"], ind["frequency"]
        series = Series(code, rng)
        if freq == "monthly":
            for year, month in months():
                if ind["active"] == "false" and (year, month) > (2023, 3):
                    break
                t = (year - 2022) + (month - 4) / 12
                level = series.level(t, month)
                rows.append(
                    observation(ind, month_label(year, month), level, rng, fin_start(year, month))
                )
        elif freq == "quarterly":
            for start, q in quarters():
                t = (start - 2022) + (q * 3 - 1) / 12
                rows.append(observation(ind, quarter_label(start, q), series.level(t), rng, start))
        else:
            years = ACAD_YEARS if ind["year_basis"] == "academic" else FIN_YEARS
            for start in years:
                t = start - 2022 + 0.5
                rows.append(observation(ind, year_label(start), series.level(t), rng, start))
    by_key = {(r["code"], r["period"]): r for r in rows}
    cluster = {i["code"]: i["cluster"] for i in INDICATORS}
    for row in rows:
        latest = row["period"] == month_label(*LAST_MONTH)
        if (latest and cluster[row["code"]] in PROVISIONAL_CLUSTERS) or (
            (row["code"], row["period"]) in PROVISIONAL_EXTRA
        ):
            row["status"] = "provisional"
    suppressed = by_key[SUPPRESSED]
    suppressed.update(value="", numerator="", denominator="", status="suppressed")
    by_key[EMBARGO[:2]]["embargo_until"] = EMBARGO[2]
    return rows


def ward_observations(
    rng: np.random.Generator, authority: list[dict[str, str]]
) -> list[dict[str, str]]:
    """Ward figures follow the borough's, scaled by each ward's children and need."""
    values = {(r["code"], r["period"]): r for r in authority}
    rows = []
    for code in WARD_CODES:
        for name, population, need in WARDS:
            drift = 0.0
            for year, month in months():
                period = month_label(year, month)
                whole = values[(code, period)]
                row = {c: "" for c in OBS_COLUMNS}
                row.update(code=code, period=period, area=name, status=whole["status"])
                if code == "DEM-02":  # a monthly flow: counts of a few children
                    expected = float(whole["value"]) * population / 62_500 * need
                    row["value"] = str(int(rng.poisson(expected)))
                else:  # a month-end stock: it moves slowly, so the ward's count drifts
                    drift = 0.8 * drift + float(rng.normal(0, 0.025))
                    rate = float(whole["value"]) * need * (1 + drift)
                    num = max(0, round(rate * population / 10_000))
                    den, value = ratio(num, population, 10_000, 1)
                    row.update(value=f"{value:f}", numerator=str(num), denominator=str(den))
                rows.append(row)
    return rows


# --- targets --------------------------------------------------------------------------------


def reference(ind: dict[str, str]) -> tuple[str, int]:
    """The period the 2024/25 Q2 scorecard shows, and the start year of its target year."""
    if ind["frequency"] == "monthly":
        return "2024-09", 2024
    if ind["frequency"] == "quarterly":
        return "2024/25 Q2", 2024
    return "2023/24", 2023  # the latest annual figure whose year ends by 30 September 2024


def snap(value: Decimal, step: Decimal, rounding: str) -> Decimal:
    return (value / step).quantize(Decimal(1), rounding=rounding) * step


def planned_target(
    value: Decimal, polarity: str, rag: str, step: Decimal, band: Decimal
) -> tuple[Decimal, Decimal]:
    """A nice (target, amber) pair that gives `value` the planned RAG."""
    if polarity == "high":
        floor = snap(value, step, ROUND_FLOOR)
        if rag == "green":
            return floor, floor - band
        if rag == "amber":
            target = floor + step
            return target, min(target - band, floor)
        amber = floor + step
        return amber + band, amber
    ceil = snap(value, step, ROUND_CEILING)
    if rag == "green":
        return ceil, ceil + band
    if rag == "amber":
        target = ceil - step
        return target, max(target + band, ceil)
    amber = ceil - step
    return amber - band, amber


def targets(authority: list[dict[str, str]]) -> list[dict[str, str]]:
    values = {(r["code"], r["period"]): r["value"] for r in authority}
    rows = []
    for ind in INDICATORS:
        code, polarity = ind["code"], ind["polarity"]
        if polarity == "none" or ind["active"] == "false":
            continue
        places = decimals_of(ind)
        years = TARGET_ACAD_YEARS if ind["year_basis"] == "academic" else TARGET_FIN_YEARS
        period, ref_year = reference(ind)
        pairs: dict[int, tuple[Decimal, Decimal]] = {}
        if code in FIXED_TARGETS:
            pairs = {y: (Decimal(t), Decimal(a)) for y, (t, a) in FIXED_TARGETS[code].items()}
        else:
            default_step = {"percent": (1, 3), "rate_per_10k": (1, 5), "days": (1, 5)}
            step, band = STEPS.get(code, default_step.get(ind["unit"], (1, 3)))
            dstep, dband = Decimal(str(step)), Decimal(str(band))
            value = Decimal(values[(code, period)])
            target, amber = planned_target(value, polarity, str(MODELS[code]["rag"]), dstep,
                                           dband)
            # Each later year asks one step more; earlier years asked one step less.
            better = dstep if polarity == "high" else -dstep
            if code in RISING_TARGETS:
                better = -better * 2
            for year in years:
                shift = better * (year - ref_year)
                t, a = target + shift, amber + shift
                if ind["unit"] == "percent":
                    t, a = min(t, Decimal(100)), min(a, Decimal(100))
                pairs[year] = (t, a)
        for year in years:
            if code == NO_TARGET_2026 and year == 2026:
                continue
            t, a = pairs[year]
            rows.append({"code": code, "year": year_label(year), "target": show(t, places),
                         "amber_threshold": show(a, places)})
    return rows


# --- benchmarks -----------------------------------------------------------------------------


def benchmark_period(ind: dict[str, str], start: int) -> str:
    if ind["frequency"] == "annual":
        return year_label(start)
    if ind["code"] in SEPTEMBER_BENCHMARKS:
        return month_label(start, 9) if ind["frequency"] == "monthly" else quarter_label(start, 2)
    return month_label(start + 1, 3) if ind["frequency"] == "monthly" else quarter_label(start, 4)


def benchmarks() -> list[dict[str, str]]:
    rows = []
    for ind in INDICATORS:
        if ind["code"] not in BENCHMARKS:
            continue
        england, sn, region = BENCHMARKS[ind["code"]]
        places = decimals_of(ind)
        for start, value in england.items():
            period = benchmark_period(ind, start)
            found = [("statistical_neighbours", value + sn), ("england", value)]
            if region is not None:
                found.append(("region", value + region))
            for comparator, figure in found:
                rows.append({"code": ind["code"], "period": period, "comparator": comparator,
                             "value": show(figure, places)})
    return rows


# --- other councils (peers) ------------------------------------------------------------------

# Fictional councils for ranks and quartile bands; the first ten are Brackenford's statistical
# neighbours. Each sits a fixed distance from England's figure (its "offset", in standard
# deviations of the spread between councils), so its rank is steady from year to year.
PEER_COUNCILS = [
    "Ashcombe", "Barrowfield", "Carnford", "Dunmere", "Elmstead", "Fallowby", "Glenbury",
    "Hartwell", "Ironbridge Vale", "Jessop",
    "Kingsmere", "Lowther", "Millbrook", "Northcote", "Oakhaven", "Pendleford", "Queensbury",
    "Redmarsh", "Saltholme", "Thornbury", "Upperton", "Westmoor", "Yarrowdale", "Zennor Bay",
]
STATISTICAL_NEIGHBOURS = 10
PEER_SEED = 20241001
# Spread between councils, as a fraction of England's figure.
PEER_SPREAD = 0.12


def peers(authority: list[dict[str, str]]) -> list[dict[str, str]]:
    """Every peer council's figure at each period with a benchmark (the periods DfE publishes).

    A separate random stream (PEER_SEED), so adding peers changed none of the other files.
    Brackenford's own figure is copied into one council's place ("Jessop" ties with it on
    CLA-01), so the demo shows a joint rank.
    """
    rng = np.random.default_rng(PEER_SEED)
    offsets = rng.normal(0.0, 1.0, len(PEER_COUNCILS))
    ours = {(row["code"], row["period"]): row["value"] for row in authority if not row["area"]}
    rows = []
    for ind in INDICATORS:
        if ind["code"] not in BENCHMARKS:
            continue
        england, _sn, _region = BENCHMARKS[ind["code"]]
        model = MODELS[ind["code"]]
        places = decimals_of(ind)
        for start, value in england.items():
            period = benchmark_period(ind, start)
            noise = rng.normal(0.0, 0.3, len(PEER_COUNCILS))
            for n, council in enumerate(PEER_COUNCILS):
                if ind["unit"] == "count":
                    # A count is about a council's size: between a third and twice ours.
                    base = float(ours.get((ind["code"], period)) or value)
                    figure = base * (0.35 + 1.6 * ((offsets[n] + 3) / 6))
                else:
                    figure = value * (1 + PEER_SPREAD * (offsets[n] + noise[n]))
                    figure = min(max(figure, float(model["lo"])), float(model["hi"]))
                shown = show(figure, places)
                if ind["code"] == "CLA-01" and council == "Jessop" and (ind["code"], period) in ours:
                    shown = ours[(ind["code"], period)]
                rows.append({
                    "code": ind["code"], "period": period, "council": council, "value": shown,
                    "statistical_neighbour": "true" if n < STATISTICAL_NEIGHBOURS else "false",
                })
    return rows


# --- the smaller files ----------------------------------------------------------------------

GLOSSARY = [
    ("RAG", "Red, Amber, Green: how a figure compares with its target. Green meets the target; "
     "amber misses it but is within the tolerance (the amber threshold); red is outside it."),
    ("DOT", "Direction of travel: whether performance improved, declined or stayed the same "
     "since the previous period (or the same period last year for annual figures). The arrow "
     "shows performance, not whether the number went up or down."),
    ("YTD", "Year to date: the financial year so far (from April), combined the way that suits "
     "the measure: added up, worked out from the year's totals, averaged, or the latest figure."),
    ("SN", "Statistical neighbours: the ten councils most like ours in their population and "
     "deprivation, as chosen by the Department for Education. We compare with their average."),
    ("Statistical neighbours", "See SN: the ten councils most like ours, used for comparison."),
    ("CIN", "Child in need: a child the council's children's social care is supporting under "
     "section 17 of the Children Act 1989, including children on a protection plan and "
     "children in care."),
    ("CP", "Child protection: the work done when a child is suffering, or likely to suffer, "
     "significant harm."),
    ("CPP", "Child protection plan: the plan agreed at a child protection conference to keep a "
     "child safe; it is reviewed regularly until it is no longer needed."),
    ("CLA", "Child looked after: a child in the council's care, living with foster carers, in a "
     "children's home or elsewhere. Also called a child in care."),
    ("LAC", "Looked after child: the older name for CLA (a child in the council's care)."),
    ("ICPC", "Initial child protection conference: the first meeting of professionals and the "
     "family to decide whether a child needs a child protection plan. It should be held within "
     "15 working days of the strategy discussion."),
    ("S47", "Section 47 enquiry: the investigation children's social care must make, under "
     "section 47 of the Children Act 1989, when it suspects a child is suffering or likely to "
     "suffer significant harm."),
    ("EHCP", "Education, health and care plan: a legal document describing a child's or young "
     "person's special educational needs and the support they must receive. A new plan should "
     "be issued within 20 weeks of the request for assessment."),
    ("SEND", "Special educational needs and disabilities."),
    ("NEET", "Not in education, employment or training: young people aged 16-17 who are not in "
     "any of these."),
    ("EET", "In education, employment or training: used for care leavers aged 19-21."),
    ("GLD", "Good level of development: a child at the end of Reception who has reached the "
     "expected level in the main areas of learning of the Early Years Foundation Stage."),
    ("EYFS", "Early Years Foundation Stage: learning and development from birth to the end of "
     "the Reception year."),
    ("KS2", "Key Stage 2: school years 3 to 6 (ages 7 to 11), ending with the Year 6 national "
     "tests (SATs)."),
    ("RWM", "Reading, writing and maths: the combined Key Stage 2 measure; a pupil must reach "
     "the expected standard in all three."),
    ("SW", "Social worker."),
    ("MASH", "Multi-Agency Safeguarding Hub: our Children's Front Door, where contacts about "
     "children are received and decided upon."),
    ("DSG", "Dedicated Schools Grant: government money for schools and for children with high "
     "needs, kept separate from the council's own budget."),
    ("Q1", "Quarter 1 of the financial year: April to June."),
    ("Q2", "Quarter 2 of the financial year: July to September."),
    ("Q3", "Quarter 3 of the financial year: October to December."),
    ("Q4", "Quarter 4 of the financial year: January to March."),
    ("Financial year", "April to March, written 2024/25."),
    ("Academic year", "September to August, written 2023/24; used for school results, absence "
     "and exclusions."),
    ("Target", "The level of performance the council aims for in the year, agreed each year "
     "during Q3 and Q4."),
    ("Tolerance", "The band around a target within which a figure is amber rather than red. "
     "Its edge is the amber threshold."),
    ("Amber threshold", "The edge of the tolerance band: beyond it a figure is red. For example, "
     "with a target of 90% and an amber threshold of 84%, 86% is amber and 83.9% is red."),
    ("Polarity", "Which way is good for a measure: high, low, or neither (a demand measure "
     "shown for context, with no target)."),
    ("Rate per 10,000", "The number of children per 10,000 children aged under 18 living in the "
     "borough, so areas of different sizes can be compared."),
    ("Provisional", "A figure that may still change once the data are checked or the national "
     "return is finalised."),
    ("c", "Confidential: a ward percentage or rate based on fewer than 5 children is not shown, "
     "so that no child can be identified. Counts below 5 are shown as <5."),
    ("Benchmark", "A comparison with statistical neighbours, the region or England, labelled "
     "with the period it is for; national figures are usually a year behind ours."),
]

MEETINGS = [
    ("2026-07-07", "Demand;Workforce", "2026-06-26"),
    ("2026-09-22", "Keeping children safe;Looking after children well", "2026-09-11"),
    ("2026-12-08", "SEND;Budgets", "2026-11-27"),
    ("2027-01-26", "Schools;Education", "2027-01-15"),
    ("2027-03-16", "Demand;Keeping children safe", "2027-03-05"),
    ("2027-04-27", "Looking after children well;Workforce", "2027-04-16"),
]
COMMITTEE = "Children and Young People Scrutiny Commission"

ROLES = [
    ("U0DEMOMEMB1", "member", ""),
    ("U0DEMOMEMB2", "member", ""),
    ("U0DEMOGOV01", "governance_advisor", ""),
    ("U0DEMOSVC01", "service_officer", "SEND"),
    ("U0DEMOSVC02", "service_officer", "Children's social care"),
    ("U0DEMOSVC03", "service_officer", "Education"),
    ("U0DEMOPERF1", "performance_officer", ""),
    ("U0DEMOBRD01", "board_approver", ""),
    ("U0DEMOBRD02", "board_approver", ""),
    ("U0DEMOADMIN", "admin", ""),
]


def write_csv(folder: Path, name: str, columns: list[str], rows: list[dict[str, str]]) -> None:
    with (folder / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(folder: Path = HERE) -> None:
    assert [i["cluster"] for i in INDICATORS if i["cluster"] not in CLUSTERS] == []
    rng = np.random.default_rng(SEED)
    authority = authority_observations(rng)
    wards = ward_observations(rng, authority)
    write_csv(folder, "indicators.csv", COLUMNS, INDICATORS)
    write_csv(folder, "observations.csv", OBS_COLUMNS, authority + wards)
    write_csv(folder, "targets.csv", ["code", "year", "target", "amber_threshold"], targets(authority))
    write_csv(folder, "benchmarks.csv", ["code", "period", "comparator", "value"], benchmarks())
    write_csv(folder, "peers.csv", ["code", "period", "council", "value", "statistical_neighbour"],
              peers(authority))
    write_csv(folder, "glossary.csv", ["term", "definition"],
              [{"term": t, "definition": d} for t, d in GLOSSARY])
    write_csv(folder, "meetings.csv", ["committee", "date", "focus_clusters", "agenda_deadline"],
              [{"committee": COMMITTEE, "date": d, "focus_clusters": f, "agenda_deadline": a}
               for d, f, a in MEETINGS])
    write_csv(folder, "roles.csv", ["user", "role", "service_area"],
              [{"user": u, "role": r, "service_area": s} for u, r, s in ROLES])


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
