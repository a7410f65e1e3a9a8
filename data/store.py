"""The queries later code needs: each takes a `Session` and returns domain objects, never rows.

Whole-authority figures are stored with area '' and handed out with `area=None`, as
`scorecard.model.Observation` has it. Date-times are stored as naive UTC and handed out aware.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, bindparam, func, or_, select
from sqlalchemy.orm import Session

from data.schema import (
    AccountRow,
    BenchmarkRow,
    Cluster,
    GlossaryRow,
    IndicatorRow,
    LoadRow,
    MeetingRow,
    ObservationRow,
    PeerRow,
    PersonRow,
    RoleRow,
    ScorecardRecordRow,
    TargetRow,
)
from scorecard.approval import ScorecardStatus
from scorecard.comparison import Peer
from scorecard.model import (
    Benchmark,
    Comparator,
    DotBasis,
    GlossaryEntry,
    Indicator,
    Meeting,
    Observation,
    ObservationStatus,
    Polarity,
    Role,
    RoleAssignment,
    Target,
    Unit,
    YtdMethod,
)
from scorecard.periods import Frequency, Period, Year, YearBasis

__all__ = [
    "EVERY_AREA",
    "ClusterOverview",
    "IndicatorFigures",
    "benchmarks",
    "catalogue",
    "clusters",
    "figures",
    "glossary",
    "indicator",
    "is_empty",
    "meetings",
    "observations",
    "overview",
    "peer_ranges",
    "peers",
    "roles_of",
    "targets",
]

EVERY_AREA = "*"
"""Pass as `area` to get the figures of the whole authority and of every ward."""


@dataclass(frozen=True, slots=True)
class ClusterOverview:
    """One cluster at a glance: how many indicators, and the latest period with a figure."""

    name: str
    indicators: int
    latest: Period | None


@dataclass(frozen=True, slots=True)
class IndicatorFigures:
    """Everything stored about one indicator that a card or the scorecard needs."""

    indicator: Indicator
    observations: tuple[Observation, ...]
    targets: tuple[Target, ...]
    benchmarks: tuple[Benchmark, ...]


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


def _indicator(row: IndicatorRow) -> Indicator:
    return Indicator(
        code=row.code,
        title=row.title,
        cluster=row.cluster,
        polarity=Polarity(row.polarity),
        unit=Unit(row.unit),
        frequency=Frequency(row.frequency),
        year_basis=YearBasis(row.year_basis),
        ytd=YtdMethod(row.ytd),
        dot_basis=DotBasis(row.dot_basis) if row.dot_basis else None,
        decimals=row.decimals,
        aliases=tuple(alias for alias in row.aliases.split(";") if alias),
        definition=row.definition,
        data_notes=row.data_notes,
        source=row.source,
        service_area=row.service_area,
        council_plan=row.council_plan,
        active=bool(row.active),
        on_scorecard=bool(row.on_scorecard),
    )


def _period(end: date, indicator: Indicator) -> Period:
    return Period(end, indicator.frequency, indicator.year_basis)


def _observation(row: ObservationRow, indicator: Indicator) -> Observation:
    return Observation(
        code=row.code,
        period=_period(row.period_end, indicator),
        value=row.value,
        numerator=row.numerator,
        denominator=row.denominator,
        area=row.area or None,
        status=ObservationStatus(row.status),
        embargo_until=_aware(row.embargo_until),
        revised_at=_aware(row.revised_at),
    )


def _target(row: TargetRow, indicator: Indicator) -> Target:
    return Target(
        code=row.code,
        year=Year(indicator.year_basis, row.year_start),
        target=row.target,
        amber_threshold=row.amber_threshold,
    )


def _benchmark(row: BenchmarkRow, indicator: Indicator) -> Benchmark:
    return Benchmark(
        code=row.code,
        period=_period(row.period_end, indicator),
        comparator=Comparator(row.comparator),
        value=row.value,
        embargo_until=_aware(row.embargo_until),
    )


def catalogue(
    session: Session, *, active_only: bool = False, codes: Iterable[str] | None = None
) -> list[Indicator]:
    """Every indicator (or those with `codes`), clusters in the order first seen, then in file
    order within each."""
    query = (
        select(IndicatorRow)
        .join(Cluster, Cluster.name == IndicatorRow.cluster)
        .order_by(Cluster.position, IndicatorRow.position, IndicatorRow.code)
    )
    if active_only:
        query = query.where(IndicatorRow.active.is_(True))
    if codes is not None:
        query = query.where(IndicatorRow.code.in_(list(codes)))
    return [_indicator(row) for row in session.scalars(query)]


def indicator(session: Session, code: str) -> Indicator | None:
    row = session.get(IndicatorRow, code)
    return _indicator(row) if row is not None else None


def clusters(session: Session) -> list[str]:
    """Cluster names in the order first seen in the indicators files."""
    return list(session.scalars(select(Cluster.name).order_by(Cluster.position)))


def is_empty(session: Session) -> bool:
    """True when no indicator has been loaded yet."""
    return session.scalar(select(func.count()).select_from(IndicatorRow)) == 0


def _area_filter(area: str | None) -> list[ColumnElement[bool]]:
    if area == EVERY_AREA:
        return []
    return [ObservationRow.area == (area or "")]


def observations(session: Session, code: str, area: str | None = None) -> list[Observation]:
    """One indicator's figures, oldest first: the whole authority's (`area=None`), one ward's,
    or (`area=EVERY_AREA`) all of them."""
    found = indicator(session, code)
    if found is None:
        return []
    query = (
        select(ObservationRow)
        .where(ObservationRow.code == code, *_area_filter(area))
        .order_by(ObservationRow.period_end, ObservationRow.area)
    )
    return [_observation(row, found) for row in session.scalars(query)]


def areas(session: Session) -> list[str]:
    """The wards (areas below the whole authority) that have figures, in name order."""
    query = (
        select(ObservationRow.area).where(ObservationRow.area != "").distinct().order_by(ObservationRow.area)
    )
    return list(session.scalars(query))


def targets(session: Session, code: str) -> list[Target]:
    """One indicator's targets, one per year of its basis, oldest first."""
    found = indicator(session, code)
    if found is None:
        return []
    query = select(TargetRow).where(TargetRow.code == code).order_by(TargetRow.year_start)
    return [_target(row, found) for row in session.scalars(query)]


