"""The indicator card: one indicator's figure for one period, with everything a councillor reads beside it.

Assembled from domain objects by `build_card`; every number is rounded, judged and worded by
`scorecard.rules`. The card is complete and self-describing (formatted labels plus raw numbers)
so chat replies, JSON answers, charts and the newsletter all render the same facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from scorecard.model import (
    DEFAULT_SUPPRESS_BELOW,
    Benchmark,
    Dot,
    Indicator,
    Observation,
    ObservationStatus,
    Polarity,
    Rag,
    Target,
    Viewer,
    Year,
    YtdMethod,
)
from scorecard.periods import MONTH_ABBREVIATIONS, MONTH_NAMES, Frequency, Period, year_of_period
from scorecard.rules import (
    NO_FIGURE,
    BenchmarkResult,
    DisclosedFigure,
    DotResult,
    Number,
    ObservationIndex,
    PeerRanges,
    VisibleIndex,
    direction_of_travel,
    disclosure,
    format_rounded,
    frequency_label,
    index_observations,
    latest_benchmarks,
    polarity_words,
    rag,
    rag_label,
    round_half_up,
    rounded,
    target_for,
    visible,
    year_to_date,
    ytd_periods,
)

__all__ = [
    "ANNUAL_TREND_YEARS",
    "AreaFigure",
    "Figure",
    "IndicatorCard",
    "IndicatorData",
    "SummaryLine",
    "Trend",
    "TrendSeries",
    "area_figure",
    "build_card",
    "card_as_dict",
    "cluster_as_dict",
    "cluster_lines",
    "figure_at",
    "latest_period",
    "rag_counts",
    "reds",
    "summary_line",
    "summary_line_as_dict",
]

# How many years an annual indicator's trend shows.
ANNUAL_TREND_YEARS = 5


@dataclass(frozen=True, slots=True)
class IndicatorData:
    """What the store holds for one indicator: its observations, targets and benchmarks."""

    observations: Sequence[Observation] = ()
    targets: Sequence[Target] = ()
    benchmarks: Sequence[Benchmark] = ()


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure for a period: the period, the rounded value (None: no figure) and how it is shown."""

    period: Period | None
    value: Decimal | None
    display: str

    @property
    def label(self) -> str:
        """The period as a councillor reads it ("June 2024", "2024/25 Q2"), or "" with no period."""
        return "" if self.period is None else self.period.label


@dataclass(frozen=True, slots=True)
class TrendSeries:
    """One line of a trend chart: its label ("2024/25") and a figure per position."""

    label: str
    points: tuple[Figure, ...]


@dataclass(frozen=True, slots=True)
class Trend:
    """The trend beside a card.

    Monthly and quarterly: positions are the periods of the indicator's year ("Apr" ... "Mar"
    or "Q1" ... "Q4"), the first series is this year up to the card's period (later positions
    have no figure), the second the same periods of last year. Annual: positions are the last
    `ANNUAL_TREND_YEARS` years, in one series.
    """

    positions: tuple[str, ...]
    series: tuple[TrendSeries, ...]


@dataclass(frozen=True, slots=True)
class IndicatorCard:
    """One indicator at one period, as a councillor reads it (see `build_card`).

    Values are rounded to the indicator's precision (Decimal); `display` strings are formatted
    ("84.0%"); labels are written out. `period` is None when the viewer may see no figure yet.
    """

    indicator: Indicator
    period: Period | None
    value: Decimal | None
    raw_value: float | None
    display: str
    status: ObservationStatus | None
    target: Target | None
    target_value: Decimal | None
    target_display: str
    amber_threshold: Decimal | None
    amber_display: str
    rag: Rag
    rag_label: str
    dot: DotResult | None
    ytd: Decimal | None
    ytd_display: str
    ytd_label: str
    last_year: Figure
    benchmarks: tuple[BenchmarkResult, ...]
    trend: Trend
    published_value: Decimal | None = None
    revised: bool = False
    revised_at: datetime | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def title(self) -> str:
        return self.indicator.title

    @property
    def cluster(self) -> str:
        return self.indicator.cluster

    @property
    def period_label(self) -> str:
        """ "June 2024", "2024/25 Q2", "2023/24"; "" when there is no figure yet."""
        return "" if self.period is None else self.period.label

    @property
    def good_is(self) -> str:
        """What good looks like: "Higher is better", "Lower is better", or neither."""
        return polarity_words(self.indicator.polarity)

    @property
    def frequency_label(self) -> str:
        return frequency_label(self.indicator)

    @property
    def target_year(self) -> Year | None:
        """The year whose target applies (the indicator's basis), whether or not it has one."""
        if self.period is None:
            return None
        return year_of_period(self.period, self.indicator.year_basis)

    @property
    def data_notes(self) -> str:
        return self.indicator.data_notes

    @property
    def definition(self) -> str:
        return self.indicator.definition

    @property
    def source(self) -> str:
        return self.indicator.source

    @property
    def status_label(self) -> str:
        """ "provisional", "final", "suppressed", or "" with no figure."""
        return "" if self.status is None else self.status.value


