"""DfE LAIT import: the Local Authority Interactive Tool's long table -> the databook frames.

LAIT (shared/data/lait/README.md) publishes every English council's children's-services
figures in one long table (`bds_long_0.parquet`), described by a data dictionary and
accompanied by each council's ten statistical neighbours. This module turns that into the
frames `data.load.load_frames` loads, keyed and spelled as spec/data-format.md:

- `indicators`: one per LAIT measure (`Measure_short` is the code);
- `observations`: one council's yearly values (or every council's, `area` = its name);
- `benchmarks`: England, the council's region, and the mean of its statistical neighbours;
- `peers`: every other English council's figures, its statistical neighbours marked (ranks,
  quartile bands and each neighbour's own figure);
- `on_scorecard`: the headline measures of `lait_scorecard.toml` (or the codes given) make the
  members' quarterly scorecard; the rest stay loaded and can be asked about.

It only converts: validation and writing are the loader's, so a LAIT import obeys exactly
the rules a council's own databook does. The conversion is vectorised pandas; Python-level
loops run over the few dozen distinct year labels and the ~450 dictionary rows, never over
the 641,070 data rows.

LAIT quirks handled here (each counted in `LaitFrames.skipped` when it drops data):
- Year labels: `2025` is the year ENDING in 2025 for financial and academic measures
  (2024/25) and the calendar year for calendar ones. Exclusions spell years out (`2015/16`),
  a few financial measures write `2016-17`. `2018 (Rev)` / `2020 (Final)` are the revised
  and final releases of one year (kept as final); `2025 (prov)` is provisional (kept, status
  `provisional`). Three-year rolling figures (`2014-16`, `2013/14-15/16`: children killed or
  seriously injured on the roads, under-18 alcohol admissions) are kept as the last year of
  their window, and their indicators' titles end "(3-year rolling)" with a data note saying
  what the period means. The S251 finance tables are published only as outturn
  (`2016-17 (OT)`): each is the financial year's figure. A stray year label `0` is skipped.
- Values are text with float noise (`64.900000000000006`) and `-` for not available.
- The dictionary has multi-line quoted fields, 14 measures listed twice (under two topics),
  269 measures without `dps`, and `Year_Type` values beyond the three bases.
- Region names differ between the Region column (`Yorkshire and The Humber`, `Inner London`)
  and the region rows (`Yorkshire and the Humber`, `London (Inner)`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd

from scorecard.model import Comparator, Polarity, Unit
from scorecard.periods import Frequency, YearBasis
from scorecard.rules import round_half_up

__all__ = [
    "DICTIONARY_FILE",
    "NEIGHBOURS_FILE",
    "ROLLING_SUFFIX",
    "LaitError",
    "LaitFrames",
    "SkipReason",
    "Skipped",
    "default_scorecard",
    "guess_unit",
    "lait_all_councils_frames",
    "lait_frames",
]

DICTIONARY_FILE = "lait_data_dictionary.csv"
NEIGHBOURS_FILE = "sn_may_2025.xlsx"

# LAIT numbers its non-council rows: England 970, the regions 980-990 (London and its inner
# and outer halves among them). Everything below is a council.
ENGLAND_NUMBER = 970
FIRST_REGION_NUMBER = 980

# The dictionary's own dps run 0-2; where a measure has none we keep the precision its
# figures carry, but no more than this (computed figures such as FTE counts carry 6).
MAX_INFERRED_DECIMALS = 2

_OWNER_COLUMN = "Data Owner (DO) /Supplier and Contact Details"


class LaitError(ValueError):
    """A LAIT import that cannot go ahead: an unknown council, a missing or malformed file."""


class SkipReason(StrEnum):
    """Why a LAIT figure did not become an observation or benchmark."""

    THREE_YEAR_ROLLING = "three_year_rolling"
    VARIANT_OT = "variant_ot"
    NOT_IN_DICTIONARY = "not_in_dictionary"
    UNRECOGNISED_YEAR = "unrecognised_year"
    MISSING_VALUE = "missing_value"
    DUPLICATE_PERIOD = "duplicate_period"


SKIP_EXPLANATIONS: dict[SkipReason, str] = {
    SkipReason.THREE_YEAR_ROLLING: "three-year rolling figures (e.g. 2014-16), not a single year",
    SkipReason.VARIANT_OT: "(OT) variant series (S251 outturn tables)",
    SkipReason.NOT_IN_DICTIONARY: "measures not in the LAIT data dictionary",
    SkipReason.UNRECOGNISED_YEAR: "year labels that name no year of the measure's basis",
    SkipReason.MISSING_VALUE: "'-' or blank values (not available)",
    SkipReason.DUPLICATE_PERIOD: "a second figure for the same measure and year",
}


@dataclass(frozen=True, slots=True)
class Skipped:
    """How many series (distinct measures) and values (figures) one skip reason dropped."""

    series: int
    values: int


@dataclass(frozen=True)
class LaitFrames:
    """The databook frames for the loader, and what was left out and why.

    `skipped` counts the chosen council's rows (every included area's for the all-councils
    set); benchmark rows dropped for the same reasons are not counted again.
    """

    frames: dict[str, pd.DataFrame]
    skipped: dict[SkipReason, Skipped]
    council: str | None = None
    la_number: int | None = None
    region: str | None = None
    neighbours: tuple[str, ...] = field(default=())

    @property
    def rolling_codes(self) -> list[str]:
        """The measures imported as three-year rolling figures (their titles say so)."""
        indicators = self.frames.get("indicators")
        if indicators is None or indicators.empty:
            return []
        return sorted(indicators.loc[indicators["title"].str.endswith(ROLLING_SUFFIX), "code"])

    @property
    def skipped_values(self) -> int:
        return sum(s.values for s in self.skipped.values())

    def summary_lines(self) -> list[str]:
        """What a person reads after an import: what is in the frames, what was skipped."""
        lines = [f"{name}: {len(frame):,} rows" for name, frame in self.frames.items()]
        if self.council is not None:
            lines.insert(0, f"council: {self.council} (LA {self.la_number})")
            lines.insert(1, f"region: {self.region or 'none found'}")
            lines.insert(2, f"statistical neighbours: {', '.join(self.neighbours) or 'none found'}")
        rolling = self.rolling_codes
        if rolling:
            lines.append(
                f"imported {len(rolling)} measures published only as three-year rolling figures, "
                f"labelled as such ({', '.join(rolling)}): each period is the last year of its three"
            )
        for reason, counts in self.skipped.items():
            if counts.values:
                values = "value" if counts.values == 1 else "values"
                lines.append(
                    f"skipped {counts.values:,} {values} in {counts.series:,} series: "
                    f"{SKIP_EXPLANATIONS[reason]}"
                )
        return lines


# --- the data dictionary -------------------------------------------------------------------

# Year_Type -> the indicator's year basis. The three named bases map directly; the others:
_YEAR_TYPES: dict[str, YearBasis] = {
    "financial year": YearBasis.FINANCIAL,
    "academic year": YearBasis.ACADEMIC,
    "calendar year": YearBasis.CALENDAR,
    # The social work workforce census is a snapshot at 30 September that DfE names by its
    # calendar year ("2024" = as at 30 September 2024); calendar keeps DfE's own label and
    # ends the period within three months of the snapshot.
    "annual (end of sept)": YearBasis.CALENDAR,
    # The January school census: January 2025 falls in (and is published as) 2024/25.
    "annual - january": YearBasis.ACADEMIC,
    # The plain "Annual" measures (children in need, child protection plans, children
    # looked after) are counted at 31 March, the end of the financial year.
    "annual": YearBasis.FINANCIAL,
}

_POLARITIES = {"high": Polarity.HIGH, "low": Polarity.LOW, "-": Polarity.NONE}


def _clean_text(value: object) -> str:
    """Dictionary cells: NaN -> '', runs of spaces and stray carriage returns collapsed."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value).replace("\r", "")
    # Keep paragraph breaks in long descriptions; collapse spacing inside lines.
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip()


