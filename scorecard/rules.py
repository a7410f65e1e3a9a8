"""The scorecard rules: rounding and display, RAG, direction of travel, YTD, benchmarks, disclosure.

One implementation of shared/spec/scorecard-rules.md. Every number a councillor reads (in chat,
JSON, the scorecard image, the newsletter) is rounded, judged and worded here, so what is shown
and what is judged never disagree. Pure functions: time comes in as `now`, nothing is read.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from scorecard.model import (
    DEFAULT_SUPPRESS_BELOW,
    Benchmark,
    Comparator,
    Dot,
    DotBasis,
    Indicator,
    Observation,
    ObservationStatus,
    Polarity,
    Rag,
    Target,
    Unit,
    Verdict,
    Viewer,
    YtdMethod,
)
from scorecard.periods import Frequency, Period, YearBasis, year_of_period
from scorecard.working_days import LONDON

__all__ = [
    "COUNT_NOTE",
    "NO_FIGURE",
    "OUTSIDE_RANGE_NOTE",
    "BenchmarkResult",
    "DisclosedFigure",
    "DotResult",
    "Number",
    "ObservationIndex",
    "PeerRanges",
    "VisibleIndex",
    "benchmark_verdict",
    "comparator_label",
    "direction_of_travel",
    "disclose",
    "disclosure",
    "dot_arrow",
    "dot_of",
    "format_rounded",
    "format_value",
    "frequency_label",
    "index_observations",
    "latest_benchmarks",
    "polarity_words",
    "rag",
    "rag_label",
    "round_half_up",
    "rounded",
    "target_for",
    "target_is_consistent",
    "verdict_of",
    "visible",
    "year_to_date",
    "ytd_periods",
]

Number = float | int | Decimal
# Observations of one indicator, whole authority, keyed by period: what the rules look values up in.
ObservationIndex = Mapping[Period, Observation]

# Shown where there is no figure at all (not loaded, or loaded as blank).
NO_FIGURE = "no figure"
# Embargo times without a zone are council time (spec: Disclosure control).


# --- Rounding and display ------------------------------------------------------------------

# 1, 0.1, 0.01, ...: built once, as rounding runs for every figure shown.
_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(7)}


def round_half_up(value: Number, decimals: int) -> Decimal:
    """Round half up (away from zero on a tie), as a spreadsheet does, to `decimals` places.

    The value goes through its shortest decimal spelling first, so float noise cannot tip
    a tie: 83.96 at 1 dp -> 84.0; 0.05 at 1 dp -> 0.1 (not 0.0); 64.900000000000006 -> 64.9;
    2.5 at 0 dp -> 3.
    """
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    quantum = _QUANTA.get(decimals)
    if quantum is None:
        quantum = Decimal(1).scaleb(-decimals)
    return exact.quantize(quantum, rounding=ROUND_HALF_UP)


def rounded(value: Number | None, indicator: Indicator) -> Decimal | None:
    """The value at the indicator's display precision (None stays None): what is shown and judged."""
    return None if value is None else round_half_up(value, indicator.effective_decimals)


def format_rounded(value: Decimal, unit: Unit) -> str:
    """Spell an already rounded value for its unit, keeping its decimals and adding thousands commas.

    Decimal("84.0") percent -> "84.0%"; Decimal("1234") count -> "1,234"; gbp -> "£1,234";
    Decimal("-1500") gbp -> "-£1,500"; rate and score -> "64.9"; days -> "12".
    """
    places = max(0, -int(value.as_tuple().exponent))
    number = f"{abs(value):,.{places}f}"
    sign = "-" if value < 0 else ""
    if unit is Unit.PERCENT:
        return f"{sign}{number}%"
    if unit is Unit.GBP:
        return f"{sign}£{number}"
    return f"{sign}{number}"


def format_value(value: Number | None, indicator: Indicator) -> str:
    """The figure as a councillor reads it, at the indicator's precision (see `round_half_up`).

    percent 83.96 -> "84.0%"; rate_per_10k 64.900000000000006 -> "64.9"; days 12.4 -> "12";
    count 1234 -> "1,234"; gbp 1234.4 -> "£1,234"; score 101.25 -> "101.3"; None -> "no figure".
    """
    if value is None:
        return NO_FIGURE
    return format_rounded(round_half_up(value, indicator.effective_decimals), indicator.unit)


