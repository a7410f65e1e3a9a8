"""How we compare: ranks and quartile bands among every council and among our statistical
neighbours, each neighbour's figure, and the indicators where we are behind a comparator.

One implementation of scorecard-rules.md "Ranks and quartile bands" and the comparability
rules of "Benchmarks". Other councils' figures come in as `Peer`s (data-format.md, `peers`);
everything is judged on values rounded to the indicator's precision, as everywhere else.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from scorecard.card import IndicatorCard, card_as_dict
from scorecard.model import Comparator, Indicator, Polarity, Unit, Verdict
from scorecard.overview import counted
from scorecard.periods import Period
from scorecard.rules import (
    COUNT_NOTE,
    OUTSIDE_RANGE_NOTE,
    BenchmarkResult,
    comparator_label,
    format_rounded,
    round_half_up,
)

__all__ = [
    "BANDS",
    "BenchmarkGap",
    "BenchmarkGaps",
    "Comparison",
    "CouncilFigure",
    "Peer",
    "Rank",
    "behind",
    "benchmarks_as_dict",
    "compare",
    "comparison_as_dict",
    "ordinal",
    "peer_ranges",
    "quartile_band",
    "rank_of",
]

# Quartile bands as LAIT names them, best quarter first, with their words.
BANDS = {"A": "first quarter", "B": "second quarter", "C": "third quarter", "D": "fourth quarter"}


@dataclass(frozen=True, slots=True)
class Peer:
    """Another council's figure for one of our indicators at one period (data-format.md `peers`)."""

    code: str
    period: Period
    council: str
    value: float
    statistical_neighbour: bool = False


