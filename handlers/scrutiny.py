"""The scrutiny questions (chat-and-workflow.md): what got worse or improved, what changed since
the last scorecard, how we compare, where we are behind, the overview; and an honest `reds`.

Each answer is built from every indicator's card at once. Building 434 cards costs a few
hundred milliseconds, so they are kept per store and viewer kind until the store changes
(a load moves `store.catalogue_stamp`) or an embargo lifts: a warm answer is a walk over cards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from data import scorecards, store
from handlers.kept import keep
from handlers.reply import Reply, Request
from handlers.scrutiny_replies import (
    CHART_COMPARATORS,
    benchmarks_reply,
    changes_reply,
    comparison_reply,
    overview_reply,
    reds_reply,
)
from scorecard import understanding as query
from scorecard.card import IndicatorCard, build_card, latest_period
from scorecard.changes import Direction, moved, since_scorecard
from scorecard.comparison import Comparison, behind, compare
from scorecard.model import Benchmark, Comparator, Indicator, Observation
from scorecard.overview import build_overview
from scorecard.periods import Period
from scorecard.rules import PeerRanges, index_observations, round_half_up, rounded, visible
from scorecard.scrutiny_words import Scrutiny, ScrutinyKind
from scorecard.working_days import LONDON

__all__ = ["Compared", "all_cards", "answer", "compared", "ranges_of", "reds", "rounded_ranges", "with_ours"]


@dataclass(frozen=True, slots=True)
class _Cards:
    """Every active indicator's latest card for one kind of viewer, as of one load."""

    stamp: tuple[int, str]
    # The first embargo to lift after the cards were built: they are stale from then.
    valid_until: datetime | None
    cards: tuple[IndicatorCard, ...]


# (store URL, staff?) -> the cards. Members and staff differ only in what embargo hides.
_cards: dict[tuple[str, bool], _Cards] = {}


def rounded_ranges(
    indicator: Indicator, spans: dict[Period, tuple[float, float]] | None
) -> PeerRanges | None:
    """Other councils' lowest and highest figure by period, rounded as the indicator is shown."""
    if not spans:
        return None
    places = indicator.effective_decimals
    return {p: (round_half_up(low, places), round_half_up(high, places)) for p, (low, high) in spans.items()}


def _with_ours(spans: PeerRanges | None, ours: dict[Period, Decimal | None]) -> PeerRanges | None:
    """Every council's range including ours (a comparator between us and them is no slip)."""
    if spans is None:
        return None
    widened = dict(spans)
    for when, (low, high) in spans.items():
        mine = ours.get(when)
        if mine is not None:
            widened[when] = (min(low, mine), max(high, mine))
    return widened


def _ranked_period(
    period: Period | None, spans: PeerRanges, ours: dict[Period, Decimal | None]
) -> Period | None:
    if period is None or period in spans:
        return period
    shared = [p for p in spans if ours.get(p) is not None and p.end <= period.end]
    return max(shared, key=lambda p: p.end) if shared else None


def ranges_of(
    session: Session, indicator: Indicator, observations: Iterable[Observation]
) -> PeerRanges | None:
    """One indicator's range of every council's figure by period (ours included), from the store."""
    spans = rounded_ranges(indicator, store.peer_ranges(session, [indicator]).get(indicator.code))
    return _with_ours(spans, _ours(indicator, observations))


def with_ours(
    spans: PeerRanges | None, indicator: Indicator, observations: Iterable[Observation]
) -> PeerRanges | None:
    """`spans` widened to our own figures (whole authority) where we have one."""
    return _with_ours(spans, _ours(indicator, observations))


def _ours(indicator: Indicator, observations: Iterable[Observation]) -> dict[Period, Decimal | None]:
    return {o.period: rounded(o.value, indicator) for o in observations if o.area is None}


def _next_embargo(moments: Sequence[datetime | None], now: datetime) -> datetime | None:
    future = []
    for moment in moments:
        if moment is None:
            continue
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=LONDON)
        if aware > now:
            future.append(aware)
    return min(future) if future else None