def polarity_words(polarity: Polarity) -> str:
    """What good looks like, in words: high -> "Higher is better", low -> "Lower is better"."""
    return {
        Polarity.HIGH: "Higher is better",
        Polarity.LOW: "Lower is better",
        Polarity.NONE: "Neither: a measure of demand or context",
    }[polarity]


def frequency_label(indicator: Indicator) -> str:
    """How often the figure comes: "Monthly", "Quarterly", "Annual (academic year)"."""
    if indicator.frequency is Frequency.ANNUAL:
        return f"Annual ({indicator.year_basis.value} year)"
    return indicator.frequency.value.capitalize()


# --- Targets and RAG -----------------------------------------------------------------------


def target_for(period: Period, targets: Iterable[Target], basis: YearBasis) -> Target | None:
    """The target of the year (of the indicator's basis) that `period` ends in, or None.

    A target for 2024/25 applies to every period ending 1 April 2024 - 31 March 2025 (financial
    basis). A year with no target row has no target: it is never borrowed from another year.
    """
    year = year_of_period(period, basis)
    for target in targets:
        if target.year == year:
            return target
    return None


def target_is_consistent(target: Target, polarity: Polarity) -> bool:
    """Whether the amber threshold is on the right side: high: amber <= target; low: amber >= target.

    Target 90 with amber 84 is consistent for `high` and not for `low`. A missing threshold is
    consistent (the band is then empty: anything short of target is red).
    """
    if target.amber_threshold is None or polarity is Polarity.NONE:
        return True
    if polarity is Polarity.HIGH:
        return target.amber_threshold <= target.target
    return target.amber_threshold >= target.target


def rag(value: Number | None, target: Target | None, polarity: Polarity, *, decimals: int) -> Rag:
    """Red, amber or green, judged on values rounded to the display precision (`decimals`).

    high: value >= target -> green; value >= amber_threshold -> amber; else red.
    low:  value <= target -> green; value <= amber_threshold -> amber; else red.
    Target 90, amber 84, high: 86.0 -> amber; 90.0 -> green; 83.9 -> red; 83.96 (shown 84.0)
    -> amber. Polarity `none`, no target for the year, or no value -> Rag.NA (never a colour).
    The target and threshold are rounded at the same precision as the value.
    """
    if polarity is Polarity.NONE or target is None or value is None:
        return Rag.NA
    shown = round_half_up(value, decimals)
    goal = round_half_up(target.target, decimals)
    amber = None if target.amber_threshold is None else round_half_up(target.amber_threshold, decimals)
    if polarity is Polarity.HIGH:
        if shown >= goal:
            return Rag.GREEN
        if amber is not None and shown >= amber:
            return Rag.AMBER
        return Rag.RED
    if shown <= goal:
        return Rag.GREEN
    if amber is not None and shown <= amber:
        return Rag.AMBER
    return Rag.RED


def rag_label(result: Rag, target: Target | None, polarity: Polarity) -> str:
    """The RAG in words: "Green", "Amber", "Red"; n/a is never a colour.

    n/a reads "Not rated" for a context measure (polarity none) or when there is no figure, and
    "No target" when the year has no target.
    """
    if result is not Rag.NA:
        return result.value.capitalize()
    if polarity is not Polarity.NONE and target is None:
        return "No target"
    return "Not rated"


# --- Observations by period ----------------------------------------------------------------


class VisibleIndex(dict[Period, Observation]):
    """Observations by period from `index_observations`, remembering for whom, when and where.

    `build_card` reuses such an index (instead of indexing again) only when it was made for the
    same viewer, time and area, so a figure under embargo can never slip through.
    """

    __slots__ = ("area", "now", "viewer")

    def __init__(self, viewer: Viewer | None, now: datetime | None, area: str | None) -> None:
        super().__init__()
        self.viewer = viewer
        self.now = now
        self.area = area

    def made_for(self, viewer: Viewer, now: datetime, area: str | None = None) -> bool:
        """Whether this index holds exactly what `viewer` may see at `now` for `area`."""
        return self.viewer == viewer and self.now == now and self.area == area


