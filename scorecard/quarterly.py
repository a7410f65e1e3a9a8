"""The quarterly scorecard: every active indicator for one FY quarter, and its frozen snapshot.

`build_scorecard` assembles it from domain objects (each row from the indicator's card, so the
scorecard and the chat answers can never disagree). The scorecard holds only formatted labels
and plain numbers (floats, rounded as shown), so `snapshot` turns it into JSON-ready data and
`scorecard_from_snapshot` brings back an equal scorecard years later, with no store: once
approved, later revisions of the data never change what was approved and published.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from scorecard.card import (
    Figure,
    IndicatorCard,
    IndicatorData,
    build_card,
    figure_at,
    latest_period,
)
from scorecard.glossary import SCORECARD_TERMS, terms_used
from scorecard.model import (
    Dot,
    GlossaryEntry,
    Indicator,
    Observation,
    ObservationStatus,
    Rag,
    Unit,
    Verdict,
    Viewer,
)
from scorecard.periods import Frequency, Period, months_of, year_of
from scorecard.rules import (
    ObservationIndex,
    frequency_label,
    index_observations,
    polarity_words,
    visible,
)
from scorecard.working_days import LONDON

__all__ = [
    "SNAPSHOT_VERSION",
    "BenchmarkCell",
    "Cell",
    "ClusterSection",
    "DataNote",
    "DotCell",
    "QuarterlyScorecard",
    "ScorecardRow",
    "Summary",
    "TrendLine",
    "build_scorecard",
    "published_values",
    "scorecard_from_snapshot",
    "shown_periods",
    "snapshot",
]

# Bump when the snapshot's shape changes; readers of old snapshots can then convert them.
SNAPSHOT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Cell:
    """A figure for a period as frozen in a scorecard: "June 2024", "2024-06-30", 86.0, "86.0%"."""

    period: str
    period_end: str
    value: float | None
    display: str


@dataclass(frozen=True, slots=True)
class DotCell:
    """The direction of travel as frozen: result, arrow (▲ ▼ ►), tone, what it compared, the words."""

    result: Dot
    arrow: str
    tone: str
    basis: str
    compared_period: str
    compared_value: float | None
    words: str


@dataclass(frozen=True, slots=True)
class BenchmarkCell:
    """A comparator's latest figure with its period, and the verdict on the same period of ours."""

    comparator: str
    label: str
    period: str
    period_end: str
    value: float
    display: str
    verdict: Verdict | None
    words: str


@dataclass(frozen=True, slots=True)
class TrendLine:
    """One line of the row's trend: "2024/25" (this year so far) or "2023/24" or "Annual"."""

    label: str
    points: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class ScorecardRow:
    """One indicator on the scorecard (spec: "The quarterly scorecard", per indicator).

    `periods` are the columns: the quarter's three months (monthly), the quarter (quarterly),
    or the latest year published by the quarter's end (annual). `latest` is the latest of them
    with a figure; RAG, DOT, YTD, last year and benchmarks are for it.
    """

    code: str
    title: str
    cluster: str
    unit: str
    polarity: str
    decimals: int
    frequency: str
    frequency_label: str
    good_is: str
    periods: tuple[Cell, ...]
    latest: Cell
    status: str
    ytd_method: str
    ytd_label: str
    ytd: float | None
    ytd_display: str
    target: float | None
    target_display: str
    amber_threshold: float | None
    amber_display: str
    rag: Rag
    rag_label: str
    dot: DotCell
    last_year: Cell
    benchmarks: tuple[BenchmarkCell, ...]
    trend_positions: tuple[str, ...]
    trend: tuple[TrendLine, ...]
    data_note: str
    # "1", "2", ... pointing to the scorecard's data notes; "" when the indicator has none.
    note_marker: str
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ClusterSection:
    """A cluster's rows in catalogue order."""

    name: str
    rows: tuple[ScorecardRow, ...]