def guess_unit(title: str, y_axis: str = "") -> Unit:
    """The unit a LAIT measure is in, from its title and chart y-axis name.

    LAIT has no unit column, so this reads the words: a rate per 10,000 is ours; money
    (spend, unit costs, finance) is gbp; a `%`/percentage/proportion is percent; numbers
    and totals are counts; days are days; everything else (scores, rates per 1,000 or
    100,000, averages) is a score, which shows the bare figure without a misleading unit.
    """
    title_l, axis_l = title.lower(), y_axis.lower()
    text = f"{title_l} | {axis_l}"
    if re.search(r"per 10,?000\b", text):
        return Unit.RATE_PER_10K
    if re.search(r"per (1,?000|100,?000)\b", text):
        return Unit.SCORE
    if "£" in text or re.search(r"\b(spend|unit costs?|expenditure|finance|budget)\b", text):
        return Unit.GBP
    if "%" in text or re.search(r"\b(percent|percentage|proportion)\b", text):
        return Unit.PERCENT
    if re.search(r"\b(average|mean|median)\b", text):
        return Unit.SCORE
    if re.search(r"^(number|total|fte|entries|starters|leavers|social workers)\b", axis_l) or re.search(
        r"^(number|total number)\b|\(num\)", title_l
    ):
        return Unit.COUNT
    if re.search(r"\bdays\b", axis_l):
        return Unit.DAYS
    return Unit.SCORE


