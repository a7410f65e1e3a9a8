"""The overview ("how are we doing"): per cluster the RAG and DOT counts and how many are not
rated (and why), the indicators red and declining, and the biggest movers.

From indicator cards, so the counts are the cards' own (scorecard-rules.md, "When there is no
target": a list that counts colours says how many are not rated and why). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from scorecard.card import IndicatorCard
from scorecard.changes import movement
from scorecard.model import Dot, Polarity, Rag

__all__ = [
    "MOVERS",
    "ClusterCounts",
    "Overview",
    "build_overview",
    "counted",
    "not_rated_reasons",
    "not_rated_words",
    "overview_as_dict",
]

# How many of the biggest movers the overview names.
MOVERS = 5


@dataclass(frozen=True, slots=True)
class ClusterCounts:
    cluster: str
    indicators: int
    green: int
    amber: int
    red: int
    not_rated: int
    improved: int
    declined: int
    no_change: int


def not_rated_reason(card: IndicatorCard) -> str | None:
    """Why a card has no RAG, in words a member reads; None when it has one.

    "no figure yet"; "context measures (never rated)"; "no target set for 2024/25".
    """
    if card.rag is not Rag.NA:
        return None
    if card.period is None or card.value is None:
        return "no figure yet"
    if card.indicator.polarity is Polarity.NONE:
        return "context measures (never rated)"
    year = card.target_year
    return f"no target set for {year.label}" if year is not None else "no target set"


def not_rated_reasons(cards: Iterable[IndicatorCard]) -> tuple[tuple[str, int], ...]:
    """Each reason for no RAG with how many cards it applies to, commonest first. Missing
    targets are one reason whatever the year: "no target set for 2024/25, 2023/24 and others"."""
    counts: dict[str, int] = {}
    years: dict[str, int] = {}
    for card in cards:
        reason = not_rated_reason(card)
        if reason is None:
            continue
        if reason.startswith("no target set for "):
            year = reason.removeprefix("no target set for ")
            years[year] = years.get(year, 0) + 1
            continue
        counts[reason] = counts.get(reason, 0) + 1
    if years:
        named = [year for year, _ in sorted(years.items(), key=lambda item: (-item[1], item[0]))]
        listed = ", ".join(named[:3]) + (" and others" if len(named) > 3 else "")
        counts[f"no target set for {listed}"] = sum(years.values())
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


_SINGULAR = {"context measures": "context measure", "counts": "count"}


def counted(count: int, reason: str) -> str:
    """ "3 context measures (never rated)"; "1 context measure (never rated)"; "1 count (...)"."""
    if count == 1:
        for plural, single in _SINGULAR.items():
            if reason.startswith(plural):
                reason = single + reason[len(plural) :]
    return f"{count:,} {reason}"


def not_rated_words(reasons: Sequence[tuple[str, int]]) -> str:
    """ "Not rated: 300 no target set for 2024/25; 106 context measures (never rated)." or ""."""
    if not reasons:
        return ""
    return "Not rated: " + "; ".join(counted(count, reason) for reason, count in reasons) + "."


@dataclass(frozen=True, slots=True)
class Overview:
    clusters: tuple[ClusterCounts, ...]
    not_rated: tuple[tuple[str, int], ...]
    # Red and declining, in catalogue order.
    attention: tuple[IndicatorCard, ...]
    # The biggest moves (improved or declined), biggest first.
    movers: tuple[IndicatorCard, ...]

    @property
    def total(self) -> ClusterCounts:
        """Every cluster added up (cluster "All")."""
        fields = ("indicators", "green", "amber", "red", "not_rated", "improved", "declined", "no_change")
        sums = {name: sum(getattr(c, name) for c in self.clusters) for name in fields}
        return ClusterCounts("All", **sums)

    @property
    def rated(self) -> int:
        total = self.total
        return total.green + total.amber + total.red


def build_overview(cards: Iterable[IndicatorCard], movers: int = MOVERS) -> Overview:
    """Per cluster (in the order first met): RAG counts, DOT counts, not rated; the red and
    declining; the `movers` biggest improvements or declines (relative size, see
    changes.movement)."""
    listed = list(cards)
    counts: dict[str, dict[str, int]] = {}
    for card in listed:
        entry = counts.setdefault(
            card.cluster,
            dict.fromkeys(
                ("indicators", "green", "amber", "red", "not_rated", "improved", "declined", "no_change"), 0
            ),
        )
        entry["indicators"] += 1
        entry["not_rated" if card.rag is Rag.NA else card.rag.value] += 1
        result = Dot.NA if card.dot is None else card.dot.result
        if result in (Dot.IMPROVED, Dot.DECLINED, Dot.NO_CHANGE):
            entry[result.value] += 1
    attention = tuple(
        card
        for card in listed
        if card.rag is Rag.RED and card.dot is not None and card.dot.result is Dot.DECLINED
    )
    moving = [c for c in listed if c.dot is not None and c.dot.result in (Dot.IMPROVED, Dot.DECLINED)]
    moving.sort(key=lambda c: (-movement(c.dot), c.code))
    return Overview(
        clusters=tuple(ClusterCounts(name, **entry) for name, entry in counts.items()),
        not_rated=not_rated_reasons(listed),
        attention=attention,
        movers=tuple(moving[:movers]),
    )


def overview_as_dict(overview: Overview) -> dict[str, Any]:
    """The `overview` answer: clusters [{cluster, green, amber, red, not_rated, improved,
    declined, no_change}], not_rated_reason, attention (codes), movers (codes)."""
    return {
        "clusters": [
            {
                "cluster": c.cluster,
                "indicators": c.indicators,
                "green": c.green,
                "amber": c.amber,
                "red": c.red,
                "not_rated": c.not_rated,
                "improved": c.improved,
                "declined": c.declined,
                "no_change": c.no_change,
            }
            for c in overview.clusters
        ],
        "not_rated_reason": not_rated_words(overview.not_rated) or None,
        "not_rated_reasons": [{"reason": r, "count": n} for r, n in overview.not_rated],
        "attention": [card.code for card in overview.attention],
        "movers": [card.code for card in overview.movers],
        "mover_words": [
            f"{card.code} {card.title}: {card.dot.words}" for card in overview.movers if card.dot is not None
        ],
    }
