"""Checking a databook: each sheet against data-format.md and against what the store already
holds, every error collected before anything is written."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from data.load import peers
from data.load.cells import IndicatorInfo, dates, empty, moments, numbers, periods
from data.load.columns import COLUMNS, ROW, SHEETS
from data.load.errors import Errors, choices, per_cell, values_of
from data.load.prepare import file_of, prepare
from data.load.row_checks import check_enum, duplicates, require, unknown_codes
from scorecard.model import (
    DEFAULT_DECIMALS,
    Comparator,
    DotBasis,
    ObservationStatus,
    Polarity,
    Role,
    Unit,
    YtdMethod,
)
from scorecard.periods import Frequency, PeriodError, YearBasis, parse_year

if TYPE_CHECKING:
    from sqlalchemy import Connection

__all__ = ["Checked", "check"]


@dataclass(slots=True)
class Checked:
    """Frames that passed every check, in the store's own terms, ready to write."""

    files: dict[str, str] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    clusters: list[str] = field(default_factory=list)


def _stored_state(connection: Connection) -> tuple[dict[str, IndicatorInfo], list[str]]:
    from sqlalchemy import select

    from data.schema import Cluster, IndicatorRow

    info = {}
    rows = connection.execute(
        select(
            IndicatorRow.code, IndicatorRow.frequency, IndicatorRow.year_basis, IndicatorRow.unit,
            IndicatorRow.polarity, IndicatorRow.decimals,
        )
    )
    for code, frequency, basis, unit, polarity, decimals in rows:
        info[code] = IndicatorInfo(
            Frequency(frequency), YearBasis(basis), Unit(unit), Polarity(polarity),
            decimals if decimals is not None else DEFAULT_DECIMALS[Unit(unit)],
        )
    clusters = list(
        connection.execute(select(Cluster.name).order_by(Cluster.position)).scalars()
    )
    return info, clusters


def _refuse_reshaping(
    indicators: pd.DataFrame, stored: Mapping[str, IndicatorInfo], connection: Connection,
    file: str, errors: Errors,
) -> None:
    """Stored figures were checked against their indicator's frequency, year basis and polarity
    (periods, targets on the right side): changing those under them would leave the store
    unreadable or its targets wrong, so such a change is refused while figures are stored."""
    from sqlalchemy import select, union

    from data.schema import BenchmarkRow, ObservationRow, TargetRow

    reloaded = indicators["code"].isin(list(stored))
    if not reloaded.any():
        return
    with_figures = set(connection.execute(union(
        select(ObservationRow.code).distinct(), select(BenchmarkRow.code).distinct(),
        select(TargetRow.code).distinct(),
    )).scalars())
    with_targets = set(connection.execute(select(TargetRow.code).distinct()).scalars())
    rules: tuple[tuple[str, Callable[[IndicatorInfo], str], set[str]], ...] = (
        ("frequency", lambda info: info.frequency.value, with_figures),
        ("year_basis", lambda info: info.basis.value, with_figures),
        ("polarity", lambda info: info.polarity.value, with_targets),
    )
    for column, stored_value, guarded in rules:
        before = indicators["code"].map(
            {code: stored_value(info) for code, info in stored.items()}
        )
        changed = reloaded & indicators["code"].isin(list(guarded)) & (indicators[column] != before)
        errors.add_rows(file, indicators, changed, column, _reshaping(column, before))


def _reshaping(column: str, before: pd.Series) -> Callable[[pd.DataFrame], Iterator[str]]:
    """Why each row's change of `column` is refused, `before` holding what the store has."""
    def reasons(rows: pd.DataFrame) -> Iterator[str]:
        for index, code, new in zip(rows.index, rows["code"], rows[column], strict=True):
            yield (
                f"{code} already has figures stored as {before[index]}; changing its "
                f"{column.replace('_', ' ')} to {new} would leave them wrong. Keep {before[index]}, "
                "or load the new series under a new code"
            )
    return reasons