def _rate_note(title: str, y_axis: str) -> str:
    """Rates per 1,000 or 100,000 have no unit of ours (they load as scores): say what they are."""
    if guess_unit(title, y_axis) is Unit.SCORE and re.search(r"per (1,?000|100,?000)\b", y_axis.lower()):
        return f"The figure is a {y_axis[0].lower()}{y_axis[1:]}."
    return ""


def _read_dictionary(path: Path) -> pd.DataFrame:
    """One row per measure code, in file order, with the fields the indicators need."""
    if not path.exists():
        raise LaitError(f"LAIT data dictionary not found: {path}")
    # The CSV has multi-line quoted fields (the parser handles them) and 'NA' for empty.
    raw = pd.read_csv(path, dtype=str, keep_default_na=True, encoding="utf-8")
    missing = {"Measure_short", "Measure", "Topic", "Polarity", "dps", "Year_Type"} - set(raw.columns)
    if missing:
        raise LaitError(f"{path.name} lacks the columns {sorted(missing)}: is it the LAIT dictionary?")
    raw["Measure_short"] = raw["Measure_short"].str.strip()
    raw = raw[raw["Measure_short"].notna() & (raw["Measure_short"] != "")]
    # 14 measures are listed twice (under "Children in Need" and "All Pupil Absence &
    # Exclusions", say). The first listing wins, but a field it leaves empty (dps, say) is
    # taken from the later one: groupby.first() is "first non-null per column".
    merged = raw.groupby("Measure_short", sort=False).first()
    rows = []
    for code, row in merged.iterrows():
        title = _clean_text(row["Measure"]) or str(code)
        y_axis = _clean_text(row.get("y_axis_name"))
        dps = pd.to_numeric(row["dps"], errors="coerce")
        owner = _clean_text(row.get(_OWNER_COLUMN))
        rows.append(
            {
                "code": str(code),
                "title": title,
                "cluster": _clean_text(row["Topic"]) or "Other",
                "polarity": _POLARITIES.get(_clean_text(row["Polarity"]).lower(), Polarity.NONE).value,
                "unit": guess_unit(title, y_axis).value,
                "frequency": Frequency.ANNUAL.value,
                # A Year_Type not in the table takes the databook default, financial.
                "year_basis": _YEAR_TYPES.get(
                    _clean_text(row["Year_Type"]).lower(), YearBasis.FINANCIAL
                ).value,
                "ytd": "none",
                # Filled in from the data where the dictionary has no dps.
                "decimals": None if pd.isna(dps) else int(min(max(dps, 0), 3)),
                "aliases": "",
                "definition": _clean_text(row.get("Description")),
                "data_notes": _rate_note(title, y_axis),
                # '0' is a placeholder in one row, not an owner.
                "source": f"{owner} (via DfE LAIT)" if owner and owner != "0" else "DfE LAIT",
            }
        )
    return pd.DataFrame(rows)


# --- year labels ---------------------------------------------------------------------------

_SINGLE_YEAR = re.compile(r"^(\d{4})(?:\s*\((rev|final|prov)\))?$", re.IGNORECASE)
_SPELLED_YEAR = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2})$")
_ROLLING_SIMPLE = re.compile(r"^(\d{4})-(\d{2})$")
_ROLLING_SPELLED = re.compile(r"^\d{4}/\d{2}\s*-\s*\d{2}/\d{2}$")


def _year_label(start: int, basis: YearBasis) -> str:
    return str(start) if basis is YearBasis.CALENDAR else f"{start}/{(start + 1) % 100:02d}"