def benchmarks(session: Session, code: str) -> list[Benchmark]:
    """One indicator's benchmarks, oldest period first, comparators in a fixed order."""
    found = indicator(session, code)
    if found is None:
        return []
    query = (
        select(BenchmarkRow)
        .where(BenchmarkRow.code == code)
        .order_by(BenchmarkRow.period_end, BenchmarkRow.comparator)
    )
    return [_benchmark(row, found) for row in session.scalars(query)]


def figures(
    session: Session, codes: Iterable[str] | None = None, *, area: str | None = None
) -> dict[str, IndicatorFigures]:
    """Every indicator's figures in four queries, in catalogue order (the quarterly scorecard
    needs all 434 at once: one query per indicator would be 1,300 round trips)."""
    wanted = None if codes is None else set(codes)
    indicators = {item.code: item for item in catalogue(session, codes=wanted)}
    limit = [] if wanted is None else [ObservationRow.code.in_(list(indicators))]
    found_observations: dict[str, list[Observation]] = defaultdict(list)
    for row in session.scalars(
        select(ObservationRow)
        .where(*_area_filter(area), *limit)
        .order_by(ObservationRow.code, ObservationRow.period_end, ObservationRow.area)
    ):
        found_observations[row.code].append(_observation(row, indicators[row.code]))
    found_targets: dict[str, list[Target]] = defaultdict(list)
    target_limit = [] if wanted is None else [TargetRow.code.in_(list(indicators))]
    for target_row in session.scalars(
        select(TargetRow).where(*target_limit).order_by(TargetRow.code, TargetRow.year_start)
    ):
        found_targets[target_row.code].append(_target(target_row, indicators[target_row.code]))
    found_benchmarks: dict[str, list[Benchmark]] = defaultdict(list)
    benchmark_limit = [] if wanted is None else [BenchmarkRow.code.in_(list(indicators))]
    for benchmark_row in session.scalars(
        select(BenchmarkRow)
        .where(*benchmark_limit)
        .order_by(BenchmarkRow.code, BenchmarkRow.period_end, BenchmarkRow.comparator)
    ):
        found_benchmarks[benchmark_row.code].append(
            _benchmark(benchmark_row, indicators[benchmark_row.code])
        )
    return {
        code: IndicatorFigures(
            indicator=item,
            observations=tuple(found_observations.get(code, ())),
            targets=tuple(found_targets.get(code, ())),
            benchmarks=tuple(found_benchmarks.get(code, ())),
        )
        for code, item in indicators.items()
    }


def peers(session: Session, code: str, period: Period | None = None) -> list[Peer]:
    """Other councils' figures for one indicator (data-format.md `peers`), oldest period first,
    councils A to Z; only those for `period` when given."""
    found = indicator(session, code)
    if found is None:
        return []
    query = (
        select(PeerRow.period_end, PeerRow.council, PeerRow.value, PeerRow.statistical_neighbour)
        .where(PeerRow.code == code)
        .order_by(PeerRow.period_end, PeerRow.council)
    )
    if period is not None:
        query = query.where(PeerRow.period_end == period.end)
    # A few periods among a thousand rows: each built once.
    periods: dict[date, Period] = {}
    result = []
    for end, council, value, neighbour in session.execute(query):
        when = periods.get(end)
        if when is None:
            when = periods[end] = _period(end, found)
        result.append(Peer(code, when, council, value, bool(neighbour)))
    return result