def _check_indicators(frame: pd.DataFrame, file: str, errors: Errors) -> pd.DataFrame:
    require(frame, "indicators", file, errors)
    check_enum(frame, "polarity", values_of(Polarity), None, file, errors, "a polarity")
    check_enum(frame, "unit", values_of(Unit), None, file, errors, "a unit")
    check_enum(frame, "frequency", values_of(Frequency), None, file, errors, "a frequency")
    check_enum(frame, "year_basis", values_of(YearBasis), "financial", file, errors, "a year basis")
    check_enum(frame, "ytd", values_of(YtdMethod), "none", file, errors, "a year-to-date method")
    check_enum(frame, "dot_basis", values_of(DotBasis), None, file, errors,
                "a direction-of-travel basis")
    decimals = frame["decimals"]
    good = decimals.isin(["", "0", "1", "2", "3"])
    errors.add_rows(
        file, frame, ~good, "decimals",
        lambda rows: (f"'{value}' is not 0, 1, 2 or 3" for value in rows["decimals"]),
    )
    active = frame["active"].str.lower()
    truth = {"": True, "true": True, "yes": True, "y": True, "1": True,
             "false": False, "no": False, "n": False, "0": False}
    errors.add_rows(
        file, frame, ~active.isin(list(truth)), "active",
        lambda rows: (f"'{value}' is not true or false" for value in rows["active"]),
    )
    frame["active"] = active.map(truth).fillna(True).astype(bool)
    on_scorecard = frame["on_scorecard"].str.lower()
    errors.add_rows(
        file, frame, ~on_scorecard.isin(list(truth)), "on_scorecard",
        lambda rows: (f"'{value}' is not true or false" for value in rows["on_scorecard"]),
    )
    frame["on_scorecard"] = on_scorecard.map(truth).fillna(True).astype(bool)
    frame["aliases"] = frame["aliases"].map(
        lambda text: ";".join(part.strip() for part in text.split(";") if part.strip())
    )
    duplicates(frame, ["code"], file, errors, "this indicator code", "code")
    return frame


def _indicator_info(frame: pd.DataFrame) -> dict[str, IndicatorInfo]:
    info = {}
    for code, frequency, basis, unit, polarity, decimals in frame[
        ["code", "frequency", "year_basis", "unit", "polarity", "decimals"]
    ].itertuples(index=False):
        try:
            unit_ = Unit(unit)
            info[code] = IndicatorInfo(
                Frequency(frequency), YearBasis(basis), unit_, Polarity(polarity),
                int(decimals) if decimals else DEFAULT_DECIMALS[unit_],
            )
        except (ValueError, KeyError):
            continue  # already reported; its rows elsewhere are not checked against it
    return info


def _check_observations(
    frame: pd.DataFrame, file: str, errors: Errors, known: set[str],
    info: Mapping[str, IndicatorInfo],
) -> pd.DataFrame:
    require(frame, "observations", file, errors)
    unknown_codes(frame, known, file, errors)
    check_enum(frame, "status", values_of(ObservationStatus), "final", file, errors, "a status")
    days = periods(frame, info, file, errors)
    value, bad_value = numbers(frame["value"])
    numerator, bad_numerator = numbers(frame["numerator"])
    denominator, bad_denominator = numbers(frame["denominator"])
    for column, bad in (("value", bad_value), ("numerator", bad_numerator),
                        ("denominator", bad_denominator)):
        errors.add_rows(
            file, frame, bad, column,
            per_cell(column, lambda text: f"'{text}' is not a number"),
        )
    suppressed = (frame["status"] == "suppressed").to_numpy()
    missing_value = empty(frame["value"]) & ~suppressed
    errors.add_rows(
        file, frame, missing_value, "value",
        "the value is empty: give a number, or status 'suppressed' if it is withheld",
    )
    _check_ratio(frame, file, errors, info, value, numerator, denominator)
    embargo = moments(frame, "embargo_until", file, errors)
    # Whole columns, not .to_numpy(): text stays in Arrow rather than a million Python strings.
    checked = pd.DataFrame(
        {
            ROW: frame[ROW],
            "code": frame["code"],
            "period_day": days,
            "area": frame["area"],
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "status": frame["status"],
            "embargo_until": embargo,
        },
        index=frame.index,
    )
    parsed = checked.loc[days >= 0]
    if len(parsed):
        duplicates(
            parsed, ["code", "period_day", "area"], file, errors,
            "this figure (the same code, period and area)", "period",
        )
    return checked