def _map_label(label: str, basis: YearBasis) -> tuple[str | None, str, SkipReason | None]:
    """One LAIT year label of one basis -> (period spelling, status, skip reason)."""
    text = " ".join(str(label).split())
    if "(OT)" in text.upper():
        # The S251 finance tables are published only as outturn (what was spent), labelled
        # `2016-17 (OT)`: the outturn is the year's figure.
        year, status, skip = _map_label(re.sub(r"\(OT\)", "", text, flags=re.IGNORECASE), basis)
        return (year, status, skip) if year is not None else (None, "", SkipReason.VARIANT_OT)
    single = _SINGLE_YEAR.match(text)
    if single:
        named = int(single.group(1))
        status = "provisional" if (single.group(2) or "").lower() == "prov" else "final"
        # LAIT names financial and academic years by the year they END in.
        start = named if basis is YearBasis.CALENDAR else named - 1
        return _year_label(start, basis), status, None
    last = _rolling_last_year(text)
    if last is not None:
        # A three-year rolling figure is kept as the last year of its window (2014-16 is
        # 2016, 2013/14-15/16 is 2015/16); its indicator says it is rolling (`_rolling_label`).
        start = last if basis is YearBasis.CALENDAR else last - 1
        return _year_label(start, basis), "final", None
    spelled = _SPELLED_YEAR.match(text)
    if spelled and (int(spelled.group(2)) - int(spelled.group(1))) % 100 == 1:
        if basis is YearBasis.CALENDAR:
            return None, "", SkipReason.UNRECOGNISED_YEAR
        return _year_label(int(spelled.group(1)), basis), "final", None
    return None, "", SkipReason.UNRECOGNISED_YEAR


def _rolling_last_year(text: str) -> int | None:
    """The year a three-year rolling label ends in, as LAIT names years (`2014-16` -> 2016,
    `2013/14-15/16` -> 2016, the financial year 2015/16), or None for any other label."""
    spelled = _ROLLING_SPELLED.match(text)
    if spelled:
        first, last = (int(y) for y in re.findall(r"\d{2,4}/(\d{2})", text))
        return int(text[:4]) + 3 if (last - first) % 100 == 2 else None
    rolling = _ROLLING_SIMPLE.match(text)
    if rolling and (int(rolling.group(2)) - int(rolling.group(1))) % 100 == 2:
        return int(rolling.group(1)) + 2
    return None


ROLLING_SUFFIX = " (3-year rolling)"


def _label_rolling(indicators: pd.DataFrame, codes: set[str]) -> pd.DataFrame:
    """Measures DfE publishes only as three-year rolling figures say so in their title (on every
    card, list and did-you-mean) and explain the period in their data note."""
    indicators = indicators.copy()
    rolling = indicators["code"].isin(codes)
    indicators.loc[rolling, "title"] = indicators.loc[rolling, "title"] + ROLLING_SUFFIX
    note = (
        "Three-year rolling figures: DfE publishes this measure only over three years together. "
        "The period shown is the last of the three: "
    )
    for index in indicators.index[rolling]:
        example = (
            "2016 is 2014-16"
            if indicators.at[index, "year_basis"] == "calendar"
            else ("2015/16 is 2013/14-15/16")
        )
        before = str(indicators.at[index, "data_notes"] or "")
        indicators.at[index, "data_notes"] = (note + example + "." + (" " + before if before else "")).strip()
    return indicators


def _label_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """Map each distinct (label, year_basis) pair once; the rows then merge on it."""
    mapped = [_map_label(label, YearBasis(basis)) for label, basis in pairs.itertuples(index=False)]
    table = pairs.copy()
    table["period"] = [m[0] for m in mapped]
    table["status"] = [m[1] for m in mapped]
    table["label_skip"] = [m[2].value if m[2] else None for m in mapped]
    table["rolling"] = [
        _rolling_last_year(" ".join(str(label).split())) is not None for label in pairs["label"]
    ]
    return table


# --- values --------------------------------------------------------------------------------