def peer_ranges(
    session: Session, of: Iterable[Indicator] | None = None
) -> dict[str, dict[Period, tuple[float, float]]]:
    """Per indicator (those given, or every one in the catalogue) and period, the lowest and
    highest of the other councils' figures, in one grouped query (a comparator outside them is
    a source slip). Indicators the caller already holds are not read again."""
    indicators = {item.code: item for item in (catalogue(session) if of is None else of)}
    wanted = None if of is None else list(indicators)
    query = select(
        PeerRow.code, PeerRow.period_end, func.min(PeerRow.value), func.max(PeerRow.value)
    ).group_by(PeerRow.code, PeerRow.period_end)
    if wanted is not None:
        query = query.where(PeerRow.code.in_(wanted))
    ranges: dict[str, dict[Period, tuple[float, float]]] = defaultdict(dict)
    for code, end, low, high in session.execute(query):
        item = indicators.get(code)
        if item is not None:
            ranges[code][_period(end, item)] = (float(low), float(high))
    return dict(ranges)


def glossary(session: Session) -> list[GlossaryEntry]:
    """Loaded glossary terms, A to Z (they add to or replace the built-in glossary)."""
    rows = session.scalars(select(GlossaryRow).order_by(func.lower(GlossaryRow.term)))
    return [GlossaryEntry(row.term, row.definition) for row in rows]


def meetings(session: Session) -> list[Meeting]:
    """Committee meetings, soonest date first."""
    rows = session.scalars(select(MeetingRow).order_by(MeetingRow.date, MeetingRow.committee))
    return [
        Meeting(
            committee=row.committee,
            date=row.date,
            focus_clusters=tuple(name for name in row.focus_clusters.split(";") if name),
            agenda_deadline=row.agenda_deadline,
        )
        for row in rows
    ]


# Built once: composing this select costs more than running it, and every request asks it.
_ROLES_OF = (
    select(RoleRow.user, RoleRow.role, RoleRow.service_area)
    .where(
        or_(
            func.lower(RoleRow.user) == bindparam("wanted"),
            func.lower(RoleRow.user).in_(
                select(func.lower(AccountRow.user_id)).where(AccountRow.person_id == bindparam("person"))
            ),
            func.lower(RoleRow.user).in_(
                select(func.lower(PersonRow.email)).where(PersonRow.id == bindparam("person"))
            ),
        )
    )
    .order_by(RoleRow.role, RoleRow.service_area)
)


def roles_of(session: Session, person: str) -> list[RoleAssignment]:
    """The roles a person holds under any of their names (data.people): their id, their
    accounts' platform ids, their e-mail address; matched without regard to case. One query."""
    wanted = person.strip().lower()
    if not wanted:
        return []
    return [
        RoleAssignment(user=user, role=Role(role), service_area=area)
        for user, role, area in session.connection().execute(_ROLES_OF, {"wanted": wanted, "person": person})
    ]


def overview(session: Session) -> list[ClusterOverview]:
    """Each cluster with its number of indicators and the latest period any of them has."""
    indicators = catalogue(session)
    latest_end: dict[str, date] = {
        code: end
        for code, end in session.execute(
            select(ObservationRow.code, func.max(ObservationRow.period_end))
            .where(ObservationRow.area == "")
            .group_by(ObservationRow.code)
        )
    }
    result = []
    for name in clusters(session):
        members = [item for item in indicators if item.cluster == name]
        periods = [
            _period(latest_end[item.code], item) for item in members if item.code in latest_end
        ]
        result.append(
            ClusterOverview(
                name=name,
                indicators=len(members),
                latest=max(periods, key=lambda period: period.end) if periods else None,
            )
        )
    return result


def load_sources(session: Session, starting_with: str = "") -> list[str]:
    """The source names of earlier loads (oldest first), optionally only those with a prefix."""
    query = select(LoadRow.source_name).order_by(LoadRow.id)
    if starting_with:
        query = query.where(LoadRow.source_name.startswith(starting_with))
    return list(session.scalars(query))


def catalogue_stamp(session: Session) -> tuple[int, str]:
    """What identifies the catalogue's current state: the latest load's id and time ((0, "")
    before any). Indicators, clusters and the glossary only change through a load, so a copy
    kept under an unchanged stamp is still right."""
    return stamps(session).catalogue


@dataclass(frozen=True, slots=True)
class Stamps:
    """What identifies what a card shows, apart from the clock: the catalogue's stamp (see
    `catalogue_stamp`) and how many scorecards have been published (a publication is final, so
    a figure shown as published changes only when one more is)."""

    catalogue: tuple[int, str]
    publications: int


_NEWEST_FIRST = LoadRow.id.desc()
_STAMPS = select(
    select(LoadRow.id).order_by(_NEWEST_FIRST).limit(1).scalar_subquery(),
    select(LoadRow.loaded_at).order_by(_NEWEST_FIRST).limit(1).scalar_subquery(),
    select(func.count())
    .select_from(ScorecardRecordRow)
    .where(ScorecardRecordRow.status == ScorecardStatus.PUBLISHED.value)
    .scalar_subquery(),
)


def stamps(session: Session) -> Stamps:
    """Both stamps in one round trip (every question reads them)."""
    load_id, loaded_at, publications = session.connection().execute(_STAMPS).one()
    catalogue = (0, "") if load_id is None else (int(load_id), str(loaded_at))
    return Stamps(catalogue, int(publications or 0))