def _check_ratio(
    frame: pd.DataFrame, file: str, errors: Errors, info: Mapping[str, IndicatorInfo],
    value: np.ndarray, numerator: np.ndarray, denominator: np.ndarray,
) -> None:
    percent_codes = [code for code, item in info.items() if item.unit is Unit.PERCENT]
    is_percent = frame["code"].isin(percent_codes).to_numpy()
    both = is_percent & ~np.isnan(numerator) & ~np.isnan(denominator) & ~np.isnan(value)
    if not both.any():
        return
    zero = both & (denominator == 0)
    errors.add_rows(file, frame, zero, "denominator",
                    "the denominator is 0, so the percentage cannot be worked out")
    decimals = frame["code"].map({code: info[code].decimals for code in percent_codes})
    tolerance = 0.5 * np.power(10.0, -decimals.fillna(1).to_numpy(dtype=float)) + 1e-9
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = 100 * numerator / denominator
    wrong = both & ~zero & (np.abs(value - expected) > tolerance)
    if wrong.any():
        expected_s = pd.Series(expected, index=frame.index)
        errors.add_rows(
            file, frame, wrong, "value",
            lambda rows: (
                f"the value {value_text} does not match numerator / denominator "
                f"({num} / {den} = {expected_s[i]:.3f}%)"
                for i, value_text, num, den in zip(
                    rows.index, rows["value"].astype(str), rows["numerator"].astype(str),
                    rows["denominator"].astype(str), strict=True,
                )
            ),
        )


def _check_targets(
    frame: pd.DataFrame, file: str, errors: Errors, known: set[str],
    info: Mapping[str, IndicatorInfo],
) -> pd.DataFrame:
    require(frame, "targets", file, errors)
    unknown_codes(frame, known, file, errors)
    target, bad_target = numbers(frame["target"])
    amber, bad_amber = numbers(frame["amber_threshold"])
    for column, bad in (("target", bad_target), ("amber_threshold", bad_amber)):
        errors.add_rows(
            file, frame, bad, column,
            per_cell(column, lambda text: f"'{text}' is not a number"),
        )
    starts = np.full(len(frame), -1, dtype=np.int64)
    labels = np.full(len(frame), "", dtype=object)
    polarity = frame["code"].map(
        {code: item.polarity.value for code, item in info.items()}
    ).fillna("").to_numpy()
    for position, (row, code, text) in enumerate(
        frame[[ROW, "code", "year"]].itertuples(index=False)
    ):
        indicator = info.get(code)
        if indicator is None or not text:
            continue
        try:
            year = parse_year(text, indicator.basis)
        except PeriodError as error:
            errors.add(file, int(row), "year", f"{error.reason} (got '{text}')")
            continue
        starts[position], labels[position] = year.start_year, year.label
    rated = np.isin(polarity, ["high", "low"])
    no_amber = rated & np.isnan(amber) & ~bad_amber
    errors.add_rows(
        file, frame, no_amber, "amber_threshold",
        "the amber threshold is empty: indicators where high or low is good need one",
    )
    high_wrong = (polarity == "high") & (amber > target)
    low_wrong = (polarity == "low") & (amber < target)
    errors.add_rows(
        file, frame, high_wrong, "amber_threshold",
        lambda rows: (
            f"the amber threshold {a} is above the target {t}, but high is good for this "
            "indicator: the threshold must be at or below the target"
            for a, t in zip(rows["amber_threshold"], rows["target"], strict=True)
        ),
    )
    errors.add_rows(
        file, frame, low_wrong, "amber_threshold",
        lambda rows: (
            f"the amber threshold {a} is below the target {t}, but low is good for this "
            "indicator: the threshold must be at or above the target"
            for a, t in zip(rows["amber_threshold"], rows["target"], strict=True)
        ),
    )
    checked = pd.DataFrame(
        {
            ROW: frame[ROW].to_numpy(), "code": frame["code"].to_numpy(), "year_start": starts,
            "year_label": labels, "target": target, "amber_threshold": amber,
        }
    )
    parsed = checked.loc[starts >= 0]
    if len(parsed):
        duplicates(parsed, ["code", "year_start"], file, errors,
                    "a target for this code and year", "year")
    return checked


def _check_benchmarks(
    frame: pd.DataFrame, file: str, errors: Errors, known: set[str],
    info: Mapping[str, IndicatorInfo],
) -> pd.DataFrame:
    require(frame, "benchmarks", file, errors)
    unknown_codes(frame, known, file, errors)
    check_enum(frame, "comparator", values_of(Comparator), None, file, errors, "a comparator")
    days = periods(frame, info, file, errors)
    value, bad = numbers(frame["value"])
    errors.add_rows(
        file, frame, bad, "value",
        lambda rows: (f"'{text}' is not a number" for text in rows["value"].astype(str)),
    )
    embargo = moments(frame, "embargo_until", file, errors)
    checked = pd.DataFrame(
        {
            ROW: frame[ROW].to_numpy(), "code": frame["code"].to_numpy(), "period_day": days,
            "comparator": frame["comparator"].to_numpy(), "value": value,
            "embargo_until": embargo.to_numpy(),
        }
    )
    parsed = checked.loc[days >= 0]
    if len(parsed):
        duplicates(parsed, ["code", "period_day", "comparator"], file, errors,
                    "a benchmark for this code, period and comparator", "period")
    return checked