def _round_half_up(values: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """Round half-up to per-row decimals by the scorecard's own rule (`round_half_up`), so a
    figure is stored as the card will show and judge it.

    First strip LAIT's float noise at 9 places (so 0.0450000000001 is 0.045 and
    64.900000000000006 is 64.9): that is LAIT's mess, not the rule. Figures repeat (a few
    thousand distinct ones in a council's 30,000), so each distinct one is rounded once.
    """
    clean = np.round(values, 9)
    out = np.full(clean.shape, np.nan)
    for places in np.unique(decimals).tolist():
        mask = decimals == places
        codes, uniques = pd.factorize(clean[mask])  # NaN gets code -1: stays NaN
        shown = [float(round_half_up(value, int(places))) for value in uniques.tolist()]
        out[mask] = np.append(np.asarray(shown, dtype=float), np.nan)[codes]
    return out + 0.0  # turns -0.0 (from -0.004 at 2 dp, say) into 0.0


def _inferred_decimals(codes: pd.Series, values: pd.Series) -> pd.Series:
    """Per measure: the fewest decimals (0..MAX) that hold every one of its figures."""
    numbers = values.to_numpy(dtype=float)
    known = ~np.isnan(numbers)
    frame = pd.DataFrame({"code": codes.to_numpy()[known]})
    clean = np.round(numbers[known], 9)
    needed = np.full(clean.shape, MAX_INFERRED_DECIMALS)
    for d in range(MAX_INFERRED_DECIMALS - 1, -1, -1):
        fits = np.abs(clean * 10.0**d - np.round(clean * 10.0**d)) < 1e-6
        needed = np.where(fits, d, needed)
    frame["needed"] = needed
    return frame.groupby("code")["needed"].max()


# --- the long table ------------------------------------------------------------------------

_BDS_COLUMNS = {
    "Short Desc": "code",
    "Years": "label",
    "LA and Regions": "area",
    "Values": "raw",
    "LA Number": "la_number",
    "Region": "region",
}


def _read_bds(parquet: Path) -> pd.DataFrame:
    if not parquet.exists():
        raise LaitError(f"LAIT data not found: {parquet}")
    try:
        bds = pd.read_parquet(parquet, columns=list(_BDS_COLUMNS))
    except (KeyError, ValueError) as exc:
        raise LaitError(f"{parquet.name} is not LAIT's long table ({exc})") from exc
    bds = bds.rename(columns=_BDS_COLUMNS)
    bds["code"] = bds["code"].str.strip()
    bds["area"] = bds["area"].str.strip()
    bds["la_number"] = bds["la_number"].astype("Int64")
    return bds


@dataclass(frozen=True)
class _Prepared:
    """The long table joined to the dictionary: periods mapped, values parsed and rounded."""

    rows: pd.DataFrame  # code, area, la_number, region, period, status, value, exact, skip
    indicators: pd.DataFrame


def _prepare(bds: pd.DataFrame, dictionary: pd.DataFrame, keep: pd.Series | None = None) -> _Prepared:
    """Join the long table to the dictionary. The catalogue and the decimals are decided on
    the whole table (so every council gets the same indicators, rounded the same way); the
    per-row work (periods, skips, rounding) is done only for the rows in `keep`.
    """
    all_values = pd.to_numeric(bds["raw"].str.strip(), errors="coerce").astype(float)
    basis = dictionary.set_index("code")["year_basis"]

    # Each distinct (code, label) once: which labels map to which period, for which basis.
    pairs = bds[["code", "label"]].drop_duplicates()
    pairs = pairs.assign(year_basis=pairs["code"].map(basis))
    pairs = pairs[pairs["year_basis"].notna()]
    table = _label_table(pairs[["label", "year_basis"]].drop_duplicates().astype(str))

    # Series that never yield a usable figure anywhere (all '-', say)
    # get no indicator: an indicator that can never show a figure is noise in the catalogue.
    mapped = pairs.merge(table, on=["label", "year_basis"], how="left")
    usable_codes = set(mapped.loc[mapped["period"].notna(), "code"])
    indicators = dictionary[dictionary["code"].isin(usable_codes)].copy()
    # Measures whose every usable figure is a three-year rolling one.
    usable = mapped[mapped["period"].notna()]
    all_rolling = usable.groupby("code")["rolling"].all()
    indicators = _label_rolling(indicators, set(all_rolling[all_rolling].index))

    # Decimals: the dictionary's dps where given, else the precision the figures carry.
    inferred = _inferred_decimals(bds["code"], all_values)
    missing_dps = indicators["decimals"].isna()
    indicators.loc[missing_dps, "decimals"] = (
        indicators.loc[missing_dps, "code"].map(inferred).fillna(0).astype(int)
    )
    indicators["decimals"] = indicators["decimals"].astype(int)

    rows = bds if keep is None else bds[keep]
    rows = rows.drop(columns=["raw"]).assign(value=all_values if keep is None else all_values[keep])
    rows["year_basis"] = rows["code"].map(basis)
    rows = rows.merge(table, on=["label", "year_basis"], how="left").drop(columns=["rolling"])

    skip = pd.Series(pd.NA, index=rows.index, dtype="object")
    skip = skip.where(rows["year_basis"].notna(), SkipReason.NOT_IN_DICTIONARY.value)
    skip = skip.fillna(rows["label_skip"])
    skip = skip.where(skip.notna() | rows["value"].notna(), SkipReason.MISSING_VALUE.value)
    rows["skip"] = skip
    rows = rows.drop(columns=["label_skip"])

    decimals = rows["code"].map(indicators.set_index("code")["decimals"]).fillna(0).to_numpy(dtype=int)
    known = rows["value"].notna().to_numpy()
    values = rows["value"].to_numpy(dtype=float).copy()
    # `exact` keeps the published figure (noise stripped, not rounded) for the neighbour mean.
    rows["exact"] = np.round(values, 9)
    values[known] = _round_half_up(values[known], decimals[known])
    rows["value"] = values
    return _Prepared(rows=rows, indicators=indicators.reset_index(drop=True))


def _drop_duplicate_periods(rows: pd.DataFrame) -> pd.DataFrame:
    """Two figures for one (code, area, period) cannot both load; keep the first LAIT gives."""
    usable = rows["skip"].isna()
    dupes = usable & rows[usable].duplicated(["code", "area", "period"], keep="first").reindex(
        rows.index, fill_value=False
    )
    rows = rows.copy()
    rows.loc[dupes, "skip"] = SkipReason.DUPLICATE_PERIOD.value
    return rows


def _count_skips(rows: pd.DataFrame) -> dict[SkipReason, Skipped]:
    skipped = rows[rows["skip"].notna()]
    values = skipped.groupby("skip").size()
    series = skipped.groupby("skip")["code"].nunique()
    return {
        reason: Skipped(series=int(series.get(reason.value, 0)), values=int(values.get(reason.value, 0)))
        for reason in SkipReason
    }


def _observations(rows: pd.DataFrame, *, with_area: bool) -> pd.DataFrame:
    usable = rows[rows["skip"].isna()]
    columns = ["code", "period", "value", "status"] + (["area"] if with_area else [])
    return usable[columns].reset_index(drop=True)


def _benchmarks(rows: pd.DataFrame, comparator: Comparator) -> pd.DataFrame:
    usable = rows[rows["skip"].isna()]
    frame = usable[["code", "period", "value"]].drop_duplicates(["code", "period"])
    frame.insert(2, "comparator", comparator.value)
    return frame.reset_index(drop=True)


def _neighbour_mean(rows: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """The statistical-neighbour benchmark: per measure and year, the mean over those of the
    ten neighbours that have a figure that year (LAIT's own average skips gaps the same way),
    rounded half-up to the measure's decimals. The mean is of the published figures (float
    noise stripped, not yet rounded to dps), so rounding happens once, at the end.
    """
    usable = rows[rows["skip"].isna()]
    if usable.empty:
        return pd.DataFrame(columns=["code", "period", "comparator", "value"])
    means = usable.groupby(["code", "period"], sort=False)["exact"].mean().reset_index()
    decimals = means["code"].map(indicators.set_index("code")["decimals"]).to_numpy(dtype=int)
    means["value"] = _round_half_up(means["exact"].to_numpy(dtype=float), decimals)
    means.insert(2, "comparator", Comparator.STATISTICAL_NEIGHBOURS.value)
    return means[["code", "period", "comparator", "value"]]


# --- councils, regions, neighbours ---------------------------------------------------------


def _normalise(name: str) -> str:
    return " ".join(name.lower().split())


def _find_council(areas: pd.DataFrame, la: str) -> pd.Series:
    """The council's row of `areas` (one per area) by name (any case) or LA number."""
    wanted = " ".join(str(la).split())
    councils = areas[areas["la_number"] < ENGLAND_NUMBER]
    if re.fullmatch(r"\d{3}", wanted):
        match = councils[councils["la_number"] == int(wanted)]
    else:
        match = councils[councils["area"].map(_normalise) == _normalise(wanted)]
    if len(match) == 1:
        return match.iloc[0]
    if not areas[areas["area"].map(_normalise) == _normalise(wanted)].empty:
        raise LaitError(f"'{wanted}' is England or a region, not a council: give a council's name")
    names = sorted(councils["area"])
    lowered = {_normalise(n): n for n in names}
    close = difflib.get_close_matches(_normalise(wanted), list(lowered), n=5, cutoff=0.6)
    # Also offer names that contain what was typed ("Bristol" -> "Bristol, City of").
    close += [k for k in lowered if _normalise(wanted) in k and k not in close][:5]
    hint = (
        "did you mean: " + ", ".join(lowered[c] for c in close) + "?"
        if close
        else "give a council's name as LAIT spells it (e.g. 'Rotherham') or its LA number (e.g. 372)"
    )
    raise LaitError(f"no council '{wanted}' in the LAIT data; {hint}")


def _region_name(council_region: object, areas: pd.DataFrame) -> str | None:
    """The region row matching a council's Region column, which is spelled differently."""
    if not isinstance(council_region, str):  # None or NaN: LAIT gives the council no region
        return None
    regions = areas[areas["la_number"] > ENGLAND_NUMBER]["area"]
    by_name = {_normalise(r): r for r in regions}
    wanted = _normalise(str(council_region))
    # 'Inner London' / 'Outer London' are the rows 'London (Inner)' / 'London (Outer)': the
    # sub-region LAIT itself compares a London borough with.
    london = re.fullmatch(r"(inner|outer) london", wanted)
    if london:
        wanted = f"london ({london.group(1)})"
    return by_name.get(wanted)


def _read_neighbours(path: Path) -> dict[int, list[int]]:
    """LA number -> its ten statistical neighbours' LA numbers, in SN1..SN10 order."""
    if not path.exists():
        raise LaitError(f"statistical neighbours file not found: {path}")
    # The header is on the third row (two rows of column letters and numbers above it).
    sheet = pd.read_excel(path, header=2)
    sn_columns = [f"SN{i}" for i in range(1, 11)]
    if "LA num" not in sheet.columns or not set(sn_columns) <= set(sheet.columns):
        raise LaitError(f"{path.name} lacks 'LA num' and SN1..SN10 on its third row")
    # Blank separator rows and the "Old SNs:" heading have no LA number.
    sheet = sheet[pd.to_numeric(sheet["LA num"], errors="coerce").notna()]
    result: dict[int, list[int]] = {}
    for row in sheet[["LA num", *sn_columns]].itertuples(index=False):
        number = int(row[0])
        if number not in result:  # a council listed twice: the first (current) list wins
            result[number] = [int(n) for n in row[1:] if pd.notna(n)]
    return result


def _default(parquet: Path, given: Path | None, name: str) -> Path:
    return Path(given) if given is not None else Path(parquet).with_name(name)


def _frames(
    indicators: pd.DataFrame, observations: pd.DataFrame, benchmarks: Iterable[pd.DataFrame]
) -> dict[str, pd.DataFrame]:
    parts = [b for b in benchmarks if not b.empty]
    bench = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["code", "period", "comparator", "value"])
    )
    # Benchmarks for measures with no indicator cannot load; the indicator set is complete
    # for every usable series, so this only guards against a mismatch.
    bench = bench[bench["code"].isin(indicators["code"])].reset_index(drop=True)
    return {"indicators": indicators, "observations": observations, "benchmarks": bench}


