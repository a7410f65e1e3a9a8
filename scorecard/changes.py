"""What got worse, what improved, and what changed since the latest published scorecard.

The scrutiny questions of chat-and-workflow.md ("what got worse", "good news", "what's changed
since the last scorecard"), answered from indicator cards, so every figure and direction of
travel is the card's own (scorecard-rules.md, DOT). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from scorecard.card import IndicatorCard, card_as_dict
from scorecard.model import Dot, Rag
from scorecard.rules import NO_FIGURE, DotResult, format_rounded, round_half_up

if TYPE_CHECKING:  # a hint only: answering a question about one indicator needs no scorecard
    from scorecard.quarterly import QuarterlyScorecard

__all__ = [
    "Change",
    "ChangeKind",
    "Direction",
    "changes_as_dict",
    "moved",
    "movement",
    "since_scorecard",
]


class Direction(StrEnum):
    """What a `changes` answer lists: DOT declined or improved at the latest period, or what
    changed since the latest published scorecard."""

    DECLINED = "declined"
    IMPROVED = "improved"
    CHANGED = "changed"


class ChangeKind(StrEnum):
    NEW = "new"  # a figure for a later period than the scorecard showed
    REVISED = "revised"  # the scorecard's own period, now with another figure
    RAG = "rag"  # the same figure, but its RAG moved (a target was set or changed)


def movement(dot: DotResult | None) -> Decimal:
    """How big a move is, comparable across units: |now - before| / |before| (absolute when
    before is 0); 0 with no compared value. 12.1 -> 10.4: 0.1405; 88.0 -> 86.0: 0.0227."""
    if dot is None or dot.value is None or dot.compared_value is None:
        return Decimal(0)
    difference = abs(dot.value - dot.compared_value)
    return difference if dot.compared_value == 0 else difference / abs(dot.compared_value)


def moved(
    cards: Iterable[IndicatorCard], direction: Direction, cluster: str | None = None
) -> dict[str, tuple[IndicatorCard, ...]]:
    """Cards whose DOT at their latest period is `direction` (declined or improved), by cluster
    (clusters in the order first met; one cluster if named, any case), the biggest moves first.

    Good is low, 12.1 -> 10.4 is improved; good is high, 88.0% -> 86.0% is declined. Context
    measures (up/down) are never "worse" or "better", so never listed.
    """
    if direction is Direction.CHANGED:
        raise ValueError("use since_scorecard for what changed since the scorecard")
    wanted = Dot.DECLINED if direction is Direction.DECLINED else Dot.IMPROVED
    only = None if cluster is None else cluster.casefold()
    grouped: dict[str, list[IndicatorCard]] = {}
    for card in cards:
        if only is not None and card.cluster.casefold() != only:
            continue
        if card.dot is not None and card.dot.result is wanted:
            grouped.setdefault(card.cluster, []).append(card)
    return {
        name: tuple(sorted(members, key=lambda c: (-movement(c.dot), c.code)))
        for name, members in grouped.items()
    }


@dataclass(frozen=True, slots=True)
class Change:
    """One indicator changed since the published scorecard, with what it showed then."""

    card: IndicatorCard
    change: ChangeKind
    before_period: str
    before_value: Decimal | None
    before_display: str
    before_rag: Rag
    before_rag_label: str

    @property
    def words(self) -> str:
        """ "new figure: 86.0% (June 2024) after 88.0% (March 2024); Amber, was Green"."""
        card = self.card
        before = (
            f"{self.before_display} ({self.before_period})" if self.before_period else self.before_display
        )
        now = f"{card.display} ({card.period_label})"
        lead = {
            ChangeKind.NEW: f"new figure: {now} after {before}",
            ChangeKind.REVISED: f"revised: {now}, published as {self.before_display}",
            ChangeKind.RAG: f"RAG moved: {now}",
        }[self.change]
        if card.rag is not self.before_rag:
            lead += f"; {card.rag_label}, was {self.before_rag_label}"
        return lead


def since_scorecard(cards: Iterable[IndicatorCard], published: QuarterlyScorecard) -> tuple[Change, ...]:
    """What changed since `published` (the latest published scorecard), by indicator:

    - `new`: the latest figure is for a later period than the scorecard's latest for it
      (or the indicator was not on it);
    - `revised`: the same period, but the figure now rounds to another value;
    - `rag`: the same figure, but its RAG moved.
    Each with the scorecard's figure and RAG before. Catalogue order (the cards' order).
    """
    rows = {row.code: row for row in published.rows}
    changes: list[Change] = []
    for card in cards:
        if card.period is None:
            continue
        row = rows.get(card.code)
        if row is None:
            changes.append(
                Change(card, ChangeKind.NEW, "", None, "not on the scorecard", Rag.NA, "Not rated")
            )
            continue
        latest = row.latest
        places = card.indicator.effective_decimals
        before_value = None if latest.value is None else round_half_up(latest.value, places)
        before_display = (
            NO_FIGURE if before_value is None else format_rounded(before_value, card.indicator.unit)
        )
        before_end = date.fromisoformat(latest.period_end) if latest.period_end else None
        kind = None
        if before_end is None or card.period.end > before_end:
            kind = ChangeKind.NEW
        elif card.period.end == before_end and card.value != before_value:
            kind = ChangeKind.REVISED
        elif card.period.end == before_end and card.rag is not row.rag:
            kind = ChangeKind.RAG
        if kind is not None:
            changes.append(
                Change(card, kind, latest.period, before_value, before_display, row.rag, row.rag_label)
            )
    return tuple(changes)


def changes_as_dict(
    direction: Direction,
    *,
    moved_cards: Mapping[str, tuple[IndicatorCard, ...]] | None = None,
    changes: Iterable[Change] = (),
    since: str | None = None,
    cluster: str | None = None,
) -> dict[str, Any]:
    """The `changes` answer: direction, since, cluster and indicators (for `changed` each with
    `before` {value, rag} and `change`)."""
    indicators: list[dict[str, Any]] = []
    if direction is Direction.CHANGED:
        for change in changes:
            entry = card_as_dict(change.card)
            entry["before"] = {
                "value": None if change.before_value is None else float(change.before_value),
                "rag": change.before_rag.value,
                "period": change.before_period or None,
                "display": change.before_display,
            }
            entry["change"] = change.change.value
            entry["change_words"] = change.words
            indicators.append(entry)
    else:
        for cards in (moved_cards or {}).values():
            indicators.extend(card_as_dict(card) for card in cards)
    return {"direction": direction.value, "since": since, "cluster": cluster, "indicators": indicators}