@dataclass(frozen=True, slots=True)
class DataNote:
    """A numbered data note shown beneath the scorecard."""

    marker: str
    code: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Summary:
    """The summary line's counts."""

    green: int
    amber: int
    red: int
    not_rated: int
    improved: int
    declined: int
    no_change: int
    indicators: int

    @property
    def text(self) -> str:
        """ "3 green, 2 amber, 1 red, 4 not rated; 5 improved, 2 declined, 1 no change"."""
        return (
            f"{self.green} green, {self.amber} amber, {self.red} red, {self.not_rated} not rated; "
            f"{self.improved} improved, {self.declined} declined, {self.no_change} no change"
        )


@dataclass(frozen=True, slots=True)
class QuarterlyScorecard:
    """The scorecard for one FY quarter: clusters of rows, a summary, data notes and a glossary."""

    quarter_label: str
    quarter_end: str
    prepared_at: str
    clusters: tuple[ClusterSection, ...]
    summary: Summary
    data_notes: tuple[DataNote, ...]
    glossary: tuple[GlossaryEntry, ...]

    @property
    def quarter(self) -> Period:
        """The quarter as a period (2024/25 Q2 ends 30 September 2024)."""
        return Period(date.fromisoformat(self.quarter_end), Frequency.QUARTERLY)

    @property
    def rows(self) -> tuple[ScorecardRow, ...]:
        """Every row, cluster by cluster."""
        return tuple(row for cluster in self.clusters for row in cluster.rows)

    def cluster(self, name: str) -> ClusterSection | None:
        """The cluster named `name` (ignoring case), or None."""
        wanted = name.casefold()
        for section in self.clusters:
            if section.name.casefold() == wanted:
                return section
        return None


# --- Building ------------------------------------------------------------------------------


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _cell(figure: Figure) -> Cell:
    period = figure.period
    return Cell(
        period="" if period is None else period.label,
        period_end="" if period is None else period.end.isoformat(),
        value=_number(figure.value),
        display=figure.display,
    )


def shown_periods(
    indicator: Indicator,
    quarter: Period,
    observations: Iterable[Observation] | ObservationIndex,
    *,
    viewer: Viewer,
    now: datetime,
) -> tuple[list[Period], Period]:
    """The periods a scorecard shows for an indicator in `quarter`, and the one it judges.

    Monthly: the quarter's three months, judging the latest with a figure (else the last
    month). Quarterly: the quarter. Annual: the latest year published by the quarter's end (its
    period ended by then and any embargo had passed by then), else the last year to have ended.
    """
    index = (
        observations
        if isinstance(observations, Mapping)
        else index_observations(observations, viewer=viewer, now=now)
    )
    if indicator.frequency is Frequency.MONTHLY:
        months = months_of(quarter)
        with_figure = [m for m in months if (o := index.get(m)) is not None and o.value is not None]
        return months, (with_figure[-1] if with_figure else months[-1])
    if indicator.frequency is Frequency.QUARTERLY:
        return [quarter], quarter
    # An annual figure counts only if it was public by the end of the quarter's last day.
    quarter_over = datetime.combine(quarter.end, time.max, tzinfo=LONDON)
    public = Viewer("public", frozenset())
    published = {
        period: observation
        for period, observation in index.items()
        if period.frequency is Frequency.ANNUAL and visible(observation, public, quarter_over)
    }
    latest = latest_period(published, up_to=quarter)
    if latest is None:
        year = year_of(quarter.end, indicator.year_basis)
        if year.end > quarter.end:
            year = year.previous()
        latest = Period(year.end, Frequency.ANNUAL, indicator.year_basis)
    return [latest], latest