# --- public ---------------------------------------------------------------------------------


SCORECARD_FILE = Path(__file__).with_name("lait_scorecard.toml")


def default_scorecard() -> list[str]:
    """The headline measures of `lait_scorecard.toml`, theme by theme, in file order."""
    import tomllib

    data = tomllib.loads(SCORECARD_FILE.read_text("utf-8"))
    return [code for codes in data["scorecard"].values() for code in codes]


def _peers(rows: pd.DataFrame, neighbour_numbers: Iterable[int]) -> pd.DataFrame:
    """Every other council's usable figures, `statistical_neighbour` marking ours."""
    usable = rows[rows["skip"].isna()]
    flags = np.where(usable["la_number"].isin(list(neighbour_numbers)).to_numpy(), "true", "false")
    return pd.DataFrame(
        {
            "code": usable["code"].to_numpy(),
            "period": usable["period"].to_numpy(),
            "council": usable["area"].to_numpy(),
            "value": usable["value"].to_numpy(),
            "statistical_neighbour": flags,
        }
    )


def _mark_scorecard(indicators: pd.DataFrame, codes: Iterable[str]) -> pd.DataFrame:
    wanted = list(dict.fromkeys(codes))
    unknown = [code for code in wanted if code not in set(indicators["code"])]
    if unknown:
        raise LaitError(
            "not LAIT measures with figures, so not for the scorecard: " + ", ".join(unknown)
        )
    marked = indicators.copy()
    marked["on_scorecard"] = np.where(marked["code"].isin(wanted), "true", "false")
    return marked