def figure_at(index: ObservationIndex, period: Period, indicator: Indicator) -> Figure:
    """The figure for `period` from an index of observations: rounded and shown, "c" if suppressed."""
    observation = index.get(period)
    value = None if observation is None else rounded(observation.value, indicator)
    if value is None:
        suppressed = observation is not None and observation.status is ObservationStatus.SUPPRESSED
        return Figure(period, None, "c" if suppressed else NO_FIGURE)
    return Figure(period, value, format_rounded(value, indicator.unit))


def latest_period(index: ObservationIndex, *, up_to: Period | None = None) -> Period | None:
    """The latest period with a figure (falling back to the latest with any row), at or before `up_to`."""
    candidates = [p for p in index if up_to is None or p.end <= up_to.end]
    with_value = [p for p in candidates if index[p].value is not None]
    chosen = with_value or candidates
    return max(chosen, key=lambda p: p.end) if chosen else None


def _periods_of_year(indicator: Indicator, period: Period) -> list[Period]:
    """Every period of the indicator's year that `period` is in, first to last."""
    year = year_of_period(period, indicator.year_basis)
    periods = ytd_periods(indicator, period)
    cursor = period.next()
    while year.contains(cursor.end):
        periods.append(cursor)
        cursor = cursor.next()
    return periods


def _position_label(period: Period) -> str:
    if period.frequency is Frequency.MONTHLY:
        return MONTH_ABBREVIATIONS[period.end.month]
    return f"Q{period.quarter}"


def _trend(indicator: Indicator, index: ObservationIndex, period: Period) -> Trend:
    if indicator.frequency is Frequency.ANNUAL:
        years = [period.shifted(step) for step in range(1 - ANNUAL_TREND_YEARS, 1)]
        points = tuple(figure_at(index, p, indicator) for p in years)
        return Trend(tuple(p.label for p in years), (TrendSeries("Annual", points),))
    this_year = _periods_of_year(indicator, period)
    year = year_of_period(period, indicator.year_basis)
    current = tuple(
        figure_at(index, p, indicator) if p.end <= period.end else Figure(p, None, NO_FIGURE)
        for p in this_year
    )
    previous = tuple(figure_at(index, p.same_period_last_year(), indicator) for p in this_year)
    return Trend(
        tuple(_position_label(p) for p in this_year),
        (TrendSeries(year.label, current), TrendSeries(year.previous().label, previous)),
    )


def _ytd_label(indicator: Indicator, period: Period) -> str:
    """ "2024/25 to June 2024"; for an annual indicator the year itself; "" when there is no YTD."""
    if indicator.ytd is YtdMethod.NONE:
        return ""
    year = year_of_period(period, indicator.year_basis)
    if indicator.frequency is Frequency.ANNUAL:
        return year.label
    return f"{year.label} to {period.label}"