def cards_for(
    request: Request,
    session: Session,
    indicators: Sequence[Indicator],
    requested: query.RequestedPeriod | None = None,
    *,
    embargoes: list[datetime | None] | None = None,
) -> list[IndicatorCard]:
    """Cards for many indicators from one bulk fetch (a few queries, whatever the count), with
    comparators outside every council's figure flagged; the embargo times of what was read are
    added to `embargoes` when given (when a kept card must be drawn again)."""
    codes = [i.code for i in indicators]
    figures = store.figures(session, codes)
    spans = store.peer_ranges(session, indicators)
    cards = []
    for indicator in indicators:
        found = figures[indicator.code]
        if embargoes is not None:
            embargoes.extend(o.embargo_until for o in found.observations)
            embargoes.extend(b.embargo_until for b in found.benchmarks)
        cards.append(
            build_card(
                indicator,
                found.observations,
                found.targets,
                found.benchmarks,
                viewer=request.viewer,
                now=request.now,
                period=None if requested is None else requested.period_for(indicator),
                peer_ranges=with_ours(rounded_ranges(indicator, spans.get(indicator.code)), indicator,
                                      found.observations),
            )
        )
    return cards


def all_cards(request: Request, session: Session) -> tuple[IndicatorCard, ...]:
    """The latest card of every active indicator (catalogue order) the viewer may see, with
    comparators outside every council's figure flagged (peers)."""
    where = (str(session.get_bind().engine.url), request.viewer.is_staff)
    stamp = store.catalogue_stamp(session)
    held = _cards.get(where)
    if (
        held is not None
        and held.stamp == stamp
        and (held.valid_until is None or request.now < held.valid_until)
    ):
        return held.cards
    embargoes: list[datetime | None] = []
    active = [i for i in store.catalogue(session) if i.active]
    cards = cards_for(request, session, active, embargoes=embargoes)
    built = _Cards(stamp, _next_embargo(embargoes, request.now), tuple(cards))
    _cards[where] = built
    return built.cards


def _on_scorecard(cards: Sequence[IndicatorCard]) -> tuple[list[IndicatorCard], int]:
    """The cards of the members' scorecard set, and how many other active indicators there are."""
    chosen = [card for card in cards if card.indicator.on_scorecard]
    return chosen, len(cards) - len(chosen)


def reds(request: Request, session: Session) -> Reply:
    """`/kpi reds`: indicators red now, by cluster; honest when nothing is rated."""
    return reds_reply(all_cards(request, session))


def answer(request: Request, session: Session, asked: Scrutiny) -> Reply:
    """A scrutiny question understood by `scorecard.understanding` (see scrutiny_words)."""
    subject = asked.subject
    cluster = subject.cluster if isinstance(subject, query.ClusterMatch) else None
    if asked.kind is ScrutinyKind.OVERVIEW:
        return _overview(request, session, cluster)
    if asked.kind is ScrutinyKind.CHANGES:
        direction = Direction(asked.direction or Direction.DECLINED.value)
        if direction is Direction.CHANGED:
            return _since_scorecard(request, session, cluster)
        return _moved(request, session, direction, cluster)
    if isinstance(subject, query.IndicatorMatch):
        return comparison(request, session, subject.indicator, subject.period, asked.comparator)
    if isinstance(subject, query.Choices):
        from handlers.replies import choices_reply

        return choices_reply(asked.subject_text, subject.candidates)
    return _benchmarks(request, session, asked.comparator or Comparator.ENGLAND, cluster)


def _in_cluster(cards: Sequence[IndicatorCard], cluster: str | None) -> list[IndicatorCard]:
    if cluster is None:
        return list(cards)
    wanted = cluster.casefold()
    return [card for card in cards if card.cluster.casefold() == wanted]


def _overview(request: Request, session: Session, cluster: str | None) -> Reply:
    chosen, others = _on_scorecard(all_cards(request, session))
    return overview_reply(build_overview(_in_cluster(chosen, cluster)), cluster, others)


def _moved(request: Request, session: Session, direction: Direction, cluster: str | None) -> Reply:
    chosen, others = _on_scorecard(all_cards(request, session))
    return changes_reply(direction, moved(chosen, direction, cluster), cluster=cluster, others=others)


def _since_scorecard(request: Request, session: Session, cluster: str | None) -> Reply:
    chosen, _others = _on_scorecard(all_cards(request, session))
    published = scorecards.published(session)
    if published is None:
        return changes_reply(Direction.CHANGED, {}, cluster=cluster, since=None, changes=())
    from scorecard.quarterly import scorecard_from_snapshot  # here: only this question needs it

    scorecard = scorecard_from_snapshot(published.snapshot)
    found = since_scorecard(_in_cluster(chosen, cluster), scorecard)
    return changes_reply(Direction.CHANGED, {}, cluster=cluster, since=scorecard.quarter_label, changes=found)


def _benchmarks(request: Request, session: Session, comparator: Comparator, cluster: str | None) -> Reply:
    chosen, others = _on_scorecard(all_cards(request, session))
    return benchmarks_reply(behind(_in_cluster(chosen, cluster), comparator), cluster=cluster, others=others)