def _row(card: IndicatorCard, shown: Sequence[Period], index: ObservationIndex, marker: str) -> ScorecardRow:
    indicator = card.indicator
    judged = card.period
    assert judged is not None and card.dot is not None
    dot = card.dot
    return ScorecardRow(
        code=indicator.code,
        title=indicator.title,
        cluster=indicator.cluster,
        unit=indicator.unit.value,
        polarity=indicator.polarity.value,
        decimals=indicator.effective_decimals,
        frequency=indicator.frequency.value,
        frequency_label=frequency_label(indicator),
        good_is=polarity_words(indicator.polarity),
        periods=tuple(_cell(figure_at(index, period, indicator)) for period in shown),
        latest=Cell(judged.label, judged.end.isoformat(), _number(card.value), card.display),
        status=card.status_label,
        ytd_method=indicator.ytd.value,
        ytd_label=card.ytd_label,
        ytd=_number(card.ytd),
        ytd_display=card.ytd_display,
        target=_number(card.target_value),
        target_display=card.target_display,
        amber_threshold=_number(card.amber_threshold),
        amber_display=card.amber_display,
        rag=card.rag,
        rag_label=card.rag_label,
        dot=DotCell(
            result=dot.result,
            arrow=dot.arrow,
            tone=dot.tone,
            basis=dot.basis.value,
            compared_period=dot.compared_period.label,
            compared_value=_number(dot.compared_value),
            words=dot.words,
        ),
        last_year=_cell(card.last_year),
        benchmarks=tuple(
            BenchmarkCell(
                comparator=b.comparator.value,
                label=b.label,
                period=b.period.label,
                period_end=b.period.end.isoformat(),
                value=float(b.value),
                display=b.display,
                verdict=b.verdict,
                words=b.words,
            )
            for b in card.benchmarks
        ),
        trend_positions=card.trend.positions,
        trend=tuple(
            TrendLine(series.label, tuple(_cell(point) for point in series.points))
            for series in card.trend.series
        ),
        data_note=indicator.data_notes,
        note_marker=marker,
        notes=card.notes,
    )


def summarise(rows: Sequence[ScorecardRow]) -> Summary:
    """The summary line's counts for these rows: RAG colours and directions of travel."""
    rags = [row.rag for row in rows]
    dots = [row.dot.result for row in rows]
    return Summary(
        green=rags.count(Rag.GREEN),
        amber=rags.count(Rag.AMBER),
        red=rags.count(Rag.RED),
        not_rated=rags.count(Rag.NA),
        improved=dots.count(Dot.IMPROVED),
        declined=dots.count(Dot.DECLINED),
        no_change=dots.count(Dot.NO_CHANGE),
        indicators=len(rows),
    )


def _glossary(
    glossary: Iterable[GlossaryEntry], rows: Sequence[ScorecardRow], clusters: Iterable[str]
) -> tuple[GlossaryEntry, ...]:
    always = list(SCORECARD_TERMS)
    texts = list(clusters)
    for row in rows:
        texts.extend((row.title, row.data_note))
        if row.unit == Unit.RATE_PER_10K.value:
            always.append("Rate per 10,000")
        if row.status == ObservationStatus.PROVISIONAL.value:
            always.append("Provisional")
        if any(cell.display == "c" for cell in row.periods):
            always.append("c")
    return terms_used(glossary, texts, always=always)


def build_scorecard(
    quarter: Period,
    catalogue: Iterable[Indicator],
    data_by_code: Mapping[str, IndicatorData],
    glossary: Iterable[GlossaryEntry],
    *,
    viewer: Viewer,
    now: datetime,
) -> QuarterlyScorecard:
    """The scorecard for an FY quarter (e.g. 2024/25 Q2): every active indicator marked
    `on_scorecard`, by cluster.

    Clusters and indicators keep catalogue order. Each row is built from the indicator's card at
    the period `shown_periods` judges, with the figures `viewer` may see at `now` (a draft built
    by a performance officer includes embargoed figures; one built for members does not).
    The glossary lists the terms used on the scorecard (its columns and any abbreviation found
    in titles, clusters and data notes).
    """
    if quarter.frequency is not Frequency.QUARTERLY:
        raise ValueError(f"a scorecard is for a quarter, not {quarter.label}")
    empty = IndicatorData()
    sections: dict[str, list[ScorecardRow]] = {}
    notes: list[DataNote] = []
    for indicator in catalogue:
        if not indicator.active or not indicator.on_scorecard:
            continue
        data = data_by_code.get(indicator.code, empty)
        index = index_observations(data.observations, viewer=viewer, now=now)
        shown, judged = shown_periods(indicator, quarter, index, viewer=viewer, now=now)
        card = build_card(
            indicator,
            index,
            data.targets,
            data.benchmarks,
            viewer=viewer,
            now=now,
            period=judged,
        )
        marker = ""
        if indicator.data_notes.strip():
            marker = str(len(notes) + 1)
            notes.append(DataNote(marker, indicator.code, indicator.title, indicator.data_notes))
        sections.setdefault(indicator.cluster, []).append(_row(card, shown, index, marker))
    clusters = tuple(ClusterSection(name, tuple(rows)) for name, rows in sections.items())
    rows = [row for section in clusters for row in section.rows]
    return QuarterlyScorecard(
        quarter_label=quarter.label,
        quarter_end=quarter.end.isoformat(),
        prepared_at=now.isoformat(),
        clusters=clusters,
        summary=summarise(rows),
        data_notes=tuple(notes),
        glossary=_glossary(glossary, rows, sections),
    )