def index_observations(
    observations: Iterable[Observation] | VisibleIndex,
    *,
    viewer: Viewer | None = None,
    now: datetime | None = None,
    area: str | None = None,
) -> VisibleIndex:
    """Index one indicator's observations for one area (None: whole authority) by period.

    With a viewer and `now`, figures still under embargo for that viewer are left out, so
    nothing downstream (DOT, YTD, trend, verdicts) can leak them.
    """
    if isinstance(observations, VisibleIndex):
        observations = observations.values()
    # Who may see embargoed figures is settled once here rather than per figure: this runs for
    # every card. `embargo_now` is None when no embargo applies (staff, or no viewer given).
    embargo_now = None
    if viewer is not None and now is not None:
        _require_aware(now)
        embargo_now = None if viewer.is_staff else now
    index = VisibleIndex(viewer, now, area)
    for observation in observations:
        if observation.area != area:
            continue
        if embargo_now is not None and not _embargo_passed(observation, embargo_now):
            continue
        if observation.status is ObservationStatus.SUPPRESSED and (
            observation.value is not None or observation.numerator is not None
        ):
            # Suppressed at source means no figure to show: a value loaded with it must not be
            # shown, rated, compared or summed on any path ("c" everywhere, as disclosure says).
            observation = replace(observation, value=None, numerator=None, denominator=None)
        index[observation.period] = observation
    return index


def _as_index(observations: ObservationIndex | Iterable[Observation]) -> ObservationIndex:
    if isinstance(observations, Mapping):
        return observations
    return index_observations(observations)


def _value_at(index: ObservationIndex, period: Period) -> float | None:
    observation = index.get(period)
    return None if observation is None else observation.value


# --- Direction of travel -------------------------------------------------------------------

_ARROWS = {
    Dot.IMPROVED: "▲",
    Dot.DECLINED: "▼",
    Dot.NO_CHANGE: "►",
    Dot.UP: "▲",
    Dot.DOWN: "▼",
    Dot.NA: "",
}


def dot_arrow(result: Dot) -> str:
    """The arrow shows performance: ▲ improved, ▼ declined, ► no change (▲/▼ up/down for `none`)."""
    return _ARROWS[result]


def dot_of(value: Decimal | None, compared: Decimal | None, polarity: Polarity) -> Dot:
    """Compare two rounded values: improved/declined/no_change (up/down/no_change for `none`).

    Good is low: 12.1 -> 10.4 improved. Good is high: 88.0 -> 86.0 declined. Either missing -> n/a.
    """
    if value is None or compared is None:
        return Dot.NA
    if value == compared:
        return Dot.NO_CHANGE
    went_up = value > compared
    if polarity is Polarity.NONE:
        return Dot.UP if went_up else Dot.DOWN
    better = went_up if polarity is Polarity.HIGH else not went_up
    return Dot.IMPROVED if better else Dot.DECLINED


@dataclass(frozen=True, slots=True)
class DotResult:
    """A direction of travel: the result, what it compared, and the words that say so."""

    result: Dot
    basis: DotBasis
    period: Period
    value: Decimal | None
    compared_period: Period
    compared_value: Decimal | None
    # Always says what the number did: "improved: down from 12.1 to 10.4 since May 2024".
    words: str

    @property
    def arrow(self) -> str:
        """▲ ▼ ► (empty when n/a): performance, not the raw number."""
        return dot_arrow(self.result)

    @property
    def tone(self) -> str:
        """Colour family for renderers: "good", "bad", "neutral" (no change, up/down) or "none"."""
        if self.result is Dot.IMPROVED:
            return "good"
        if self.result is Dot.DECLINED:
            return "bad"
        if self.result is Dot.NA:
            return "none"
        return "neutral"


def compared_period_for(indicator: Indicator, period: Period) -> Period:
    """What DOT compares with: the previous period, or the same period a year earlier (per dot_basis)."""
    if indicator.effective_dot_basis is DotBasis.PREVIOUS_YEAR:
        return period.same_period_last_year()
    return period.previous()


def direction_of_travel(
    indicator: Indicator,
    observations: ObservationIndex | Iterable[Observation],
    period: Period,
) -> DotResult:
    """Direction of travel of `period` against the compared period (indicator.effective_dot_basis).

    Compares rounded values. Good is low, May 12.1 -> June 10.4: improved, ▲, "improved: down
    from 12.1 to 10.4 since May 2024". Good is high, 2023/24 88.0% -> 2024/25 86.0%: declined,
    ▼, "declined: down from 88.0% to 86.0% since 2023/24". Polarity none: "up: from 120 to 134
    since May 2024". A missing figure: "not available: no figure for May 2024".
    """
    index = _as_index(observations)
    compared_period = compared_period_for(indicator, period)
    value = rounded(_value_at(index, period), indicator)
    compared = rounded(_value_at(index, compared_period), indicator)
    result = dot_of(value, compared, indicator.polarity)
    if value is None or compared is None:
        missing = period if value is None else compared_period
        words = f"not available: no figure for {missing.label}"
    elif result is Dot.NO_CHANGE:
        shown = format_rounded(value, indicator.unit)
        words = f"no change: {shown} in both {compared_period.label} and {period.label}"
    else:
        moved = "up" if value > compared else "down"
        before = format_rounded(compared, indicator.unit)
        after = format_rounded(value, indicator.unit)
        prefix = f"{moved}:" if indicator.polarity is Polarity.NONE else f"{result.value}: {moved}"
        words = f"{prefix} from {before} to {after} since {compared_period.label}"
    return DotResult(
        result=result,
        basis=indicator.effective_dot_basis,
        period=period,
        value=value,
        compared_period=compared_period,
        compared_value=compared,
        words=words,
    )