def lait_frames(
    parquet: Path,
    *,
    la: str,
    dictionary: Path | None = None,
    neighbours: Path | None = None,
    scorecard: Iterable[str] | None = None,
) -> LaitFrames:
    """One council's LAIT figures as databook frames: indicators, observations, benchmarks.

    `la` is the council's name in any case ('rotherham') or its LA number ('372'); an
    unknown name raises LaitError listing close matches. `dictionary` and `neighbours`
    default to LAIT's files beside the parquet. Benchmarks: `england`, `region` (the
    council's region row) and `statistical_neighbours` (see `_neighbour_mean`).
    """
    parquet = Path(parquet)
    bds = _read_bds(parquet)
    dict_frame = _read_dictionary(_default(parquet, dictionary, DICTIONARY_FILE))
    sn = _read_neighbours(_default(parquet, neighbours, NEIGHBOURS_FILE))

    areas = bds.drop_duplicates("area")[["area", "la_number", "region"]]
    council = _find_council(areas, la)
    number = int(council["la_number"])
    region = _region_name(council["region"], areas)
    neighbour_numbers = sn.get(number, [])
    region_number = (
        int(areas.loc[areas["area"] == region, "la_number"].iloc[0]) if region is not None else None
    )

    wanted = {number, ENGLAND_NUMBER, *neighbour_numbers}
    if region_number is not None:
        wanted.add(region_number)
    # Every council's rows too: they are the peers.
    keep = bds["la_number"].isin(wanted) | (bds["la_number"] < ENGLAND_NUMBER)
    prepared = _prepare(bds, dict_frame, keep=keep.fillna(False).astype(bool))
    rows = _drop_duplicate_periods(prepared.rows)

    own = rows[rows["la_number"] == number]
    england = rows[rows["la_number"] == ENGLAND_NUMBER]
    region_rows = rows[rows["la_number"] == region_number] if region_number is not None else rows.iloc[:0]
    neighbour_rows = rows[rows["la_number"].isin(neighbour_numbers)]

    frames = _frames(
        _mark_scorecard(prepared.indicators, default_scorecard() if scorecard is None else scorecard),
        _observations(own, with_area=False),
        [
            _benchmarks(england, Comparator.ENGLAND),
            _benchmarks(region_rows, Comparator.REGION),
            _neighbour_mean(neighbour_rows, prepared.indicators),
        ],
    )
    others = rows[(rows["la_number"] < ENGLAND_NUMBER) & (rows["la_number"] != number)]
    frames["peers"] = _peers(others, neighbour_numbers)
    names = areas.set_index("la_number")["area"]
    return LaitFrames(
        frames=frames,
        skipped=_count_skips(own),
        council=str(council["area"]),
        la_number=number,
        region=region,
        neighbours=tuple(str(names[n]) for n in neighbour_numbers if n in names.index),
    )