def only_cluster(scorecard: QuarterlyScorecard, name: str) -> QuarterlyScorecard | None:
    """The scorecard cut down to one cluster (named in any case), with its own counts and notes.

    `/scorecard 2024/25 Q1 SEND` shows the SEND cluster's summary, not the whole scorecard's.
    """
    section = scorecard.cluster(name)
    if section is None:
        return None
    codes = {row.code for row in section.rows}
    return replace(
        scorecard,
        clusters=(section,),
        summary=summarise(section.rows),
        data_notes=tuple(note for note in scorecard.data_notes if note.code in codes),
    )


def published_values(scorecard: QuarterlyScorecard) -> dict[tuple[str, str], float | None]:
    """Every figure a scorecard showed, by (indicator code, period end ISO date).

    Feed one to `build_card(published=...)` so the live view says when a figure was revised
    after publication: published_values(q2)[("SEND-01", "2024-09-30")] -> 88.0.
    """
    shown: dict[tuple[str, str], float | None] = {}
    for row in scorecard.rows:
        for cell in row.periods:
            shown[(row.code, cell.period_end)] = cell.value
    return shown


# --- Snapshot ------------------------------------------------------------------------------


def _cell_dict(cell: Cell) -> dict[str, Any]:
    return {
        "period": cell.period,
        "period_end": cell.period_end,
        "value": cell.value,
        "display": cell.display,
    }


def _row_dict(row: ScorecardRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "title": row.title,
        "cluster": row.cluster,
        "unit": row.unit,
        "polarity": row.polarity,
        "decimals": row.decimals,
        "frequency": row.frequency,
        "frequency_label": row.frequency_label,
        "good_is": row.good_is,
        "periods": [_cell_dict(c) for c in row.periods],
        "latest": _cell_dict(row.latest),
        "status": row.status,
        "ytd_method": row.ytd_method,
        "ytd_label": row.ytd_label,
        "ytd": row.ytd,
        "ytd_display": row.ytd_display,
        "target": row.target,
        "target_display": row.target_display,
        "amber_threshold": row.amber_threshold,
        "amber_display": row.amber_display,
        "rag": row.rag.value,
        "rag_label": row.rag_label,
        "dot": {
            "result": row.dot.result.value,
            "arrow": row.dot.arrow,
            "tone": row.dot.tone,
            "basis": row.dot.basis,
            "compared_period": row.dot.compared_period,
            "compared_value": row.dot.compared_value,
            "words": row.dot.words,
        },
        "last_year": _cell_dict(row.last_year),
        "benchmarks": [
            {
                "comparator": b.comparator,
                "label": b.label,
                "period": b.period,
                "period_end": b.period_end,
                "value": b.value,
                "display": b.display,
                "verdict": None if b.verdict is None else b.verdict.value,
                "words": b.words,
            }
            for b in row.benchmarks
        ],
        "trend_positions": list(row.trend_positions),
        "trend": [
            {"label": line.label, "points": [_cell_dict(c) for c in line.points]} for line in row.trend
        ],
        "data_note": row.data_note,
        "note_marker": row.note_marker,
        "notes": list(row.notes),
    }


def summary_as_dict(summary: Summary) -> dict[str, Any]:
    """The summary's counts and its sentence as plain JSON-ready data."""
    return {
        "green": summary.green,
        "amber": summary.amber,
        "red": summary.red,
        "not_rated": summary.not_rated,
        "improved": summary.improved,
        "declined": summary.declined,
        "no_change": summary.no_change,
        "indicators": summary.indicators,
        "text": summary.text,
    }