# --- Year to date --------------------------------------------------------------------------

# A ratio is scaled to the unit: per cent, per 10,000 children, or as it is (days per case).
_RATIO_SCALE = {Unit.PERCENT: Decimal(100), Unit.RATE_PER_10K: Decimal(10000)}


def ytd_periods(indicator: Indicator, period: Period) -> list[Period]:
    """The periods of the indicator's year (its basis) from the year's first up to `period`, in order.

    Monthly, financial: June 2024 -> April, May, June 2024. Monthly, academic: October 2024 ->
    September, October 2024. Annual: just the year itself.
    """
    year = year_of_period(period, indicator.year_basis)
    periods = [period]
    cursor = period.previous()
    while year.contains(cursor.end):
        periods.append(cursor)
        cursor = cursor.previous()
    periods.reverse()
    return periods


def _exact(value: float) -> Decimal:
    return Decimal(str(value))


def year_to_date(
    indicator: Indicator,
    observations: ObservationIndex | Iterable[Observation],
    period: Period,
) -> Decimal | None:
    """Combine the year's periods so far (see `ytd_periods`) per `indicator.ytd`; exact, unrounded.

    sum: referrals 100 + 120 + 90 -> 310. ratio: 100 * sum(numerators) / sum(denominators)
    (per 10,000 for rates): April 9 of 10 (90.0%), May 40 of 100 (40.0%) -> 100 * 49/110 = 44.5%,
    never the mean of the percentages (65.0%). mean: the mean of the values. latest: the value
    for `period`. none: None.
    A period of the year so far with no figure (for ratio: no numerator or denominator) means no
    YTD figure: a partial year would be misleading.
    """
    method = indicator.ytd
    if method is YtdMethod.NONE:
        return None
    index = _as_index(observations)
    if method is YtdMethod.LATEST:
        value = _value_at(index, period)
        return None if value is None else _exact(value)
    chosen = [index.get(p) for p in ytd_periods(indicator, period)]
    if method is YtdMethod.RATIO:
        numerator = Decimal(0)
        denominator = Decimal(0)
        for observation in chosen:
            if observation is None or observation.numerator is None or observation.denominator is None:
                return None
            numerator += _exact(observation.numerator)
            denominator += _exact(observation.denominator)
        if denominator == 0:
            return None
        return _RATIO_SCALE.get(indicator.unit, Decimal(1)) * numerator / denominator
    values: list[Decimal] = []
    for observation in chosen:
        if observation is None or observation.value is None:
            return None
        values.append(_exact(observation.value))
    total = sum(values, Decimal(0))
    if method is YtdMethod.SUM:
        return total
    return total / len(values)


# --- Benchmarks ----------------------------------------------------------------------------

_COMPARATOR_LABELS = {
    Comparator.STATISTICAL_NEIGHBOURS: "Statistical neighbours",
    Comparator.ENGLAND: "England",
    Comparator.REGION: "Region",
}


# Benchmarks are listed statistical neighbours, England, region (iterating the enum is slow).
_COMPARATOR_ORDER = tuple(Comparator)


def comparator_label(comparator: Comparator) -> str:
    """ "Statistical neighbours", "England", "Region"."""
    return _COMPARATOR_LABELS[comparator]


def verdict_of(ours: Decimal, theirs: Decimal, polarity: Polarity) -> Verdict:
    """Our rounded value against a benchmark's: better/worse/in_line (higher/lower for `none`).

    Good is high, ours 86.0 vs England 85.0 -> better; good is low, ours 10.4 vs 9.8 -> worse;
    equal when rounded -> in_line.
    """
    if ours == theirs:
        return Verdict.IN_LINE
    higher = ours > theirs
    if polarity is Polarity.NONE:
        return Verdict.HIGHER if higher else Verdict.LOWER
    better = higher if polarity is Polarity.HIGH else not higher
    return Verdict.BETTER if better else Verdict.WORSE