def lait_all_councils_frames(
    parquet: Path,
    *,
    dictionary: Path | None = None,
    include_regions: bool = False,
) -> LaitFrames:
    """Every council's LAIT figures in one set of frames, `area` = the council's name.

    For the load benchmark (bench/load.py): it loads the whole table, not one council.
    Observations carry `area` so that 150-odd councils' figures for one measure and year do
    not collide; `include_regions=True` adds England and the regions as areas too, which
    brings the set as close to all 641,070 LAIT rows as the skips allow. Benchmarks are
    England's figures only (regions and neighbours differ per council). Skip counts cover
    every included area's rows.
    """
    parquet = Path(parquet)
    bds = _read_bds(parquet)
    dict_frame = _read_dictionary(_default(parquet, dictionary, DICTIONARY_FILE))
    prepared = _prepare(bds, dict_frame)
    rows = _drop_duplicate_periods(prepared.rows)
    councils = rows["la_number"] < ENGLAND_NUMBER
    included = rows if include_regions else rows[councils]
    frames = _frames(
        prepared.indicators,
        _observations(included, with_area=True),
        [_benchmarks(rows[rows["la_number"] == ENGLAND_NUMBER], Comparator.ENGLAND)],
    )
    return LaitFrames(frames=frames, skipped=_count_skips(included))