def snapshot(scorecard: QuarterlyScorecard) -> dict[str, Any]:
    """The scorecard as plain data (dicts, lists, str, int, float, None): `json.dumps` works on it.

    This is what is frozen on approval; `scorecard_from_snapshot` reads it back unchanged.
    """
    summary = scorecard.summary
    return {
        "version": SNAPSHOT_VERSION,
        "quarter_label": scorecard.quarter_label,
        "quarter_end": scorecard.quarter_end,
        "prepared_at": scorecard.prepared_at,
        "clusters": [
            {"name": section.name, "rows": [_row_dict(row) for row in section.rows]}
            for section in scorecard.clusters
        ],
        "summary": summary_as_dict(summary),
        "data_notes": [
            {"marker": n.marker, "code": n.code, "title": n.title, "text": n.text}
            for n in scorecard.data_notes
        ],
        "glossary": [{"term": e.term, "definition": e.definition} for e in scorecard.glossary],
    }


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _cell_from(d: Mapping[str, Any]) -> Cell:
    return Cell(str(d["period"]), str(d["period_end"]), _float(d["value"]), str(d["display"]))


def _row_from(d: Mapping[str, Any]) -> ScorecardRow:
    dot = d["dot"]
    return ScorecardRow(
        code=d["code"],
        title=d["title"],
        cluster=d["cluster"],
        unit=d["unit"],
        polarity=d["polarity"],
        decimals=int(d["decimals"]),
        frequency=d["frequency"],
        frequency_label=d["frequency_label"],
        good_is=d["good_is"],
        periods=tuple(_cell_from(c) for c in d["periods"]),
        latest=_cell_from(d["latest"]),
        status=d["status"],
        ytd_method=d["ytd_method"],
        ytd_label=d["ytd_label"],
        ytd=_float(d["ytd"]),
        ytd_display=d["ytd_display"],
        target=_float(d["target"]),
        target_display=d["target_display"],
        amber_threshold=_float(d["amber_threshold"]),
        amber_display=d["amber_display"],
        rag=Rag(d["rag"]),
        rag_label=d["rag_label"],
        dot=DotCell(
            result=Dot(dot["result"]),
            arrow=dot["arrow"],
            tone=dot["tone"],
            basis=dot["basis"],
            compared_period=dot["compared_period"],
            compared_value=_float(dot["compared_value"]),
            words=dot["words"],
        ),
        last_year=_cell_from(d["last_year"]),
        benchmarks=tuple(
            BenchmarkCell(
                comparator=b["comparator"],
                label=b["label"],
                period=b["period"],
                period_end=b["period_end"],
                value=float(b["value"]),
                display=b["display"],
                verdict=None if b["verdict"] is None else Verdict(b["verdict"]),
                words=b["words"],
            )
            for b in d["benchmarks"]
        ),
        trend_positions=tuple(d["trend_positions"]),
        trend=tuple(
            TrendLine(line["label"], tuple(_cell_from(c) for c in line["points"])) for line in d["trend"]
        ),
        data_note=d["data_note"],
        note_marker=d["note_marker"],
        notes=tuple(d["notes"]),
    )


def scorecard_from_snapshot(d: Mapping[str, Any]) -> QuarterlyScorecard:
    """Read back a snapshot made by `snapshot` (needs no store): equal to the scorecard it froze."""
    version = d.get("version")
    if version != SNAPSHOT_VERSION:
        raise ValueError(f"unknown scorecard snapshot version {version!r}")
    s = d["summary"]
    return QuarterlyScorecard(
        quarter_label=d["quarter_label"],
        quarter_end=d["quarter_end"],
        prepared_at=d["prepared_at"],
        clusters=tuple(
            ClusterSection(c["name"], tuple(_row_from(r) for r in c["rows"])) for c in d["clusters"]
        ),
        summary=Summary(
            green=s["green"],
            amber=s["amber"],
            red=s["red"],
            not_rated=s["not_rated"],
            improved=s["improved"],
            declined=s["declined"],
            no_change=s["no_change"],
            indicators=s["indicators"],
        ),
        data_notes=tuple(DataNote(n["marker"], n["code"], n["title"], n["text"]) for n in d["data_notes"]),
        glossary=tuple(GlossaryEntry(e["term"], e["definition"]) for e in d["glossary"]),
    )