def _check_glossary(frame: pd.DataFrame, file: str, errors: Errors) -> pd.DataFrame:
    require(frame, "glossary", file, errors)
    duplicates(frame, ["term"], file, errors, "this term", "term")
    return frame


def _check_meetings(
    frame: pd.DataFrame, file: str, errors: Errors, clusters: Sequence[str]
) -> pd.DataFrame:
    require(frame, "meetings", file, errors)
    frame["date"] = dates(frame, "date", file, errors)
    frame["agenda_deadline"] = dates(frame, "agenda_deadline", file, errors)
    lower = {name.lower(): name for name in clusters}
    focus = []
    for row, text in frame[[ROW, "focus_clusters"]].itertuples(index=False):
        names = []
        for part in (part.strip() for part in text.split(";")):
            if not part:
                continue
            if part.lower() not in lower:
                errors.add(
                    file, int(row), "focus_clusters",
                    f"'{part}' is not a cluster: the clusters are {', '.join(clusters) or 'none yet'}",
                )
                continue
            names.append(lower[part.lower()])
        focus.append(";".join(names))
    frame["focus_clusters"] = focus
    duplicates(frame, ["committee", "date"], file, errors,
                "a meeting of this committee on this date", "date")
    return frame


def _check_roles(frame: pd.DataFrame, file: str, errors: Errors) -> pd.DataFrame:
    require(frame, "roles", file, errors)
    check_enum(frame, "role", values_of(Role), None, file, errors, "a role")
    officer = (frame["role"] == Role.SERVICE_OFFICER.value) & (frame["service_area"] == "")
    errors.add_rows(file, frame, officer, "service_area",
                    "a service officer needs the service area they answer for")
    duplicates(frame, ["user", "role", "service_area"], file, errors,
                "this user, role and service area", "user")
    return frame


def check(
    frames: Mapping[str, pd.DataFrame], connection: Connection, errors: Errors
) -> Checked:
    checked = Checked()
    stored_info, stored_clusters = _stored_state(connection)
    prepared: dict[str, pd.DataFrame] = {}
    for sheet, frame in frames.items():
        key = sheet.strip().lower()
        file = file_of(key, frame)
        if key not in COLUMNS:
            errors.add(file, None, None,
                       f"'{sheet}' is not a databook sheet: use {choices(SHEETS)}")
            continue
        checked.files[key] = file
        ready = prepare(key, frame, file, errors)
        if ready is not None:
            prepared[key] = ready
    if not stored_info and "indicators" not in frames and frames:
        errors.add("indicators.csv", None, None,
                   "the store has no indicators yet, so the first load must include indicators")
    info = dict(stored_info)
    known = set(stored_info)
    clusters = list(stored_clusters)
    if "indicators" in prepared:
        indicators = _check_indicators(prepared["indicators"], checked.files["indicators"], errors)
        checked.tables["indicators"] = indicators
        _refuse_reshaping(indicators, stored_info, connection, checked.files["indicators"], errors)
        info.update(_indicator_info(indicators))
        known |= set(indicators["code"]) - {""}
        for name in indicators["cluster"]:
            if name and name not in clusters:
                clusters.append(name)
                checked.clusters.append(name)
    steps: dict[str, Callable[[pd.DataFrame, str], pd.DataFrame]] = {
        "observations": lambda f, file: _check_observations(f, file, errors, known, info),
        "targets": lambda f, file: _check_targets(f, file, errors, known, info),
        "benchmarks": lambda f, file: _check_benchmarks(f, file, errors, known, info),
        "peers": lambda f, file: peers.check_peers(f, file, errors, known, info),
        "glossary": lambda f, file: _check_glossary(f, file, errors),
        "meetings": lambda f, file: _check_meetings(f, file, errors, clusters),
        "roles": lambda f, file: _check_roles(f, file, errors),
    }
    for sheet, step in steps.items():
        if sheet in prepared:
            checked.tables[sheet] = step(prepared[sheet], checked.files[sheet])
    return checked