@dataclass(frozen=True, slots=True)
class BenchmarkResult:
    """One comparator's figure for its period, and how ours for that same period compares."""

    comparator: Comparator
    period: Period
    value: Decimal
    display: str
    # Ours for the benchmark's period; None when we have no figure for it (then no verdict).
    authority_value: Decimal | None
    authority_display: str
    verdict: Verdict | None
    # "England 2023/24: 85.0% (ours 86.0%: better)" or "England 2023/24: 85.0% (no figure of ours
    # for 2023/24 to compare)".
    words: str
    # Why there is no verdict although we have a figure: a count against a total for another
    # population, or a comparator outside every council's figure (a source slip). "" otherwise.
    note: str = ""

    @property
    def label(self) -> str:
        """The comparator with its period: "England 2023/24"."""
        return f"{comparator_label(self.comparator)} {self.period.label}"


# A count's comparator is a total for another population (England's count is the whole
# country's): shown for information, never judged (scorecard-rules.md, Benchmarks).
COUNT_NOTE = "a total for a different population: shown for information, not compared"
# A comparator no council's figure comes near is a slip in the source, not a verdict.
OUTSIDE_RANGE_NOTE = "outside every council's figure: check the source"

# Per period: the lowest and highest of every council's rounded figure (ours included), where
# other councils' figures (`peers`) are loaded.
PeerRanges = Mapping[Period, tuple[Decimal, Decimal]]


def benchmark_verdict(
    indicator: Indicator,
    benchmark: Benchmark,
    observations: ObservationIndex | Iterable[Observation],
    peer_ranges: PeerRanges | None = None,
) -> BenchmarkResult:
    """Compare the benchmark with the authority's value for the SAME period (both rounded).

    England 2023/24 85.0% against our 2023/24 86.0% (good is high) -> better. If we have no
    figure for 2023/24 (even if we have a later one) there is no verdict, only the figure.
    Only like is compared with like: a count gets no verdict (England's 81,770 children looked
    after is not "higher" than our 1,498), and where every council's figures for the period are
    known (`peer_ranges`) a comparator outside all of them (England's first-time entrants at
    1,258 while every council is at most 318) is flagged, not judged.
    """
    index = _as_index(observations)
    theirs = round_half_up(benchmark.value, indicator.effective_decimals)
    ours = rounded(_value_at(index, benchmark.period), indicator)
    label = f"{comparator_label(benchmark.comparator)} {benchmark.period.label}"
    display = format_rounded(theirs, indicator.unit)
    span = None if peer_ranges is None else peer_ranges.get(benchmark.period)
    note = ""
    if indicator.unit is Unit.COUNT:
        note = COUNT_NOTE
    elif span is not None and not span[0] <= theirs <= span[1]:
        note = OUTSIDE_RANGE_NOTE
    if note:
        verdict = None
        ours_display = NO_FIGURE if ours is None else format_rounded(ours, indicator.unit)
        words = f"{label}: {display} ({note})"
    elif ours is None:
        verdict = None
        ours_display = NO_FIGURE
        words = f"{label}: {display} (no figure of ours for {benchmark.period.label} to compare)"
    else:
        verdict = verdict_of(ours, theirs, indicator.polarity)
        ours_display = format_rounded(ours, indicator.unit)
        said = "in line" if verdict is Verdict.IN_LINE else verdict.value
        words = f"{label}: {display} (ours {ours_display}: {said})"
    return BenchmarkResult(
        comparator=benchmark.comparator,
        period=benchmark.period,
        value=theirs,
        display=display,
        authority_value=ours,
        authority_display=ours_display,
        verdict=verdict,
        words=words,
        note=note,
    )