def build_card(
    indicator: Indicator,
    observations: Iterable[Observation] | VisibleIndex,
    targets: Iterable[Target],
    benchmarks: Iterable[Benchmark],
    *,
    viewer: Viewer,
    now: datetime,
    period: Period | None = None,
    published: Number | None = None,
    peer_ranges: PeerRanges | None = None,
) -> IndicatorCard:
    """Assemble the card for `indicator` at `period` (default: the latest the viewer may see).

    `observations` may be the indicator's observations or an index made by
    `rules.index_observations` for the same viewer and `now` (saves indexing twice).
    Only whole-authority figures the viewer may see at `now` are used (embargoed ones are left
    out for members everywhere: value, DOT, YTD, trend, verdicts). `peer_ranges` (every
    council's lowest and highest figure by period, where `peers` are loaded) flags a comparator
    outside all of them instead of judging it. `published` is the value as
    shown in the last published scorecard for this period, if any: when the rounded figure now
    differs, the card says it was revised since publication.
    Example: good is high, target 90 amber 84, June 2024 86.0% after May 88.0% -> "86.0%",
    Amber, DOT declined "declined: down from 88.0% to 86.0% since May 2024".
    """
    if period is not None and (
        period.frequency is not indicator.frequency
        or (period.frequency is Frequency.ANNUAL and period.year_basis is not indicator.year_basis)
    ):
        raise ValueError(
            f"{indicator.code} is {frequency_label(indicator).lower()}; "
            f"{period.label} is not one of its periods"
        )
    index = (
        observations
        if isinstance(observations, VisibleIndex) and observations.made_for(viewer, now)
        else index_observations(observations, viewer=viewer, now=now)
    )
    target_list = list(targets)
    shown_period = period if period is not None else latest_period(index)
    if shown_period is None:
        return _empty_card(indicator)
    observation = index.get(shown_period)
    raw = None if observation is None else observation.value
    current = figure_at(index, shown_period, indicator)
    target = target_for(shown_period, target_list, indicator.year_basis)
    if indicator.polarity is Polarity.NONE:
        # Context measures are never rated, whatever the targets table says.
        target = None
    places = indicator.effective_decimals
    target_value = None if target is None else round_half_up(target.target, places)
    amber = (
        None
        if target is None or target.amber_threshold is None
        else round_half_up(target.amber_threshold, places)
    )
    judged = rag(raw, target, indicator.polarity, decimals=places)
    ytd = year_to_date(indicator, index, shown_period)
    ytd_value = None if ytd is None else round_half_up(ytd, places)
    published_value = None if published is None else round_half_up(published, places)
    revised = published is not None and published_value != current.value
    year = year_of_period(shown_period, indicator.year_basis)

    notes: list[str] = []
    if observation is None:
        notes.append(f"No figure for {shown_period.label}.")
    elif observation.status is ObservationStatus.PROVISIONAL:
        notes.append("Provisional: this figure may change.")
    if indicator.polarity is not Polarity.NONE and target is None:
        notes.append(f"No target set for {year.label}, so not rated.")
    if revised:
        before = NO_FIGURE if published_value is None else format_rounded(published_value, indicator.unit)
        notes.append(f"Revised since publication: the published scorecard showed {before}.")
    revised_at = None if observation is None else observation.revised_at
    if revised_at is not None:
        notes.append(f"Revised on {revised_at.day} {MONTH_NAMES[revised_at.month]} {revised_at.year}.")

    return IndicatorCard(
        indicator=indicator,
        period=shown_period,
        value=current.value,
        raw_value=raw,
        display=current.display,
        status=None if observation is None else observation.status,
        target=target,
        target_value=target_value,
        target_display="no target" if target_value is None else format_rounded(target_value, indicator.unit),
        amber_threshold=amber,
        amber_display="" if amber is None else format_rounded(amber, indicator.unit),
        rag=judged,
        rag_label=rag_label(judged, target, indicator.polarity),
        dot=direction_of_travel(indicator, index, shown_period),
        ytd=ytd_value,
        ytd_display=(
            ""
            if indicator.ytd is YtdMethod.NONE
            else NO_FIGURE
            if ytd_value is None
            else format_rounded(ytd_value, indicator.unit)
        ),
        ytd_label=_ytd_label(indicator, shown_period),
        last_year=figure_at(index, shown_period.same_period_last_year(), indicator),
        benchmarks=latest_benchmarks(
            indicator,
            benchmarks,
            index,
            viewer=viewer,
            now=now,
            as_of=shown_period,
            peer_ranges=peer_ranges,
        ),
        trend=_trend(indicator, index, shown_period),
        published_value=published_value,
        revised=revised,
        revised_at=revised_at,
        notes=tuple(notes),
    )