def ordinal(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 3 -> "3rd", 4 -> "4th", 11 -> "11th", 12 -> "12th", 22 -> "22nd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True, slots=True)
class Rank:
    """Our place among `of` councils with a figure (ourselves included); 1 is best."""

    position: int
    of: int
    joint: bool

    @property
    def words(self) -> str:
        """ "12th of 153", "joint 3rd of 153"."""
        joint = "joint " if self.joint else ""
        return f"{joint}{ordinal(self.position)} of {self.of}"


def _better(a: Decimal, b: Decimal, polarity: Polarity) -> bool:
    return a > b if polarity is Polarity.HIGH else a < b


def rank_of(ours: Decimal, others: Iterable[Decimal], polarity: Polarity) -> Rank | None:
    """Our rank among the others and us, 1 best by polarity; equal values share the better rank.

    Good is low, ours 10.4 among 9.8, 10.4, 12.0 -> joint 2nd of 4. Good is high, ours 86.0
    among 85.0, 90.0 -> 2nd of 3. Polarity `none` has no rank (None).
    """
    if polarity is Polarity.NONE:
        return None
    better = equal = total = 0
    for value in others:
        total += 1
        if value == ours:
            equal += 1
        elif _better(value, ours, polarity):
            better += 1
    return Rank(position=better + 1, of=total + 1, joint=equal > 0)


def quartile_band(position: int, of: int) -> str:
    """LAIT's bands: with rank p of n, A when p <= n/4, B when p <= n/2, C when p <= 3n/4, else D.

    12th of 153 -> A (12 <= 38.25); 40th of 153 -> B; 153rd of 153 -> D. Read literally, as the
    rule says: the best of 3 is B (1 > 3/4) and the only one of 1 is D.
    """
    if not 1 <= position <= of:
        raise ValueError(f"rank {position} of {of} is not a rank")
    if 4 * position <= of:
        return "A"
    if 2 * position <= of:
        return "B"
    if 4 * position <= 3 * of:
        return "C"
    return "D"


def peer_ranges(
    indicator: Indicator, peers: Iterable[Peer], ours: Mapping[Period, Decimal | None] | None = None
) -> dict[Period, tuple[Decimal, Decimal]]:
    """Per period, the lowest and highest rounded figure of every council (ours included).

    A comparator outside this range is a slip in the source (see rules.benchmark_verdict).
    """
    places = indicator.effective_decimals
    spans: dict[Period, tuple[Decimal, Decimal]] = {}
    for peer in peers:
        value = round_half_up(peer.value, places)
        held = spans.get(peer.period)
        spans[peer.period] = (value, value) if held is None else (min(held[0], value), max(held[1], value))
    for period, mine in (ours or {}).items():
        held = spans.get(period)
        if mine is not None and held is not None:
            spans[period] = (min(held[0], mine), max(held[1], mine))
    return spans


@dataclass(frozen=True, slots=True)
class CouncilFigure:
    """One council's figure for the compared period, as shown."""

    council: str
    value: Decimal
    display: str
    statistical_neighbour: bool
    ours: bool = False


@dataclass(frozen=True, slots=True)
class Comparison:
    """Our figure beside every comparator and council, for one period (see `compare`)."""

    card: IndicatorCard
    # The period ranked (ours and the councils'); None when nobody else's figure is loaded.
    period: Period | None
    value: Decimal | None
    display: str
    comparators: tuple[BenchmarkResult, ...]
    councils: int
    rank: Rank | None
    band: str | None
    neighbour_rank: Rank | None
    # Our statistical neighbours' figures for `period`, best first (by value for `none`).
    neighbours: tuple[CouncilFigure, ...]
    notes: tuple[str, ...]

    @property
    def indicator(self) -> Indicator:
        return self.card.indicator

    @property
    def rank_words(self) -> str:
        """ "12th of 153, first quarter (band A); 4th of 11 among statistical neighbours"."""
        parts = []
        if self.rank is not None and self.band is not None:
            parts.append(f"{self.rank.words}, {BANDS[self.band]} (band {self.band})")
        if self.neighbour_rank is not None:
            parts.append(f"{self.neighbour_rank.words} among statistical neighbours")
        return "; ".join(parts)


def _no_rank_reason(indicator: Indicator) -> str:
    if indicator.unit is Unit.COUNT:
        return (
            "A count is not ranked: councils differ in size, so a bigger count is not worse. "
            "Compare the rate instead, where there is one."
        )
    return "A measure of demand or context: councils are not ranked on it, only their figures shown."


def compare(
    card: IndicatorCard, peers: Sequence[Peer], ours_by_period: Mapping[Period, Decimal | None]
) -> Comparison:
    """Our figure, each comparator's, our rank and band among every council and among our
    statistical neighbours, and each neighbour's figure, for the card's period.

    The card's benchmarks already carry their verdicts and notes (a count's comparator for
    information, one outside every council's figure flagged). Ranks (scorecard-rules.md): only
    for polarity `high`/`low` and never for counts; 1 is best; equal rounded values share the
    better rank ("joint 3rd of 153"); the band is A-D by `quartile_band`. When no council has a
    figure for the card's period, the latest period with both ours and theirs is ranked, and a
    note says so. `ours_by_period` is our rounded figure by period.
    """
    indicator = card.indicator
    places = indicator.effective_decimals
    by_period: dict[Period, list[Peer]] = {}
    for peer in peers:
        if peer.code == indicator.code:
            by_period.setdefault(peer.period, []).append(peer)
    notes: list[str] = []
    period = card.period
    if period is not None and period not in by_period:
        shared = [p for p in by_period if ours_by_period.get(p) is not None and p.end <= period.end]
        fallback = max(shared, key=lambda p: p.end) if shared else None
        if fallback is not None:
            notes.append(
                f"Other councils' figures for {period.label} are not loaded yet: "
                f"ranks are for {fallback.label}, the latest period with other councils' figures."
            )
        period = fallback
    if period is None:
        if not by_period:
            notes.append("Other councils' figures are not loaded for this indicator, so there is no rank.")
        return Comparison(
            card, None, card.value, card.display, card.benchmarks, 0, None, None, None, (), tuple(notes)
        )
    ours = ours_by_period.get(period)
    others = by_period.get(period, [])
    figures = [
        CouncilFigure(
            p.council,
            round_half_up(p.value, places),
            format_rounded(round_half_up(p.value, places), indicator.unit),
            p.statistical_neighbour,
        )
        for p in others
    ]
    neighbours = [f for f in figures if f.statistical_neighbour]
    descending = indicator.polarity is not Polarity.LOW
    neighbours.sort(key=lambda f: (-f.value if descending else f.value, f.council))
    rank = band = neighbour_rank = None
    rankable = indicator.polarity is not Polarity.NONE and indicator.unit is not Unit.COUNT
    if not rankable:
        notes.append(_no_rank_reason(indicator))
    elif ours is None:
        notes.append(f"We have no figure for {period.label}, so there is no rank.")
    else:
        rank = rank_of(ours, (f.value for f in figures), indicator.polarity)
        if rank is not None:
            band = quartile_band(rank.position, rank.of)
        if neighbours:
            neighbour_rank = rank_of(ours, (f.value for f in neighbours), indicator.polarity)
    display = "no figure" if ours is None else format_rounded(ours, indicator.unit)
    return Comparison(
        card=card,
        period=period,
        value=ours,
        display=display,
        comparators=card.benchmarks,
        councils=len(figures) + (1 if ours is not None else 0),
        rank=rank,
        band=band,
        neighbour_rank=neighbour_rank,
        neighbours=tuple(neighbours),
        notes=tuple(notes),
    )


def _rank_dict(rank: Rank | None) -> dict[str, Any] | None:
    return None if rank is None else {"position": rank.position, "of": rank.of, "joint": rank.joint}


def comparison_as_dict(comparison: Comparison) -> dict[str, Any]:
    """The `comparison` answer (chat-and-workflow.md): the indicator's fields plus comparators,
    rank, band, neighbour_rank and neighbours (same period, best first)."""
    data = card_as_dict(comparison.card)
    data.update(
        {
            "comparators": [
                {
                    "comparator": b.comparator.value,
                    "period": b.period.label,
                    "value": float(b.value),
                    "verdict": None if b.verdict is None else b.verdict.value,
                    "note": b.note,
                    "label": b.label,
                    "display": b.display,
                }
                for b in comparison.comparators
            ],
            "rank": _rank_dict(comparison.rank),
            "band": comparison.band,
            "neighbour_rank": _rank_dict(comparison.neighbour_rank),
            "neighbours": [
                {"council": f.council, "value": float(f.value), "display": f.display}
                for f in comparison.neighbours
            ],
            "ranked_period": None if comparison.period is None else comparison.period.label,
            "councils": comparison.councils,
            "rank_words": comparison.rank_words,
        }
    )
    if comparison.notes:
        data["note"] = " ".join(comparison.notes)
    return data


# --- Where are we behind ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BenchmarkGap:
    """An indicator worse than the comparator at the same period, and by how much."""

    card: IndicatorCard
    benchmark: BenchmarkResult
    # Relative gap, |ours - theirs| / |theirs| (absolute when theirs is 0): what "widest" means
    # across indicators counted in different units.
    gap: Decimal

    @property
    def words(self) -> str:
        """ "ours 10.4 against England 2023/24 9.8"."""
        return (
            f"ours {self.benchmark.authority_display} against {self.benchmark.label} {self.benchmark.display}"
        )


@dataclass(frozen=True, slots=True)
class BenchmarkGaps:
    """The `benchmarks` answer: where we are worse than `comparator`, widest gap first."""

    comparator: Comparator
    worse: tuple[BenchmarkGap, ...]
    compared: int
    # Why the others could not be compared, with how many: ("no England figure", 12), ...
    not_compared: tuple[tuple[str, int], ...]

    def by_cluster(self) -> dict[str, tuple[BenchmarkGap, ...]]:
        """The gaps by cluster (clusters in the order first met), widest first within each."""
        grouped: dict[str, list[BenchmarkGap]] = {}
        for gap in self.worse:
            grouped.setdefault(gap.card.cluster, []).append(gap)
        return {name: tuple(gaps) for name, gaps in grouped.items()}

    @property
    def not_compared_words(self) -> str:
        """ "Not compared: 106 context measures (no better or worse), 40 counts ..."."""
        if not self.not_compared:
            return ""
        parts = [counted(count, reason) for reason, count in self.not_compared]
        return "Not compared: " + "; ".join(parts) + "."


def _gap(ours: Decimal, theirs: Decimal) -> Decimal:
    difference = abs(ours - theirs)
    return difference if theirs == 0 else difference / abs(theirs)


def behind(cards: Iterable[IndicatorCard], comparator: Comparator) -> BenchmarkGaps:
    """Indicators whose verdict against `comparator` (its latest figure, at its own period) is
    `worse`, the widest relative gap first; and how many could not be compared, and why.

    Good is low, ours 10.4 against England 9.8: worse by 6.1%. A count, a context measure, a
    comparator outside every council's figure, or no figure of ours for the comparator's
    period is never judged, only counted.
    """
    name = comparator_label(comparator)
    worse: list[BenchmarkGap] = []
    compared = 0
    reasons: dict[str, int] = {}

    def skip(reason: str) -> None:
        reasons[reason] = reasons.get(reason, 0) + 1

    for card in cards:
        found = next((b for b in card.benchmarks if b.comparator is comparator), None)
        if card.indicator.polarity is Polarity.NONE:
            skip("context measures (neither higher nor lower is better)")
        elif found is None:
            skip(f"with no {name} figure loaded")
        elif found.note == COUNT_NOTE:
            skip(f"counts ({name}'s is a total for a different population)")
        elif found.note == OUTSIDE_RANGE_NOTE:
            skip(f"where the {name} figure is outside every council's figure (check the source)")
        elif found.verdict is None or found.authority_value is None:
            skip(f"with no figure of ours for the {name} figure's period")
        else:
            compared += 1
            if found.verdict is Verdict.WORSE:
                worse.append(BenchmarkGap(card, found, _gap(found.authority_value, found.value)))
    worse.sort(key=lambda g: (-g.gap, g.card.code))
    ordered = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    return BenchmarkGaps(comparator, tuple(worse), compared, tuple(ordered))


def benchmarks_as_dict(gaps: BenchmarkGaps) -> dict[str, Any]:
    """The `benchmarks` answer: comparator, indicators (worse, widest gap first), not_compared."""
    return {
        "comparator": gaps.comparator.value,
        "indicators": [
            {**card_as_dict(g.card), "gap": float(round(g.gap, 4)), "compared": g.words} for g in gaps.worse
        ],
        "compared": gaps.compared,
        "not_compared": {
            "count": sum(count for _, count in gaps.not_compared),
            "reasons": [{"reason": reason, "count": count} for reason, count in gaps.not_compared],
        },
    }