def latest_benchmarks(
    indicator: Indicator,
    benchmarks: Iterable[Benchmark],
    observations: ObservationIndex | Iterable[Observation],
    *,
    viewer: Viewer,
    now: datetime,
    as_of: Period | None = None,
    peer_ranges: PeerRanges | None = None,
) -> tuple[BenchmarkResult, ...]:
    """The latest benchmark the viewer may see for each comparator, each labelled with its period.

    Benchmarks usually lag ("England 2023/24" beside our June 2024). With `as_of`, benchmarks for
    periods ending after it are ignored (a card for 2022/23 shows the benchmarks of its time).
    Ordered statistical neighbours, England, region.
    """
    index = _as_index(observations)
    _require_aware(now)
    staff = viewer.is_staff
    latest: dict[Comparator, Benchmark] = {}
    for benchmark in benchmarks:
        if benchmark.code != indicator.code:
            continue
        if not staff and not _embargo_passed(benchmark, now):
            continue
        if as_of is not None and benchmark.period.end > as_of.end:
            continue
        held = latest.get(benchmark.comparator)
        if held is None or benchmark.period.end > held.period.end:
            latest[benchmark.comparator] = benchmark
    return tuple(
        benchmark_verdict(indicator, latest[comparator], index, peer_ranges)
        for comparator in _COMPARATOR_ORDER
        if comparator in latest
    )


# --- Disclosure control and embargo --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DisclosedFigure:
    """A figure after disclosure control: what to show, and whether it may feed a chart."""

    display: str
    # The rounded value; None when suppressed or missing, so it cannot be plotted by mistake.
    value: Decimal | None
    suppressed: bool

    @property
    def chartable(self) -> bool:
        """Suppressed (and missing) figures never feed a chart."""
        return not self.suppressed and self.value is not None


def _is_small(number: float | None, suppress_below: int) -> bool:
    return number is not None and 0 < number < suppress_below


def disclosure(
    observation: Observation,
    indicator: Indicator,
    suppress_below: int = DEFAULT_SUPPRESS_BELOW,
) -> DisclosedFigure:
    """Apply disclosure control to a figure (wards only; whole-authority figures are never hidden).

    For a ward (`area` set): a count of 1-4 (below `suppress_below`, but not 0) shows as "<5";
    a percentage, rate or other derived figure whose numerator or denominator is 1-4 shows as "c"
    (confidential), as does one whose numerator and denominator are unknown (we cannot tell how
    few children it is about). A figure suppressed at source shows as "c" anywhere.
    """
    if observation.status is ObservationStatus.SUPPRESSED:
        return DisclosedFigure("c", None, suppressed=True)
    if observation.value is None:
        return DisclosedFigure(NO_FIGURE, None, suppressed=False)
    shown = rounded(observation.value, indicator)
    if observation.area is not None:
        if indicator.unit is Unit.COUNT:
            if _is_small(observation.value, suppress_below):
                return DisclosedFigure(f"<{suppress_below}", None, suppressed=True)
        elif (
            observation.numerator is None
            or observation.denominator is None
            or _is_small(observation.numerator, suppress_below)
            or _is_small(observation.denominator, suppress_below)
        ):
            return DisclosedFigure("c", None, suppressed=True)
    assert shown is not None
    return DisclosedFigure(format_rounded(shown, indicator.unit), shown, suppressed=False)


def disclose(
    observation: Observation,
    indicator: Indicator,
    suppress_below: int = DEFAULT_SUPPRESS_BELOW,
) -> str:
    """The display string after disclosure control: "<5", "c" or the formatted figure (see `disclosure`)."""
    return disclosure(observation, indicator, suppress_below).display


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")


def _embargo_end(until: datetime) -> datetime:
    """An embargo's end as an aware moment: one without a zone is Europe/London time."""
    if until.tzinfo is None or until.utcoffset() is None:
        return until.replace(tzinfo=LONDON)
    return until


def _embargo_passed(item: Observation | Benchmark, now: datetime) -> bool:
    until = item.embargo_until
    return until is None or _embargo_end(until) <= now


def embargo_ends(items: Iterable[Observation | Benchmark]) -> tuple[datetime, ...]:
    """The moments, earliest first, at which what a member may see of these figures changes."""
    ends = {_embargo_end(item.embargo_until) for item in items if item.embargo_until is not None}
    return tuple(sorted(ends))


def embargoes_passed(ends: Sequence[datetime], viewer: Viewer, now: datetime) -> int:
    """Which of `embargo_ends` the viewer is past at `now` (-1 for staff, who see through them):
    two moments with the same answer show that viewer the same figures."""
    _require_aware(now)
    return -1 if viewer.is_staff else bisect_right(ends, now)


def visible(item: Observation | Benchmark, viewer: Viewer, now: datetime) -> bool:
    """Whether `viewer` may see a figure at `now`: under embargo (embargo_until in the future) only staff.

    An embargo without a zone is Europe/London time. At the embargo instant the figure is public.
    `now` must be timezone-aware.
    """
    _require_aware(now)
    return viewer.is_staff or _embargo_passed(item, now)