def _empty_card(indicator: Indicator) -> IndicatorCard:
    return IndicatorCard(
        indicator=indicator,
        period=None,
        value=None,
        raw_value=None,
        display=NO_FIGURE,
        status=None,
        target=None,
        target_value=None,
        target_display="no target",
        amber_threshold=None,
        amber_display="",
        rag=Rag.NA,
        rag_label="Not rated",
        dot=None,
        ytd=None,
        ytd_display="" if indicator.ytd is YtdMethod.NONE else NO_FIGURE,
        ytd_label="",
        last_year=Figure(None, None, NO_FIGURE),
        benchmarks=(),
        trend=Trend((), ()),
        notes=("No figures have been published for this indicator yet.",),
    )


# --- JSON --------------------------------------------------------------------------------


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def card_as_dict(card: IndicatorCard) -> dict[str, Any]:
    """The card as the `indicator` answer of chat-and-workflow.md "Machine-readable answers".

    Exactly its fields (code, title, cluster, period, period_end, value, display, unit,
    polarity, target, amber_threshold, rag, dot {result, basis, compared_period,
    compared_value}, ytd, last_year {period, value}, benchmarks [{comparator, period, value,
    verdict}], data_notes), numbers as the rounded values (floats), plus extra fields a
    renderer may use (labels, words, arrows, notes). `json.dumps` works on the result.
    """
    indicator = card.indicator
    dot = card.dot
    return {
        "code": indicator.code,
        "title": indicator.title,
        "cluster": indicator.cluster,
        "period": None if card.period is None else card.period.label,
        "period_end": None if card.period is None else card.period.end.isoformat(),
        "value": _number(card.value),
        "display": card.display,
        "unit": indicator.unit.value,
        "polarity": indicator.polarity.value,
        "target": _number(card.target_value),
        "amber_threshold": _number(card.amber_threshold),
        "rag": card.rag.value,
        "dot": {
            "result": Dot.NA.value if dot is None else dot.result.value,
            "basis": (indicator.effective_dot_basis if dot is None else dot.basis).value,
            "compared_period": None if dot is None else dot.compared_period.label,
            "compared_value": None if dot is None else _number(dot.compared_value),
            "compared_period_end": None if dot is None else dot.compared_period.end.isoformat(),
            "arrow": "" if dot is None else dot.arrow,
            "words": "" if dot is None else dot.words,
        },
        "ytd": _number(card.ytd),
        "last_year": {
            "period": card.last_year.label or None,
            "value": _number(card.last_year.value),
            "display": card.last_year.display,
        },
        "benchmarks": [
            {
                "comparator": b.comparator.value,
                "period": b.period.label,
                "value": _number(b.value),
                "verdict": None if b.verdict is None else b.verdict.value,
                "note": b.note,
                "label": b.label,
                "display": b.display,
                "words": b.words,
            }
            for b in card.benchmarks
        ],
        "data_notes": indicator.data_notes,
        # Extras beyond the contract.
        "rag_label": card.rag_label,
        "status": card.status_label,
        "good_is": card.good_is,
        "frequency": indicator.frequency.value,
        "target_display": card.target_display,
        "amber_display": card.amber_display,
        "ytd_method": indicator.ytd.value,
        "ytd_display": card.ytd_display,
        "ytd_label": card.ytd_label,
        "definition": indicator.definition,
        "source": indicator.source,
        "revised": card.revised,
        "published_value": _number(card.published_value),
        "revised_at": None if card.revised_at is None else card.revised_at.isoformat(),
        "notes": list(card.notes),
        "trend": {
            "positions": list(card.trend.positions),
            "series": [
                {
                    "label": series.label,
                    "points": [
                        {"period": p.label, "value": _number(p.value), "display": p.display}
                        for p in series.points
                    ],
                }
                for series in card.trend.series
            ],
        },
    }


# --- Cluster answers ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SummaryLine:
    """One indicator in a cluster answer or the reds list: value, RAG and DOT at a glance."""

    code: str
    title: str
    cluster: str
    period_label: str
    value: Decimal | None
    display: str
    rag: Rag
    rag_label: str
    dot: Dot
    arrow: str
    dot_words: str

    @property
    def text(self) -> str:
        """ "SEND-01 New EHC plans within 20 weeks: 86.0% (June 2024), Amber, ▼ declined: ..."."""
        when = f" ({self.period_label})" if self.period_label else ""
        arrow = f"{self.arrow} " if self.arrow else ""
        dot = f", {arrow}{self.dot_words}" if self.dot_words else ""
        return f"{self.code} {self.title}: {self.display}{when}, {self.rag_label}{dot}"