# Comparisons asked again (the same indicator, period and comparator, for the same kind of
# viewer) until the store changes or an embargo lifts; the oldest dropped beyond this many.
MAX_COMPARISONS = 512


@dataclass(frozen=True, slots=True)
class _Kept:
    stamp: tuple[int, str]
    valid_until: datetime | None
    reply: Reply


_comparisons: dict[tuple[object, ...], _Kept] = {}


def comparison(
    request: Request,
    session: Session,
    indicator: Indicator,
    period: Period | None,
    comparator: Comparator | None = None,
) -> Reply:
    """`how do we compare on X`: our figure, every comparator's, our ranks and band, and each
    statistical neighbour's figure."""
    key = (
        str(session.get_bind().engine.url),
        request.viewer.is_staff,
        indicator,
        None if period is None else period.end,
        comparator,
    )
    stamp = store.catalogue_stamp(session)
    kept = _comparisons.get(key)
    if (
        kept is not None
        and kept.stamp == stamp
        and (kept.valid_until is None or request.now < kept.valid_until)
    ):
        return kept.reply
    reply, valid_until = _comparison(request, session, indicator, period, comparator)
    keep(_comparisons, key, _Kept(stamp, valid_until, reply), limit=MAX_COMPARISONS)
    return reply


@dataclass(frozen=True, slots=True)
class Compared:
    """A comparison with what its charts need: our rounded figure by period and every
    benchmark the viewer may see (each comparator across the years)."""

    comparison: Comparison
    ours: dict[Period, Decimal | None]
    benchmarks: tuple[Benchmark, ...]
    valid_until: datetime | None


def compared(request: Request, session: Session, indicator: Indicator, period: Period | None) -> Compared:
    """The comparison of one indicator at `period` (default: the latest the viewer may see)."""
    figures = store.figures(session, [indicator.code])[indicator.code]
    index = index_observations(figures.observations, viewer=request.viewer, now=request.now)
    ours: dict[Period, Decimal | None] = {p: rounded(o.value, indicator) for p, o in index.items()}
    shown = period if period is not None else latest_period(index)
    spans = rounded_ranges(indicator, store.peer_ranges(session, [indicator]).get(indicator.code))
    card = build_card(
        indicator,
        index,
        figures.targets,
        figures.benchmarks,
        viewer=request.viewer,
        now=request.now,
        period=shown,
        peer_ranges=_with_ours(spans, ours),
    )
    # Only the ranked period's figures are fetched: the card's own, or else the latest before it
    # with both ours and other councils' figures (compare() says which in a note).
    ranked = _ranked_period(card.period, spans or {}, ours)
    peers = [] if ranked is None else store.peers(session, indicator.code, ranked)
    embargoes = [o.embargo_until for o in figures.observations] + [
        b.embargo_until for b in figures.benchmarks
    ]
    seen = tuple(b for b in figures.benchmarks if visible(b, request.viewer, request.now))
    return Compared(compare(card, peers, ours), ours, seen, _next_embargo(embargoes, request.now))


def _comparison(
    request: Request,
    session: Session,
    indicator: Indicator,
    period: Period | None,
    comparator: Comparator | None,
) -> tuple[Reply, datetime | None]:
    found = compared(request, session, indicator, period)
    return comparison_reply(found.comparison, comparator), found.valid_until


def comparison_pictures(
    request: Request, session: Session, code: str, period_end: str | None, view: str
) -> tuple[bytes, str, str, str] | None:
    """A comparison's picture for a Show chart button: (PNG, file name, title, alt text), or
    None when the indicator is unknown or has no figure. `view`: "comparison" (ours against
    each statistical neighbour for the period, England marked) or "comparators" (ours and
    each comparator across the years)."""
    from scorecard.charts import comparators_trend_chart, comparison_chart, comparison_chart_alt_text

    indicator = store.indicator(session, code)
    if indicator is None:
        return None
    period = None
    if period_end:
        period = Period(date.fromisoformat(period_end), indicator.frequency, indicator.year_basis)
    found = compared(request, session, indicator, period)
    card = found.comparison.card
    if card.period is None:
        return None
    if view == CHART_COMPARATORS:
        content = comparators_trend_chart(card, found.ours, found.benchmarks)
        title = f"{card.title} ({card.code}): ours and the comparators over the years"
        alt = f"{card.title}: ours and England, statistical neighbours and region across the years."
        return content, f"{card.code}-comparators.png", title, alt
    content = comparison_chart(found.comparison)
    title = f"{card.title} ({card.code}): ours against our statistical neighbours"
    return content, f"{card.code}-neighbours.png", title, comparison_chart_alt_text(found.comparison)