def summary_line(card: IndicatorCard) -> SummaryLine:
    """The card reduced to one line: value, RAG and DOT."""
    return SummaryLine(
        code=card.code,
        title=card.title,
        cluster=card.cluster,
        period_label=card.period_label,
        value=card.value,
        display=card.display,
        rag=card.rag,
        rag_label=card.rag_label,
        dot=Dot.NA if card.dot is None else card.dot.result,
        arrow="" if card.dot is None else card.dot.arrow,
        dot_words="" if card.dot is None else card.dot.words,
    )


def summary_line_as_dict(line: SummaryLine) -> dict[str, Any]:
    """A summary line as plain JSON-ready data."""
    return {
        "code": line.code,
        "title": line.title,
        "cluster": line.cluster,
        "period": line.period_label or None,
        "value": _number(line.value),
        "display": line.display,
        "rag": line.rag.value,
        "rag_label": line.rag_label,
        "dot": line.dot.value,
        "arrow": line.arrow,
        "dot_words": line.dot_words,
    }


def cluster_lines(cards: Iterable[IndicatorCard], cluster: str | None = None) -> tuple[SummaryLine, ...]:
    """One line per card (of `cluster` if given, matched ignoring case), in the order given."""
    wanted = None if cluster is None else cluster.casefold()
    return tuple(summary_line(card) for card in cards if wanted is None or card.cluster.casefold() == wanted)


def reds(cards: Iterable[IndicatorCard]) -> dict[str, tuple[SummaryLine, ...]]:
    """The cards now red, by cluster, clusters in the order first seen ("/kpi reds")."""
    grouped: dict[str, list[SummaryLine]] = {}
    for card in cards:
        if card.rag is Rag.RED:
            grouped.setdefault(card.cluster, []).append(summary_line(card))
    return {cluster: tuple(lines) for cluster, lines in grouped.items()}


def rag_counts(cards: Iterable[IndicatorCard]) -> dict[Rag, int]:
    """How many cards are green, amber, red and not rated ("/kpi clusters")."""
    counts = dict.fromkeys(Rag, 0)
    for card in cards:
        counts[card.rag] += 1
    return counts


def cluster_as_dict(cluster: str, cards: Iterable[IndicatorCard]) -> dict[str, Any]:
    """The `cluster` answer's fields: the cluster and its indicators as `card_as_dict` objects."""
    return {"cluster": cluster, "indicators": [card_as_dict(card) for card in cards]}


# --- Ward figures ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaFigure:
    """A ward's figure under disclosure control, beside the whole authority's for the same period."""

    indicator: Indicator
    area: str
    period: Period | None
    figure: DisclosedFigure
    whole_authority: Figure

    @property
    def display(self) -> str:
        """ "<5", "c", or the formatted figure."""
        return self.figure.display


def area_figure(
    indicator: Indicator,
    observations: Iterable[Observation],
    area: str,
    *,
    viewer: Viewer,
    now: datetime,
    period: Period | None = None,
    suppress_below: int = DEFAULT_SUPPRESS_BELOW,
) -> AreaFigure:
    """A ward figure for "/kpi CLA rate ward Birkenhead": disclosure control applied (see rules.disclosure).

    The period defaults to the latest the viewer may see for that ward. A count of 3 shows as
    "<5" and never feeds a chart; the whole-authority figure is shown beside it unsuppressed.
    """
    visible_rows = [o for o in observations if visible(o, viewer, now)]
    wanted = area.casefold()
    ward_rows = [o for o in visible_rows if o.area is not None and o.area.casefold() == wanted]
    ward = {o.period: o for o in ward_rows}
    whole = index_observations(visible_rows)
    chosen = period if period is not None else latest_period(ward)
    if chosen is None:
        return AreaFigure(
            indicator, area, None, DisclosedFigure(NO_FIGURE, None, False), Figure(None, None, NO_FIGURE)
        )
    observation = ward.get(chosen)
    figure = (
        DisclosedFigure(NO_FIGURE, None, False)
        if observation is None
        else disclosure(observation, indicator, suppress_below)
    )
    return AreaFigure(indicator, area, chosen, figure, figure_at(whole, chosen, indicator))
